package test

import (
	"encoding/json"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline/internal/baresip"
	"github.com/cityhotline/hotline/media"
)

// A citizen phones 12345 from a real phone (baresip): the server answers,
// plays the greeting, the caller presses a key and lands in the matching
// queue; the call record and the stereo recording show what happened.

type callJSON struct {
	ID        string   `json:"id"`
	Caller    string   `json:"caller"`
	Callee    string   `json:"callee"`
	Answered  string   `json:"answered"`
	Ended     string   `json:"ended"`
	IVRPath   []string `json:"ivr_path"`
	Digits    string   `json:"digits"`
	Queue     string   `json:"queue"`
	EndReason string   `json:"end_reason"`
	Recording string   `json:"recording"`
	Agent     string   `json:"agent"`
	Ticket    string   `json:"ticket"`
	// How well the caller was heard.
	RTPReceived int64 `json:"rtp_received"`
	RTPLost     int64 `json:"rtp_lost"`
}

func TestInboundCallThroughIVR(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the server binary and baresip; skipped with -short")
	}
	baresip.NeedTool(t, "baresip")
	srv := startServer(t, t.TempDir(), "")
	admin := login(t, srv)

	t.Run("RFC 4733 key during the greeting", func(t *testing.T) {
		ph := baresip.Start(t, baresip.Options{User: "13800138000", Mic: media.Tone(300, 60*time.Second, 8000, 0.1)})
		ph.Command("dial", "sip:12345@"+srv.sipAddr)
		ph.WaitEvent("CALL_ESTABLISHED", 10*time.Second)
		time.Sleep(3 * time.Second) // let the greeting play: what the caller hears is the point
		ph.Command("sndcode", "1")
		time.Sleep(7 * time.Second) // the menu choice, then "please hold", then the queue
		ph.Command("hangup", "")
		ph.WaitEvent("CALL_CLOSED", 10*time.Second)

		heard := ph.Heard()
		if !speech(heard[:min(len(heard), 3*8000)]) {
			t.Errorf("the caller heard no greeting (rms %.0f)", rms(heard[:min(len(heard), 3*8000)]))
		}
		rec := waitCall(t, admin, "13800138000")
		if rec.Digits != "1" || rec.Queue != "complaints" || rec.EndReason != "remote_hangup" || rec.Answered == "" {
			t.Fatalf("call record %+v", rec)
		}
		if !slices.Contains(rec.IVRPath, "greeting") || !slices.Contains(rec.IVRPath, "queue-complaints") {
			t.Errorf("ivr path %v", rec.IVRPath)
		}
		checkRecording(t, srv, rec)
	})

	t.Run("in-band DTMF from the caller's microphone", func(t *testing.T) {
		mic := media.Silence(4*time.Second, 8000)
		tone, err := media.DTMFTone('2', 200*time.Millisecond, 8000)
		if err != nil {
			t.Fatal(err)
		}
		mic = append(append(mic, tone...), media.Silence(30*time.Second, 8000)...)
		ph := baresip.Start(t, baresip.Options{User: "13900139000", Mic: mic})
		ph.Command("dial", "sip:12345@"+srv.sipAddr)
		ph.WaitEvent("CALL_ESTABLISHED", 10*time.Second)
		time.Sleep(9 * time.Second) // the tone plays 4 s in; then the choice and "please hold"
		ph.Command("hangup", "")
		ph.WaitEvent("CALL_CLOSED", 10*time.Second)
		rec := waitCall(t, admin, "13900139000")
		if rec.Digits != "2" || rec.Queue != "policy" {
			t.Fatalf("in-band call record %+v", rec)
		}
		// The phone sent its microphone for the whole call, about 9 s: some
		// 450 packets, and loopback loses none.
		if rec.RTPReceived < 300 || rec.RTPLost > 5 {
			t.Errorf("the caller's RTP recorded as %d received, %d lost", rec.RTPReceived, rec.RTPLost)
		}
	})

	t.Run("metrics", func(t *testing.T) {
		status, body := (&api{base: srv.base, http: admin.http}).raw(t, "GET", "/metrics", "", "")
		if status != 200 {
			t.Fatalf("/metrics: %d", status)
		}
		for _, want := range []string{
			`hotline_ivr_choices_total{digit="1",flow="inbound"} 1`,
			`hotline_ivr_choices_total{digit="2",flow="inbound"} 1`,
			`hotline_calls_total{direction="inbound",result="remote_hangup"} 2`,
			`hotline_sip_invite_answer_seconds_count 2`,
			`hotline_calls_active 0`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		if !strings.Contains(body, "hotline_rtp_received_packets_total ") || strings.Contains(body, "hotline_rtp_received_packets_total 0\n") {
			t.Error("/metrics counts no RTP received from the two calls")
		}
	})
}

// checkRecording reads the call's stereo WAV: the caller's 300 Hz tone on
// the left, our prompts (speech) on the right.
func checkRecording(t *testing.T, srv *server, rec callJSON) {
	t.Helper()
	if rec.Recording == "" {
		t.Fatal("no recording named in the call record")
	}
	a, err := media.ReadWAVFile(filepath.Join(srv.dataDir, "recordings", rec.Recording))
	if err != nil {
		t.Fatalf("recording: %v", err)
	}
	if a.Channels != 2 || len(a.Samples) < 2*8000*3 {
		t.Fatalf("recording has %d channels, %d samples", a.Channels, len(a.Samples))
	}
	left, right := a.Channel(0), a.Channel(1)
	if e := media.ToneEnergy(left[8000:3*8000], 8000, 300); e < 0.5 {
		t.Errorf("caller channel: 300 Hz share %.2f", e)
	}
	if !speech(right[:3*8000]) {
		t.Errorf("far channel has no prompt audio (rms %.0f)", rms(right[:3*8000]))
	}
}

// speech reports whether pcm carries voice-band energy: loud enough, with
// its dominant frequency in the telephone band, and not a single pure tone.
func speech(pcm []int16) bool {
	if len(pcm) == 0 || rms(pcm) < 300 {
		return false
	}
	f := media.DominantFrequency(pcm, 8000)
	return f >= 100 && f <= 3400 && media.ToneEnergy(pcm, 8000, f) < 0.9
}

func rms(pcm []int16) float64 {
	var sum float64
	for _, v := range pcm {
		sum += float64(v) * float64(v)
	}
	return math.Sqrt(sum / float64(max(len(pcm), 1)))
}

func findCall(t *testing.T, a *api, caller string) (callJSON, bool) {
	t.Helper()
	status, body := a.raw(t, "GET", "/api/v1/calls?caller="+caller, "", "")
	if status != 200 {
		t.Fatalf("GET /api/v1/calls: %d %s", status, body)
	}
	var out struct {
		Calls []callJSON `json:"calls"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Calls) == 0 {
		return callJSON{}, false
	}
	return out.Calls[0], true
}

// waitCall waits for the caller's call record to be complete (ended).
func waitCall(t *testing.T, a *api, caller string) callJSON {
	t.Helper()
	return waitFor(t, 15*time.Second, func() (callJSON, bool) {
		r, ok := findCall(t, a, caller)
		return r, ok && r.Ended != ""
	})
}

func waitFor(t *testing.T, limit time.Duration, f func() (callJSON, bool)) callJSON {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		r, ok := f()
		if ok {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("no matching call record within %v (last %+v)", limit, r)
		}
		time.Sleep(200 * time.Millisecond) // the server offers no signal for a record's completion
	}
}
