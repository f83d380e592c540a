package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

func runTickets(t *testing.T, open func(t *testing.T) Store) {
	t.Run("CreateFind", func(t *testing.T) { testCreateFind(t, open(t)) })
	t.Run("Missing", func(t *testing.T) { testTicketMissing(t, open(t)) })
	t.Run("Numbering", func(t *testing.T) { testNumbering(t, open(t)) })
	t.Run("ConcurrentCreate", func(t *testing.T) { testConcurrentCreate(t, open(t)) })
	t.Run("Idempotency", func(t *testing.T) { testIdempotency(t, open(t)) })
	t.Run("Update", func(t *testing.T) { testUpdate(t, open(t)) })
	t.Run("UpdateStale", func(t *testing.T) { testUpdateStale(t, open(t)) })
	t.Run("ConcurrentUpdate", func(t *testing.T) { testConcurrentUpdate(t, open(t)) })
	t.Run("Events", func(t *testing.T) { testEvents(t, open(t)) })
	t.Run("ToCheck", func(t *testing.T) { testToCheck(t, open(t)) })
	t.Run("Accesses", func(t *testing.T) { testAccesses(t, open(t)) })
}

// fullTicket has every field set to something non-zero.
func fullTicket(created time.Time) *ticketing.Ticket {
	at := func(d time.Duration) time.Time { return created.Add(d) }
	return &ticketing.Ticket{
		Channel: ticketing.ChannelPhone, CallerNumber: "13800000001", ContactNumber: "13900000001",
		CitizenName: "王女士", Type: ticketing.TypeComplaint, Category: "road.lamp",
		Title: "路灯不亮", Content: "小区楼下路灯不亮", Address: "朝阳区建外街道某小区3号楼",
		District: "chaoyang", Street: "jianwai", Lat: 39.9042, Lng: 116.4074,
		Urgency: ticketing.UrgencyOrdinary, Confidential: true, NoCallback: true,
		CallID: "call-1", RecordingID: "rec-1", Agent: "agent-1",
		State: ticketing.StateInProgress, Triage: ticketing.TriageDispatch, TriageReason: "catalogue",
		Article: "kb-1", MergedInto: "20261126000001",
		SuggestedUnit: "jianwai", Unit: "jianwai", CopyUnit: "chaoyang",
		Created: created, Updated: at(time.Minute), DispatchedAt: at(2 * time.Minute),
		AcceptedAt: at(3 * time.Minute), ContactedAt: at(4 * time.Minute),
		RepliedAt: at(5 * time.Minute), ClosedAt: at(6 * time.Minute),
		AcceptDue: at(2 * time.Hour), ContactDue: at(24 * time.Hour), ReplyDue: at(7 * 24 * time.Hour),
		AcceptLight: ticketing.LightGreen, ContactLight: ticketing.LightYellow, ReplyLight: ticketing.LightRed,
		NextCheck: at(time.Hour), PausedAt: at(7 * time.Minute),
		Outcome: ticketing.OutcomeResolved, ReplyContent: "已修复",
		PendingReturn: "非本单位职责", PendingExtension: 5, ExtensionReason: "需采购配件",
		Supervised: true, Returns: 1, Extensions: 2, Reopens: 3, Urges: 4,
	}
}

// newTicket is a minimal ticket created at created.
func newTicket(created time.Time) *ticketing.Ticket {
	return &ticketing.Ticket{
		Channel: ticketing.ChannelPhone, Type: ticketing.TypeHelp, Urgency: ticketing.UrgencyOrdinary,
		State: ticketing.StatePendingDispatch, Title: "求助", Content: "内容", Created: created, Updated: created,
	}
}

func intake(at time.Time) ticketing.Event {
	return ticketing.Event{
		Time: at, Actor: hotline.Actor{UserID: "agent-1", Name: "李坐席", Role: hotline.RoleAgent},
		Action: "intake", To: ticketing.StatePendingDispatch,
	}
}

func create(t *testing.T, s Store, tk *ticketing.Ticket) *ticketing.Ticket {
	t.Helper()
	must(t, s.CreateTicket(ctx(t), tk, []ticketing.Event{intake(tk.Created)}, nil), "create ticket")
	return tk
}

