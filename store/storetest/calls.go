package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

// CallStore is what a backend provides for call records (CDRs). What the
// suite pins down beyond the comments on hotline.CallRecord and
// hotline.CallFilter:
//
//   - CreateCall of an existing id gives ECONFLICT; UpdateCall replaces
//     every field but the id and gives ENOTFOUND for a missing record, as
//     does FindCallByID.
//   - FindCalls orders by Arrived, newest first, records without an arrival
//     last, then by ID descending. Limit 0 means 50; a Limit over 500 means
//     500. From is inclusive and To exclusive.
type CallStore interface {
	CreateCall(ctx context.Context, c *hotline.CallRecord) error
	UpdateCall(ctx context.Context, c *hotline.CallRecord) error
	FindCallByID(ctx context.Context, id hotline.CallID) (*hotline.CallRecord, error)
	FindCalls(ctx context.Context, f hotline.CallFilter) ([]*hotline.CallRecord, error)
}

func runCalls(t *testing.T, open func(t *testing.T) Store) {
	callStore := func(t *testing.T) CallStore {
		s, ok := open(t).(CallStore)
		if !ok {
			t.Fatal("the store does not implement CallStore (CreateCall, UpdateCall, FindCallByID, FindCalls)")
		}
		return s
	}
	t.Run("RoundTrip", func(t *testing.T) { testCallRoundTrip(t, callStore(t)) })
	t.Run("Errors", func(t *testing.T) { testCallErrors(t, callStore(t)) })
	t.Run("Update", func(t *testing.T) { testCallUpdate(t, callStore(t)) })
	t.Run("Filters", func(t *testing.T) { testCallFilters(t, callStore(t)) })
	t.Run("Order", func(t *testing.T) { testCallOrder(t, callStore(t)) })
	t.Run("Paging", func(t *testing.T) { testCallPaging(t, callStore(t)) })
}

// fullCall has every field set, its times in Beijing time with a
// sub-microsecond remainder.
func fullCall(id hotline.CallID) *hotline.CallRecord {
	return &hotline.CallRecord{
		ID: id, SIPCallID: "a84b4c76e66710@pc33.carrier.example", Direction: "inbound",
		Caller: "13800138000", Callee: "12345", Trunk: "unicom-1",
		Arrived: t0, Answered: t0.Add(1500 * time.Millisecond), Ended: t0.Add(3 * time.Minute),
		IVRPath: []string{"greeting", "menu", "complaint", "enqueue"}, Digits: "1#",
		Queue: "complaints", Agent: "u-agent-7", Ticket: "20261127000001",
		EndReason: "remote_hangup", SIPCause: 200, Recording: string(id) + ".wav",
		RTPReceived: 9001, RTPLost: 12,
	}
}

func testCallRoundTrip(t *testing.T, s CallStore) {
	full := fullCall("call-full")
	must(t, s.CreateCall(ctx(t), full), "create full call")
	got, err := s.FindCallByID(ctx(t), full.ID)
	must(t, err, "find full call")
	same(t, full, got, "full call")

	// Just arrived: no answer or end time, no IVR path yet.
	bare := &hotline.CallRecord{ID: "call-bare", Direction: "inbound", Caller: "01012345678", Arrived: t0, IVRPath: []string{}}
	must(t, s.CreateCall(ctx(t), bare), "create bare call")
	got, err = s.FindCallByID(ctx(t), bare.ID)
	must(t, err, "find bare call")
	same(t, bare, got, "bare call")
	if !got.Answered.IsZero() || !got.Ended.IsZero() || len(got.IVRPath) != 0 {
		t.Fatalf("bare call came back with %v, %v, %q", got.Answered, got.Ended, got.IVRPath)
	}

	// Nothing at all but the id, a nil path and zero arrival included.
	empty := &hotline.CallRecord{ID: "call-empty"}
	must(t, s.CreateCall(ctx(t), empty), "create empty call")
	got, err = s.FindCallByID(ctx(t), empty.ID)
	must(t, err, "find empty call")
	same(t, empty, got, "empty call")
}

