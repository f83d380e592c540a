package media

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// ErrBusy is returned when a second prompt is started while one plays.
var ErrBusy = errors.New("a prompt is already playing")

// ErrLegClosed is returned by playback once the call's media has stopped
// (the call ended).
var ErrLegClosed = errors.New("trunk leg closed")

// NoDigit is what Play returns when the prompt ended without a keypress.
const NoDigit rune = 0

// Play sends an 8 kHz 16-bit mono WAV to the caller, paced at 20 ms. A DTMF
// digit stops it at once (barge-in): the digit is consumed and returned. It also
// returns early, with ctx's error, when ctx ends.
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
	d, err := t.Play(ctx, bufio.NewReaderSize(f, 32*1024))
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
	select {
	case <-t.stopped:
		return NoDigit, ErrLegClosed
	default:
	}
	if !t.beginPlay() {
		return NoDigit, ErrBusy
	}
	defer t.endPlay()
	pb, err := t.dm.PlaybackCreate()
	if err != nil {
		return NoDigit, fmt.Errorf("playback: %w", err)
	}
	stop := make(chan struct{})
	var once sync.Once
	halt := func() { once.Do(func() { close(stop) }) }
	done := make(chan error, 1)
	go func() {
		_, err := pb.Play(&stoppableReader{r: wav, stop: stop}, "audio/wav")
		done <- err
	}()
	return t.awaitPlay(ctx, done, halt, bargeIn)
}

// awaitPlay waits for the playback goroutine, stopping it on a digit (when
// bargeIn) or when ctx ends; it always waits for the goroutine to finish.
func (t *TrunkLeg) awaitPlay(ctx context.Context, done <-chan error, halt func(), bargeIn bool) (rune, error) {
	var digits <-chan rune
	if bargeIn {
		digits = t.digits
	}
	select {
	case err := <-done:
		return NoDigit, err
	case d := <-digits:
		halt()
		<-done
		return d, nil
	case <-ctx.Done():
		halt()
		<-done
		return NoDigit, ctx.Err()
	case <-t.stopped:
		halt()
		<-done
		return NoDigit, ErrLegClosed
	}
}

// beginPlay claims diago's writer for a prompt. It waits for a bridged frame
// being sent and discards one still queued (see bridge_trunk.go).
func (t *TrunkLeg) beginPlay() bool {
	t.writeMu.Lock()
	defer t.writeMu.Unlock()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.playing {
		return false
	}
	t.playing = true
	t.out.clear()
	return true
}

func (t *TrunkLeg) endPlay() {
	t.mu.Lock()
	t.playing = false
	t.mu.Unlock()
}

// stoppableReader ends the stream (io.EOF) once stop is closed, so a playback
// finishes within one 20 ms frame.
type stoppableReader struct {
	r    io.Reader
	stop <-chan struct{}
}

func (s *stoppableReader) Read(p []byte) (int, error) {
	select {
	case <-s.stop:
		return 0, io.EOF
	default:
		return s.r.Read(p)
	}
}

// SendDigits sends RFC 4733 events for each digit, with the negotiated
// telephone-event payload type.
func (t *TrunkLeg) SendDigits(digits string) error {
	w, err := t.dtmfWriter()
	if err != nil {
		return fmt.Errorf("send dtmf: %w", err)
	}
	for _, d := range digits {
		if err := w.WriteDTMF(d); err != nil {
			return fmt.Errorf("send dtmf %q: %w", d, err)
		}
	}
	return nil
}

// WritePCM encodes one frame of 8 kHz samples with the call's codec and sends
// it as one RTP packet. The caller paces frames (one per 20 ms).
func (t *TrunkLeg) WritePCM(pcm []int16) error {
	w, err := t.dm.AudioWriter()
	if err != nil {
		return fmt.Errorf("write pcm: %w", err)
	}
	payload := make([]byte, len(pcm))
	var n int
	if t.Codec() == "PCMA" {
		n = EncodeAlaw(payload, pcm)
	} else {
		n = EncodeUlaw(payload, pcm)
	}
	if _, err := w.Write(payload[:n]); err != nil {
		return fmt.Errorf("write rtp: %w", err)
	}
	return nil
}

// PlayPCM streams samples to the caller paced at 20 ms per frame until done or
// ctx ends. It is meant for generated audio (tones, a bridge).
func (t *TrunkLeg) PlayPCM(ctx context.Context, pcm []int16) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for off := 0; off < len(pcm); off += FrameSamples {
		end := min(off+FrameSamples, len(pcm))
		if err := t.WritePCM(pcm[off:end]); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.stopped:
			return ErrLegClosed
		case <-tick.C:
		}
	}
	return nil
}
