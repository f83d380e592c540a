package media

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Record starts a stereo 8 kHz WAV recording of the call at path: the caller on
// the left channel, what we send (prompts, the far side of a bridge) on the
// right. The recording ends with StopRecording or Stop.
//
// It is a Recorder fed with payloads, as they are on the wire, from the
// receive loop (the caller) and the sender (ours), keeping G.711 codes until
// it writes a second of audio at a time.
func (t *TrunkLeg) Record(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("record %s: %w", path, err)
	}
	t.recMu.Lock()
	defer t.recMu.Unlock()
	select {
	case <-t.stopped: // Stop has closed, or is about to close, any recording
		return fmt.Errorf("record %s: %w", path, ErrLegClosed)
	default:
	}
	if t.out.rec.Load() != nil {
		return fmt.Errorf("record %s: already recording", path)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return fmt.Errorf("record %s: %w", path, err)
	}
	rec, err := newRecorder(f, G711Rate, WithRecorderCodec(t.mcodec))
	if err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("record %s: %w", path, err)
	}
	t.out.rec.Store(rec)
	return nil
}

// StopRecording finishes and closes the WAV file. It is a no-op when nothing
// is being recorded.
func (t *TrunkLeg) StopRecording() error {
	t.recMu.Lock()
	defer t.recMu.Unlock()
	rec := t.out.rec.Swap(nil)
	if rec == nil {
		return nil
	}
	if err := rec.Close(); err != nil && !errors.Is(err, ErrRecorderClosed) {
		return fmt.Errorf("close recording: %w", err)
	}
	return nil
}
