package call

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// The satisfaction-callback scheduler (回访调度): it plans a callback for
// every replied ticket (a new round after each new reply) and for every
// ticket whose reply deadline passed with no reply (Art. 23), picks the
// due ones inside the calling window unless a supervisor paused it, and
// runs their survey calls, storing each answer as it is given, then moves
// the callback on (done, retry, unreachable) and the ticket with it.

// DefaultSchedulerInterval is how often the scheduler looks for work.
const DefaultSchedulerInterval = time.Minute

// DefaultStopGrace bounds how long Stop lets running surveys finish before
// it cancels them.
const DefaultStopGrace = 5 * time.Second

// storeTimeout bounds each store write made on behalf of a call, which
// must survive the call's own cancellation.
const storeTimeout = 10 * time.Second

// SchedulerConfig shapes the scheduler.
type SchedulerConfig struct {
	Policy   ticketing.CallbackPolicy
	Calendar *ticketing.Calendar // holidays; nil: none
	Interval time.Duration       // between passes; DefaultSchedulerInterval when zero
	// ReopenOnDissatisfied reopens a ticket for its unit when the citizen
	// says it is unresolved or is dissatisfied. Use NewSchedulerConfig for
	// the default (true).
	ReopenOnDissatisfied bool
	Ring                 time.Duration // per survey call; DefaultSurveyRing when zero
	StopGrace            time.Duration // DefaultStopGrace when zero
	// OnFinished, when set, is told each callback after its call's outcome
	// is stored and the tickets are noted (and reopened). It runs on the
	// call's goroutine.
	OnFinished func(ticketing.Callback)
}

// NewSchedulerConfig returns a configuration with the policy given and the
// defaults for the rest (reopening on dissatisfaction included).
func NewSchedulerConfig(p ticketing.CallbackPolicy, cal *ticketing.Calendar) SchedulerConfig {
	return SchedulerConfig{Policy: p, Calendar: cal, Interval: DefaultSchedulerInterval, ReopenOnDissatisfied: true}
}

// SchedulerStore is what the scheduler reads and writes.
type SchedulerStore interface {
	ticketing.CallbackStore
	FindTickets(ctx context.Context, f ticketing.TicketFilter) ([]*ticketing.Ticket, error)
	FindTicketByID(ctx context.Context, id hotline.TicketID) (*ticketing.Ticket, error)
	FindUnitByID(ctx context.Context, id hotline.UnitID) (*ticketing.Unit, error)
}

// Scheduler plans and places satisfaction callbacks.
type Scheduler struct {
	cfg     SchedulerConfig
	store   SchedulerStore
	tickets *ticketing.Service
	calls   *Service
	dialer  Dialer
	clock   hotline.Clock
	log     *slog.Logger

	mu      sync.Mutex
	running int
	started bool
	stopped bool
	calling context.Context // parent of every survey call
	cancel  context.CancelFunc
	loopEnd chan struct{}
	surveys sync.WaitGroup
	stop    chan struct{}
}

// NewScheduler builds a scheduler; Start runs it, Tick makes one pass.
func NewScheduler(cfg SchedulerConfig, st SchedulerStore, tickets *ticketing.Service, calls *Service,
	d Dialer, clock hotline.Clock, log *slog.Logger) (*Scheduler, error) {
	if err := cfg.Policy.Validate(); err != nil {
		return nil, fmt.Errorf("callback scheduler: %w", err)
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultSchedulerInterval
	}
	if cfg.StopGrace <= 0 {
		cfg.StopGrace = DefaultStopGrace
	}
	if clock == nil {
		clock = hotline.SystemClock{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{cfg: cfg, store: st, tickets: tickets, calls: calls, dialer: d, clock: clock,
		log: log.With("component", "callbacks"), calling: ctx, cancel: cancel, stop: make(chan struct{})}, nil
}

// Start recovers callbacks left calling by a previous run and then makes a
// pass every Interval until ctx ends or Stop.
func (s *Scheduler) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.stopped {
		return errors.New("callback scheduler: already started or stopped")
	}
	if err := s.recover(ctx); err != nil {
		return err
	}
	s.started = true
	s.loopEnd = make(chan struct{})
	go s.loop(ctx)
	return nil
}

func (s *Scheduler) loop(ctx context.Context) {
	defer close(s.loopEnd)
	t := time.NewTicker(s.cfg.Interval)
	defer t.Stop()
	for {
		if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("callback pass", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.stop:
			return
		case <-t.C:
		}
	}
}

// Stop ends the loop, lets running surveys finish for StopGrace, then
// cancels them and waits for them to store their outcome. It is idempotent.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	s.stopped = true
	close(s.stop)
	started := s.started
	s.mu.Unlock()
	if started {
		<-s.loopEnd
	}
	done := make(chan struct{})
	go func() { s.surveys.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(s.cfg.StopGrace):
		s.log.Warn("cancelling running survey calls", "grace", s.cfg.StopGrace)
	}
	s.cancel()
	<-done
}

