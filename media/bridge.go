package media

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
)

// maxPayload bounds one RTP payload the bridge and the trunk writer carry:
// any G.711 frame that fits an Ethernet MTU.
const maxPayload = 1500

// G.711 silence: the code for a zero sample.
const (
	ulawSilence byte = 0xFF
	alawSilence byte = 0xD5
)

// PayloadLeg is one side of a two-party bridge: it hands over what it
// receives and sends what it is given, both as encoded 20 ms payloads.
type PayloadLeg interface {
	// Codec names the leg's audio codec: "PCMU" or "PCMA".
	Codec() string
	// SetAudioSink makes the leg pass every received audio payload to f on
	// its receive goroutine (nil: none). f must not retain p.
	SetAudioSink(f func(p []byte))
	// WritePayload sends one encoded frame. It runs on the other leg's
	// receive goroutine, so it must not block for long; it must neither
	// retain nor modify p.
	WritePayload(p []byte) error
}

// BridgeStats counts a bridge's frames.
type BridgeStats struct {
	AToB       uint64 // caller → agent frames forwarded
	BToA       uint64 // agent → caller frames forwarded (muted ones too, as silence)
	Transcoded uint64 // forwarded frames converted between PCMA and PCMU
	Muted      uint64 // agent frames replaced by silence
	Whispered  uint64 // caller frames mixed with a supervisor's whisper
	Held       uint64 // frames discarded while on hold
	Dropped    uint64 // frames lost: write errors, oversized or unbridgeable payloads
}

// Bridge joins two legs: what a receives goes to b and what b receives goes
// to a, payload by payload on the legs' own receive goroutines (the bridge
// starts none). With equal codecs a payload is handed over untouched, with
// no copy; PCMA and PCMU are converted byte by byte through 256-entry
// tables. It works at the G.711 rate, 8000 Hz, on frames of any length.
type Bridge struct {
	a, b PayloadLeg
	log  *slog.Logger

	ab, ba bridgeDir

	mu      sync.Mutex // guards started; stopped is set under it
	started bool
	stopped atomic.Bool
	mute    atomic.Bool
	hold    atomic.Bool
	tap     atomic.Pointer[func(fromA bool, p []byte)]
	whisper atomic.Pointer[func(dst []int16) int]
}

// bridgeDir is one direction of a bridge. Its mutex is held while a frame
// passes, so Stop can wait for one in flight; each direction is fed by one
// leg's receive goroutine, so it is not contended. The scratch array also
// keeps the two directions' counters on different cache lines.
type bridgeDir struct {
	mu      sync.Mutex
	fromA   bool
	dst     PayloadLeg
	table   *[256]byte // codec conversion; nil when both sides match
	silence byte       // silence code in dst's codec
	broken  bool       // the codecs cannot be bridged: drop everything
	src     Codec      // the source's codec, to decode a whispered frame
	dstC    Codec      // dst's codec, to encode it
	logged  bool       // a write error was logged

	forwarded, transcoded, muted, held, dropped, whispered uint64

	scratch [maxPayload]byte
	pcm     [maxPayload]int16 // a → b with a whisper: the caller decoded
	voice   [maxPayload]int16 // the whisper's samples
}

// Byte-to-byte G.711 conversions: decode with one law, encode with the
// other. Built from the codec functions (not their tables, which another
// file's init fills) so that package initialisation order does not matter.
var ulawToAlaw, alawToUlaw [256]byte

func init() {
	for i := range 256 {
		ulawToAlaw[i] = alawEncode(ulawDecode(byte(i)))
		alawToUlaw[i] = ulawEncode(alawDecode(byte(i)))
	}
}

// NewBridge prepares a bridge between a (the trunk: the caller) and b (the
// agent). Nothing flows until Start.
func NewBridge(a, b PayloadLeg, log *slog.Logger) *Bridge {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	br := &Bridge{a: a, b: b, log: log}
	br.ab.init(true, a.Codec(), b)
	br.ba.init(false, b.Codec(), a)
	return br
}

