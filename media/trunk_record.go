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
func (t *TrunkLeg) Record(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("record %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return fmt.Errorf("record %s: %w", path, err)
	}
	if err := t.startRecording(f); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("record %s: %w", path, err)
	}
	return nil
}

func (t *TrunkLeg) startRecording(f *os.File) error {
	t.mu.Lock()
	busy := t.rec != nil
	t.mu.Unlock()
	if busy {
		return errors.New("already recording")
	}
	rec, err := t.dm.AudioStereoRecordingCreate(f)
	if err != nil {
		return err
	}
	// The recorder taps both directions: everything played afterwards goes
	// through its writer, and the receive loop switches to its reader.
	t.dm.SetAudioWriter(rec.AudioWriter())
	t.dm.SetAudioReader(rec.AudioReader())
	t.mu.Lock()
	t.rec, t.recFile, t.dtmfOut = &rec, f, nil
	t.mu.Unlock()
	return t.buildReader()
}

// StopRecording finishes and closes the WAV file. It is a no-op when nothing
// is being recorded.
func (t *TrunkLeg) StopRecording() error {
	t.mu.Lock()
	rec, f := t.rec, t.recFile
	t.rec, t.recFile = nil, nil
	t.mu.Unlock()
	if rec == nil {
		return nil
	}
	err := rec.Close()
	if cerr := f.Close(); cerr != nil && !errors.Is(cerr, os.ErrClosed) {
		err = errors.Join(err, cerr)
	}
	if err != nil {
		return fmt.Errorf("close recording: %w", err)
	}
	return nil
}
