package api

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/analytics/insight"
	"github.com/cityhotline/hotline/ticketing"
)

// fakeTicketStore serves FindTicketByID and FindTickets (states, street,
// district, created range, newest first, paging) over a fixed list.
type fakeTicketStore struct{ list []*ticketing.Ticket }

func (f *fakeTicketStore) FindTicketByID(_ context.Context, id hotline.TicketID) (*ticketing.Ticket, error) {
	for _, t := range f.list {
		if t.ID == id {
			return t, nil
		}
	}
	return nil, hotline.Errorf(hotline.ENOTFOUND, "ticket %s not found", id)
}

func (f *fakeTicketStore) FindTickets(_ context.Context, flt ticketing.TicketFilter) ([]*ticketing.Ticket, error) {
	var out []*ticketing.Ticket
	for _, t := range f.list {
		if len(flt.States) > 0 && !slices.Contains(flt.States, t.State) ||
			flt.Street != "" && t.Street != flt.Street || flt.District != "" && t.District != flt.District ||
			!flt.From.IsZero() && t.Created.Before(flt.From) || !flt.To.IsZero() && !t.Created.Before(flt.To) {
			continue
		}
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b *ticketing.Ticket) int { return b.Created.Compare(a.Created) })
	out = out[min(flt.Offset, len(out)):]
	return out[:min(flt.Limit, len(out))], nil
}

var analyticsNow = time.Date(2026, 1, 11, 12, 0, 0, 0, time.UTC)

func analyticsTickets() []*ticketing.Ticket {
	at := func(hoursAgo int) time.Time { return analyticsNow.Add(-time.Duration(hoursAgo) * time.Hour) }
	tk := func(id, title, addr, street string, state ticketing.State, hoursAgo int) *ticketing.Ticket {
		return &ticketing.Ticket{ID: hotline.TicketID(id), Title: title, Content: title, Address: addr,
			Street: hotline.UnitID(street), District: "chaoyang", Category: "heating", State: state,
			CallerNumber: "139" + id, Created: at(hoursAgo)}
	}
	merged := tk("T6", "幸福里小区暖气不热", "幸福里小区3号楼", "jianwai", ticketing.StateInProgress, 30)
	merged.MergedInto = "T2"
	return []*ticketing.Ticket{
		tk("T1", "幸福里小区暖气不热", "幸福里小区3号楼", "jianwai", ticketing.StateDispatched, 2),
		tk("T2", "幸福里小区暖气不热了", "幸福里小区3号楼", "jianwai", ticketing.StateInProgress, 28),
		tk("T3", "幸福里小区暖气不热", "幸福里小区3号楼", "jianwai", ticketing.StateClosed, 20),       // closed
		tk("T4", "幸福里小区暖气不热", "幸福里小区3号楼", "dongdaqiao", ticketing.StateDispatched, 5), // other street
		tk("T5", "幸福里小区楼下施工噪音", "幸福里小区3号楼", "jianwai", ticketing.StateDispatched, 3),  // other matter
		merged,
		tk("T7", "幸福里小区暖气温度太低", "幸福里小区5号楼", "jianwai", ticketing.StatePendingDispatch, 50),
		tk("T8", "幸福里小区暖气不热", "幸福里小区3号楼", "jianwai", ticketing.StateDispatched, 24*40), // 40 days ago
	}
}

