package ticketing_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/store/sqlite"
	"github.com/cityhotline/hotline/ticketing"
)

// assessmentRecord is one stored callback of the hand-worked example.
type assessmentRecord struct {
	ticket       hotline.TicketID
	unit         hotline.UnitID
	tier         ticketing.Tier
	month        time.Month
	reached      bool
	contacted    ticketing.YesNo
	resolved     ticketing.YesNo
	satisfaction ticketing.Satisfaction
}

// The hand-worked example (weights 0.1/0.5/0.4, 基本满意 = 0.9):
//
//	s1 Nov: 4 valid; contacted 3, resolved 2, 满意 2 + 基本 1
//	        → 0.75, 0.5, 2.9/4 = 0.725 → 100×(0.075+0.25+0.29) = 61.5
//	s2 Nov: 2 valid; all contacted and resolved, 满意 1 + 基本 1
//	        → 1, 1, 0.95 → 100×(0.1+0.5+0.38) = 98
//	s3 Nov: one unreached call → 1 callback, 0 valid, not ranked
//	s4 Nov: 1 valid, all no/不满意 → 0
//	Ranks s2 1, s1 2, s4 3. October: s1 100 (rank 1), s2 0 (rank 2), so
//	s2 moved +1 and s1 −1. n = 3: one 先进 (s2), one 整改 (s4).
//	d1 Nov (district): 1 valid, all yes/满意 → 100, rank 1, 先进.
var assessmentRecords = []assessmentRecord{
	{"A1", "s1", ticketing.TierStreet, time.November, true, "yes", "yes", "satisfied"},
	{"A2", "s1", ticketing.TierStreet, time.November, true, "yes", "yes", "basically"},
	{"A3", "s1", ticketing.TierStreet, time.November, true, "no", "no", "dissatisfied"},
	{"A4", "s1", ticketing.TierStreet, time.November, true, "yes", "no", "satisfied"},
	{"A5", "s2", ticketing.TierStreet, time.November, true, "yes", "yes", "satisfied"},
	{"A6", "s2", ticketing.TierStreet, time.November, true, "yes", "yes", "basically"},
	{"A7", "s3", ticketing.TierStreet, time.November, false, "", "", ""},
	{"A8", "s4", ticketing.TierStreet, time.November, true, "no", "no", "dissatisfied"},
	{"A9", "d1", ticketing.TierDistrict, time.November, true, "yes", "yes", "satisfied"},
	{"B1", "s1", ticketing.TierStreet, time.October, true, "yes", "yes", "satisfied"},
	{"B2", "s2", ticketing.TierStreet, time.October, true, "no", "no", "dissatisfied"},
}

type assessmentWant struct {
	unit                         hotline.UnitID
	tier                         ticketing.Tier
	callbacks, valid             int
	response, resolution, satisf float64
	score                        float64
	rank, prev, movement         int
	class                        ticketing.Class
}

var novemberAssessment = []assessmentWant{
	{"s2", ticketing.TierStreet, 2, 2, 1, 1, 0.95, 98, 1, 2, 1, ticketing.ClassAdvanced},
	{"s1", ticketing.TierStreet, 4, 4, 0.75, 0.5, 0.725, 61.5, 2, 1, -1, ticketing.ClassNone},
	{"s4", ticketing.TierStreet, 1, 1, 0, 0, 0, 0, 3, 0, 0, ticketing.ClassRectify},
	{"s3", ticketing.TierStreet, 1, 0, 0, 0, 0, 0, 0, 0, 0, ticketing.ClassNone},
	{"d1", ticketing.TierDistrict, 1, 1, 1, 1, 1, 100, 1, 0, 0, ticketing.ClassAdvanced},
}

// assessmentService is a service over SQLite holding the example records,
// its clock on 2026-11-27.
func assessmentService(t *testing.T) *ticketing.Service {
	t.Helper()
	svc, _ := assessmentServiceStore(t)
	return svc
}