// recover closes the attempts a crash left open: the call is gone, so
// they count as failed (and are retried while attempts are left).
func (s *Scheduler) recover(ctx context.Context) error {
	open, err := s.store.FindCallbacks(ctx, ticketing.CallbackFilter{States: []ticketing.CallbackState{ticketing.CallbackCalling}})
	if err != nil {
		return fmt.Errorf("callback scheduler: find open calls: %w", err)
	}
	for _, cb := range open {
		s.finishAttempt(ctx, *cb, ticketing.ResultFailed)
	}
	return nil
}

// Tick makes one pass: it plans callbacks for newly replied tickets and
// for tickets whose reply deadline passed (Art. 23), and, unless a
// supervisor paused the scheduler, starts the due ones. The calls run in
// the background.
func (s *Scheduler) Tick(ctx context.Context) error {
	if err := s.plan(ctx); err != nil {
		return err
	}
	sw, err := s.store.FindCallbackSwitch(ctx)
	if err != nil {
		return fmt.Errorf("callback pass: read the pause switch: %w", err)
	}
	if sw.Paused {
		s.log.Debug("callbacks paused by a supervisor", "since", sw.Since, "by", sw.By)
		return nil
	}
	return s.pick(ctx)
}

// plan creates a pending callback for each ticket whose current trigger
// has no round yet (ticketing.Covered): a reply (the first one, or one
// after a reopen: a second round), or a reply deadline passed with no
// reply (Art. 23). Planned is taken after the tickets are read, so every
// trigger seen is at or before it.
func (s *Scheduler) plan(ctx context.Context) error {
	now := s.clock.Now()
	replied, err := s.store.FindTickets(ctx, ticketing.TicketFilter{States: []ticketing.State{ticketing.StateReplied}})
	if err != nil {
		return fmt.Errorf("plan callbacks: find replied tickets: %w", err)
	}
	overdue, err := s.store.FindTickets(ctx, ticketing.TicketFilter{Overdue: true, OverdueAt: now, Light: ticketing.LightRed})
	if err != nil {
		return fmt.Errorf("plan callbacks: find overdue tickets (Art. 23): %w", err)
	}
	planned := s.clock.Now()
	seen := map[hotline.TicketID]bool{}
	var fresh []*ticketing.Ticket
	for _, t := range append(replied, overdue...) {
		if seen[t.ID] {
			continue
		}
		seen[t.ID] = true
		have, err := s.store.FindCallbacks(ctx, ticketing.CallbackFilter{Ticket: t.ID})
		if err != nil {
			return fmt.Errorf("plan callbacks: ticket %s: %w", t.ID, err)
		}
		if !ticketing.Covered(t, have) {
			fresh = append(fresh, t)
		}
	}
	made, skipped := ticketing.Plan(fresh, s.cfg.Policy, s.cfg.Calendar)
	for _, sk := range skipped {
		s.log.Debug("no callback", "ticket", sk.Ticket, "reason", sk.Reason)
	}
	for i := range made {
		made[i].Planned = planned
		if err := s.store.CreateCallback(ctx, &made[i]); err != nil {
			return fmt.Errorf("plan callbacks: create: %w", err)
		}
		s.log.Info("callback planned", "callback", made[i].ID, "tickets", made[i].Tickets, "due", made[i].Due)
	}
	return nil
}

