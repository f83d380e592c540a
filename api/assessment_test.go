package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// fakeAssessor is a Tickets that also serves the assessment: it records
// what it was asked and answers with rows or err.
type fakeAssessor struct {
	*fakeTickets
	asked int
	actor hotline.Actor
	month ticketing.Month
	tier  ticketing.Tier
	rows  []ticketing.UnitScore
	err   error
}

func (f *fakeAssessor) Assessment(_ context.Context, a hotline.Actor, m ticketing.Month, t ticketing.Tier) ([]ticketing.UnitScore, error) {
	f.asked++
	f.actor, f.month, f.tier = a, m, t
	if f.err != nil {
		return nil, f.err
	}
	return f.rows, nil
}

var nov2026 = ticketing.Month{Year: 2026, Month: time.November}

// sampleScores are the street tier of the hand-worked service example.
func sampleScores() []ticketing.UnitScore {
	return []ticketing.UnitScore{
		{Unit: "s2", Tier: ticketing.TierStreet, Month: nov2026, Valid: 2, ResponseRate: 1, ResolutionRate: 1,
			SatisfactionRate: 0.95, Score: 100 * (0.1 + 0.5 + 0.4*0.95), Rank: 1, PrevRank: 2, Movement: 1, Class: ticketing.ClassAdvanced},
		{Unit: "s1", Tier: ticketing.TierStreet, Month: nov2026, Valid: 4, ResponseRate: 0.75, ResolutionRate: 0.5,
			SatisfactionRate: 2.9 / 4, Score: 100 * (0.1*0.75 + 0.5*0.5 + 0.4*2.9/4), Rank: 2, PrevRank: 1, Movement: -1},
		{Unit: "s3", Tier: ticketing.TierStreet, Month: nov2026, Callbacks: 1},
	}
}

// newAssessmentEnv is an env whose Tickets serve the assessment, with every
// token authenticated as a user of role.
func newAssessmentEnv(t *testing.T, role hotline.Role, rows []ticketing.UnitScore) (*env, *fakeAssessor) {
	e := newEnv(t)
	e.tickets.UnitsFn = func(ticketing.UnitFilter) ([]*ticketing.Unit, error) {
		return []*ticketing.Unit{{ID: "s1", Name: "建外街道"}, {ID: "s2", Name: "望京街道"}, {ID: "s3", Name: "=1+1 街道"}}, nil
	}
	fa := &fakeAssessor{fakeTickets: e.tickets, rows: rows}
	e.srv = newServer(e.srv.cfg, fa, asRole{e.accounts, role}, slog.New(slog.DiscardHandler))
	return e, fa
}

func TestAssessmentNotEnabled(t *testing.T) {
	e := newEnv(t)
	body := apiError(t, e.request("GET", "/api/v1/assessment?month=2026-11", ""), http.StatusNotFound)
	if !strings.Contains(body.Message, "assessment is not enabled") {
		t.Errorf("message %q", body.Message)
	}
}

