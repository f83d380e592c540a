package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/configs"
	"github.com/cityhotline/hotline/internal/seedgen"
	"github.com/cityhotline/hotline/store/sqlite"
	"github.com/cityhotline/hotline/ticketing"
)

func runSeedArgs(t *testing.T, args ...string) (*seedSummary, error) {
	t.Helper()
	var out bytes.Buffer
	if err := seed(t.Context(), args, &out, io.Discard); err != nil {
		return nil, err
	}
	var sum seedSummary
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
		t.Fatalf("summary %q: %v", out.String(), err)
	}
	return &sum, nil
}

// expected generates the same days in memory: what the store must hold.
func expected(t *testing.T, from, to string, perDay float64) (tickets, callbacks int) {
	t.Helper()
	ref, err := configs.LoadReference(configs.Reference())
	if err != nil {
		t.Fatal(err)
	}
	hol, work, err := configs.LoadCalendar(configs.Reference())
	if err != nil {
		t.Fatal(err)
	}
	f, _ := time.ParseInLocation(time.DateOnly, from, ticketing.Beijing)
	e, _ := time.ParseInLocation(time.DateOnly, to, ticketing.Beijing)
	g, err := seedgen.New(seedgen.Config{From: f, To: e, TicketsPerDay: perDay, Seed: 5, Reference: ref,
		Calendar: ticketing.NewCalendar(hol, work), Calls: true, Callbacks: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range g.Days() {
		b := g.Day(i)
		tickets += len(b.Tickets)
		callbacks += len(b.Callbacks)
	}
	return tickets, callbacks
}

func TestSeedSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seed.db")
	args := []string{"--db", "sqlite:" + path, "--from", "2025-01-13", "--to", "2025-01-23", "--tickets-per-day", "60",
		"--seed", "5", "--calls", "--callbacks"}
	sum, err := runSeedArgs(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	wantT, wantCB := expected(t, "2025-01-13", "2025-01-23", 60)
	if sum.Days != 10 || sum.Tickets != wantT || sum.Callbacks != wantCB || sum.Calls < wantT*8/10 || sum.Answers == 0 {
		t.Fatalf("summary %+v; want 10 days, %d tickets, %d callbacks, calls for most tickets, answers", sum, wantT, wantCB)
	}

	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := ticketing.NewService(ticketing.DefaultConfig(), db, nil, nil, nil)
	all := listAll(t, svc, ticketing.TicketFilter{})
	if len(all) != wantT {
		t.Fatalf("the service lists %d tickets, want %d", len(all), wantT)
	}
	first := all[len(all)-1]
	if first.ID != "20250113000001" || first.Version < 1 {
		t.Fatalf("first ticket %s v%d, want 20250113000001", first.ID, first.Version)
	}
	hist, err := svc.History(t.Context(), hotline.System, first.ID)
	if err != nil || len(hist) == 0 || hist[0].Action != "intake" {
		t.Fatalf("history of %s: %v %v", first.ID, hist, err)
	}
	cbs, err := db.FindCallbacks(t.Context(), ticketing.CallbackFilter{})
	if err != nil || len(cbs) != wantCB {
		t.Fatalf("%d callbacks stored (%v), want %d", len(cbs), err, wantCB)
	}

	// A second run refuses the filled store, unless it appends.
	if _, err := runSeedArgs(t, args...); err == nil || !strings.Contains(err.Error(), "--append") {
		t.Fatalf("seeding a filled store: %v, want a refusal naming --append", err)
	}
	more, err := runSeedArgs(t, "--db", "sqlite:"+path, "--from", "2025-01-13", "--to", "2025-01-14", "--tickets-per-day", "60", "--seed", "6", "--append")
	if err != nil {
		t.Fatal(err)
	}
	day1 := listAll(t, svc, ticketing.TicketFilter{From: first.Created.Add(-time.Hour), To: first.Created.Add(24 * time.Hour)})
	seen := map[hotline.TicketID]bool{}
	for _, tk := range day1 {
		if seen[tk.ID] {
			t.Fatalf("ticket number %s used twice after --append", tk.ID)
		}
		seen[tk.ID] = true
	}
	if more.Tickets == 0 || len(seen) < more.Tickets {
		t.Fatalf("appended %d tickets; %d numbered on the day", more.Tickets, len(seen))
	}
}

// listAll pages through the service's ticket list, newest first.
func listAll(t *testing.T, svc *ticketing.Service, f ticketing.TicketFilter) []*ticketing.Ticket {
	t.Helper()
	var out []*ticketing.Ticket
	for f.Limit = 200; ; f.Offset += f.Limit {
		page, err := svc.Tickets(context.Background(), hotline.System, f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page...)
		if len(page) < f.Limit {
			return out
		}
	}
}

func TestSeedFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--from", "2025-01-01", "--to", "2025-01-02"},                                 // no --db
		{"--db", "mysql://x", "--from", "2025-01-01", "--to", "2025-01-02"},            // unknown store
		{"--db", "sqlite:/tmp/x.db", "--from", "2025-01-02", "--to", "2025-01-01"},     // empty period
		{"--db", "sqlite:/tmp/x.db", "--from", "2025-13-01", "--to", "2025-01-01"},     // bad date
		{"--db", "sqlite:/tmp/x.db", "--from", "2025-01-01", "--tickets-per-day", "0"}, // no volume
	} {
		if _, err := parseSeedOrOpen(t, args); err == nil {
			t.Errorf("seed %v: no error", args)
		}
	}
	o, err := parseSeed([]string{"--db", "sqlite:x", "--scale", "0.5"}, io.Discard)
	if err != nil || o.perDay != seedgen.BeijingPerDay/2 {
		t.Fatalf("--scale 0.5: %v, %v tickets a day", err, o)
	}
	if got := redact("postgres://u:secret@h:5432/db"); got != "postgres://u:xxx@h:5432/db" {
		t.Errorf("redact: %s", got)
	}
}

func parseSeedOrOpen(t *testing.T, args []string) (*seedOptions, error) {
	o, err := parseSeed(args, io.Discard)
	if err != nil {
		return nil, err
	}
	_, closeFn, err := openSeedStore(t.Context(), o.db)
	if err == nil {
		closeFn()
	}
	return o, err
}