func newAnalyticsEnv(t *testing.T, role hotline.Role) *env {
	e := newEnv(t)
	e.srv.cfg.Analytics = insight.New(&fakeTicketStore{analyticsTickets()}, fixedClock{analyticsNow})
	e.srv.accounts = asRole{e.accounts, role}
	return e
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

func TestSimilarRoute(t *testing.T) {
	e := newAnalyticsEnv(t, hotline.RoleDispatcher)
	var out []insight.Similar
	decodeBody(t, e.request("GET", "/api/v1/tickets/T1/similar", ""), http.StatusOK, &out)
	var ids []hotline.TicketID
	for _, s := range out {
		ids = append(ids, s.Ticket)
	}
	// T2 (same address, 26 h apart) first; T7 (another building of the
	// compound, the same trouble in other words) next. T3 is closed, T4 in
	// another street, T5 another matter, T6 merged, T8 40 days old.
	if !slices.Equal(ids, []hotline.TicketID{"T2", "T7"}) {
		t.Fatalf("similar to T1 = %v, want [T2 T7]", ids)
	}
	if r := out[1].Reason; r.SameAddress || !r.SameStreet {
		t.Errorf("T7 reason = %+v", r)
	}
	if r := out[0].Reason; !r.SameAddress || !r.SameStreet || !r.SameCategory || r.HoursApart != 26 {
		t.Errorf("reason = %+v", r)
	}
	if out[0].Title != "幸福里小区暖气不热了" || out[0].State != ticketing.StateInProgress {
		t.Errorf("row = %+v", out[0])
	}
	// With days=1, T2 (26 h before) and T7 are out of reach.
	decodeBody(t, e.request("GET", "/api/v1/tickets/T1/similar?days=1", ""), http.StatusOK, &out)
	if len(out) != 0 {
		t.Errorf("days=1: %+v", out)
	}
	apiError(t, e.request("GET", "/api/v1/tickets/T1/similar?days=0", ""), http.StatusBadRequest)
	apiError(t, e.request("GET", "/api/v1/tickets/NOPE/similar", ""), http.StatusNotFound)
}

func TestHotspotsRoute(t *testing.T) {
	e := newAnalyticsEnv(t, hotline.RoleAnalyst)
	var out struct {
		Messages int `json:"messages"`
		Clusters []struct {
			ID          string   `json:"id"`
			Size        int      `json:"size"`
			Members     []string `json:"members"`
			Description string   `json:"description"`
		} `json:"clusters"`
		Alerts []struct{} `json:"alerts"`
	}
	decodeBody(t, e.request("GET", "/api/v1/hotspots?days=7&top=5", ""), http.StatusOK, &out)
	// In the last 7 days: T1–T7 but merged T6; heating at 幸福里小区: T7, T2,
	// T3, T4, T1 (T4 is in another street office, but the same compound).
	if out.Messages != 6 || len(out.Clusters) != 1 {
		t.Fatalf("messages %d, clusters %+v", out.Messages, out.Clusters)
	}
	if want := []string{"T7", "T2", "T3", "T4", "T1"}; !slices.Equal(out.Clusters[0].Members, want) {
		t.Errorf("members = %v, want %v", out.Clusters[0].Members, want)
	}
	// The description is a member's text, which ends with its address: an
	// analyst reads the compound, not the building and flat.
	if d := out.Clusters[0].Description; !strings.Contains(d, "幸福里小区[门牌]") || strings.ContainsAny(d, "0123456789") {
		t.Errorf("description %q: want the house number masked", d)
	}
	if out.Alerts == nil {
		t.Error("alerts should be a list, even empty")
	}
	apiError(t, e.request("GET", "/api/v1/hotspots?top=0", ""), http.StatusBadRequest)
	apiError(t, e.request("GET", "/api/v1/hotspots?window=3", ""), http.StatusBadRequest)
}

func TestAnalyticsRoles(t *testing.T) {
	for _, tc := range []struct {
		role          hotline.Role
		similar, spot int
	}{
		{hotline.RoleAgent, http.StatusOK, http.StatusForbidden},
		{hotline.RoleAnalyst, http.StatusForbidden, http.StatusOK},
		{hotline.RoleSupervisor, http.StatusOK, http.StatusOK},
		{hotline.RoleUnit, http.StatusForbidden, http.StatusForbidden},
	} {
		e := newAnalyticsEnv(t, tc.role)
		if w := e.request("GET", "/api/v1/tickets/T1/similar", ""); w.Code != tc.similar {
			t.Errorf("%s similar: %d, want %d", tc.role, w.Code, tc.similar)
		}
		if w := e.request("GET", "/api/v1/hotspots", ""); w.Code != tc.spot {
			t.Errorf("%s hotspots: %d, want %d", tc.role, w.Code, tc.spot)
		}
	}
	e := newEnv(t) // no Analytics configured
	apiError(t, e.request("GET", "/api/v1/hotspots", ""), http.StatusNotFound)
}
