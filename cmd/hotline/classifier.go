package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/cityhotline/hotline/analytics/classify"
	"github.com/cityhotline/hotline/ticketing"
)

// ClassifierConfig is the category classifier behind
// GET /api/v1/categories/suggest.
type ClassifierConfig struct {
	// Model is a file written by `hotlinectl classify train`, served as is;
	// "" trains from the stored tickets at start and daily.
	Model string `yaml:"model"`
}

// Training from the store reads at most classifierMaxTickets of the newest
// tickets, classifierPage at a time.
const (
	classifierMaxTickets = 20000
	classifierPage       = 1000
)

// ticketExamples reads the stored tickets that have a category as
// classifier examples: title and content → category id.
type ticketExamples struct{ st ticketing.Store }

func (t ticketExamples) Examples(ctx context.Context) ([]classify.Example, error) {
	var out []classify.Example
	for off := 0; off < classifierMaxTickets; off += classifierPage {
		ts, err := t.st.FindTickets(ctx, ticketing.TicketFilter{Limit: classifierPage, Offset: off})
		if err != nil {
			return nil, fmt.Errorf("read tickets: %w", err)
		}
		for _, tk := range ts {
			text := strings.TrimSpace(tk.Title + "\n" + tk.Content)
			if tk.Category != "" && text != "" {
				out = append(out, classify.Example{Text: text, Label: string(tk.Category)})
			}
		}
		if len(ts) < classifierPage {
			break
		}
	}
	return out, nil
}

// startClassifier loads the configured model, or starts training from the
// store in a goroutine that ends with ctx; the returned function waits for it.
func startClassifier(ctx context.Context, cfg ClassifierConfig, st ticketing.Store, log *slog.Logger) (*classify.Service, func(), error) {
	if cfg.Model != "" {
		f, err := os.Open(cfg.Model)
		if err != nil {
			return nil, nil, fmt.Errorf("classifier model: %w", err)
		}
		m, err := classify.Load(f)
		f.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("classifier model %s: %w", cfg.Model, err)
		}
		log.Info("category classifier loaded", "model", cfg.Model, "labels", len(m.Labels()))
		return classify.NewService(nil, classify.ServiceConfig{Model: m}, log), func() {}, nil
	}
	// Balance 0.5: a centre's categories differ in size by orders of
	// magnitude, and full balancing would push the rarest ones too often.
	// No SVM (SVMMix -1): its one-vs-rest passes cost a pass per category,
	// and on 20,000 generated tickets in 74 categories training took 67 s
	// of a core with it against 15 s without, at start and every day, on
	// the cores the calls use. The NB-SVM model is for a file trained
	// offline (hotlinectl classify train, classifier.model).
	svc := classify.NewService(ticketExamples{st}, classify.ServiceConfig{Options: classify.Options{Balance: 0.5, SVMMix: -1}}, log)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		svc.Run(ctx)
	}()
	return svc, func() { cancel(); <-done }, nil
}