func testCallErrors(t *testing.T, s CallStore) {
	c := fullCall("call-1")
	must(t, s.CreateCall(ctx(t), c), "create")
	dup := fullCall("call-1")
	dup.Caller = "13900000000"
	wantCode(t, s.CreateCall(ctx(t), dup), hotline.ECONFLICT, "create with a taken id")
	got, err := s.FindCallByID(ctx(t), "call-1")
	must(t, err, "find after conflict")
	same(t, c, got, "record after a refused duplicate")

	_, err = s.FindCallByID(ctx(t), "call-missing")
	wantCode(t, err, hotline.ENOTFOUND, "find missing")
	wantCode(t, s.UpdateCall(ctx(t), fullCall("call-missing")), hotline.ENOTFOUND, "update missing")
	_, err = s.FindCallByID(ctx(t), "call-missing")
	wantCode(t, err, hotline.ENOTFOUND, "update must not create")
}

func testCallUpdate(t *testing.T, s CallStore) {
	c := &hotline.CallRecord{ID: "call-up", Direction: "inbound", Caller: "13800138000", Callee: "12345",
		Trunk: "unicom-1", Arrived: t0, SIPCallID: "x@y"}
	must(t, s.CreateCall(ctx(t), c), "create")
	other := fullCall("call-other")
	must(t, s.CreateCall(ctx(t), other), "create other")

	// Every field but the id changes.
	up := fullCall("call-up")
	up.SIPCallID, up.Direction, up.Caller, up.Callee, up.Trunk = "z@w", "outbound", "12345", "13900000000", "mobile-2"
	up.Arrived = t0.Add(time.Second)
	up.IVRPath, up.Digits, up.SIPCause = []string{"greeting", "menu"}, "0", 487
	must(t, s.UpdateCall(ctx(t), up), "update")
	got, err := s.FindCallByID(ctx(t), "call-up")
	must(t, err, "find updated")
	same(t, up, got, "updated call")

	// And back to empty: times to zero, the path to none.
	cleared := &hotline.CallRecord{ID: "call-up"}
	must(t, s.UpdateCall(ctx(t), cleared), "clear")
	got, err = s.FindCallByID(ctx(t), "call-up")
	must(t, err, "find cleared")
	same(t, cleared, got, "cleared call")

	got, err = s.FindCallByID(ctx(t), "call-other")
	must(t, err, "find other")
	same(t, other, got, "the other call, untouched")
}

// seedCalls creates calls a…f an hour apart (a first), differing in every
// filtered field, and returns them by letter.
func seedCalls(t *testing.T, s CallStore) map[string]*hotline.CallRecord {
	specs := []struct{ name, caller, queue, direction, reason string }{
		{"a", "13800000001", "complaints", "inbound", "remote_hangup"},
		{"b", "13800000002", "policy", "inbound", "local_hangup"},
		{"c", "13800000001", "complaints", "inbound", "cancelled"},
		{"d", "12345", "", "outbound", "remote_hangup"},
		{"e", "13800000003", "business", "inbound", "media_timeout"},
		{"f", "13800000001", "policy", "inbound", "remote_hangup"},
	}
	out := map[string]*hotline.CallRecord{}
	for i, sp := range specs {
		c := fullCall(hotline.CallID("call-" + sp.name))
		c.Caller, c.Queue, c.Direction, c.EndReason = sp.caller, sp.queue, sp.direction, sp.reason
		c.Arrived = t0.Add(time.Duration(i) * time.Hour)
		c.Answered, c.Ended = c.Arrived.Add(time.Second), c.Arrived.Add(time.Minute)
		must(t, s.CreateCall(ctx(t), c), "seed call "+sp.name)
		out[sp.name] = c
	}
	return out
}

// pick lists the seeded calls named by the letters of names, in order.
func pick(m map[string]*hotline.CallRecord, names string) []*hotline.CallRecord {
	var out []*hotline.CallRecord
	for _, r := range names {
		out = append(out, m[string(r)])
	}
	return out
}

