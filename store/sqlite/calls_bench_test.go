package sqlite

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

// BenchmarkCallRecord is one call's record as the call service writes it,
// from many calls at once: created when answered, completed when it ends.
//
//	go test ./store/sqlite -run XXX -bench CallRecord -benchtime 2s -count 3
func BenchmarkCallRecord(b *testing.B) {
	for _, p := range []int{1, 16} { // writers per GOMAXPROCS
		b.Run(fmt.Sprintf("writers=%dxGOMAXPROCS", p), func(b *testing.B) {
			db := openTest(b)
			var seq atomic.Int64
			b.SetParallelism(p)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := writeCallRecord(b, db, fmt.Sprintf("bench-%d", seq.Add(1))); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

func writeCallRecord(b *testing.B, db *DB, id string) error {
	now := time.Now()
	c := &hotline.CallRecord{ID: hotline.CallID(id), SIPCallID: "x@127.0.0.1", Direction: "inbound",
		Caller: "13800138000", Callee: "12345", Trunk: "loadgen", Arrived: now, Answered: now}
	if err := db.CreateCall(b.Context(), c); err != nil {
		return err
	}
	c.Ended, c.EndReason, c.SIPCause, c.IVRPath, c.Recording = now, "remote_hangup", 200, []string{"greeting", "menu"}, "x.wav"
	return db.UpdateCall(b.Context(), c)
}
