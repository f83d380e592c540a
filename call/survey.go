package call

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ivr"
	"github.com/cityhotline/hotline/sip"
	"github.com/cityhotline/hotline/ticketing"
)

// The satisfaction survey (回访): one outbound call to a citizen, the survey
// flow (configs/ivr/survey.yaml) run once for each of their tickets.

// SurveyFlow is the name of the survey flow.
const SurveyFlow = "survey"

// SurveyCallerID is the number the citizen sees.
const SurveyCallerID = "12345"

// DefaultSurveyRing is how long a survey call rings before it counts as
// not answered.
const DefaultSurveyRing = 45 * time.Second

// The transfer targets of the survey flow.
const (
	surveyNextTicket = "next-ticket"     // go on with the next ticket in the same call
	surveyAgents     = "callback-agents" // 0: a human callback agent
)

// Dialer places outbound calls; *sip.Server is one.
type Dialer interface {
	Dial(ctx context.Context, to string, opts sip.DialOptions) (*sip.Call, error)
}

// SurveyTicket is one ticket to ask a citizen about.
type SurveyTicket struct {
	ID           hotline.TicketID
	Filed        time.Time // when the request was made; spoken as month and day (Beijing time)
	CategoryName string    // kept in the attribute category_name; not spoken (free text)
}

// SurveyOptions shape one survey call.
type SurveyOptions struct {
	// Ring bounds the ringing; DefaultSurveyRing when zero.
	Ring time.Duration
	// OnAnswer, when set, is told each answer the moment it is given, so an
	// answer survives a hang-up later in the call. q is "q1" (contacted),
	// "q2" (resolved) or "q3" (satisfaction); value is a ticketing.YesNo
	// (yes, no) for q1 and q2 and a ticketing.Satisfaction (satisfied,
	// basically, dissatisfied) for q3. It runs on the call's goroutine:
	// keep it short.
	OnAnswer func(ticket hotline.TicketID, q, value string)
}

// SurveyEnd is how a survey call ended.
type SurveyEnd string

// The survey ends. Busy, no answer and unreachable are worth a retry.
const (
	SurveyCompleted   SurveyEnd = "completed"                // every ticket asked, thanked, hung up
	SurveyHangup      SurveyEnd = "hangup"                   // the citizen hung up before the end
	SurveyTransferred SurveyEnd = "transfer:callback-agents" // 0: handed to a callback agent
	SurveyBusy        SurveyEnd = "busy"                     // 486, 600, 603
	SurveyNoAnswer    SurveyEnd = "no_answer"                // rang out: 408, 480, 487
	SurveyUnreachable SurveyEnd = "unreachable"              // 404, 410, 484, 5xx, no response
	SurveyFailed      SurveyEnd = "failed"                   // anything else, our side included
)

// Retry reports whether the call should be tried again later.
func (e SurveyEnd) Retry() bool {
	return e == SurveyBusy || e == SurveyNoAnswer || e == SurveyUnreachable
}

// SurveyAnswers is what the citizen said about one ticket. Questions not
// answered (silence twice, a hang-up, a transfer) stay unknown.
type SurveyAnswers struct {
	Ticket       hotline.TicketID
	Asked        bool // the survey of this ticket started
	Contacted    ticketing.YesNo
	Resolved     ticketing.YesNo
	Satisfaction ticketing.Satisfaction
}

// SurveyResult is one survey call.
type SurveyResult struct {
	CallID    hotline.CallID // "" when the call was not answered (no call record)
	End       SurveyEnd
	SIPStatus int  // the final SIP status of a failed dial
	Reached   bool // the citizen answered
	Answers   []SurveyAnswers
	Recording string // file name under Config.RecordingsDir; "" when not recorded
}

