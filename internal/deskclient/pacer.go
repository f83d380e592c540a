package deskclient

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/cityhotline/hotline/media"
)

// FrameDuration is the microphone's packet time.
const FrameDuration = 20 * time.Millisecond

// maxBehind is how far a late tick may fall behind its schedule before the
// pacer gives up on the frames owed and re-anchors (a new talkspurt, not a
// burst).
const maxBehind = 3

// Pacer is one 20 ms clock for the microphones of many clients: a single
// goroutine sends, on each tick, one frame for every client that is on a
// call, instead of a goroutine and a timer per client. The load generator
// shares one among hundreds of softphones; a client given none makes its
// own. Start it with NewPacer; Stop ends its goroutine.
type Pacer struct {
	mu      sync.Mutex // serialises changes to mics
	mics    atomic.Pointer[[]*Client]
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
	overrun atomic.Int64 // ticks re-anchored because the pacer fell behind
}

// NewPacer starts a pacer.
func NewPacer() *Pacer {
	p := &Pacer{stop: make(chan struct{}), done: make(chan struct{})}
	p.mics.Store(&[]*Client{})
	go func() {
		defer close(p.done)
		p.run()
	}()
	return p
}

// Stop ends the pacer's goroutine and waits for it. Idempotent.
func (p *Pacer) Stop() {
	p.once.Do(func() { close(p.stop) })
	<-p.done
}

// Overruns counts the times the pacer fell more than three frames behind
// (a machine too busy for the fleet) and skipped the frames owed.
func (p *Pacer) Overruns() int64 { return p.overrun.Load() }

func (p *Pacer) add(c *Client) {
	p.mu.Lock()
	defer p.mu.Unlock()
	old := *p.mics.Load()
	mics := make([]*Client, len(old), len(old)+1)
	copy(mics, old)
	mics = append(mics, c)
	p.mics.Store(&mics)
}

func (p *Pacer) remove(c *Client) {
	p.mu.Lock()
	defer p.mu.Unlock()
	old := *p.mics.Load()
	mics := make([]*Client, 0, len(old))
	for _, m := range old {
		if m != c {
			mics = append(mics, m)
		}
	}
	p.mics.Store(&mics)
}

// run ticks every 20 ms against an absolute schedule; one timer, reused.
func (p *Pacer) run() {
	start := time.Now()
	timer := time.NewTimer(FrameDuration)
	defer timer.Stop()
	var n uint64
	for {
		select {
		case <-p.stop:
			return
		case <-timer.C:
		}
		n++
		due := start.Add(time.Duration(n) * FrameDuration)
		if behind := time.Since(due); behind > maxBehind*FrameDuration {
			skip := uint64(behind / FrameDuration)
			n += skip
			p.overrun.Add(1)
			due = start.Add(time.Duration(n) * FrameDuration)
		}
		for _, c := range *p.mics.Load() {
			c.sendFrame(n)
		}
		timer.Reset(time.Until(due.Add(FrameDuration)))
	}
}

// toneLoop is one second of a tone as μ-law (whole cycles for a whole
// number of hertz, so it loops seamlessly), cut into 20 ms frames; a
// client sends frame tick mod 50 and computes nothing per packet.
type toneLoop [media.G711Rate]byte

func newToneLoop(hz float64) *toneLoop {
	var l toneLoop
	if hz <= 0 {
		for i := range l {
			l[i] = 0xFF // μ-law silence
		}
		return &l
	}
	media.EncodeUlaw(l[:], media.Tone(hz, time.Second, media.G711Rate, 0.3))
	return &l
}

func (l *toneLoop) frame(tick uint64) []byte {
	i := int(tick%(media.G711Rate/media.FrameSamples)) * media.FrameSamples
	return l[i : i+media.FrameSamples]
}