func (d *bridgeDir) init(fromA bool, srcCodec string, dst PayloadLeg) {
	d.fromA, d.dst = fromA, dst
	src, dstName := strings.ToUpper(srcCodec), strings.ToUpper(dst.Codec())
	d.src, _ = CodecByName(src)
	d.dstC, _ = CodecByName(dstName)
	switch {
	case src == "PCMU" && dstName == "PCMA":
		d.table = &ulawToAlaw
	case src == "PCMA" && dstName == "PCMU":
		d.table = &alawToUlaw
	case src != dstName:
		d.broken = true
	}
	switch dstName {
	case "PCMA":
		d.silence = alawSilence
	default:
		d.silence = ulawSilence
	}
}

// String describes the bridge: "bridge PCMA<->PCMU (transcoding)".
func (br *Bridge) String() string {
	s := fmt.Sprintf("bridge %s<->%s", br.a.Codec(), br.b.Codec())
	switch {
	case br.ab.broken:
		s += " (incompatible codecs)"
	case br.ab.table != nil:
		s += " (transcoding)"
	}
	return s
}

// Start installs the sinks: a's audio goes to b, b's to a. It does nothing
// once the bridge has started or stopped (a bridge is used once).
func (br *Bridge) Start() {
	br.mu.Lock()
	defer br.mu.Unlock()
	if br.started || br.stopped.Load() {
		return
	}
	br.started = true
	if br.ab.broken {
		br.log.Error("bridge cannot join these codecs; audio is dropped", "a", br.a.Codec(), "b", br.b.Codec())
	}
	br.a.SetAudioSink(br.fromA)
	br.b.SetAudioSink(br.fromB)
	br.log.Info("bridge started", "bridge", br.String())
}

func (br *Bridge) fromA(p []byte) { br.forward(&br.ab, p) }
func (br *Bridge) fromB(p []byte) { br.forward(&br.ba, p) }

// Stop removes the sinks and waits for a frame in flight, so nothing is
// forwarded once it returns. It is idempotent. It must not be called from
// a tap or from a leg's WritePayload. Stop the old bridge before starting a
// new one on the same leg: Stop clears that leg's sink.
func (br *Bridge) Stop() {
	br.mu.Lock()
	if br.stopped.Load() {
		br.mu.Unlock()
		return
	}
	br.stopped.Store(true)
	started := br.started
	br.mu.Unlock()
	if started {
		br.a.SetAudioSink(nil)
		br.b.SetAudioSink(nil)
	}
	br.ab.drain()
	br.ba.drain()
	if started {
		s := br.Stats()
		br.log.Info("bridge stopped", "a_to_b", s.AToB, "b_to_a", s.BToA,
			"transcoded", s.Transcoded, "muted", s.Muted, "held", s.Held, "dropped", s.Dropped)
	}
}

// Mute, while on, replaces the agent's audio toward the caller with silence
// frames (μ-law 0xFF, A-law 0xD5), so the caller's RTP keeps flowing.
func (br *Bridge) Mute(on bool) {
	if br.mute.Swap(on) != on {
		br.log.Debug("bridge mute", "on", on)
	}
}

// Hold, while on, forwards nothing either way; the orchestration plays
// music to the caller itself (the trunk accepts a prompt only while
// nothing is forwarded to it).
func (br *Bridge) Hold(on bool) {
	if br.hold.Swap(on) != on {
		br.log.Debug("bridge hold", "on", on)
	}
}

// Tap sets a listener for a supervisor's silent listen (nil removes it). It
// hears each party as received, in the codec of the leg it came from:
// fromA frames are the caller's (a.Codec()), the others the agent's
// (b.Codec()). It hears a muted agent (mute only concerns the caller) and
// nothing while on hold. It runs on both legs' receive goroutines, possibly
// at once, must be quick, must neither retain nor modify p (copy what it
// keeps) and must not call Stop or Stats.
func (br *Bridge) Tap(f func(fromA bool, p []byte)) {
	if f == nil {
		br.tap.Store(nil)
		return
	}
	br.tap.Store(&f)
}

