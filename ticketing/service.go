package ticketing

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cityhotline/hotline"
)

// Config configures the ticketing service.
type Config struct {
	SLA        SLAConfig
	MaxContent int           // characters of content; default 4000
	MaxExtend  int           // days one extension may add; default 30
	RefreshTTL time.Duration // how long the reference-data snapshot is trusted; default 30 s
	Regions    []Region      // polygons for position-based area resolution
}

// DefaultConfig returns the defaults of DESIGN.md.
func DefaultConfig() Config {
	return Config{SLA: DefaultSLA(), MaxContent: 4000, MaxExtend: 30, RefreshTTL: 30 * time.Second}
}

// Service runs the work-order lifecycle over a Store.
type Service struct {
	cfg   Config
	store Store
	clock hotline.Clock
	pub   hotline.Publisher
	log   *slog.Logger

	mu      sync.Mutex
	ref     *refData
	refTime time.Time

	// The deadline rules in force (replaced whole by UpdateSLA; cfg.SLA is
	// only their start), the store that keeps the admin's edits, and the
	// edits' audit; slaMu serialises the edits (sla_view.go).
	rules    atomic.Pointer[SLAConfig]
	slaStore SLAStore
	slaMu    sync.Mutex
	slaAudit SLASettings
}

// NewService returns a service. pub and log may be nil.
func NewService(cfg Config, st Store, clock hotline.Clock, pub hotline.Publisher, log *slog.Logger) *Service {
	def := DefaultConfig()
	if cfg.SLA.Deadlines == nil {
		cfg.SLA.Deadlines = def.SLA.Deadlines
	}
	if cfg.SLA.WarnAt <= 0 || cfg.SLA.WarnAt >= 1 {
		cfg.SLA.WarnAt = def.SLA.WarnAt
	}
	if cfg.SLA.Calendar == nil {
		cfg.SLA.Calendar = def.SLA.Calendar
	}
	if cfg.MaxContent <= 0 {
		cfg.MaxContent = def.MaxContent
	}
	if cfg.MaxExtend <= 0 {
		cfg.MaxExtend = def.MaxExtend
	}
	if cfg.RefreshTTL <= 0 {
		cfg.RefreshTTL = def.RefreshTTL
	}
	if clock == nil {
		clock = hotline.SystemClock{}
	}
	if pub == nil {
		pub = hotline.Discard
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{cfg: cfg, store: st, clock: clock, pub: pub, log: log}
	s.slaStore, _ = st.(SLAStore)
	sla := cfg.SLA
	s.rules.Store(&sla)
	return s
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// refs returns the reference-data snapshot, reloading it when stale.
func (s *Service) refs(ctx context.Context) (*refData, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ref != nil && time.Since(s.refTime) < s.cfg.RefreshTTL {
		return s.ref, nil
	}
	units, err := s.store.FindUnits(ctx, UnitFilter{})
	if err != nil {
		return nil, fmt.Errorf("load units: %w", err)
	}
	cats, err := s.store.FindCategories(ctx)
	if err != nil {
		return nil, fmt.Errorf("load categories: %w", err)
	}
	rules, err := s.store.FindRules(ctx)
	if err != nil {
		return nil, fmt.Errorf("load catalogue: %w", err)
	}
	s.ref, s.refTime = newRefData(units, cats, rules, s.cfg.Regions), time.Now()
	return s.ref, nil
}

// invalidate drops the snapshot after a reference-data change.
func (s *Service) invalidate() {
	s.mu.Lock()
	s.ref = nil
	s.mu.Unlock()
}

// ResolveArea returns the district and street of an address or position.
func (s *Service) ResolveArea(ctx context.Context, address string, lat, lng float64) Area {
	ref, err := s.refs(ctx)
	if err != nil {
		s.log.Error("resolve area", "err", err)
		return Area{}
	}
	return ref.resolver.Resolve(address, lat, lng)
}

// Suggest returns the catalogue's unit for a category at a place.
func (s *Service) Suggest(ctx context.Context, category hotline.CategoryID, address string, lat, lng float64) (*Suggestion, error) {
	ref, err := s.refs(ctx)
	if err != nil {
		return nil, err
	}
	if !ref.leaf[category] {
		return nil, hotline.Errorf(hotline.EINVALID, "unknown category %q", category).WithField("category", "not a category that takes requests")
	}
	return ref.suggest(category, ref.resolver.Resolve(address, lat, lng)), nil
}

func (s *Service) publish(typ string, t *Ticket, data map[string]string) {
	s.pub.Publish(hotline.Event{Type: typ, Time: s.now(), Ticket: t.ID, Unit: t.Unit, Data: data})
}
