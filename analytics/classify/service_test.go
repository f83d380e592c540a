package classify

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// countingSource returns its examples and counts the calls.
type countingSource struct {
	ex    []Example
	calls atomic.Int32
	err   error
}

func (c *countingSource) Examples(context.Context) ([]Example, error) {
	c.calls.Add(1)
	return c.ex, c.err
}

func TestServiceRetrain(t *testing.T) {
	ctx := context.Background()
	few := &countingSource{ex: smallCorpus()[:10]}
	s := NewService(few, ServiceConfig{MinExamples: 20}, nil)
	if err := s.Retrain(ctx); !errors.Is(err, ErrTooFew) {
		t.Errorf("10 examples: %v", err)
	}
	if got, err := s.Suggest(ctx, "暖气不热", 3); err != nil || got != nil || s.Model() != nil {
		t.Errorf("no model yet: %v %v", got, err)
	}
	one := &countingSource{ex: smallCorpus()[:10]} // all 供暖
	if err := NewService(one, ServiceConfig{MinExamples: 5}, nil).Retrain(ctx); !errors.Is(err, ErrTooFew) {
		t.Errorf("one label: %v", err)
	}
	s = NewService(&countingSource{ex: smallCorpus()}, ServiceConfig{MinExamples: 20}, nil)
	if err := s.Retrain(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Suggest(ctx, "暖气不热", 3)
	if len(got) != 3 || got[0].Label != "供暖" {
		t.Errorf("suggestions %v", got)
	}
}

func TestServiceFixedModel(t *testing.T) {
	m, err := Train(smallCorpus(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := NewService(nil, ServiceConfig{Model: m}, nil)
	s.Run(context.Background()) // returns at once
	if got, _ := s.Suggest(context.Background(), "拖欠工资", 1); len(got) != 1 || got[0].Label != "工资" {
		t.Errorf("suggestions %v", got)
	}
}

// TestServiceRunRetrainsDaily checks that Run trains at start, again every
// day, and ends with its context.
func TestServiceRunRetrainsDaily(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &countingSource{ex: smallCorpus()}
		s := NewService(src, ServiceConfig{MinExamples: 20}, nil)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { s.Run(ctx); close(done) }()
		synctest.Wait()
		if src.calls.Load() != 1 || s.Model() == nil {
			t.Fatalf("after start: %d reads, model %v", src.calls.Load(), s.Model())
		}
		time.Sleep(24*time.Hour + time.Second)
		synctest.Wait()
		if src.calls.Load() != 2 {
			t.Errorf("after a day: %d reads", src.calls.Load())
		}
		cancel()
		<-done
	})
}
