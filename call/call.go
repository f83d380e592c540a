// Package call orchestrates a telephone call: it implements sip.Handler,
// answers, records, runs the IVR over the trunk leg, puts the caller in a
// queue and keeps the call record (CDR). Until the ACD exists, a queued
// caller hears the hold prompt in a loop.
package call

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ivr"
	"github.com/cityhotline/hotline/media"
	"github.com/cityhotline/hotline/sip"
)

// Store keeps call records.
type Store interface {
	CreateCall(ctx context.Context, c *hotline.CallRecord) error
	UpdateCall(ctx context.Context, c *hotline.CallRecord) error
	FindCallByID(ctx context.Context, id hotline.CallID) (*hotline.CallRecord, error)
	FindCalls(ctx context.Context, f hotline.CallFilter) ([]*hotline.CallRecord, error)
}

// Metrics is what the orchestration reports.
type Metrics interface {
	IVRChoice(flow, digit string)
	QueueWaiting(queue string, n int)
}

// Config configures call handling.
type Config struct {
	Flow          string        // the inbound flow's name; default "inbound"
	RecordingsDir string        // where call recordings go; "" disables recording
	HoldPrompt    string        // played in a loop while queued; default "please-hold"
	HoldMusic     string        // played between hold prompts; default "zh/hold-music" (language-free)
	MaxHold       time.Duration // then the caller is thanked and released; default 30 min
	// Overloaded tells the IVR to play the overload message; nil: never.
	Overloaded func() bool
}

// Service handles calls.
type Service struct {
	cfg     Config
	store   Store
	flows   map[string]*ivr.Flow
	prompts *Prompts
	engine  *ivr.Engine
	metrics Metrics
	log     *slog.Logger
	queues  *queueCounts
	desk    *Desk // set by NewDesk; nil: queued callers hear hold music only
}

var _ sip.Handler = (*Service)(nil)

