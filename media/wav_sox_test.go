package media

import (
	"math"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWAVInteropWithSox checks our reader against files sox writes (PCM,
// μ-law, A-law) and that sox accepts what WAVWriter writes, flushed or not.
func TestWAVInteropWithSox(t *testing.T) {
	soxPath := requireTool(t, "sox")
	dir := t.TempDir()
	for _, args := range [][]string{
		{"-e", "signed", "-b", "16", "-r", "8000"},
		{"-e", "u-law", "-b", "8", "-r", "8000"},
		{"-e", "a-law", "-b", "8", "-r", "8000"},
		{"-e", "signed", "-b", "16", "-r", "16000", "-c", "2"},
	} {
		path := filepath.Join(dir, strings.Join(args, "")+".wav")
		cmd := append(append([]string{"-D", "-n"}, args...), path, "synth", "0.5", "sine", "1000", "vol", "0.5")
		if out, err := exec.Command(soxPath, cmd...).CombinedOutput(); err != nil {
			t.Fatalf("sox %v: %v: %s", cmd, err, out)
		}
		a, err := ReadWAVFile(path)
		if err != nil {
			t.Errorf("sox %v: %v", args, err)
			continue
		}
		if f := DominantFrequency(a.Channel(0), a.Rate); a.Frames() != a.Rate/2 || math.Abs(f-1000) > 2 {
			t.Errorf("sox %v: read %v at %.1f Hz", args, a, f)
		}
	}

	path := filepath.Join(dir, "ours.wav")
	w, err := CreateWAV(path, 8000, 2)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(Tone(440, time.Second, 16000, 0.3))
	w.writeBuffer() // on disk, header sizes still "unknown": a crash before the first flush
	if got := soxSamples(t, soxPath, path); got != 8000 {
		t.Errorf("unflushed file: sox reads %d frames, want 8000", got)
	}
	w.Write(Tone(440, time.Second, 16000, 0.3))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := soxSamples(t, soxPath, path); got != 16000 {
		t.Errorf("closed file: sox reads %d frames, want 16000", got)
	}
}

// soxSamples returns the number of frames sox decodes from a WAV file.
func soxSamples(t *testing.T, soxPath, path string) int {
	t.Helper()
	out, err := exec.Command(soxPath, path, "-t", "raw", "-e", "signed", "-b", "16", "-").Output()
	if err != nil {
		t.Fatalf("sox %s: %v", path, err)
	}
	return len(out) / 4
}
