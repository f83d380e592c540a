package media

import "testing"

// Counting packets and losses as RFC 3550 does, from sequence numbers.
func TestSeqCounter(t *testing.T) {
	type pkt struct {
		ssrc uint32
		seq  uint16
	}
	run := func(ssrc uint32, seqs ...uint16) []pkt {
		out := make([]pkt, len(seqs))
		for i, s := range seqs {
			out[i] = pkt{ssrc, s}
		}
		return out
	}
	span := func(ssrc uint32, from, n int) []pkt { // n packets from seq from, wrapping
		out := make([]pkt, n)
		for i := range n {
			out[i] = pkt{ssrc, uint16(from + i)}
		}
		return out
	}
	cat := func(parts ...[]pkt) []pkt {
		var out []pkt
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		pkts []pkt
		want RTPStats
	}{
		{"nothing", nil, RTPStats{}},
		{"in order", span(1, 100, 50), RTPStats{Received: 50}},
		{"three lost", run(1, 1, 2, 3, 7, 8), RTPStats{Received: 5, Lost: 3}},
		{"reordered is not lost", run(1, 1, 2, 4, 3, 5), RTPStats{Received: 5}},
		{"late after a gap fills it", run(1, 1, 2, 5, 6, 3), RTPStats{Received: 5, Lost: 1}},
		{"duplicate", run(1, 1, 2, 2, 3), RTPStats{Received: 4}},
		{"across the wrap", cat(span(1, 65530, 6), span(1, 0, 10)), RTPStats{Received: 16}},
		{"loss across the wrap", cat(span(1, 65530, 5), span(1, 1, 10)), RTPStats{Received: 15, Lost: 2}},
		{"new SSRC starts a new count", cat(span(1, 10, 5), run(2, 40000, 40001, 40003)), RTPStats{Received: 8, Lost: 1}},
		{"a jump past the dropout is a restart", cat(span(1, 10, 5), span(1, 20000, 5)), RTPStats{Received: 10}},
		{"far behind is a restart", cat(span(1, 30000, 5), span(1, 10, 5)), RTPStats{Received: 10}},
		{"two wraps", span(7, 65000, 140000), RTPStats{Received: 140000}},
	} {
		var c RTPCounter
		for _, p := range tc.pkts {
			c.Add(p.ssrc, p.seq)
		}
		if got := c.Stats(); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// What counting costs the receive loop per packet: add, then the totals it
// publishes.
func BenchmarkSeqCounter(b *testing.B) {
	var c RTPCounter
	var s RTPStats
	seq := uint16(0)
	for b.Loop() {
		c.Add(0x5eed, seq)
		s = c.Stats()
		seq++
		if seq%100 == 0 {
			seq++ // a loss now and then
		}
	}
	if s.Received == 0 {
		b.Fatal("nothing counted")
	}
}