// Whisper sets a voice mixed into what the agent (b) hears, never into
// what the caller (a) hears: a supervisor's whisper (nil removes it). For
// each caller frame the bridge calls f with room for the frame's samples;
// f fills in what it has (linear, 8000 Hz) and returns how many, 0 when it
// has nothing fresh. A frame with a voice is decoded, summed with
// clipping and encoded in b's codec; without one it passes as before,
// untouched. f runs on a's receive goroutine, must be quick, must not
// retain dst and must not call Stop or Stats.
func (br *Bridge) Whisper(f func(dst []int16) int) {
	if f == nil {
		br.whisper.Store(nil)
		return
	}
	br.whisper.Store(&f)
	br.log.Debug("bridge whisper on")
}

// Stats returns the frame counts so far.
func (br *Bridge) Stats() BridgeStats {
	var s BridgeStats
	for _, d := range []*bridgeDir{&br.ab, &br.ba} {
		d.mu.Lock()
		if d.fromA {
			s.AToB = d.forwarded
		} else {
			s.BToA = d.forwarded
		}
		s.Transcoded += d.transcoded
		s.Muted += d.muted
		s.Whispered += d.whispered
		s.Held += d.held
		s.Dropped += d.dropped
		d.mu.Unlock()
	}
	return s
}

// forward carries one frame in direction d. It allocates nothing.
func (br *Bridge) forward(d *bridgeDir, p []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case br.stopped.Load():
		return
	case br.hold.Load():
		d.held++
		return
	case d.broken || len(p) > maxPayload:
		d.dropped++
		return
	}
	if tap := br.tap.Load(); tap != nil {
		(*tap)(d.fromA, p)
	}
	out := p
	switch {
	case d.fromA && br.whisper.Load() != nil && br.mixWhisper(d, p):
		out = d.scratch[:len(p)]
	case !d.fromA && br.mute.Load():
		out = d.scratch[:len(p)]
		fill(out, d.silence)
		d.muted++
	case d.table != nil:
		out = d.scratch[:len(p)]
		for i, c := range p {
			out[i] = d.table[c]
		}
		d.transcoded++
	}
	if err := d.dst.WritePayload(out); err != nil {
		d.dropped++
		if !d.logged {
			d.logged = true
			br.log.Warn("bridge write failed", "from_a", d.fromA, "error", err)
		}
		return
	}
	d.forwarded++
}

// mixWhisper puts into d.scratch the caller's frame p with the whisper's
// voice added, in b's codec; false when the voice has nothing now (p goes
// on as it is).
func (br *Bridge) mixWhisper(d *bridgeDir, p []byte) bool {
	f := br.whisper.Load()
	if f == nil || d.src.Decode == nil || d.dstC.Encode == nil {
		return false // not G.711 both ways: no mixing
	}
	n := min((*f)(d.voice[:len(p)]), len(p))
	if n <= 0 {
		return false
	}
	pcm := d.pcm[:len(p)]
	d.src.Decode(pcm, p)
	for i, v := range d.voice[:n] {
		pcm[i] = int16(max(min(int32(pcm[i])+int32(v), 32767), -32768))
	}
	d.dstC.Encode(d.scratch[:], pcm)
	d.whispered++
	return true
}

// drain waits for a frame in flight in d to pass: forward holds d.mu
// throughout and checks stopped under it.
func (d *bridgeDir) drain() {
	d.mu.Lock()
	d.mu.Unlock() //nolint:staticcheck // SA2001: the empty section is the point
}

func fill(b []byte, v byte) {
	for i := range b {
		b[i] = v
	}
}