// Survey calls to (a number on the outbound trunk) with caller ID 12345 and
// asks about each ticket in turn. A dial failure is a result (busy,
// no_answer, unreachable, failed), not an error; the error reports what
// went wrong on our side (no survey flow, the flow failing). The answered
// call gets a call record (direction outbound, Ticket the first ticket) and
// a recording like an inbound one. Cancelling ctx hangs up and ends the
// survey failed.
func (s *Service) Survey(ctx context.Context, d Dialer, to string, tickets []SurveyTicket, opts SurveyOptions) (SurveyResult, error) {
	res := SurveyResult{End: SurveyFailed, Answers: unknownAnswers(tickets)}
	flow := s.flows[SurveyFlow]
	if flow == nil {
		return res, fmt.Errorf("survey: no IVR flow %q", SurveyFlow)
	}
	if len(tickets) == 0 {
		return res, errors.New("survey: no tickets")
	}
	c, err := s.dialSurvey(ctx, d, to, tickets[0].ID, opts.Ring)
	if err != nil {
		res.End, res.SIPStatus = surveyDialEnd(err)
		s.log.Info("survey call not answered", "to", to, "end", res.End, "sip_status", res.SIPStatus, "err", err)
		if res.End == SurveyFailed {
			return res, fmt.Errorf("survey: dial %s: %w", to, err)
		}
		return res, nil
	}
	res.CallID, res.Reached = hotline.CallID(c.ID()), true
	log := c.Logger().With("call_id", c.ID())
	rec, created := s.surveyRecord(ctx, c, tickets[0].ID, log)
	defer s.finish(c, rec, created, log)
	leg := c.Media()
	if leg == nil {
		return res, errors.New("survey: answered call has no media")
	}
	if s.cfg.RecordingsDir != "" {
		name := c.ID() + ".wav"
		if err := leg.Record(filepath.Join(s.cfg.RecordingsDir, name)); err != nil {
			log.Error("start recording", "err", err)
		} else {
			rec.Recording, res.Recording = name, name
		}
	}
	base := newSession(c, leg, s.prompts, nil)
	callCtx, stop := context.WithCancel(c.Context()) // ends with the call, or when ctx is cancelled
	defer stop()
	defer context.AfterFunc(ctx, stop)()
	err = runSurvey(callCtx, s.engine.WithLogger(log), flow, base, tickets, opts.OnAnswer, &res, rec)
	if res.End == SurveyHangup && ctx.Err() != nil { // we stopped it (shutdown, pause), not the citizen
		res.End, err = SurveyFailed, fmt.Errorf("survey: stopped: %w", context.Cause(ctx))
	}
	log.Info("survey done", "end", res.End, "tickets", len(tickets), "err", err)
	return res, err
}

func (s *Service) dialSurvey(ctx context.Context, d Dialer, to string, first hotline.TicketID, ring time.Duration) (*sip.Call, error) {
	if ring <= 0 {
		ring = DefaultSurveyRing
	}
	rctx, cancel := context.WithTimeout(ctx, ring)
	defer cancel()
	return d.Dial(rctx, to, sip.DialOptions{CallerID: SurveyCallerID, Headers: map[string]string{"X-Ticket-ID": string(first)}})
}

// surveyRecord stores the call record of an answered survey call and
// reports whether the store has it (else finish creates it at the end).
func (s *Service) surveyRecord(ctx context.Context, c *sip.Call, ticket hotline.TicketID, log *slog.Logger) (*hotline.CallRecord, bool) {
	arrived, answered, _ := c.Times()
	rec := &hotline.CallRecord{ID: hotline.CallID(c.ID()), SIPCallID: c.SIPCallID(), Direction: string(c.Direction()),
		Caller: c.From(), Callee: c.To(), Trunk: c.Trunk(), Arrived: arrived.UTC(), Answered: answered.UTC(), Ticket: ticket}
	if err := s.store.CreateCall(ctx, rec); err != nil {
		log.Error("store call record", "err", err)
		return rec, false
	}
	return rec, true
}

// runSurvey runs the survey flow over sess once per ticket and fills res.
// rec, when not nil, gets the IVR path and keys of every run.
func runSurvey(ctx context.Context, e *ivr.Engine, flow *ivr.Flow, sess ivr.Session,
	tickets []SurveyTicket, onAnswer func(hotline.TicketID, string, string), res *SurveyResult, rec *hotline.CallRecord) error {
	for i, t := range tickets {
		setSurveyAttrs(sess, t, i == 0, i == len(tickets)-1)
		ss := &surveySession{Session: sess, answers: &res.Answers[i], onAnswer: onAnswer}
		res.Answers[i].Asked = true
		run, err := e.Run(ctx, flow, ss)
		if rec != nil {
			rec.IVRPath = append(rec.IVRPath, run.Path...)
			rec.Digits += run.Digits
		}
		if err != nil {
			res.End = SurveyFailed
			return fmt.Errorf("survey of ticket %s: %w", t.ID, err)
		}
		switch {
		case run.Outcome == ivr.OutcomeCallerHangup:
			res.End = SurveyHangup
			return nil
		case run.Outcome == ivr.OutcomeTransferred && ss.target == surveyAgents:
			res.End = SurveyTransferred
			return nil
		case run.Outcome == ivr.OutcomeTransferred && ss.target == surveyNextTicket && i < len(tickets)-1:
			continue
		case run.Outcome == ivr.OutcomeHangup:
			res.End = SurveyCompleted
			return nil
		default:
			res.End = SurveyFailed
			return fmt.Errorf("survey of ticket %s: unexpected outcome %s (target %q)", t.ID, run.Outcome, ss.target)
		}
	}
	res.End = SurveyFailed
	return errors.New("survey: the flow did not hang up after the last ticket")
}