// New returns a call service. engine carries the clock, calendar and number
// reading; its OnChoice is set to count menu choices.
func New(cfg Config, st Store, flows map[string]*ivr.Flow, prompts *Prompts, engine *ivr.Engine, m Metrics, log *slog.Logger) (*Service, error) {
	if cfg.Flow == "" {
		cfg.Flow = "inbound"
	}
	if cfg.HoldPrompt == "" {
		cfg.HoldPrompt = "please-hold"
	}
	if cfg.HoldMusic == "" {
		cfg.HoldMusic = "zh/hold-music"
	}
	if cfg.MaxHold <= 0 {
		cfg.MaxHold = 30 * time.Minute
	}
	if flows[cfg.Flow] == nil {
		return nil, fmt.Errorf("call: no IVR flow %q", cfg.Flow)
	}
	if cfg.RecordingsDir != "" {
		if err := os.MkdirAll(cfg.RecordingsDir, 0o750); err != nil {
			return nil, fmt.Errorf("call: recordings dir: %w", err)
		}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	e := *engine
	if m != nil {
		e.OnChoice = m.IVRChoice
	}
	return &Service{cfg: cfg, store: st, flows: flows, prompts: prompts, engine: &e, metrics: m, log: log, queues: newQueueCounts(m)}, nil
}

// HandleCall runs one inbound call from arrival to end. It returns when the
// call is over; the SIP layer hangs up whatever is left.
func (s *Service) HandleCall(ctx context.Context, c *sip.Call) {
	log := c.Logger() // carries call_id already
	arrived, _, _ := c.Times()
	rec := &hotline.CallRecord{ID: hotline.CallID(c.ID()), SIPCallID: c.SIPCallID(), Direction: string(c.Direction()),
		Caller: c.From(), Callee: c.To(), Trunk: c.Trunk(), Arrived: arrived.UTC()}
	created := false
	var qc *queuedCall
	if s.desk != nil {
		// Known to the desk until its record is saved, so a work order linked
		// in wrap-up still lands on it.
		qc = s.desk.register(c, rec, log)
		defer s.desk.unregister(qc)
	}
	defer func() {
		if qc != nil {
			qc.mu.Lock()
			if qc.ticket != "" {
				rec.Ticket = qc.ticket
			}
			qc.mu.Unlock()
		}
		s.finish(c, rec, created, log)
	}()

	if err := c.Ringing(); err != nil {
		log.Warn("ringing", "err", err)
	}
	err := c.Answer(ctx)
	// The record is written after the answer, so a slow store never delays
	// the 200 OK; an unanswered call gets its record when it ends.
	if err != nil {
		log.Info("call not answered", "err", err)
		return
	}
	rec.Answered = time.Now().UTC()
	if err := s.store.CreateCall(ctx, rec); err != nil {
		log.Error("store call record", "err", err)
	} else {
		created = true
	}
	leg := c.Media()
	if s.cfg.RecordingsDir != "" {
		name := c.ID() + ".wav"
		if err := leg.Record(filepath.Join(s.cfg.RecordingsDir, name)); err != nil {
			log.Error("start recording", "err", err)
		} else {
			rec.Recording = name
		}
	}
	sess := newSession(c, leg, s.prompts, s.cfg.Overloaded)
	res, err := s.engine.WithLogger(log).Run(c.Context(), s.flows[s.cfg.Flow], sess)
	rec.IVRPath, rec.Digits = res.Path, res.Digits
	if err != nil {
		log.Error("ivr", "err", err, "path", strings.Join(res.Path, ">"))
	}
	log.Info("ivr done", "outcome", res.Outcome, "digits", res.Digits)
	if q, ok := strings.CutPrefix(string(res.Outcome), "enqueued:"); ok {
		rec.Queue = q
		if s.desk != nil {
			s.desk.serve(qc, sess, rec, q, queueAttrs(sess))
			return
		}
		s.hold(c, sess, q, log)
	}
}

// hold plays "please hold" and hold music in a loop until the caller hangs
// up or the longest hold passes, then thanks the caller and hangs up.
func (s *Service) hold(c *sip.Call, sess *session, queue string, log *slog.Logger) {
	s.queues.add(queue, 1)
	defer s.queues.add(queue, -1)
	ctx, cancel := context.WithTimeout(c.Context(), s.cfg.MaxHold)
	defer cancel()
	for ctx.Err() == nil {
		if _, err := sess.Play(ctx, []string{s.cfg.HoldMusic, s.cfg.HoldPrompt}, false); err != nil {
			break
		}
	}
	if c.Context().Err() == nil { // the hold ran out, the caller is still there
		log.Info("hold limit reached", "queue", queue)
		pctx, cancel := context.WithTimeout(c.Context(), 10*time.Second)
		defer cancel()
		_, _ = sess.Play(pctx, []string{"goodbye"}, false)
	}
}

// finish hangs up if needed, waits for the dialog to end and completes the
// call record.
func (s *Service) finish(c *sip.Call, rec *hotline.CallRecord, created bool, log *slog.Logger) {
	select {
	case <-c.Done():
	default:
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := c.Hangup(ctx, sip.EndLocalHangup); err != nil {
			log.Warn("hang up", "err", err)
		}
		cancel()
	}
	select {
	case <-c.Done():
	case <-time.After(10 * time.Second):
		log.Warn("dialog did not end within 10 s of hang-up")
	}
	_, answered, ended := c.Times()
	rec.Answered, rec.Ended = answered.UTC(), ended.UTC()
	if answered.IsZero() {
		rec.Answered = time.Time{}
	}
	if ended.IsZero() {
		rec.Ended = time.Now().UTC()
	}
	if rec.EndReason == "" { // the desk may have said why (callback)
		rec.EndReason = string(c.EndReason())
	}
	rec.SIPCause = c.SIPCause()
	rx := c.RTPStats()
	rec.RTPReceived, rec.RTPLost = int64(rx.Received), int64(rx.Lost)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	save := s.store.UpdateCall
	if !created {
		save = s.store.CreateCall
	}
	if err := save(ctx, rec); err != nil {
		log.Error("complete call record", "err", err)
	}
	log.Info("call ended", "reason", rec.EndReason, "sip_cause", rec.SIPCause, "queue", rec.Queue,
		"seconds", rec.Duration().Seconds())
}

// queueAttrs are the attributes the IVR handed to the queue (menu, lang).
func queueAttrs(sess *session) map[string]string {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	out := map[string]string{}
	for k, v := range sess.attrs {
		if name, ok := strings.CutPrefix(k, "queue."); ok {
			out[name] = v
		}
	}
	if _, ok := out["lang"]; !ok && sess.attrs["lang"] != "" {
		out["lang"] = sess.attrs["lang"]
	}
	return out
}

// hangupErr turns the media layer's "the call is over" into ivr.ErrHangup.
func hangupErr(c *sip.Call, err error) error {
	if err == nil {
		return nil
	}
	if c.Context().Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, media.ErrLegClosed) {
		return ivr.ErrHangup
	}
	select {
	case <-c.Done():
		return ivr.ErrHangup
	default:
	}
	return err
}

// Waiting is the number of callers on hold in all queues.
func (s *Service) Waiting() int { return s.queues.total() }
