package ticketing

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

// pagingStore serves tickets newest first (then by id, descending), as the
// stores do; the rest of OpenDataBackend is not used by write.
type pagingStore struct {
	OpenDataBackend
	tickets []*Ticket
	calls   int
}

func (p *pagingStore) FindTickets(_ context.Context, f TicketFilter) ([]*Ticket, error) {
	p.calls++
	var sel []*Ticket
	for _, t := range p.tickets {
		if !t.Created.Before(f.From) && t.Created.Before(f.To) {
			sel = append(sel, t)
		}
	}
	slices.SortFunc(sel, func(a, b *Ticket) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return strings.Compare(string(b.ID), string(a.ID))
	})
	sel = sel[min(f.Offset, len(sel)):]
	return sel[:min(f.Limit, len(sel))], nil
}

// TestExportPagesThroughTies: with pages of two, tickets sharing a
// creation instant across page ends are each exported exactly once.
func TestExportPagesThroughTies(t *testing.T) {
	base := time.Date(2026, 11, 3, 2, 0, 0, 0, time.UTC)
	titles := []string{"甲", "乙", "丙", "丁", "戊", "己", "庚", "辛"}
	offsets := []time.Duration{3, 3, 3, 3, 2, 2, 1, 0} // minutes after base: four at +3, two at +2
	st := &pagingStore{}
	for i, title := range titles {
		st.tickets = append(st.tickets, &Ticket{ID: hotline.TicketID("2026110300000" + string(rune('1'+i))),
			Title: title, Triage: TriageDispatch, Created: base.Add(offsets[i] * time.Minute)})
	}
	o := NewOpenData(st, hotline.ClockFunc(func() time.Time { return base.Add(time.Hour) }), nil)
	o.pageSize = 2
	r := &OpenDataRequest{From: base, To: base.Add(24 * time.Hour), Fields: []string{"pseudonym", "title"}}
	var buf bytes.Buffer
	n, err := o.write(context.Background(), r, openDataNames{}, &buf)
	if err != nil || n != len(titles) {
		t.Fatalf("write: %d rows, %v", n, err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, row := range rows[1:] {
		got = append(got, row[1])
	}
	// Newest first, ties by id descending: 丁 丙 乙 甲 (+3), 己 戊 (+2), 庚, 辛.
	if want := []string{"丁", "丙", "乙", "甲", "己", "戊", "庚", "辛"}; !slices.Equal(got, want) {
		t.Errorf("exported %v, want %v", got, want)
	}
	if st.calls != 5 {
		t.Errorf("%d pages read, want 5 (four full, one empty)", st.calls)
	}
}
