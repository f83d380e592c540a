package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	dmedia "github.com/emiago/diago/media"
)

// ErrBusy is returned when a second prompt is started while one plays.
var ErrBusy = errors.New("a prompt is already playing")

// ErrLegClosed is returned by playback once the call's media has stopped
// (the call ended).
var ErrLegClosed = errors.New("trunk leg closed")

// NoDigit is what Play returns when the prompt ended without a keypress.
const NoDigit rune = 0

// Play sends an 8 kHz mono WAV (16-bit PCM, or G.711) to the caller, paced
// by the media clock. A DTMF digit stops it at once (barge-in): the digit is
// consumed and returned. It also returns early, with ctx's error, when ctx
// ends. The prompt is decoded once per process and shared by every call
// that plays the same file (see promptCache).
func (t *TrunkLeg) Play(ctx context.Context, wav io.Reader) (rune, error) {
	return t.play(ctx, wav, true)
}

// PlayFile is Play from a file path.
func (t *TrunkLeg) PlayFile(ctx context.Context, path string) (rune, error) {
	f, err := os.Open(path)
	if err != nil {
		return NoDigit, fmt.Errorf("play %s: %w", path, err)
	}
	defer f.Close()
	d, err := t.Play(ctx, f)
	if err != nil {
		return d, fmt.Errorf("play %s: %w", filepath.Base(path), err)
	}
	return d, nil
}

// PlayNoBargeIn plays a WAV that keypresses do not interrupt (legal notices);
// digits pressed meanwhile stay queued in Digits.
func (t *TrunkLeg) PlayNoBargeIn(ctx context.Context, wav io.Reader) error {
	_, err := t.play(ctx, wav, false)
	return err
}

func (t *TrunkLeg) play(ctx context.Context, wav io.Reader, bargeIn bool) (rune, error) {
	if err := t.out.reserve(); err != nil {
		return NoDigit, err
	}
	frames, err := prompts.frames(wav, t.mcodec)
	if err != nil {
		t.out.release(nil)
		return NoDigit, fmt.Errorf("playback: %w", err)
	}
	return t.run(ctx, newPlayback(frames, nil), bargeIn)
}

// PlayPCM streams 8 kHz samples to the caller, paced by the media clock,
// until done or ctx ends. It is meant for generated audio (tones). Like a
// prompt, it excludes bridged audio and other prompts (ErrBusy). pcm must
// not change until PlayPCM returns.
func (t *TrunkLeg) PlayPCM(ctx context.Context, pcm []int16) error {
	if err := t.out.reserve(); err != nil {
		return err
	}
	_, err := t.run(ctx, newPlayback(nil, pcm), false)
	return err
}

// run sends p, for which the stream is reserved, and waits for it to end:
// played out, a digit (when bargeIn), ctx or the leg stopping. When it
// returns, p sends nothing more and the stream is released.
func (t *TrunkLeg) run(ctx context.Context, p *playback, bargeIn bool) (rune, error) {
	defer t.out.release(p)
	if err := t.out.start(p); err != nil {
		return NoDigit, err
	}
	var digits <-chan rune
	if bargeIn {
		digits = t.digits
	}
	select {
	case <-p.done:
		return NoDigit, p.err
	case d := <-digits:
		t.out.halt(p)
		return d, nil
	case <-ctx.Done():
		t.out.halt(p)
		return NoDigit, ctx.Err()
	case <-t.stopped:
		t.out.halt(p)
		return NoDigit, ErrLegClosed
	}
}

// WritePCM encodes one frame of 8 kHz samples with the call's codec and sends
// it at once as one RTP packet, like WritePayload (ErrBusy while a prompt
// plays). The caller paces frames (one per 20 ms).
func (t *TrunkLeg) WritePCM(pcm []int16) error {
	if len(pcm) > maxPayload {
		return fmt.Errorf("write pcm: %d samples is over %d", len(pcm), maxPayload)
	}
	var buf [maxPayload]byte
	n := t.mcodec.Encode(buf[:], pcm)
	if err := t.out.sendNow(buf[:n]); err != nil {
		return fmt.Errorf("write pcm: %w", err)
	}
	return nil
}

// SendDigits sends RFC 4733 events for each digit, with the negotiated
// telephone-event payload type: a 100 ms press with updates every 20 ms and
// three end packets, paced by the media clock. It returns when the last
// packet is sent. A prompt is paused meanwhile, and bridged audio dropped.
func (t *TrunkLeg) SendDigits(digits string) error {
	pt, ok := t.telephoneEvent()
	if !ok {
		return errors.New("send dtmf: telephone-event/8000 codec is not negotiated")
	}
	t.dtmfMu.Lock()
	defer t.dtmfMu.Unlock()
	s := DTMFSender{PayloadType: pt, Interval: frameDuration}
	for _, d := range digits {
		pkts, err := s.Packets(d, DefaultDTMFDuration, 0)
		if err != nil {
			return fmt.Errorf("send dtmf %q: %w", d, err)
		}
		if err := t.sendPress(pkts); err != nil {
			return fmt.Errorf("send dtmf %q: %w", d, err)
		}
	}
	return nil
}

// sendPress queues one press's packets and waits until they are sent.
func (t *TrunkLeg) sendPress(pkts []DTMFPacket) error {
	j := &dtmfJob{packets: pkts, done: make(chan struct{})}
	if err := t.out.startDTMF(j); err != nil {
		return err
	}
	select {
	case <-j.done:
		return j.err
	case <-t.stopped:
		t.out.haltDTMF(j)
		return ErrLegClosed
	}
}

// telephoneEvent returns the payload type the far end takes RFC 4733
// events on.
func (t *TrunkLeg) telephoneEvent() (uint8, bool) {
	ms := t.dm.MediaSession()
	if ms == nil {
		return 0, false
	}
	for _, c := range ms.CommonCodecs() {
		if c.Matches(dmedia.CodecTelephoneEvent8000) {
			return c.PayloadType, true
		}
	}
	return 0, false
}
