package test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/call"
	"github.com/cityhotline/hotline/configs"
	"github.com/cityhotline/hotline/internal/baresip"
	"github.com/cityhotline/hotline/ivr"
	"github.com/cityhotline/hotline/media"
	"github.com/cityhotline/hotline/sip"
	"github.com/cityhotline/hotline/ticketing"
)

// The satisfaction survey against a real phone: the gateway (in process)
// dials baresip, which answers by itself and keys its answers as RFC 4733
// events while each question plays (the questions take barge-in).

// surveyRig is a gateway and a call service dialling out to one phone.
type surveyRig struct {
	sip   *sip.Server
	svc   *call.Service
	calls *memCalls
	dir   string
}

// memCalls keeps call records in memory.
type memCalls struct {
	mu   sync.Mutex
	recs map[hotline.CallID]hotline.CallRecord
}

func (m *memCalls) CreateCall(_ context.Context, c *hotline.CallRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recs[c.ID] = *c
	return nil
}

func (m *memCalls) UpdateCall(ctx context.Context, c *hotline.CallRecord) error {
	return m.CreateCall(ctx, c)
}

func (m *memCalls) FindCallByID(_ context.Context, id hotline.CallID) (*hotline.CallRecord, error) {
	c, ok := m.get(id)
	if !ok {
		return nil, hotline.Errorf(hotline.ENOTFOUND, "no call %s", id)
	}
	return &c, nil
}

func (m *memCalls) FindCalls(_ context.Context, f hotline.CallFilter) ([]*hotline.CallRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*hotline.CallRecord
	for _, c := range m.recs {
		if f.Caller == "" || c.Caller == f.Caller {
			out = append(out, &c)
		}
	}
	return out, nil
}

func (m *memCalls) get(id hotline.CallID) (hotline.CallRecord, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.recs[id]
	return c, ok
}