func find(t *testing.T, s Store, id hotline.TicketID) *ticketing.Ticket {
	t.Helper()
	got, err := s.FindTicketByID(ctx(t), id)
	must(t, err, "find ticket "+string(id))
	return got
}

func testCreateFind(t *testing.T, s Store) {
	tk := fullTicket(t0)
	ev := intake(t0)
	evs := []ticketing.Event{ev}
	must(t, s.CreateTicket(ctx(t), tk, evs, nil), "create")
	if tk.ID != "20261127000001" {
		t.Fatalf("ID = %q, want 20261127000001", tk.ID)
	}
	if tk.Version != 1 {
		t.Fatalf("Version = %d, want 1", tk.Version)
	}
	if evs[0].Seq == 0 || evs[0].Ticket != tk.ID {
		t.Fatalf("event not filled in: %+v", evs[0])
	}
	same(t, tk, find(t, s, tk.ID), "round trip")

	// A ticket with every optional field zero round-trips too.
	bare := &ticketing.Ticket{Created: t0}
	must(t, s.CreateTicket(ctx(t), bare, nil, nil), "create bare")
	same(t, bare, find(t, s, bare.ID), "bare round trip")
}

func testTicketMissing(t *testing.T, s Store) {
	_, err := s.FindTicketByID(ctx(t), "20261127999999")
	wantCode(t, err, hotline.ENOTFOUND, "find missing ticket")
	tk := newTicket(t0)
	tk.ID = "20261127999999"
	err = s.UpdateTicket(ctx(t), tk, 1, nil)
	wantCode(t, err, hotline.ENOTFOUND, "update missing ticket")
}

func testNumbering(t *testing.T, s Store) {
	// 2026-11-26 16:30 UTC is already 2026-11-27 00:30 in Beijing.
	lateUTC := time.Date(2026, 11, 26, 16, 30, 0, 0, time.UTC)
	cases := []struct {
		created time.Time
		want    hotline.TicketID
	}{
		{t0, "20261127000001"},
		{t0.Add(time.Hour), "20261127000002"},
		{lateUTC, "20261127000003"},
		{time.Date(2026, 11, 26, 15, 59, 0, 0, time.UTC), "20261126000001"},
		{t0.Add(24 * time.Hour), "20261128000001"},
		{t0.Add(2 * time.Hour), "20261127000004"},
		{t0.Add(25 * time.Hour), "20261128000002"},
	}
	for _, c := range cases {
		tk := create(t, s, newTicket(c.created))
		if tk.ID != c.want {
			t.Errorf("created %v: ID %s, want %s", c.created, tk.ID, c.want)
		}
	}
}

func testConcurrentCreate(t *testing.T, s Store) {
	const workers, each = 8, 25
	ids := make(chan hotline.TicketID, workers*each)
	errs := make(chan error, workers*each)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				tk := newTicket(t0)
				if err := s.CreateTicket(ctx(t), tk, []ticketing.Event{intake(t0)}, nil); err != nil {
					errs <- err
					continue
				}
				ids <- tk.ID
			}
		})
	}
	wg.Wait()
	close(ids)
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent create: %v", err)
	}
	seen := map[hotline.TicketID]bool{}
	for id := range ids {
		if seen[id] {
			t.Fatalf("duplicate id %s", id)
		}
		seen[id] = true
	}
	for n := 1; n <= workers*each; n++ {
		id := hotline.TicketID(fmt.Sprintf("20261127%06d", n))
		if !seen[id] {
			t.Fatalf("sequence has a gap: %s missing (got %d ids)", id, len(seen))
		}
	}
}