// pick starts the due callbacks there is a free line for.
func (s *Scheduler) pick(ctx context.Context) error {
	now := s.clock.Now()
	found, err := s.store.FindCallbacks(ctx, ticketing.CallbackFilter{
		States: []ticketing.CallbackState{ticketing.CallbackPending}, DueBefore: now})
	if err != nil {
		return fmt.Errorf("pick callbacks: %w", err)
	}
	due := make([]ticketing.Callback, len(found))
	for i, cb := range found {
		due[i] = *cb
	}
	s.mu.Lock()
	running, stopped := s.running, s.stopped
	s.mu.Unlock()
	if stopped {
		return nil
	}
	for _, cb := range ticketing.Pick(due, now, running, s.cfg.Policy, s.cfg.Calendar) {
		cb, ok, err := s.recheck(ctx, cb)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := s.begin(ctx, cb, now); err != nil {
			return err
		}
	}
	return nil
}

// recheck drops the tickets that may no longer be called about (turned
// confidential, declined, reopened, given a longer deadline …) from a
// picked callback before it is called; with none left the callback is
// skipped. ok is false when it is not to be called now.
func (s *Scheduler) recheck(ctx context.Context, cb ticketing.Callback) (ticketing.Callback, bool, error) {
	var keep []hotline.TicketID
	var reasons []string
	for _, id := range cb.Tickets {
		t, err := s.store.FindTicketByID(ctx, id)
		if err != nil && hotline.ErrorCode(err) != hotline.ENOTFOUND {
			return cb, false, fmt.Errorf("pick callback %d: ticket %s: %w", cb.ID, id, err)
		}
		if ok, why := ticketing.Eligible(t); !ok {
			reasons = append(reasons, string(id)+": "+why)
			continue
		}
		keep = append(keep, id)
	}
	if len(reasons) == 0 {
		return cb, true, nil
	}
	next := cb
	next.Tickets = keep
	if len(keep) == 0 {
		var err error
		if next, err = ticketing.Skip(cb, strings.Join(reasons, "; ")); err != nil {
			return cb, false, nil
		}
	}
	if err := s.store.UpdateCallback(ctx, &next, cb.Version); err != nil {
		if hotline.ErrorCode(err) == hotline.ECONFLICT {
			return cb, false, nil // changed meanwhile; the next pass sees it
		}
		return cb, false, fmt.Errorf("pick callback %d: drop tickets: %w", cb.ID, err)
	}
	s.log.Info("tickets dropped from a callback", "callback", cb.ID, "reasons", reasons, "state", next.State)
	return next, len(keep) > 0, nil
}

// begin marks cb as calling and starts its survey; a version conflict
// means another pass or a supervisor took it first.
func (s *Scheduler) begin(ctx context.Context, cb ticketing.Callback, now time.Time) error {
	next, err := ticketing.BeginAttempt(cb, now)
	if err != nil {
		return nil // no longer pending
	}
	if err := s.store.UpdateCallback(ctx, &next, cb.Version); err != nil {
		if hotline.ErrorCode(err) == hotline.ECONFLICT {
			s.log.Info("callback taken by someone else", "callback", cb.ID)
			return nil
		}
		return fmt.Errorf("begin callback %d: %w", cb.ID, err)
	}
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		s.finishAttempt(ctx, next, ticketing.ResultFailed)
		return nil
	}
	s.running++
	s.surveys.Add(1)
	s.mu.Unlock()
	go func() {
		defer func() {
			s.mu.Lock()
			s.running--
			s.mu.Unlock()
			s.surveys.Done()
		}()
		s.run(next, now)
	}()
	return nil
}