func TestAssessmentJSON(t *testing.T) {
	e, fa := newAssessmentEnv(t, hotline.RoleAnalyst, sampleScores())
	w := e.request("GET", "/api/v1/assessment?month=2026-11&tier=street", "")
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if fa.asked != 1 || fa.month != nov2026 || fa.tier != ticketing.TierStreet || fa.actor.Role != hotline.RoleAnalyst {
		t.Errorf("asked %d times for %v %q as %+v", fa.asked, fa.month, fa.tier, fa.actor)
	}
	want := `{"month":"2026-11","assessment":[` +
		`{"unit":"s2","unit_name":"望京街道","tier":"street","valid_callbacks":2,"response_rate":1,"resolution_rate":1,"satisfaction_rate":0.95,"score":98,"rank":1,"previous_rank":2,"movement":1,"class":"advanced","complaints":0},` +
		`{"unit":"s1","unit_name":"建外街道","tier":"street","valid_callbacks":4,"response_rate":0.75,"resolution_rate":0.5,"satisfaction_rate":0.725,"score":61.5,"rank":2,"previous_rank":1,"movement":-1,"class":"","complaints":0},` +
		`{"unit":"s3","unit_name":"=1+1 街道","tier":"street","valid_callbacks":0,"response_rate":0,"resolution_rate":0,"satisfaction_rate":0,"score":0,"rank":0,"previous_rank":0,"movement":0,"class":"","complaints":0}],"governance":[]}` + "\n"
	if got := w.Body.String(); got != want {
		t.Errorf("body\n%s\nwant\n%s", got, want)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
}

func TestAssessmentAllTiersEmpty(t *testing.T) {
	e, fa := newAssessmentEnv(t, hotline.RoleSupervisor, nil)
	w := e.request("GET", "/api/v1/assessment?month=2026-10&format=json", "")
	if w.Code != http.StatusOK || w.Body.String() != `{"month":"2026-10","assessment":[],"governance":[]}`+"\n" {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if fa.tier != "" || fa.month != (ticketing.Month{Year: 2026, Month: time.October}) {
		t.Errorf("asked for %v %q, want October and every tier", fa.month, fa.tier)
	}
}

func TestAssessmentCSV(t *testing.T) {
	e, _ := newAssessmentEnv(t, hotline.RoleAdmin, sampleScores())
	w := e.request("GET", "/api/v1/assessment?month=2026-11&format=csv", "")
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	if cd := w.Header().Get("Content-Disposition"); cd != `attachment; filename="assessment-2026-11.csv"` {
		t.Errorf("content disposition %q", cd)
	}
	want := "\xEF\xBB\xBF" +
		"单位 unit,单位名称 unit_name,层级 tier,有效回访 valid_callbacks,响应率 response_rate,解决率 resolution_rate," +
		"满意率 satisfaction_rate,综合得分 score,排名 rank,上月排名 previous_rank,名次变化 movement,类别 class\n" +
		"s2,望京街道,street,2,1,1,0.95,98,1,2,1,先进 advanced\n" +
		"s1,建外街道,street,4,0.75,0.5,0.725,61.5,2,1,-1,\n" +
		"s3,'=1+1 街道,street,0,,,,,,,0,\n"
	if got := w.Body.String(); got != want {
		t.Errorf("csv\n%q\nwant\n%q", got, want)
	}
}

func TestAssessmentBadQuery(t *testing.T) {
	cases := map[string]string{
		"":                               "month",
		"?month=2026-13":                 "month",
		"?month=202611":                  "month",
		"?month=2026-11&tier=centre":     "tier",
		"?month=2026-11&tier=galaxy":     "tier",
		"?month=2026-11&format=pdf":      "format",
		"?month=2026-11&unit=s1":         "unit",
		"?month=bad&tier=bad&format=bad": "format",
	}
	for query, field := range cases {
		e, fa := newAssessmentEnv(t, hotline.RoleAdmin, sampleScores())
		body := apiError(t, e.request("GET", "/api/v1/assessment"+query, ""), http.StatusBadRequest)
		if body.Code != hotline.EINVALID || body.Fields[field] == "" {
			t.Errorf("%q: %+v does not name %s", query, body, field)
		}
		if fa.asked != 0 {
			t.Errorf("%q reached the service", query)
		}
	}
}

// The service decides who may read; the API passes the actor through and
// maps its refusals.
func TestAssessmentServiceErrors(t *testing.T) {
	e, fa := newAssessmentEnv(t, hotline.RoleAgent, nil)
	fa.err = hotline.Errorf(hotline.EFORBIDDEN, "role agent may not read the assessment")
	apiError(t, e.request("GET", "/api/v1/assessment?month=2026-11", ""), http.StatusForbidden)

	e, fa = newAssessmentEnv(t, hotline.RoleAdmin, nil)
	fa.err = hotline.Errorf(hotline.EINVALID, "month 2027-01 is not an assessable month").WithField("month", "must not be after the current month")
	body := apiError(t, e.request("GET", "/api/v1/assessment?month=2027-01", ""), http.StatusBadRequest)
	if body.Fields["month"] == "" {
		t.Errorf("future month: %+v", body)
	}
}

func TestAssessmentUnitActor(t *testing.T) {
	e, fa := newAssessmentEnv(t, hotline.RoleUnit, sampleScores()[1:2])
	var out assessmentJSON
	decodeBody(t, e.request("GET", "/api/v1/assessment?month=2026-11", ""), http.StatusOK, &out)
	if fa.actor.Role != hotline.RoleUnit || fa.actor.Unit != "jianwai" {
		t.Errorf("actor %+v, want the unit's staff", fa.actor)
	}
	if len(out.Assessment) != 1 || out.Assessment[0].Unit != "s1" {
		t.Errorf("rows %+v", out.Assessment)
	}
}
