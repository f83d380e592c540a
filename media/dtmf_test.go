package media

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
	"time"
)

func TestDTMFEventGolden(t *testing.T) {
	rows := readGoldenFields(t, "rfc4733-events.txt")
	if len(rows) < 5 {
		t.Fatalf("%d golden events", len(rows))
	}
	for _, r := range rows {
		raw, err := hex.DecodeString(r[0])
		if err != nil {
			t.Fatal(err)
		}
		want := DTMFEvent{Event: uint8(atoi(t, r[1])), End: r[2] == "1",
			Volume: uint8(atoi(t, r[3])), Duration: uint16(atoi(t, r[4]))}
		got, err := ParseDTMFEvent(raw)
		if err != nil || got != want {
			t.Errorf("parse %s = %+v, %v; want %+v", r[0], got, err, want)
		}
		if m := want.Marshal(); !bytes.Equal(m, raw) {
			t.Errorf("marshal %+v = %x, want %s", want, m, r[0])
		}
	}
}

func TestParseDTMFEventErrors(t *testing.T) {
	for _, b := range [][]byte{nil, {1}, {1, 2, 3}} {
		if _, err := ParseDTMFEvent(b); !errors.Is(err, ErrShortDTMFEvent) {
			t.Errorf("ParseDTMFEvent(%x) error = %v", b, err)
		}
	}
	// The reserved bit is ignored and trailing bytes are tolerated.
	ev, err := ParseDTMFEvent([]byte{9, 0x40 | 0x80 | 7, 0, 80, 0xEE})
	if err != nil || ev != (DTMFEvent{Event: 9, End: true, Volume: 7, Duration: 80}) {
		t.Errorf("got %+v, %v", ev, err)
	}
	if m := (DTMFEvent{Volume: 200}).Marshal(); m[1] != 200&0x3F {
		t.Errorf("volume not masked: %x", m)
	}
}

func TestDTMFDigitCodes(t *testing.T) {
	for i, d := range "0123456789*#ABCD" {
		code, ok := DTMFEventCode(d)
		if !ok || int(code) != i {
			t.Errorf("DTMFEventCode(%c) = %d, %v", d, code, ok)
		}
		back, ok := DTMFDigit(code)
		if !ok || back != d {
			t.Errorf("DTMFDigit(%d) = %c, %v", code, back, ok)
		}
		if _, _, ok := DTMFFrequencies(d); !ok {
			t.Errorf("no frequencies for %c", d)
		}
	}
	if c, ok := DTMFEventCode('b'); !ok || c != 13 {
		t.Errorf("lower-case b = %d, %v", c, ok)
	}
	for _, d := range "xE+ " {
		if _, ok := DTMFEventCode(d); ok {
			t.Errorf("DTMFEventCode(%q) ok", d)
		}
	}
	if _, ok := DTMFDigit(16); ok {
		t.Error("event 16 (flash) is a digit")
	}
	if s := (DTMFEvent{Event: 11, End: true, Volume: 10, Duration: 800}).String(); s != "dtmf # end vol=10 dur=800" {
		t.Errorf("String = %q", s)
	}
}

// press returns the payloads of one press as a sender would, ending with
// three end packets.
func press(t *testing.T, digit rune, ts uint32) []DTMFPacket {
	t.Helper()
	pkts, err := DTMFSender{PayloadType: 101}.Packets(digit, 120*time.Millisecond, ts)
	if err != nil {
		t.Fatal(err)
	}
	return pkts
}

