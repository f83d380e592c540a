package sqlite

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

// TestCallWritesFailAlone: call records are committed in groups; a duplicate
// id (ECONFLICT) or an update of a missing record (ENOTFOUND) fails that
// write only, whichever writes share its commit.
func TestCallWritesFailAlone(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	const n = 40
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			id := fmt.Sprintf("c%02d", i)
			switch {
			case i%10 == 1: // the same id as the write before it
				id = fmt.Sprintf("c%02d", i-1)
			case i%10 == 2:
				errs[i] = db.UpdateCall(ctx, &hotline.CallRecord{ID: "missing"})
				return
			}
			errs[i] = db.CreateCall(ctx, &hotline.CallRecord{ID: hotline.CallID(id), Arrived: time.Now()})
		})
	}
	wg.Wait()
	for i := 0; i < n; i += 10 {
		a, b := hotline.ErrorCode(errs[i]), hotline.ErrorCode(errs[i+1])
		if (a == "") == (b == "") || a+b != hotline.ECONFLICT {
			t.Errorf("c%02d twice: %v and %v; want one ECONFLICT", i, errs[i], errs[i+1])
		}
		if hotline.ErrorCode(errs[i+2]) != hotline.ENOTFOUND {
			t.Errorf("update of a missing record: %v; want ENOTFOUND", errs[i+2])
		}
		for j := i + 3; j < i+10; j++ {
			if errs[j] != nil {
				t.Errorf("c%02d: %v", j, errs[j])
			}
		}
	}
	cs, err := db.FindCalls(ctx, hotline.CallFilter{Limit: 500})
	if err != nil || len(cs) != n-2*n/10 {
		t.Fatalf("records: %d, %v; want %d", len(cs), err, n-2*n/10)
	}
}

// TestCallWriteGivesUpWhileQueued: a call record write whose context ends
// before its group is committed fails with the context's error and is not
// written, whether it was still waiting to join a group or already in one.
func TestCallWriteGivesUpWhileQueued(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	// Hold the writer connection: the batcher's commit waits for it.
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	first := make(chan error, 1)
	go func() { first <- db.CreateCall(ctx, &hotline.CallRecord{ID: "first", Arrived: time.Now()}) }()
	qctx, cancel := context.WithCancel(ctx)
	second := make(chan error, 1)
	go func() { second <- db.CreateCall(qctx, &hotline.CallRecord{ID: "second", Arrived: time.Now()}) }()
	cancel()
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := <-second; !errors.Is(err, context.Canceled) {
		t.Errorf("write after cancel: %v; want context.Canceled", err)
	}
	if err := <-first; err != nil {
		t.Fatalf("first write: %v", err)
	}
	if _, err := db.FindCallByID(ctx, "second"); hotline.ErrorCode(err) != hotline.ENOTFOUND {
		t.Errorf("the abandoned write: %v; want ENOTFOUND", err)
	}
	if err := db.CreateCall(ctx, &hotline.CallRecord{ID: "third", Arrived: time.Now()}); err != nil {
		t.Errorf("a write after: %v", err)
	}
}