func testIdempotency(t *testing.T, s Store) {
	idem := &ticketing.Idempotency{Key: "k-1", User: "agent-1", Hash: "sha256:abc"}
	tk := newTicket(t0)
	must(t, s.CreateTicket(ctx(t), tk, []ticketing.Event{intake(t0)}, idem), "create with key")
	if idem.Ticket != tk.ID {
		t.Fatalf("idempotency ticket %q, want %q", idem.Ticket, tk.ID)
	}
	got, err := s.FindIdempotency(ctx(t), "agent-1", "k-1")
	must(t, err, "find idempotency")
	same(t, idem, got, "idempotency round trip")

	again := newTicket(t0)
	dup := &ticketing.Idempotency{Key: "k-1", User: "agent-1", Hash: "sha256:other"}
	err = s.CreateTicket(ctx(t), again, []ticketing.Event{intake(t0)}, dup)
	wantCode(t, err, hotline.ECONFLICT, "second create with the same key")
	if again.ID != "" || dup.Ticket != "" {
		t.Fatalf("failed create changed its arguments: id %q, idem ticket %q", again.ID, dup.Ticket)
	}
	all, err := s.FindTickets(ctx(t), ticketing.TicketFilter{})
	must(t, err, "find tickets")
	if len(all) != 1 {
		t.Fatalf("after the conflict there are %d tickets, want 1", len(all))
	}
	got, err = s.FindIdempotency(ctx(t), "agent-1", "k-1")
	must(t, err, "find idempotency after conflict")
	same(t, idem, got, "idempotency unchanged by conflict")

	// The key is per user.
	other := &ticketing.Idempotency{Key: "k-1", User: "agent-2", Hash: "sha256:abc"}
	must(t, s.CreateTicket(ctx(t), newTicket(t0), nil, other), "same key, other user")

	_, err = s.FindIdempotency(ctx(t), "agent-1", "k-2")
	wantCode(t, err, hotline.ENOTFOUND, "find missing idempotency")
}

func dispatchEvents(at time.Time) []ticketing.Event {
	actor := hotline.Actor{UserID: "disp-1", Name: "派单员", Role: hotline.RoleDispatcher}
	return []ticketing.Event{
		{Time: at, Actor: actor, Action: "dispatch", From: ticketing.StatePendingDispatch, To: ticketing.StateDispatched,
			Diff: map[string]ticketing.Change{"unit": {From: "", To: "jianwai"}}},
		{Time: at, Actor: actor, Action: "note", From: ticketing.StateDispatched, To: ticketing.StateDispatched, Reason: "加急"},
	}
}

func testUpdate(t *testing.T, s Store) {
	tk := create(t, s, newTicket(t0))
	tk.State = ticketing.StateDispatched
	tk.Unit = "jianwai"
	tk.DispatchedAt = t0.Add(time.Minute)
	tk.ReplyDue = t0.Add(7 * 24 * time.Hour)
	evs := dispatchEvents(t0.Add(time.Minute))
	must(t, s.UpdateTicket(ctx(t), tk, 1, evs), "update")
	if tk.Version != 2 {
		t.Fatalf("Version after update = %d, want 2", tk.Version)
	}
	if evs[0].Seq == 0 || evs[1].Seq <= evs[0].Seq || evs[1].Ticket != tk.ID {
		t.Fatalf("events not filled in: %+v", evs)
	}
	same(t, tk, find(t, s, tk.ID), "after update")

	tk.State = ticketing.StateInProgress
	must(t, s.UpdateTicket(ctx(t), tk, 2, nil), "second update")
	if got := find(t, s, tk.ID); got.Version != 3 || got.State != ticketing.StateInProgress {
		t.Fatalf("after second update: version %d state %s", got.Version, got.State)
	}
	events, err := s.FindEvents(ctx(t), tk.ID)
	must(t, err, "find events")
	if len(events) != 3 {
		t.Fatalf("got %d events, want 3", len(events))
	}
}

func testUpdateStale(t *testing.T, s Store) {
	tk := create(t, s, newTicket(t0))
	stale := *tk
	tk.Title = "第一次修改"
	must(t, s.UpdateTicket(ctx(t), tk, 1, nil), "update")

	stale.Title = "过时的修改"
	err := s.UpdateTicket(ctx(t), &stale, 1, dispatchEvents(t0))
	wantCode(t, err, hotline.ECONFLICT, "stale update")
	if stale.Version != 1 {
		t.Fatalf("failed update changed Version to %d", stale.Version)
	}
	got := find(t, s, tk.ID)
	if got.Title != "第一次修改" || got.Version != 2 {
		t.Fatalf("stale update wrote: title %q version %d", got.Title, got.Version)
	}
	events, err := s.FindEvents(ctx(t), tk.ID)
	must(t, err, "find events")
	if len(events) != 1 {
		t.Fatalf("stale update appended events: %d, want 1", len(events))
	}
}

