package media

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

// plant creates a file at dir/name last modified at mod.
func plant(t *testing.T, dir, name string, mod time.Time) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, mod, mod); err != nil {
		t.Fatal(err)
	}
	return path
}

func remaining(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(out)
	return out
}

func TestRetentionPrune(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	plant(t, dir, "old.wav", now.Add(-31*day))
	plant(t, dir, "2026/10/older.WAV", now.Add(-60*day))
	plant(t, dir, "edge.wav", now.Add(-30*day)) // exactly the age: kept
	plant(t, dir, "new.wav", now.Add(-time.Hour))
	plant(t, dir, "old.txt", now.Add(-90*day))
	outside := plant(t, t.TempDir(), "target.wav", now.Add(-90*day))
	if err := os.Symlink(outside, filepath.Join(dir, "link.wav")); err != nil {
		t.Fatal(err)
	}
	r := &Retention{Dir: dir, MaxAge: RetentionDays(30), Now: func() time.Time { return now }}
	n, err := r.Prune(t.Context())
	if err != nil || n != 2 {
		t.Fatalf("Prune = %d, %v; want 2", n, err)
	}
	want := []string{"edge.wav", "link.wav", "new.wav", "old.txt"}
	if got := remaining(t, dir); !slices.Equal(got, want) {
		t.Errorf("left %v, want %v", got, want)
	}
	if _, err := os.Stat(outside); err != nil {
		t.Errorf("symlink target removed: %v", err)
	}
	if n, err := (&Retention{Dir: dir}).Prune(t.Context()); n != 0 || err != nil {
		t.Errorf("MaxAge 0 pruned %d, %v", n, err)
	}
	if n, err := (&Retention{Dir: filepath.Join(dir, "missing"), MaxAge: time.Hour}).Prune(t.Context()); n != 0 || err != nil {
		t.Errorf("missing dir: %d, %v", n, err)
	}
	if s := r.String(); s != "retention "+dir+": 30d" {
		t.Errorf("String = %q", s)
	}
}

func TestRetentionRun(t *testing.T) {
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		plant(t, dir, "a.wav", time.Now())
		r := &Retention{Dir: dir, MaxAge: 2 * time.Hour, Interval: time.Hour,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- r.Run(ctx) }()
		synctest.Wait()
		if len(remaining(t, dir)) != 1 {
			t.Fatal("fresh recording pruned")
		}
		// The file was planted at bubble time; prunes run every hour and the
		// one at 3 h is the first to see it older than 2 h.
		time.Sleep(2*time.Hour + time.Minute)
		synctest.Wait()
		if len(remaining(t, dir)) != 1 {
			t.Fatal("pruned at 2 h, the age limit itself")
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		if got := remaining(t, dir); len(got) != 0 {
			t.Errorf("after 3 h left %v", got)
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run returned %v", err)
		}
	})
}