func assessmentServiceStore(t *testing.T) (*ticketing.Service, *sqlite.DB) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, t.TempDir()+"/hotline.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for i, r := range assessmentRecords {
		rec := &ticketing.CallbackRecord{
			Callback: int64(i + 1), Ticket: r.ticket, Unit: r.unit, Tier: r.tier,
			CalledAt: time.Date(2026, r.month, 10, 10, 0, 0, 0, ticketing.Beijing),
			Reached:  r.reached, Contacted: r.contacted, Resolved: r.resolved, Satisfaction: r.satisfaction,
		}
		if err := db.RecordAnswers(ctx, rec); err != nil {
			t.Fatalf("record %s: %v", r.ticket, err)
		}
	}
	clock := &fakeClock{now: time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC)}
	return ticketing.NewService(ticketing.Config{}, db, clock, nil, nil), db
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func checkAssessment(t *testing.T, got []ticketing.UnitScore, want []assessmentWant) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Unit != w.unit || g.Tier != w.tier || g.Callbacks != w.callbacks || g.Valid != w.valid ||
			!near(g.ResponseRate, w.response) || !near(g.ResolutionRate, w.resolution) ||
			!near(g.SatisfactionRate, w.satisf) || !near(g.Score, w.score) ||
			g.Rank != w.rank || g.PrevRank != w.prev || g.Movement != w.movement || g.Class != w.class {
			t.Errorf("row %d: got %+v, want %+v", i, g, w)
		}
	}
}

func TestAssessmentService(t *testing.T) {
	svc := assessmentService(t)
	ctx := context.Background()
	nov := ticketing.Month{Year: 2026, Month: time.November}

	for _, a := range []hotline.Actor{admin, supervisor, analyst, dispatcher} {
		got, err := svc.Assessment(ctx, a, nov, "")
		if err != nil {
			t.Fatalf("%s: %v", a.Role, err)
		}
		checkAssessment(t, got, novemberAssessment)
	}

	street, err := svc.Assessment(ctx, analyst, nov, ticketing.TierStreet)
	if err != nil {
		t.Fatal(err)
	}
	checkAssessment(t, street, novemberAssessment[:4])

	s1 := hotline.Actor{UserID: "s1staff", Role: hotline.RoleUnit, Unit: "s1"}
	own, err := svc.Assessment(ctx, s1, nov, "")
	if err != nil {
		t.Fatal(err)
	}
	checkAssessment(t, own, novemberAssessment[1:2])
}

func TestAssessmentServiceRefuses(t *testing.T) {
	svc := assessmentService(t)
	ctx := context.Background()
	nov := ticketing.Month{Year: 2026, Month: time.November}
	cases := []struct {
		name  string
		actor hotline.Actor
		month ticketing.Month
		tier  ticketing.Tier
		code  string
		field string
	}{
		{"agent", agent, nov, "", hotline.EFORBIDDEN, ""},
		{"unit staff without a unit", hotline.Actor{UserID: "x", Role: hotline.RoleUnit}, nov, "", hotline.EFORBIDDEN, ""},
		{"next month", admin, ticketing.Month{Year: 2026, Month: time.December}, "", hotline.EINVALID, "month"},
		{"no month", admin, ticketing.Month{}, "", hotline.EINVALID, "month"},
		{"centre tier", admin, nov, ticketing.TierCentre, hotline.EINVALID, "tier"},
		{"unknown tier", admin, nov, "galaxy", hotline.EINVALID, "tier"},
	}
	for _, tc := range cases {
		_, err := svc.Assessment(ctx, tc.actor, tc.month, tc.tier)
		if got := hotline.ErrorCode(err); got != tc.code {
			t.Errorf("%s: code %q (%v), want %q", tc.name, got, err, tc.code)
			continue
		}
		var he *hotline.Error
		if tc.field != "" && (!errors.As(err, &he) || he.Fields[tc.field] == "") {
			t.Errorf("%s: %v does not name %s", tc.name, err, tc.field)
		}
	}
}

// TestAssessmentGovernanceFromComplaints: the street with the most complaint
// tickets in the month is 治理类, even unranked (s3 has no valid callback).
func TestAssessmentGovernanceFromComplaints(t *testing.T) {
	svc, db := assessmentServiceStore(t)
	ctx := context.Background()
	for i := range 3 {
		at := time.Date(2026, 11, 5+i, 9, 0, 0, 0, ticketing.Beijing)
		tk := &ticketing.Ticket{Channel: ticketing.ChannelPhone, Type: ticketing.TypeComplaint, Street: "s3",
			State: ticketing.StatePendingDispatch, Content: "噪音扰民", Created: at, Updated: at}
		if err := db.CreateTicket(ctx, tk, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	got, err := svc.Assessment(ctx, analyst, ticketing.Month{Year: 2026, Month: time.November}, ticketing.TierStreet)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range got {
		if g.Unit == "s3" {
			if g.Class != ticketing.ClassGovernance || g.Complaints != 3 {
				t.Fatalf("s3: class %q complaints %d, want governance and 3", g.Class, g.Complaints)
			}
			return
		}
	}
	t.Fatalf("s3 not in %+v", got)
}
