package call

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/configs"
	"github.com/cityhotline/hotline/ivr"
	"github.com/cityhotline/hotline/media"
	"github.com/cityhotline/hotline/sip"
	"github.com/cityhotline/hotline/ticketing"
)

// scriptedCitizen is an ivr.Session that answers each wait for a key from a
// script: a key, "" for silence, or "hangup". A key written "during:NAME"
// is pressed while prompt NAME plays (barge-in).
type scriptedCitizen struct {
	t      *testing.T
	script []string
	attrs  map[string]string
	played []string
	hungUp bool
}

func newCitizen(t *testing.T, script ...string) *scriptedCitizen {
	return &scriptedCitizen{t: t, script: script, attrs: map[string]string{}}
}

func (c *scriptedCitizen) Play(_ context.Context, prompts []string, bargeIn bool) (rune, error) {
	for _, p := range prompts {
		c.played = append(c.played, p)
		if len(c.script) > 0 && bargeIn && c.script[0] == "during:"+p {
			c.script = c.script[1:]
			return rune(c.next()[0]), nil
		}
	}
	return 0, nil
}

// next pops the key that follows a "during:" entry.
func (c *scriptedCitizen) next() string {
	k := c.script[0]
	c.script = c.script[1:]
	return k
}

func (c *scriptedCitizen) Collect(_ context.Context, spec ivr.CollectSpec) (string, error) {
	if len(c.script) == 0 {
		c.t.Fatalf("the flow waited for a key after the script ended; played %v", c.played)
	}
	k := c.next()
	if k == "hangup" {
		c.hungUp = true
		return "", fmt.Errorf("read key: %w", ivr.ErrHangup)
	}
	if spec.Timeout != 6*time.Second {
		c.t.Errorf("question waits %v for a key, want 6s", spec.Timeout)
	}
	return k, nil
}

func (c *scriptedCitizen) Enqueue(context.Context, string, map[string]string, int) error {
	return errors.New("the survey enqueues nothing")
}
func (c *scriptedCitizen) Transfer(context.Context, string) error {
	return errors.New("the survey session must catch transfers")
}
func (c *scriptedCitizen) Hangup(context.Context, string) error { c.hungUp = true; return nil }
func (c *scriptedCitizen) Attr(name string) string              { return c.attrs[name] }
func (c *scriptedCitizen) SetAttr(name, value string)           { c.attrs[name] = value }

func (c *scriptedCitizen) count(prompt string) int {
	n := 0
	for _, p := range c.played {
		if p == prompt {
			n++
		}
	}
	return n
}

func surveyFlow(t *testing.T) (*ivr.Engine, *ivr.Flow) {
	t.Helper()
	flows, err := configs.LoadFlows(configs.IVRFlows(), configs.Prompts())
	if err != nil {
		t.Fatal(err)
	}
	f := flows[SurveyFlow]
	if f == nil {
		t.Fatalf("no %s flow shipped", SurveyFlow)
	}
	return &ivr.Engine{SayNumber: media.SayNumber, SayDigits: media.SayDigits}, f
}

var (
	yes, no, unknown = ticketing.AnswerYes, ticketing.AnswerNo, ticketing.AnswerUnknown
	sat, basic, dis  = ticketing.Satisfied, ticketing.BasicallySatisfied, ticketing.Dissatisfied
	satUnknown       = ticketing.SatisfactionUnknown
)