func testCallFilters(t *testing.T, s CallStore) {
	m := seedCalls(t, s)
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }
	cases := []struct {
		name string
		f    hotline.CallFilter
		want string // letters, newest first
	}{
		{"none", hotline.CallFilter{}, "fedcba"},
		{"caller", hotline.CallFilter{Caller: "13800000001"}, "fca"},
		{"queue", hotline.CallFilter{Queue: "policy"}, "fb"},
		{"direction", hotline.CallFilter{Direction: "outbound"}, "d"},
		{"end reason", hotline.CallFilter{EndReason: "remote_hangup"}, "fda"},
		{"from inclusive", hotline.CallFilter{From: h(3)}, "fed"},
		{"to exclusive", hotline.CallFilter{To: h(2)}, "ba"},
		{"from and to", hotline.CallFilter{From: h(1), To: h(4)}, "dcb"},
		{"from and to in another zone", hotline.CallFilter{From: h(1).UTC(), To: h(4).UTC()}, "dcb"},
		{"empty window", hotline.CallFilter{From: h(2), To: h(2)}, ""},
		{"combined", hotline.CallFilter{Caller: "13800000001", Queue: "complaints", EndReason: "cancelled"}, "c"},
		{"combined with time", hotline.CallFilter{Caller: "13800000001", From: h(1)}, "fc"},
		{"no match", hotline.CallFilter{Caller: "nobody"}, ""},
	}
	for _, tc := range cases {
		got, err := s.FindCalls(ctx(t), tc.f)
		must(t, err, tc.name)
		sameList(t, pick(m, tc.want), got, fmt.Sprintf("filter %s (want %q, got %s)", tc.name, tc.want, callIDs(got)))
	}
}

func callIDs(cs []*hotline.CallRecord) []hotline.CallID {
	out := []hotline.CallID{}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

// testCallOrder: the same arrival orders by id descending, and calls
// without an arrival come after every other.
func testCallOrder(t *testing.T, s CallStore) {
	for _, c := range []*hotline.CallRecord{
		{ID: "call-1", Arrived: t0},
		{ID: "call-3", Arrived: t0},
		{ID: "call-0"},
		{ID: "call-2", Arrived: t0},
		{ID: "call-4", Arrived: t0.Add(-time.Microsecond)},
		{ID: "call-5", Arrived: t0.Add(time.Microsecond)},
	} {
		must(t, s.CreateCall(ctx(t), c), "create "+string(c.ID))
	}
	got, err := s.FindCalls(ctx(t), hotline.CallFilter{})
	must(t, err, "find calls")
	want := []hotline.CallID{"call-5", "call-3", "call-2", "call-1", "call-4", "call-0"}
	if !slices.Equal(callIDs(got), want) {
		t.Fatalf("order %v, want %v", callIDs(got), want)
	}
}

func testCallPaging(t *testing.T, s CallStore) {
	const n = 501
	for i := range n {
		c := &hotline.CallRecord{ID: hotline.CallID(fmt.Sprintf("call-%04d", i)), Arrived: t0.Add(time.Duration(i) * time.Second)}
		must(t, s.CreateCall(ctx(t), c), "create")
	}
	// Newest first: the id with the highest number.
	id := func(i int) hotline.CallID { return hotline.CallID(fmt.Sprintf("call-%04d", n-1-i)) }
	cases := []struct {
		name          string
		limit, offset int
		first, count  int // first is the position of the first record returned
	}{
		{"default page", 0, 0, 0, 50},
		{"small page", 7, 0, 0, 7},
		{"second page", 7, 7, 7, 7},
		{"capped", 1000, 0, 0, 500},
		{"the last one", 500, 500, 500, 1},
		{"past the end", 10, n, 0, 0},
		{"negative offset", 3, -5, 0, 3},
	}
	for _, tc := range cases {
		got, err := s.FindCalls(ctx(t), hotline.CallFilter{Limit: tc.limit, Offset: tc.offset})
		must(t, err, tc.name)
		if len(got) != tc.count {
			t.Fatalf("%s: %d records, want %d", tc.name, len(got), tc.count)
		}
		for i, c := range got {
			if c.ID != id(tc.first+i) {
				t.Fatalf("%s: record %d is %s, want %s", tc.name, i, c.ID, id(tc.first+i))
			}
		}
	}
}
