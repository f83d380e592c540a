package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"testing"
	"time"

	"github.com/cityhotline/hotline/internal/deskclient"
	"github.com/cityhotline/hotline/media"
)

func TestStampDelayReport(t *testing.T) {
	if stampDelay(nil) != nil {
		t.Fatal("no stamped frames should report nothing")
	}
	var ds []time.Duration
	for k := 100; k >= 1; k-- { // 100 ms … 1 ms, out of order
		ds = append(ds, time.Duration(k)*time.Millisecond+250*time.Microsecond)
	}
	got := stampDelay(ds)
	want := StampDelay{Frames: 100, Latency: Latency{P50: 50.25, P95: 95.25, P99: 99.25, Max: 100.25}}
	if *got != want {
		t.Fatalf("stampDelay = %+v, want %+v", *got, want)
	}
	b, err := json.Marshal(CallsReport{AgentToCaller: got})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"agent_to_caller_ms":{"stamped_frames":100,"p50":50.25,"p95":95.25,"p99":99.25,"max":100.25}`)) {
		t.Fatalf("report JSON: %s", b)
	}
	if b, _ := json.Marshal(CallsReport{}); bytes.Contains(b, []byte("agent_to_caller_ms")) {
		t.Fatalf("a run without stamps reports agent_to_caller_ms: %s", b)
	}
}

// The receiver takes a stamped PCMU frame's delay from the arrival it was
// given, and leaves unstamped and PCMA frames alone.
func TestRxStatsStamped(t *testing.T) {
	var s rxStats
	sent := time.Unix(2000, 500)
	b := rtpPacket(1, 160, true, media.Tone(440, 20*time.Millisecond, clockRate, 0.3))
	deskclient.PutStamp(b[rtpHeaderLen:], sent)
	s.packet(b, sent.Add(2500*time.Microsecond))
	s.packet(rtpPacket(2, 320, false, media.Tone(440, 20*time.Millisecond, clockRate, 0.3)), sent)
	pcma := bytes.Clone(b)
	pcma[1], pcma[3] = ptPCMA, 3
	s.packet(pcma, sent.Add(time.Second))
	if len(s.stamped) != 1 || s.stamped[0] != 2500*time.Microsecond {
		t.Fatalf("stamped delays %v, want [2.5ms]", s.stamped)
	}
	if s.Audio != 3 {
		t.Fatalf("audio %d, want 3: stamped frames are audio too", s.Audio)
	}
}

// With stamp set, each audio packet carries its send time over the first 12
// bytes of the frame, the rest of which goes out as it was; digits are not
// stamped.
func TestRTPSenderStamps(t *testing.T) {
	rx, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Close()
	tx, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	f := newFrames(false)
	f.stamp = true
	s := newRTPSender(tx, rx.LocalAddr().(*net.UDPAddr).AddrPort(), ptPCMU, 101, f)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.run(ctx, "1", time.Now())
	}()
	defer func() { cancel(); <-done }()
	var audio, events int
	buf := make([]byte, 1500)
	for audio < 3 || events < 1 {
		_ = rx.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := rx.Read(buf)
		if err != nil {
			t.Fatalf("after %d audio, %d event packets: %v", audio, events, err)
		}
		payload := buf[rtpHeaderLen:n]
		_, stamped := deskclient.ReadStamp(payload)
		switch buf[1] & 0x7f {
		case 101:
			events++
			if stamped {
				t.Fatal("an RFC 4733 event was stamped")
			}
		case ptPCMU:
			if !stamped {
				t.Fatalf("audio packet %d carries no stamp: % x", audio, payload[:12])
			}
			var found bool
			for i := range len(f.pcmu) {
				found = found || bytes.Equal(payload[deskclient.StampLen:], f.pcmu[i][deskclient.StampLen:])
			}
			if !found {
				t.Fatal("the stamped frame's audio after the stamp is not one of the tone's frames")
			}
			if _, ok := deskclient.ReadStamp(f.pcmu[0]); ok {
				t.Fatal("stamping wrote into the shared frames")
			}
			audio++
		}
	}
}