// setSurveyAttrs gives the flow what it speaks and branches on.
func setSurveyAttrs(sess ivr.Session, t SurveyTicket, first, last bool) {
	filed := t.Filed.In(ticketing.Beijing)
	for name, v := range map[string]string{
		"first": strconv.FormatBool(first), "last": strconv.FormatBool(last),
		"ticket": string(t.ID), "category_name": t.CategoryName,
		"date": filed.Format(time.DateOnly), "month": strconv.Itoa(int(filed.Month())), "day": strconv.Itoa(filed.Day()),
		"q1": "", "q2": "", "q3": "",
	} {
		sess.SetAttr(name, v)
	}
}

func unknownAnswers(tickets []SurveyTicket) []SurveyAnswers {
	out := make([]SurveyAnswers, len(tickets))
	for i, t := range tickets {
		out[i] = SurveyAnswers{Ticket: t.ID, Contacted: ticketing.AnswerUnknown, Resolved: ticketing.AnswerUnknown,
			Satisfaction: ticketing.SatisfactionUnknown}
	}
	return out
}

// surveySession is the survey's view of a call for one ticket: answers are
// taken from the attributes q1..q3 as the flow sets them, and a transfer
// is noted for Survey to act on rather than carried out.
type surveySession struct {
	ivr.Session
	answers  *SurveyAnswers
	onAnswer func(hotline.TicketID, string, string)
	target   string
}

// SetAttr records the attribute and, for q1..q3, the answer.
func (s *surveySession) SetAttr(name, value string) {
	s.Session.SetAttr(name, value)
	if v, ok := s.answer(name, value); ok && s.onAnswer != nil {
		s.onAnswer(s.answers.Ticket, name, v)
	}
}

// answer maps a key given to question q into the answer, or false when
// the key is no answer (0 asks for an agent).
func (s *surveySession) answer(q, key string) (string, bool) {
	switch q {
	case "q1", "q2":
		a, ok := map[string]ticketing.YesNo{"1": ticketing.AnswerYes, "2": ticketing.AnswerNo}[key]
		if !ok {
			return "", false
		}
		if q == "q1" {
			s.answers.Contacted = a
		} else {
			s.answers.Resolved = a
		}
		return string(a), true
	case "q3":
		a, ok := map[string]ticketing.Satisfaction{"1": ticketing.Satisfied, "2": ticketing.BasicallySatisfied,
			"3": ticketing.Dissatisfied}[key]
		if !ok {
			return "", false
		}
		s.answers.Satisfaction = a
		return string(a), true
	}
	return "", false
}

// Transfer notes the target: next-ticket goes on in the same call;
// callback-agents ends the survey (until the ACD takes such calls, Survey
// then hangs up).
func (s *surveySession) Transfer(_ context.Context, target string) error {
	s.target = target
	return nil
}

// surveyDialEnd classifies a failed dial.
func surveyDialEnd(err error) (SurveyEnd, int) {
	var de *sip.DialError
	if !errors.As(err, &de) {
		return SurveyFailed, 0
	}
	switch st := de.Status; {
	case st == 486 || st == 600 || st == 603:
		return SurveyBusy, st
	case st == 408 || st == 480 || st == 487:
		return SurveyNoAnswer, st
	case st == 0 && errors.Is(de.Err, context.DeadlineExceeded):
		return SurveyNoAnswer, st
	case st == 0 && errors.Is(de.Err, context.Canceled):
		return SurveyFailed, st
	case st == 0, st == 404, st == 410, st == 484, st >= 500 && st < 600:
		return SurveyUnreachable, st
	default:
		return SurveyFailed, st
	}
}
