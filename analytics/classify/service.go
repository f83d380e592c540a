package classify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"
)

// Source lists labelled examples to learn from, e.g. the stored tickets'
// title and content with their category.
type Source interface {
	Examples(ctx context.Context) ([]Example, error)
}

// ServiceConfig tunes a Service. Zero fields take the defaults in brackets.
type ServiceConfig struct {
	Options     Options       // training options
	MinExamples int           // train only with at least this many examples [50]
	MinLabels   int           // ... and this many distinct labels [2]
	Every       time.Duration // retrain this often [24h]
	// Model, when set, is served as is: the service never trains.
	Model *Model
}

// Service keeps a model trained from a Source and answers suggestions. Run
// owns its only goroutine's work; Suggest is safe for concurrent use.
type Service struct {
	src   Source
	cfg   ServiceConfig
	log   *slog.Logger
	model atomic.Pointer[Model]
}

// ErrTooFew reports that the source has too few examples or labels to train.
var ErrTooFew = errors.New("classify: too few examples to train")

// NewService returns a service over src (which may be nil when cfg.Model is set).
func NewService(src Source, cfg ServiceConfig, log *slog.Logger) *Service {
	if cfg.MinExamples <= 0 {
		cfg.MinExamples = 50
	}
	if cfg.MinLabels <= 0 {
		cfg.MinLabels = 2
	}
	if cfg.Every <= 0 {
		cfg.Every = 24 * time.Hour
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{src: src, cfg: cfg, log: log}
	if cfg.Model != nil {
		s.model.Store(cfg.Model)
	}
	return s
}

// Model returns the model being served, or nil before the first training.
func (s *Service) Model() *Model { return s.model.Load() }

// Suggest returns the k best labels for text, or none while there is no model.
func (s *Service) Suggest(_ context.Context, text string, k int) ([]Scored, error) {
	m := s.model.Load()
	if m == nil {
		return nil, nil
	}
	return m.Predict(text, k), nil
}

// Run trains at once and then every cfg.Every until ctx ends; with a fixed
// model it returns at once. Failures are logged and the last model kept.
func (s *Service) Run(ctx context.Context) {
	if s.cfg.Model != nil || s.src == nil {
		return
	}
	tick := time.NewTicker(s.cfg.Every)
	defer tick.Stop()
	for {
		switch err := s.Retrain(ctx); {
		case err == nil || ctx.Err() != nil:
		case errors.Is(err, ErrTooFew):
			s.log.Info("category classifier not trained yet", "reason", err)
		default:
			s.log.Warn("category classifier not trained", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Retrain reads the source and, when it has enough examples and labels,
// trains a model and serves it.
func (s *Service) Retrain(ctx context.Context) error {
	ex, err := s.src.Examples(ctx)
	if err != nil {
		return fmt.Errorf("classifier examples: %w", err)
	}
	labels := map[string]bool{}
	for _, e := range ex {
		labels[e.Label] = true
	}
	if len(ex) < s.cfg.MinExamples || len(labels) < s.cfg.MinLabels {
		return fmt.Errorf("%w: %d examples, %d labels (need %d and %d)", ErrTooFew, len(ex), len(labels), s.cfg.MinExamples, s.cfg.MinLabels)
	}
	start := time.Now()
	m, err := TrainContext(ctx, ex, s.cfg.Options)
	if err != nil {
		return err
	}
	s.model.Store(m)
	s.log.Info("category classifier trained", "examples", len(ex), "labels", len(labels),
		"features", m.NumFeatures(), "seconds", time.Since(start).Seconds())
	return nil
}
