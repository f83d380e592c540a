// Package storetest is the conformance suite that every store backend must
// pass: store/sqlite and store/postgres both call Run from their tests.
//
// What the suite pins down, beyond the comments in ticketing.Store and
// account.Store:
//
//   - Times come back in UTC with (at least) microsecond precision; the
//     suite compares them after truncation to microseconds and uses
//     sub-microsecond remainders under 500 ns, so a store may truncate or
//     round. Zero times round-trip as zero (NULL in SQL).
//   - Nil and empty slices and maps are the same thing.
//   - CreateTicket numbers a ticket YYYYMMDD (its Created day in Beijing
//     time, UTC+8) followed by a six-digit daily sequence, sets Version to
//     1, and fills in the Seq and Ticket of its events and the Ticket of the
//     idempotency record. CreateArticle sets Version to 1. On failure the
//     arguments are left as they were.
//   - List orders: FindUnits, FindCategories and FindUsers by ID; FindRules
//     by Priority then ID; FindEvents by Seq; FindAccesses by Time then
//     insertion; FindTicketsToCheck by NextCheck then ID. In SortDeadline
//     tickets without a ReplyDue come last. A Limit of 0 means no limit.
//   - Update* and Delete* of something missing give ENOTFOUND, including
//     DeleteSession. DeleteExpiredSessions removes sessions that expire
//     strictly before the given time.
package storetest

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/ticketing"
)

// Store is what a backend provides.
type Store interface {
	ticketing.Store
	account.Store
}

// Run runs the suite. open must return a fresh, empty, migrated store for
// each call; it should register its own cleanup with t.
func Run(t *testing.T, open func(t *testing.T) Store) {
	t.Run("Tickets", func(t *testing.T) { runTickets(t, open) })
	t.Run("FindTickets", func(t *testing.T) { runFindTickets(t, open) })
	t.Run("SummarizeTickets", func(t *testing.T) { runSummary(t, open) })
	t.Run("Units", func(t *testing.T) { runUnits(t, open) })
	t.Run("Categories", func(t *testing.T) { runCategories(t, open) })
	t.Run("Rules", func(t *testing.T) { runRules(t, open) })
	t.Run("Articles", func(t *testing.T) { runArticles(t, open) })
	t.Run("Users", func(t *testing.T) { runUsers(t, open) })
	t.Run("Sessions", func(t *testing.T) { runSessions(t, open) })
	t.Run("APIKeys", func(t *testing.T) { runAPIKeys(t, open) })
	t.Run("APIKeyList", func(t *testing.T) { runAPIKeyList(t, open) })
	t.Run("Calls", func(t *testing.T) { runCalls(t, open) })
	t.Run("CountCalls", func(t *testing.T) { runCountCalls(t, open) })
	t.Run("Callbacks", func(t *testing.T) { runCallbacks(t, open) })
	t.Run("AssessmentRollup", func(t *testing.T) { runAssessmentRollup(t, open) })
	t.Run("Complaints", func(t *testing.T) { runComplaints(t, open) })
	t.Run("QueueEvents", func(t *testing.T) { runQueueEvents(t, open) })
	t.Run("Claims", func(t *testing.T) { runClaims(t, open) })
	t.Run("OpenData", func(t *testing.T) { runOpenData(t, open) })
	t.Run("Reports", func(t *testing.T) { runReport(t, open) })
	t.Run("Bulk", func(t *testing.T) { runBulk(t, open) })
	t.Run("SLASettings", func(t *testing.T) { runSLASettings(t, open) })
}

// beijing is UTC+8, written out here rather than shared with the stores so
// the suite checks their numbering independently.
var beijing = time.FixedZone("Beijing", 8*60*60)

// t0 is 2026-11-27 09:00 in Beijing, with a sub-microsecond remainder that
// a store drops.
var t0 = time.Date(2026, 11, 27, 9, 0, 0, 123456400, beijing)

// wantCode fails t unless err carries code.
func wantCode(t *testing.T, err error, code, what string) {
	t.Helper()
	if got := hotline.ErrorCode(err); got != code {
		t.Fatalf("%s: error code %q (err %v), want %q", what, got, err, code)
	}
}

// must fails t on err.
func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// micro is how a store gives back a time: UTC, microseconds.
func micro(tm time.Time) time.Time {
	if tm.IsZero() {
		return time.Time{}
	}
	return time.UnixMicro(tm.UnixMicro()).UTC()
}

// normalize rewrites every time.Time field of the struct *p with micro and
// every empty slice or map to nil, so that a stored and a loaded value
// compare equal with reflect.DeepEqual.
func normalize(p any) {
	v := reflect.ValueOf(p).Elem()
	timeType := reflect.TypeFor[time.Time]()
	for i := range v.NumField() {
		f := v.Field(i)
		switch {
		case f.Type() == timeType:
			f.Set(reflect.ValueOf(micro(f.Interface().(time.Time))))
		case (f.Kind() == reflect.Slice || f.Kind() == reflect.Map) && f.Len() == 0:
			f.Set(reflect.Zero(f.Type()))
		}
	}
}

// same fails t unless want and got (pointers to structs) are equal after
// normalize. It copies both first.
func same[T any](t *testing.T, want, got *T, what string) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s: got nil", what)
	}
	w, g := *want, *got
	normalize(&w)
	normalize(&g)
	if !reflect.DeepEqual(w, g) {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, g, w)
	}
	checkUTC(t, got, what)
}

// checkUTC fails t if a non-zero time field of *p is not in UTC.
func checkUTC(t *testing.T, p any, what string) {
	t.Helper()
	v := reflect.ValueOf(p).Elem()
	for i := range v.NumField() {
		tm, ok := v.Field(i).Interface().(time.Time)
		if ok && !tm.IsZero() && tm.Location() != time.UTC {
			t.Fatalf("%s: %s is in %v, want UTC", what, v.Type().Field(i).Name, tm.Location())
		}
	}
}

// sameList compares two lists element by element with same.
func sameList[T any](t *testing.T, want, got []*T, what string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d items, want %d", what, len(got), len(want))
	}
	for i := range want {
		same(t, want[i], got[i], what)
	}
}

// ctx is the test's context.
func ctx(t *testing.T) context.Context { return t.Context() }

func sorted[T ~string](xs []T) []T {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}