// run places the survey call of cb and stores its outcome.
func (s *Scheduler) run(cb ticketing.Callback, started time.Time) {
	log := s.log.With("callback", cb.ID)
	tickets, recs := s.surveyTickets(cb, started, log)
	if len(tickets) == 0 {
		s.finishAttempt(s.calling, cb, ticketing.ResultFailed)
		return
	}
	var mu sync.Mutex
	onAnswer := func(id hotline.TicketID, q, v string) {
		mu.Lock()
		defer mu.Unlock()
		if r := recs[id]; r != nil && applyAnswer(r, q, v) {
			s.record(r, log)
		}
	}
	res, err := s.calls.Survey(s.calling, s.dialer, cb.ContactNumber, tickets,
		SurveyOptions{Ring: s.cfg.Ring, OnAnswer: onAnswer})
	if err != nil {
		log.Error("survey call", "err", err)
	}
	log = log.With("call_id", res.CallID)
	mu.Lock()
	s.recordRest(res, recs, log)
	mu.Unlock()
	result := callResult(res)
	log.Info("survey call ended", "end", res.End, "result", result)
	next, stored := s.finishAttempt(s.calling, cb, result)
	if result.Reached() {
		s.followUp(res, log)
	}
	if stored && s.cfg.OnFinished != nil {
		s.cfg.OnFinished(next)
	}
}

// surveyTickets loads the callback's tickets and prepares one answer
// record for each, counted for the ticket's unit.
func (s *Scheduler) surveyTickets(cb ticketing.Callback, started time.Time, log *slog.Logger) ([]SurveyTicket, map[hotline.TicketID]*ticketing.CallbackRecord) {
	ctx, cancel := context.WithTimeout(s.calling, storeTimeout)
	defer cancel()
	var out []SurveyTicket
	recs := map[hotline.TicketID]*ticketing.CallbackRecord{}
	for _, id := range cb.Tickets {
		t, err := s.store.FindTicketByID(ctx, id)
		if err != nil {
			log.Error("load ticket for survey", "ticket", id, "err", err)
			continue
		}
		r := &ticketing.CallbackRecord{Callback: cb.ID, Ticket: id, Unit: t.Unit, CalledAt: started, Reached: true,
			Contacted: ticketing.AnswerUnknown, Resolved: ticketing.AnswerUnknown, Satisfaction: ticketing.SatisfactionUnknown}
		if u, err := s.store.FindUnitByID(ctx, t.Unit); err == nil {
			r.Tier = u.Tier
		} else {
			log.Error("load unit for survey", "unit", t.Unit, "err", err)
		}
		recs[id] = r
		out = append(out, SurveyTicket{ID: id, Filed: t.Created, CategoryName: string(t.Category)})
	}
	return out, recs
}

// applyAnswer sets question q of r; false when q or v is not understood.
func applyAnswer(r *ticketing.CallbackRecord, q, v string) bool {
	switch q {
	case "q1":
		r.Contacted = ticketing.YesNo(v)
	case "q2":
		r.Resolved = ticketing.YesNo(v)
	case "q3":
		r.Satisfaction = ticketing.Satisfaction(v)
	default:
		return false
	}
	return true
}

// record stores r now, outliving the call's cancellation.
func (s *Scheduler) record(r *ticketing.CallbackRecord, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(s.calling), storeTimeout)
	defer cancel()
	if err := s.store.RecordAnswers(ctx, r); err != nil {
		log.Error("store survey answers", "ticket", r.Ticket, "err", err)
	}
}

// recordRest stores a record for every ticket the citizen was asked about
// but gave no answer to (reached, opinion unknown), and ties every record
// of the call to its recording, which is named only once the call is over.
func (s *Scheduler) recordRest(res SurveyResult, recs map[hotline.TicketID]*ticketing.CallbackRecord, log *slog.Logger) {
	if !res.Reached {
		return
	}
	for _, a := range res.Answers {
		r := recs[a.Ticket]
		if r == nil || !a.Asked {
			continue
		}
		if r.ID == 0 || r.Recording != res.Recording {
			r.Recording = res.Recording
			s.record(r, log)
		}
	}
}