func surveyLogger() *slog.Logger {
	if os.Getenv("SIP_TEST_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// newSurveyRig starts a gateway whose outbound trunk is the phone on port.
func newSurveyRig(t *testing.T, phonePort int) *surveyRig {
	t.Helper()
	flows, err := configs.LoadFlows(configs.IVRFlows(), configs.Prompts())
	if err != nil {
		t.Fatal(err)
	}
	rig := &surveyRig{calls: &memCalls{recs: map[hotline.CallID]hotline.CallRecord{}}, dir: t.TempDir()}
	engine := &ivr.Engine{SayNumber: media.SayNumber, SayDigits: media.SayDigits}
	rig.svc, err = call.New(call.Config{RecordingsDir: rig.dir}, rig.calls, flows,
		call.NewPrompts(configs.Prompts()), engine, nil, surveyLogger())
	if err != nil {
		t.Fatal(err)
	}
	base := 42000 + 2*(int(time.Now().UnixNano()/1000)%1000)
	rig.sip, err = sip.New(sip.Config{
		Addr:          "127.0.0.1:0",
		Trunks:        []sip.Trunk{{Name: "loopback", CIDRs: []string{"127.0.0.1/32"}}},
		RTPPorts:      [2]int{base, base + 200},
		MediaTimeout:  -1,
		RatePerSource: sip.Rate{PerSecond: 1000, Burst: 1000},
		Outbound:      fmt.Sprintf("sip:127.0.0.1:%d", phonePort),
	}, rig.svc, sip.Options{Logger: surveyLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if err := rig.sip.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rig.sip.Stop)
	return rig
}

type surveyAnswer struct{ q, value string }

// survey runs Survey in the background; answers arrive on the channel as
// they are given, the result once the call is over.
func (r *surveyRig) survey(t *testing.T, ring time.Duration, tickets ...call.SurveyTicket) (<-chan surveyAnswer, <-chan call.SurveyResult) {
	answers := make(chan surveyAnswer, 16)
	done := make(chan call.SurveyResult, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	go func() {
		defer cancel()
		res, err := r.svc.Survey(ctx, r.sip, "13800138000", tickets, call.SurveyOptions{Ring: ring,
			OnAnswer: func(id hotline.TicketID, q, v string) { answers <- surveyAnswer{q, v} }})
		if err != nil {
			t.Errorf("survey: %v", err)
		}
		done <- res
	}()
	return answers, done
}

// promptSeconds is how long the prompts take to play.
func promptSeconds(t *testing.T, names ...string) float64 {
	t.Helper()
	total := 0.0
	for _, n := range names {
		b, err := fsReadPrompt(n)
		if err != nil {
			t.Fatal(err)
		}
		a, err := media.ReadWAV(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		total += float64(a.Frames()) / float64(a.Rate)
	}
	return total
}

func fsReadPrompt(name string) ([]byte, error) {
	f, err := configs.Prompts().Open(configs.PromptFile("zh", name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// introSeconds is how long the greeting and the naming of the request take
// before question 1 starts.
func introSeconds(t *testing.T, tk call.SurveyTicket) float64 {
	filed := tk.Filed.In(ticketing.Beijing)
	names := []string{"survey-greeting", "survey-about"}
	names = append(names, media.SayNumber(int(filed.Month()), "zh")...)
	names = append(names, "survey-month")
	names = append(names, media.SayNumber(filed.Day(), "zh")...)
	names = append(names, "survey-day", "survey-ticket")
	names = append(names, media.SayDigits(string(tk.ID), "zh")...)
	return promptSeconds(t, names...)
}

// nextAnswer waits for the next answer.
func nextAnswer(t *testing.T, answers <-chan surveyAnswer, within time.Duration) surveyAnswer {
	t.Helper()
	select {
	case a := <-answers:
		return a
	case <-time.After(within):
		t.Fatalf("no answer within %s", within)
		return surveyAnswer{}
	}
}

func surveyEnded(t *testing.T, done <-chan call.SurveyResult, within time.Duration) call.SurveyResult {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(within):
		t.Fatalf("survey did not end within %s", within)
		return call.SurveyResult{}
	}
}

// pressDuringQuestion keys d a moment into a question, which the gateway
// starts playing as soon as it has the previous answer.
func pressDuringQuestion(ph *baresip.Phone, d string) {
	time.Sleep(1500 * time.Millisecond) // into the question prompt, which takes barge-in
	ph.Command("sndcode", d)
}

func TestSurveyCallRealPhone(t *testing.T) {
	if testing.Short() {
		t.Skip("dials a real phone (baresip); skipped with -short")
	}
	baresip.NeedTool(t, "baresip")
	tk := call.SurveyTicket{ID: "20261120000042", Filed: time.Date(2026, 11, 20, 9, 0, 0, 0, ticketing.Beijing), CategoryName: "噪声扰民"}

	t.Run("answers keyed as RFC 4733, a wrong key first", func(t *testing.T) {
		ph := baresip.Start(t, baresip.Options{User: "13800138000", AutoAnswer: true})
		rig := newSurveyRig(t, ph.SIPPort())
		answers, done := rig.survey(t, 10*time.Second, tk)
		ph.WaitEvent("CALL_ESTABLISHED", 10*time.Second)
		time.Sleep(time.Duration((introSeconds(t, tk) + 1.5) * float64(time.Second))) // into question 1
		ph.Command("sndcode", "7")                                                    // a wrong key: "输入有误", question 1 again
		pressDuringQuestion(ph, "1")
		if a := nextAnswer(t, answers, 10*time.Second); a != (surveyAnswer{"q1", "yes"}) {
			t.Fatalf("first answer %v", a)
		}
		pressDuringQuestion(ph, "2")
		if a := nextAnswer(t, answers, 10*time.Second); a != (surveyAnswer{"q2", "no"}) {
			t.Fatalf("second answer %v", a)
		}
		pressDuringQuestion(ph, "3")
		if a := nextAnswer(t, answers, 10*time.Second); a != (surveyAnswer{"q3", "dissatisfied"}) {
			t.Fatalf("third answer %v", a)
		}
		res := surveyEnded(t, done, 20*time.Second) // the thanks, then the hang-up
		ph.WaitEvent("CALL_CLOSED", 10*time.Second)
		want := call.SurveyAnswers{Ticket: tk.ID, Asked: true, Contacted: ticketing.AnswerYes,
			Resolved: ticketing.AnswerNo, Satisfaction: ticketing.Dissatisfied}
		if res.End != call.SurveyCompleted || !res.Reached || len(res.Answers) != 1 || res.Answers[0] != want {
			t.Fatalf("result %+v", res)
		}
		checkSurveyRecord(t, rig, res)
		if heard := ph.Heard(); !speech(heard[:min(len(heard), 4*8000)]) {
			t.Errorf("the citizen heard no greeting (rms %.0f)", rms(heard[:min(len(heard), 4*8000)]))
		}
	})

	t.Run("hang-up after question 2 keeps answers 1 and 2", func(t *testing.T) {
		ph := baresip.Start(t, baresip.Options{User: "13800138000", AutoAnswer: true})
		rig := newSurveyRig(t, ph.SIPPort())
		answers, done := rig.survey(t, 10*time.Second, tk)
		ph.WaitEvent("CALL_ESTABLISHED", 10*time.Second)
		time.Sleep(time.Duration((introSeconds(t, tk) + 1.5) * float64(time.Second)))
		ph.Command("sndcode", "2")
		nextAnswer(t, answers, 10*time.Second)
		pressDuringQuestion(ph, "1")
		nextAnswer(t, answers, 10*time.Second)
		ph.Command("hangup", "")
		res := surveyEnded(t, done, 15*time.Second)
		if res.End != call.SurveyHangup || res.Answers[0].Contacted != ticketing.AnswerNo ||
			res.Answers[0].Resolved != ticketing.AnswerYes || res.Answers[0].Satisfaction != ticketing.SatisfactionUnknown {
			t.Fatalf("result %+v", res)
		}
		rec, ok := rig.calls.get(res.CallID)
		if !ok || rec.EndReason != string(sip.EndRemoteHangup) {
			t.Errorf("call record %+v", rec)
		}
	})

	t.Run("no answer", func(t *testing.T) {
		ph := baresip.Start(t, baresip.Options{User: "13800138000"})
		rig := newSurveyRig(t, ph.SIPPort())
		_, done := rig.survey(t, 3*time.Second, tk)
		ph.WaitEvent("CALL_INCOMING", 10*time.Second)
		res := surveyEnded(t, done, 10*time.Second)
		if res.End != call.SurveyNoAnswer || res.Reached || !res.End.Retry() || res.Answers[0].Asked {
			t.Fatalf("result %+v", res)
		}
		ph.WaitEvent("CALL_CLOSED", 10*time.Second)
	})

	t.Run("busy", func(t *testing.T) {
		ph := baresip.Start(t, baresip.Options{User: "13800138000"})
		rig := newSurveyRig(t, ph.SIPPort())
		_, done := rig.survey(t, 10*time.Second, tk)
		ph.WaitEvent("CALL_INCOMING", 10*time.Second)
		ph.Command("hangup", "") // the citizen rejects the ringing call: 486
		res := surveyEnded(t, done, 10*time.Second)
		if res.End != call.SurveyBusy || res.SIPStatus != 486 || res.Reached {
			t.Fatalf("result %+v", res)
		}
	})
}

// checkSurveyRecord: the call record is outbound from 12345, keeps the IVR
// path and keys, and the whole call is recorded.
func checkSurveyRecord(t *testing.T, rig *surveyRig, res call.SurveyResult) {
	t.Helper()
	rec, ok := rig.calls.get(res.CallID)
	if !ok {
		t.Fatalf("no call record %s", res.CallID)
	}
	if rec.Direction != string(sip.Outbound) || rec.Caller != call.SurveyCallerID || rec.Callee != "13800138000" ||
		rec.Digits != "7123" || rec.Ticket != res.Answers[0].Ticket || rec.Answered.IsZero() || rec.Ended.IsZero() || rec.Recording == "" {
		t.Errorf("call record %+v", rec)
	}
	a, err := media.ReadWAVFile(filepath.Join(rig.dir, rec.Recording))
	if err != nil {
		t.Fatalf("recording: %v", err)
	}
	if secs := float64(a.Frames()) / float64(a.Rate); secs < 15 {
		t.Errorf("recording is %.1f s, want the whole survey", secs)
	}
}