func TestSurveyFlow(t *testing.T) {
	e, flow := surveyFlow(t)
	filed := time.Date(2026, 11, 20, 9, 30, 0, 0, ticketing.Beijing)
	one := []SurveyTicket{{ID: "20261120000042", Filed: filed, CategoryName: "噪声扰民"}}
	tests := []struct {
		name    string
		script  []string
		end     SurveyEnd
		want    SurveyAnswers
		told    []string // onAnswer calls, "q=value"
		prompts map[string]int
	}{
		{"all answers", []string{"1", "1", "1"}, SurveyCompleted,
			SurveyAnswers{Contacted: yes, Resolved: yes, Satisfaction: sat},
			[]string{"q1=yes", "q2=yes", "q3=satisfied"},
			map[string]int{"survey-greeting": 1, "survey-q1": 1, "survey-q2": 1, "survey-q3": 1, "survey-thanks": 1, "survey-next": 0}},
		{"wrong key then the right one", []string{"7", "2", "1", "9", "3"}, SurveyCompleted,
			SurveyAnswers{Contacted: no, Resolved: yes, Satisfaction: dis},
			[]string{"q1=no", "q2=yes", "q3=dissatisfied"},
			map[string]int{"survey-q1": 2, "invalid-input": 2, "survey-q3": 2, "no-input": 0}},
		{"silence then an answer", []string{"", "1", "2", "", "2"}, SurveyCompleted,
			SurveyAnswers{Contacted: yes, Resolved: no, Satisfaction: basic},
			[]string{"q1=yes", "q2=no", "q3=basically"},
			map[string]int{"survey-q1": 2, "no-input": 2, "survey-q3": 2}},
		{"silence twice leaves the answer unknown", []string{"", "", "1", "8", ""}, SurveyCompleted,
			SurveyAnswers{Contacted: unknown, Resolved: yes, Satisfaction: satUnknown},
			[]string{"q2=yes"},
			map[string]int{"survey-q1": 2, "survey-q2": 1, "survey-q3": 2, "survey-thanks": 1}},
		{"0 asks for an agent", []string{"1", "0"}, SurveyTransferred,
			SurveyAnswers{Contacted: yes, Resolved: unknown, Satisfaction: satUnknown},
			[]string{"q1=yes"},
			map[string]int{"survey-agent": 1, "survey-q3": 0, "survey-thanks": 0}},
		{"hang-up after question 2 keeps 1 and 2", []string{"2", "1", "hangup"}, SurveyHangup,
			SurveyAnswers{Contacted: no, Resolved: yes, Satisfaction: satUnknown},
			[]string{"q1=no", "q2=yes"},
			map[string]int{"survey-q3": 1, "survey-thanks": 0}},
		{"keys during the questions (barge-in)", []string{"during:survey-q1", "2", "during:survey-q2", "2", "during:survey-q3", "1"}, SurveyCompleted,
			SurveyAnswers{Contacted: no, Resolved: no, Satisfaction: sat},
			[]string{"q1=no", "q2=no", "q3=satisfied"},
			map[string]int{"survey-q1": 1, "survey-q2": 1, "survey-q3": 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cit := newCitizen(t, tc.script...)
			var told []string
			res := SurveyResult{Answers: unknownAnswers(one)}
			rec := &hotline.CallRecord{}
			err := runSurvey(context.Background(), e, flow, cit, one, func(id hotline.TicketID, q, v string) {
				if id != one[0].ID {
					t.Errorf("answer for ticket %s", id)
				}
				told = append(told, q+"="+v)
			}, &res, rec)
			if err != nil {
				t.Fatal(err)
			}
			if res.End != tc.end {
				t.Errorf("end %s, want %s (played %v)", res.End, tc.end, cit.played)
			}
			tc.want.Ticket, tc.want.Asked = one[0].ID, true
			if res.Answers[0] != tc.want {
				t.Errorf("answers %+v, want %+v", res.Answers[0], tc.want)
			}
			if !slices.Equal(told, tc.told) {
				t.Errorf("told %v, want %v", told, tc.told)
			}
			for p, n := range tc.prompts {
				if got := cit.count(p); got != n {
					t.Errorf("prompt %s played %d times, want %d (played %v)", p, got, n, cit.played)
				}
			}
			if len(cit.script) != 0 {
				t.Errorf("keys left unused: %v", cit.script)
			}
			if !slices.Contains(rec.IVRPath, "q1") {
				t.Errorf("call record path %v", rec.IVRPath)
			}
		})
	}
}

// The request is named by date and ticket number, the number read digit by
// digit with 幺 for 1.
func TestSurveyNamesTheRequest(t *testing.T) {
	e, flow := surveyFlow(t)
	// 2026-11-19 23:30 UTC is 20 November in Beijing.
	tk := []SurveyTicket{{ID: "2026112001", Filed: time.Date(2026, 11, 19, 23, 30, 0, 0, time.UTC), CategoryName: "供暖"}}
	cit := newCitizen(t, "1", "1", "1")
	res := SurveyResult{Answers: unknownAnswers(tk)}
	if err := runSurvey(context.Background(), e, flow, cit, tk, nil, &res, nil); err != nil {
		t.Fatal(err)
	}
	played := strings.Join(cit.played, " ")
	want := "survey-greeting survey-about num-10 digit-1 survey-month digit-2 num-10 survey-day survey-ticket " +
		"digit-2 digit-0 digit-2 digit-6 digit-1-yao digit-1-yao digit-2 digit-0 digit-0 digit-1-yao survey-q1"
	if !strings.HasPrefix(played, want) {
		t.Errorf("played\n%s\nwant it to start\n%s", played, want)
	}
	if cit.attrs["date"] != "2026-11-20" || cit.attrs["category_name"] != "供暖" {
		t.Errorf("attributes %v", cit.attrs)
	}
}