func testConcurrentUpdate(t *testing.T, s Store) {
	tk := create(t, s, newTicket(t0))
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range errs {
		c := *tk
		c.Title = fmt.Sprintf("writer %d", i)
		wg.Go(func() { errs[i] = s.UpdateTicket(ctx(t), &c, 1, dispatchEvents(t0)) })
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch hotline.ErrorCode(err) {
		case "":
			won++
		case hotline.ECONFLICT:
		default:
			t.Fatalf("concurrent update: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d updates won, want exactly 1", won)
	}
	got := find(t, s, tk.ID)
	events, err := s.FindEvents(ctx(t), tk.ID)
	must(t, err, "find events")
	if got.Version != 2 || len(events) != 3 {
		t.Fatalf("version %d and %d events, want 2 and 3", got.Version, len(events))
	}
}

func testEvents(t *testing.T, s Store) {
	tk := create(t, s, newTicket(t0))
	first, err := s.FindEvents(ctx(t), tk.ID)
	must(t, err, "find events")
	other := create(t, s, newTicket(t0)) // interleave another ticket's history
	upd := dispatchEvents(t0.Add(time.Minute))
	upd[0].Actor.Unit = "chaoyang"
	must(t, s.UpdateTicket(ctx(t), tk, 1, upd), "update")
	must(t, s.UpdateTicket(ctx(t), other, 1, dispatchEvents(t0)), "update other")

	got, err := s.FindEvents(ctx(t), tk.ID)
	must(t, err, "find events")
	want := append(first, upd...)
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d", len(got), len(want))
	}
	for i := range want {
		if i > 0 && got[i].Seq <= got[i-1].Seq {
			t.Fatalf("events not in Seq order: %d after %d", got[i].Seq, got[i-1].Seq)
		}
		want[i].Ticket = tk.ID
		same(t, &want[i], &got[i], fmt.Sprintf("event %d", i))
	}
}

func testToCheck(t *testing.T, s Store) {
	at := func(d time.Duration) *ticketing.Ticket {
		tk := newTicket(t0)
		if d >= 0 {
			tk.NextCheck = t0.Add(d)
		}
		return create(t, s, tk)
	}
	x := at(time.Hour)
	y := at(30 * time.Minute)
	at(2 * time.Hour)
	at(-1)             // never checked
	z := at(time.Hour) // same NextCheck as x, later id

	check := func(when time.Time, limit int, want ...hotline.TicketID) {
		t.Helper()
		got, err := s.FindTicketsToCheck(ctx(t), when, limit)
		must(t, err, "find tickets to check")
		if g := ids(got); !equalIDs(g, want) {
			t.Fatalf("to check at %v limit %d: %v, want %v", when, limit, g, want)
		}
	}
	check(t0.Add(time.Hour), 10, y.ID, x.ID, z.ID)
	check(t0.Add(time.Hour), 2, y.ID, x.ID)
	check(t0.Add(30*time.Minute), 10, y.ID)
	check(t0, 10)
}

func testAccesses(t *testing.T, s Store) {
	tk := create(t, s, newTicket(t0))
	other := create(t, s, newTicket(t0))
	a1 := ticketing.Access{Ticket: tk.ID, Time: t0.Add(2 * time.Minute), Field: "contact",
		Actor: hotline.Actor{UserID: "u-1", Name: "单位", Role: hotline.RoleUnit, Unit: "jianwai"}}
	a2 := ticketing.Access{Ticket: tk.ID, Time: t0.Add(time.Minute), Field: "contact",
		Actor: hotline.Actor{UserID: "agent-1", Name: "坐席", Role: hotline.RoleAgent}}
	for _, a := range []ticketing.Access{a1, a2, {Ticket: other.ID, Time: t0, Field: "contact", Actor: hotline.System}} {
		must(t, s.RecordAccess(ctx(t), a), "record access")
	}
	got, err := s.FindAccesses(ctx(t), tk.ID)
	must(t, err, "find accesses")
	if len(got) != 2 {
		t.Fatalf("got %d accesses, want 2", len(got))
	}
	same(t, &a2, &got[0], "first access")
	same(t, &a1, &got[1], "second access")
}

func ids(ts []*ticketing.Ticket) []hotline.TicketID {
	out := make([]hotline.TicketID, len(ts))
	for i, tk := range ts {
		out[i] = tk.ID
	}
	return out
}

func equalIDs(a, b []hotline.TicketID) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