// feed sends packets to r, one every 20 ms from start, and returns the digits.
func feed(t *testing.T, r *DTMFReceiver, start time.Time, pkts []DTMFPacket) []rune {
	t.Helper()
	var out []rune
	for i, p := range pkts {
		ds, err := r.Receive(p.Timestamp, p.Marker, p.Payload, start.Add(time.Duration(i)*20*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ds...)
	}
	return out
}

func TestDTMFReceiverOncePerPress(t *testing.T) {
	r := NewDTMFReceiver(0)
	t0 := time.Unix(1000, 0)
	var got []rune
	ts := uint32(4000)
	for i, d := range "1234#" {
		got = append(got, feed(t, r, t0.Add(time.Duration(i)*time.Second), press(t, d, ts))...)
		ts += 8000
	}
	if string(got) != "1234#" {
		t.Errorf("digits = %q, want 1234#", string(got))
	}
	// The same digit twice is two presses, told apart by the timestamp.
	got = feed(t, r, t0.Add(10*time.Second), append(press(t, '5', 90000), press(t, '5', 91600)...))
	if string(got) != "55" {
		t.Errorf("5 pressed twice = %q", string(got))
	}
	// A late duplicate of an old end packet is not a new press.
	old := press(t, '5', 91600)
	if ds, _ := r.Receive(91600, false, old[len(old)-1].Payload, t0.Add(20*time.Second)); len(ds) != 0 {
		t.Errorf("duplicate end packet reported %q", string(ds))
	}
}

func TestDTMFReceiverLostEnd(t *testing.T) {
	t0 := time.Unix(1000, 0)
	noEnd := func(ps []DTMFPacket) []DTMFPacket { return ps[:len(ps)-dtmfEndRepeats] }

	// The next press reveals the lost end.
	r := NewDTMFReceiver(time.Second)
	got := feed(t, r, t0, append(noEnd(press(t, '7', 100)), press(t, '8', 2000)...))
	if string(got) != "78" {
		t.Errorf("lost end then next press = %q, want 78", string(got))
	}

	// The timeout reveals it, once.
	r = NewDTMFReceiver(300 * time.Millisecond)
	pkts := noEnd(press(t, '9', 100))
	if got := feed(t, r, t0, pkts); len(got) != 0 {
		t.Fatalf("reported %q before the end", string(got))
	}
	last := t0.Add(time.Duration(len(pkts)-1) * 20 * time.Millisecond)
	if d, ok := r.Expire(last.Add(299 * time.Millisecond)); ok {
		t.Fatalf("expired early with %c", d)
	}
	if d, ok := r.Expire(last.Add(300 * time.Millisecond)); !ok || d != '9' {
		t.Fatalf("Expire = %c, %v; want 9", d, ok)
	}
	if d, ok := r.Expire(last.Add(time.Hour)); ok {
		t.Fatalf("expired twice: %c", d)
	}
	// Straggling end packets of the expired press do not repeat it.
	if got := feed(t, r, last, press(t, '9', 100)[len(pkts):]); len(got) != 0 {
		t.Errorf("late end packets reported %q", string(got))
	}
}

func TestDTMFReceiverOnlyEndPackets(t *testing.T) {
	// All start and update packets lost: the end packets alone report it,
	// and an unfinished earlier press comes first.
	r := NewDTMFReceiver(0)
	t0 := time.Unix(0, 0)
	a := press(t, '1', 0)
	b := press(t, '2', 5000)
	pkts := append(a[:1], b[len(b)-dtmfEndRepeats:]...)
	if got := feed(t, r, t0, pkts); string(got) != "12" {
		t.Errorf("got %q, want 12", string(got))
	}
}

func TestDTMFReceiverIgnoresNonDigits(t *testing.T) {
	r := NewDTMFReceiver(0)
	flash := DTMFEvent{Event: 16, End: true, Duration: 800}.Marshal()
	if ds, err := r.Receive(1, true, flash, time.Unix(0, 0)); err != nil || len(ds) != 0 {
		t.Errorf("flash = %q, %v", string(ds), err)
	}
	if _, err := r.Receive(2, true, []byte{1}, time.Unix(0, 0)); err == nil {
		t.Error("short payload accepted")
	}
}

func TestDTMFSenderSequence(t *testing.T) {
	s := DTMFSender{PayloadType: 96}
	pkts, err := s.Packets('#', 120*time.Millisecond, 1234)
	if err != nil {
		t.Fatal(err)
	}
	// Updates at 0, 50 and 100 ms, end packets at 120, 140 and 160 ms.
	want := []struct {
		at     time.Duration
		marker bool
		hex    string
	}{
		{0, true, "0b0a0190"},
		{50 * time.Millisecond, false, "0b0a0320"},
		{100 * time.Millisecond, false, "0b0a03c0"},
		{120 * time.Millisecond, false, "0b8a03c0"},
		{140 * time.Millisecond, false, "0b8a03c0"},
		{160 * time.Millisecond, false, "0b8a03c0"},
	}
	if len(pkts) != len(want) {
		t.Fatalf("%d packets, want %d: %+v", len(pkts), len(want), pkts)
	}
	for i, w := range want {
		p := pkts[i]
		if p.At != w.at || p.Marker != w.marker || hex.EncodeToString(p.Payload) != w.hex ||
			p.Timestamp != 1234 || p.PayloadType != 96 {
			t.Errorf("packet %d = %+v %x, want at %v marker %v %s", i, p, p.Payload, w.at, w.marker, w.hex)
		}
	}
	if _, err := s.Packets('z', 0, 0); err == nil {
		t.Error("Packets('z') succeeded")
	}
	long, _ := s.Packets('1', 10*time.Second, 0)
	if ev, _ := ParseDTMFEvent(long[len(long)-1].Payload); ev.Duration != 0xFFFF {
		t.Errorf("10 s press duration = %d, want saturated", ev.Duration)
	}
}

func FuzzParseDTMFEvent(f *testing.F) {
	for _, r := range readGoldenFieldsF(f, "rfc4733-events.txt") {
		raw, _ := hex.DecodeString(r[0])
		f.Add(raw)
	}
	f.Add([]byte{})
	f.Add([]byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := ParseDTMFEvent(b)
		if err != nil {
			if len(b) >= 4 {
				t.Fatalf("%x: %v", b, err)
			}
			return
		}
		m := ev.Marshal()
		want := append([]byte{b[0], b[1] &^ 0x40}, b[2:4]...) // R bit dropped
		if !bytes.Equal(m, want) {
			t.Fatalf("%x re-marshals to %x", b, m)
		}
		r := NewDTMFReceiver(0)
		if _, err := r.Receive(0, true, b, time.Unix(0, 0)); err != nil {
			t.Fatal(err)
		}
	})
}
