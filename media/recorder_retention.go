package media

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Retention deletes call recordings (*.wav files, in Dir and below) whose
// modification time is older than MaxAge. Prune runs once; Run prunes every
// Interval until its context ends, so whoever calls Run owns that loop.
type Retention struct {
	Dir      string
	MaxAge   time.Duration    // 0 or less keeps everything
	Interval time.Duration    // between prunes in Run; 0 means one hour
	Now      func() time.Time // the clock; nil means time.Now
	Log      *slog.Logger     // nil means slog.Default()
}

// String describes the policy: "retention /data/rec: 90d".
func (r *Retention) String() string {
	return fmt.Sprintf("retention %s: %dd", r.Dir, int(r.MaxAge.Hours()/24))
}

// RetentionDays converts a number of days, as configured, to a MaxAge.
func RetentionDays(days int) time.Duration { return time.Duration(days) * 24 * time.Hour }

// Prune deletes the expired recordings and returns how many it deleted.
// Files that are not .wav, directories and symbolic links are left alone; a
// missing Dir is not an error. It stops early when ctx ends.
func (r *Retention) Prune(ctx context.Context) (int, error) {
	if r.MaxAge <= 0 {
		return 0, nil
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	cutoff := now().Add(-r.MaxAge)
	removed := 0
	var errs []error
	err := filepath.WalkDir(r.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && path == r.Dir {
				return fs.SkipAll
			}
			errs = append(errs, err)
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !d.Type().IsRegular() || !strings.EqualFold(filepath.Ext(path), ".wav") {
			return nil
		}
		ok, err := r.remove(path, d, cutoff)
		if err != nil {
			errs = append(errs, err)
		} else if ok {
			removed++
		}
		return nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return removed, fmt.Errorf("%v: %w", r, errors.Join(errs...))
	}
	return removed, nil
}

// remove deletes one file if it was last modified before cutoff.
func (r *Retention) remove(path string, d fs.DirEntry, cutoff time.Time) (bool, error) {
	info, err := d.Info()
	if err != nil {
		return false, err
	}
	if !info.ModTime().Before(cutoff) {
		return false, nil
	}
	if err := os.Remove(path); err != nil {
		return false, err
	}
	return true, nil
}

// Run prunes at once and then every Interval until ctx ends, logging each
// prune that deleted something or failed. It returns nil when ctx ends.
func (r *Retention) Run(ctx context.Context) error {
	interval := r.Interval
	if interval <= 0 {
		interval = time.Hour
	}
	log := r.Log
	if log == nil {
		log = slog.Default()
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		n, err := r.Prune(ctx)
		if err != nil && ctx.Err() == nil {
			log.Warn("recording retention", "dir", r.Dir, "removed", n, "err", err)
		} else if n > 0 {
			log.Info("recording retention", "dir", r.Dir, "removed", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
	}
}
