package postgres_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline/store/postgres"
	"github.com/cityhotline/hotline/ticketing"
)

// indexes lists the test schema's index definitions.
func indexes(t *testing.T, db *postgres.DB) []string {
	t.Helper()
	defs, err := postgres.IndexDefs(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	return defs
}

func TestDeferIndexes(t *testing.T) {
	db := postgres.OpenTest(t)
	before := indexes(t, db)
	rebuild, err := db.DeferIndexes(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	during := indexes(t, db)
	if len(during) >= len(before) || slices.ContainsFunc(during, func(d string) bool { return strings.Contains(d, "tickets_search") }) {
		t.Fatalf("indexes during the load: %d of %d, search index kept: %v", len(during), len(before), during)
	}
	tk := &ticketing.Ticket{Created: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), Title: "暖气不热", Content: "暖气不热"}
	if err := db.LoadTickets(t.Context(), []*ticketing.Ticket{tk}, [][]ticketing.Event{nil}); err != nil {
		t.Fatal(err)
	}
	if err := rebuild(t.Context()); err != nil {
		t.Fatal(err)
	}
	if after := indexes(t, db); !slices.Equal(after, before) {
		t.Fatalf("indexes after the rebuild:\n%v\nwant\n%v", after, before)
	}
	got, err := db.FindTickets(t.Context(), ticketing.TicketFilter{Query: "暖气"})
	if err != nil || len(got) != 1 {
		t.Fatalf("search after the rebuild: %d tickets, %v", len(got), err)
	}
}