// One citizen, two tickets: greeted once, asked about each in turn, thanked
// once.
func TestSurveySeveralTickets(t *testing.T) {
	e, flow := surveyFlow(t)
	filed := time.Date(2026, 11, 2, 10, 0, 0, 0, ticketing.Beijing)
	tk := []SurveyTicket{{ID: "20261102000001", Filed: filed}, {ID: "20261105000007", Filed: filed.AddDate(0, 0, 3)}}
	cit := newCitizen(t, "1", "1", "1", "2", "2", "3")
	got := map[hotline.TicketID][]string{}
	res := SurveyResult{Answers: unknownAnswers(tk)}
	err := runSurvey(context.Background(), e, flow, cit, tk, func(id hotline.TicketID, q, v string) {
		got[id] = append(got[id], q+"="+v)
	}, &res, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.End != SurveyCompleted {
		t.Errorf("end %s", res.End)
	}
	want := []SurveyAnswers{
		{Ticket: tk[0].ID, Asked: true, Contacted: yes, Resolved: yes, Satisfaction: sat},
		{Ticket: tk[1].ID, Asked: true, Contacted: no, Resolved: no, Satisfaction: dis},
	}
	if !slices.Equal(res.Answers, want) {
		t.Errorf("answers %+v, want %+v", res.Answers, want)
	}
	if !slices.Equal(got[tk[1].ID], []string{"q1=no", "q2=no", "q3=dissatisfied"}) || len(got[tk[0].ID]) != 3 {
		t.Errorf("told %v", got)
	}
	for p, n := range map[string]int{"survey-greeting": 1, "survey-next": 1, "survey-thanks": 1, "survey-q1": 2} {
		if c := cit.count(p); c != n {
			t.Errorf("%s played %d times, want %d", p, c, n)
		}
	}
	if !cit.hungUp {
		t.Error("the flow did not hang up after the last ticket")
	}
}

// A hang-up during the first ticket leaves the second not asked.
func TestSurveyHangupSkipsTheRest(t *testing.T) {
	e, flow := surveyFlow(t)
	tk := []SurveyTicket{{ID: "1", Filed: time.Now()}, {ID: "2", Filed: time.Now()}}
	cit := newCitizen(t, "1", "hangup")
	res := SurveyResult{Answers: unknownAnswers(tk)}
	if err := runSurvey(context.Background(), e, flow, cit, tk, nil, &res, nil); err != nil {
		t.Fatal(err)
	}
	if res.End != SurveyHangup || res.Answers[0].Contacted != yes || res.Answers[1].Asked ||
		res.Answers[1].Contacted != unknown {
		t.Errorf("result %+v", res)
	}
}

func TestSurveyDialEnd(t *testing.T) {
	tests := []struct {
		err   error
		end   SurveyEnd
		retry bool
	}{
		{&sip.DialError{Status: 486}, SurveyBusy, true},
		{&sip.DialError{Status: 603}, SurveyBusy, true},
		{&sip.DialError{Status: 480}, SurveyNoAnswer, true},
		{&sip.DialError{Status: 408, Err: context.DeadlineExceeded}, SurveyNoAnswer, true},
		{&sip.DialError{Err: fmt.Errorf("invite: %w", context.DeadlineExceeded)}, SurveyNoAnswer, true},
		{&sip.DialError{Status: 404}, SurveyUnreachable, true},
		{&sip.DialError{Status: 503}, SurveyUnreachable, true},
		{&sip.DialError{Err: errors.New("connection refused")}, SurveyUnreachable, true},
		{&sip.DialError{Err: context.Canceled}, SurveyFailed, false},
		{&sip.DialError{Status: 403}, SurveyFailed, false},
		{errors.New("dial: no outbound trunk configured"), SurveyFailed, false},
	}
	for _, tc := range tests {
		end, _ := surveyDialEnd(fmt.Errorf("wrapped: %w", tc.err))
		if end != tc.end || end.Retry() != tc.retry {
			t.Errorf("%v: %s (retry %v), want %s", tc.err, end, end.Retry(), tc.end)
		}
	}
}

func TestSurveyNeedsFlowAndTickets(t *testing.T) {
	_, flow := surveyFlow(t)
	s := &Service{flows: map[string]*ivr.Flow{}}
	if _, err := s.Survey(context.Background(), nil, "1", []SurveyTicket{{ID: "1"}}, SurveyOptions{}); err == nil {
		t.Error("survey without a survey flow")
	}
	s.flows[SurveyFlow] = flow
	if _, err := s.Survey(context.Background(), nil, "1", nil, SurveyOptions{}); err == nil {
		t.Error("survey without tickets")
	}
}