// callResult maps how a survey ended onto the callback's call result.
func callResult(res SurveyResult) ticketing.CallResult {
	switch res.End {
	case SurveyCompleted, SurveyTransferred:
		return ticketing.ResultAnswered
	case SurveyHangup:
		return ticketing.ResultHungUp
	case SurveyBusy:
		return ticketing.ResultBusy
	case SurveyNoAnswer:
		return ticketing.ResultNoAnswer
	case SurveyUnreachable:
		return ticketing.ResultUnreachable
	}
	if res.Reached { // failed after the citizen answered: their answers stand, no second call
		return ticketing.ResultHungUp
	}
	return ticketing.ResultFailed
}

// finishAttempt stores how the attempt ended, retrying once on a version
// conflict with the stored callback.
func (s *Scheduler) finishAttempt(ctx context.Context, cb ticketing.Callback, result ticketing.CallResult) (ticketing.Callback, bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	for try := 0; try < 2; try++ {
		next, err := ticketing.NextAttempt(cb, result, s.clock.Now(), s.cfg.Policy, s.cfg.Calendar)
		if err != nil {
			s.log.Error("close callback attempt", "callback", cb.ID, "err", err)
			return cb, false
		}
		err = s.store.UpdateCallback(ctx, &next, cb.Version)
		if err == nil {
			s.log.Info("callback attempt stored", "callback", cb.ID, "result", result, "state", next.State, "due", next.Due)
			return next, true
		}
		if hotline.ErrorCode(err) != hotline.ECONFLICT {
			s.log.Error("store callback attempt", "callback", cb.ID, "err", err)
			return cb, false
		}
		cur, ferr := s.store.FindCallbackByID(ctx, cb.ID)
		if ferr != nil {
			s.log.Error("reload callback", "callback", cb.ID, "err", ferr)
			return cb, false
		}
		cb = *cur
	}
	s.log.Error("store callback attempt: conflict persists", "callback", cb.ID)
	return cb, false
}

// followUp notes the answers on each ticket and reopens the replied (or
// closed) ones the citizen says are unresolved or is dissatisfied with
// (ticketing.CallsForReopen, as for answers entered by hand). A ticket
// still with its unit (an Art. 23 callback) is only noted.
func (s *Scheduler) followUp(res SurveyResult, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(s.calling), storeTimeout)
	defer cancel()
	for _, a := range res.Answers {
		if !a.Asked {
			continue
		}
		note := ticketing.ActionInput{Content: answerNote(a, res.End)}
		if _, err := s.tickets.Act(ctx, hotline.System, a.Ticket, "note", note); err != nil {
			log.Error("note callback result", "ticket", a.Ticket, "err", err)
		}
		if !s.cfg.ReopenOnDissatisfied || !ticketing.CallsForReopen(a.Resolved, a.Satisfaction) {
			continue
		}
		if t, err := s.store.FindTicketByID(ctx, a.Ticket); err != nil || !ticketing.Reopenable(t.State) {
			if err != nil {
				log.Error("load ticket to reopen after callback", "ticket", a.Ticket, "err", err)
			}
			continue
		}
		if _, err := s.tickets.Act(ctx, hotline.System, a.Ticket, "reopen", ticketing.ActionInput{Reason: "回访不满意"}); err != nil {
			log.Error("reopen after callback", "ticket", a.Ticket, "err", err)
		} else {
			log.Info("ticket reopened after callback", "ticket", a.Ticket)
		}
	}
}

// answerNote is the ticket event text of a callback's answers.
func answerNote(a SurveyAnswers, end SurveyEnd) string {
	parts := []string{
		"回访结果 (" + string(end) + ")",
		"contacted=" + orUnknown(string(a.Contacted)),
		"resolved=" + orUnknown(string(a.Resolved)),
		"satisfaction=" + orUnknown(string(a.Satisfaction)),
	}
	return strings.Join(parts, " ")
}

func orUnknown(s string) string {
	if s == "" || s == "unknown" {
		return "unknown"
	}
	return s
}
