package ticketing_test

import (
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// claimWorld is a world with replied tickets of 望京 (110105-002) and 中关村
// (110108-002) and their November callbacks:
//
//	望京  W1 是/是/满意   W2 是/否/不满意   W3 否/否/基本满意
//	      → valid 3, contacted 2, resolved 1, 满意 1 + 基本 1
//	      → 2/3, 1/3, 1.9/3 → 100×(0.2+0.5+0.76)/3 = 48.6667, rank 2
//	中关村 Z1 是/否/满意 → 1, 0, 1 → 100×(0.1+0+0.4) = 50, rank 1
type claimWorld struct {
	*world
	w1, w2, w3, z1 hotline.TicketID
	records        map[hotline.TicketID]*ticketing.CallbackRecord
}

func newClaimWorld(t *testing.T, w *world) *claimWorld {
	t.Helper()
	cw := &claimWorld{world: w, records: map[hotline.TicketID]*ticketing.CallbackRecord{}}
	cs, ok := w.store.(ticketing.CallbackStore)
	if !ok {
		t.Fatal("the store keeps no callbacks")
	}
	replied := func(unit hotline.Actor, address string) hotline.TicketID {
		tk := w.intake(t, ticketing.IntakeInput{Category: "city.streetlight", Content: "路灯不亮", Address: address})
		w.act(t, dispatcher, tk.ID, "dispatch", ticketing.ActionInput{Unit: string(unit.Unit)})
		w.act(t, unit, tk.ID, "accept", ticketing.ActionInput{})
		w.act(t, unit, tk.ID, "reply", ticketing.ActionInput{Outcome: "resolved", Content: "已修复"})
		return tk.ID
	}
	call := func(id hotline.TicketID, unit hotline.UnitID, day int, c, r ticketing.YesNo, s ticketing.Satisfaction) {
		rec := &ticketing.CallbackRecord{Callback: int64(len(cw.records) + 1), Ticket: id, Unit: unit, Tier: ticketing.TierStreet,
			CalledAt: time.Date(2026, time.November, day, 10, 0, 0, 0, ticketing.Beijing),
			Reached:  true, Contacted: c, Resolved: r, Satisfaction: s}
		if err := cs.RecordAnswers(w.ctx, rec); err != nil {
			t.Fatalf("record %s: %v", id, err)
		}
		cw.records[id] = rec
	}
	cw.w1, cw.w2, cw.w3 = replied(wangjing, "朝阳区望京西园一区"), replied(wangjing, "朝阳区望京西园二区"), replied(wangjing, "朝阳区望京西园三区")
	cw.z1 = replied(zgc, "海淀区中关村大街1号")
	call(cw.w1, wangjing.Unit, 20, "yes", "yes", "satisfied")
	call(cw.w2, wangjing.Unit, 21, "yes", "no", "dissatisfied")
	call(cw.w3, wangjing.Unit, 22, "no", "no", "basically")
	call(cw.z1, zgc.Unit, 23, "yes", "no", "satisfied")
	return cw
}

var nov = ticketing.Month{Year: 2026, Month: time.November}

// streets returns the November street ranking by unit.
func (cw *claimWorld) streets(t *testing.T) map[hotline.UnitID]ticketing.UnitScore {
	t.Helper()
	scores, err := cw.svc.Assessment(cw.ctx, supervisor, nov, ticketing.TierStreet)
	if err != nil {
		t.Fatalf("assessment: %v", err)
	}
	out := map[hotline.UnitID]ticketing.UnitScore{}
	for _, s := range scores {
		out[s.Unit] = s
	}
	return out
}

func wantScore(t *testing.T, got ticketing.UnitScore, valid int, response, resolution, satisfaction, score float64, rank int) {
	t.Helper()
	if got.Valid != valid || !near(got.ResponseRate, response) || !near(got.ResolutionRate, resolution) ||
		!near(got.SatisfactionRate, satisfaction) || !near(got.Score, score) || got.Rank != rank {
		t.Errorf("%s: valid %d rates %.6f/%.6f/%.6f score %.6f rank %d; want %d %.6f/%.6f/%.6f %.6f %d",
			got.Unit, got.Valid, got.ResponseRate, got.ResolutionRate, got.SatisfactionRate, got.Score, got.Rank,
			valid, response, resolution, satisfaction, score, rank)
	}
}

func TestApprovedAppealLeavesTheAssessment(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		cw := newClaimWorld(t, w)
		s := cw.streets(t)
		wantScore(t, s[wangjing.Unit], 3, 2.0/3, 1.0/3, 1.9/3, 146.0/3, 2)
		wantScore(t, s[zgc.Unit], 1, 1, 0, 1, 50, 1)

		c, err := w.svc.FileClaim(w.ctx, wangjing, cw.w2, ticketing.ClaimInput{Kind: "appeal", Reason: "市民已当面确认解决", Evidence: "回执单"})
		if err != nil {
			t.Fatalf("file appeal: %v", err)
		}
		if c.State != ticketing.ClaimPending || c.Unit != wangjing.Unit || c.Callback != cw.records[cw.w2].ID || c.Month != nov ||
			c.FiledBy != "wj1" || c.Version != 1 {
			t.Fatalf("claim %+v", c)
		}
		// Pending: nothing changes yet.
		wantScore(t, cw.streets(t)[wangjing.Unit], 3, 2.0/3, 1.0/3, 1.9/3, 146.0/3, 2)

		c, err = w.svc.RuleClaim(w.ctx, supervisor, c.ID, true, ticketing.RulingInput{Note: "核实属实"})
		if err != nil {
			t.Fatalf("approve: %v", err)
		}
		if c.State != ticketing.ClaimApproved || c.RuledBy != "sup1" || c.Note != "核实属实" || c.Version != 2 {
			t.Fatalf("approved claim %+v", c)
		}
		// W2 is out: 望京 W1 是/是/满意, W3 否/否/基本满意 → 1/2, 1/2, 1.9/2
		// → 100×(0.05+0.25+0.38) = 68, now first; 中关村 50 second.
		s = cw.streets(t)
		wantScore(t, s[wangjing.Unit], 2, 0.5, 0.5, 0.95, 68, 1)
		wantScore(t, s[zgc.Unit], 1, 1, 0, 1, 50, 2)
		if s[wangjing.Unit].Callbacks != 3 {
			t.Errorf("callbacks %d: an excluded record is still a callback record", s[wangjing.Unit].Callbacks)
		}

		evs, err := w.svc.History(w.ctx, supervisor, cw.w2)
		if err != nil {
			t.Fatal(err)
		}
		filed, ruled := evs[len(evs)-2], evs[len(evs)-1]
		if filed.Action != "claim" || filed.Actor.UserID != "wj1" || filed.Reason != "市民已当面确认解决" ||
			filed.Diff["claim_appeal"].To != "pending" {
			t.Errorf("filing event %+v", filed)
		}
		if ruled.Action != "approve_claim" || ruled.Actor.UserID != "sup1" || ruled.Reason != "核实属实" ||
			ruled.Diff["claim_appeal"].To != "approved" || ruled.Diff["assessed"].To != "false" {
			t.Errorf("ruling event %+v", ruled)
		}

		// The ticket is out: no further claim of either kind.
		_, err = w.svc.FileClaim(w.ctx, wangjing, cw.w2, ticketing.ClaimInput{Kind: "unreasonable", Reason: "再申请"})
		wantCode(t, err, hotline.ECONFLICT)
		// Ruled claims are not ruled again.
		_, err = w.svc.RuleClaim(w.ctx, supervisor, c.ID, false, ticketing.RulingInput{Note: "撤回"})
		wantCode(t, err, hotline.ECONFLICT)
	})
}

func TestRejectedClaimKeepsTheNumbers(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		cw := newClaimWorld(t, w)
		c, err := w.svc.FileClaim(w.ctx, wangjing, cw.w3, ticketing.ClaimInput{Kind: "unreasonable", Reason: "诉求人要求拆除合法建筑"})
		if err != nil {
			t.Fatalf("file: %v", err)
		}
		if c.Callback != 0 || c.Month != nov {
			t.Errorf("unreasonable claim %+v: month of the latest callback, no callback named", c)
		}
		_, err = w.svc.FileClaim(w.ctx, wangjing, cw.w3, ticketing.ClaimInput{Kind: "unreasonable", Reason: "再次申请"})
		wantCode(t, err, hotline.ECONFLICT) // one pending claim per ticket and kind

		_, err = w.svc.RuleClaim(w.ctx, supervisor, c.ID, false, ticketing.RulingInput{})
		wantCode(t, err, hotline.EINVALID) // a rejection needs a note
		_, err = w.svc.RuleClaim(w.ctx, supervisor, c.ID, false, ticketing.RulingInput{Note: "x", Version: 9})
		wantCode(t, err, hotline.ECONFLICT) // stale version
		c, err = w.svc.RuleClaim(w.ctx, supervisor, c.ID, false, ticketing.RulingInput{Note: "诉求合理合法", Version: 1})
		if err != nil || c.State != ticketing.ClaimRejected {
			t.Fatalf("reject: %+v %v", c, err)
		}
		wantScore(t, cw.streets(t)[wangjing.Unit], 3, 2.0/3, 1.0/3, 1.9/3, 146.0/3, 2)

		// After a rejection the unit may try again, with better evidence.
		if _, err := w.svc.FileClaim(w.ctx, wangjing, cw.w3, ticketing.ClaimInput{Kind: "unreasonable", Reason: "补充证据", Evidence: "执法记录"}); err != nil {
			t.Fatalf("file again: %v", err)
		}
		evs, _ := w.svc.History(w.ctx, admin, cw.w3)
		var actions []string
		for _, e := range evs[len(evs)-3:] {
			actions = append(actions, e.Action)
		}
		if got := actions; len(got) != 3 || got[0] != "claim" || got[1] != "reject_claim" || got[2] != "claim" {
			t.Errorf("history ends %v", got)
		}
	})
}

func TestClaimRules(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		cw := newClaimWorld(t, w)
		appeal := ticketing.ClaimInput{Kind: "appeal", Reason: "已解决"}
		cases := []struct {
			name  string
			a     hotline.Actor
			id    hotline.TicketID
			in    ticketing.ClaimInput
			code  string
			field string
		}{
			{"another street", zgc, cw.w2, appeal, hotline.ENOTFOUND, ""},
			{"the district copy", chaoyang, cw.w2, appeal, hotline.EFORBIDDEN, ""},
			{"a supervisor", supervisor, cw.w2, appeal, hotline.EFORBIDDEN, ""},
			{"an agent", agent, cw.w2, appeal, hotline.EFORBIDDEN, ""},
			{"no kind", wangjing, cw.w2, ticketing.ClaimInput{Reason: "x"}, hotline.EINVALID, "kind"},
			{"no reason", wangjing, cw.w2, ticketing.ClaimInput{Kind: "appeal"}, hotline.EINVALID, "reason"},
			{"nothing against the unit", wangjing, cw.w1, appeal, hotline.ECONFLICT, ""},
			{"a callback of another ticket", wangjing, cw.w2, ticketing.ClaimInput{Kind: "appeal", Reason: "x", Callback: cw.records[cw.w3].ID}, hotline.EINVALID, "callback"},
			{"a missing ticket", wangjing, "20261127999999", appeal, hotline.ENOTFOUND, ""},
		}
		for _, tc := range cases {
			_, err := w.svc.FileClaim(w.ctx, tc.a, tc.id, tc.in)
			if got := hotline.ErrorCode(err); got != tc.code {
				t.Errorf("%s: code %q (%v), want %q", tc.name, got, err, tc.code)
			}
			if e, _ := err.(*hotline.Error); tc.field != "" && (e == nil || e.Fields[tc.field] == "") {
				t.Errorf("%s: %v does not name %s", tc.name, err, tc.field)
			}
		}
		// Undispatched: the unit cannot see it; the admin files for no one.
		fresh := w.intake(t, ticketing.IntakeInput{Category: "city.streetlight", Content: "路灯", Address: "朝阳区望京"})
		_, err := w.svc.FileClaim(w.ctx, admin, fresh.ID, appeal)
		wantCode(t, err, hotline.ECONFLICT)

		// The admin files on the holder's behalf.
		c, err := w.svc.FileClaim(w.ctx, admin, cw.w3, ticketing.ClaimInput{Kind: "appeal", Reason: "代为申诉"})
		if err != nil || c.Unit != wangjing.Unit || c.FiledBy != "admin" {
			t.Fatalf("admin filing: %+v %v", c, err)
		}
		z, err := w.svc.FileClaim(w.ctx, zgc, cw.z1, ticketing.ClaimInput{Kind: "unreasonable", Reason: "恶意诉求"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.RuleClaim(w.ctx, wangjing, c.ID, true, ticketing.RulingInput{})
		wantCode(t, err, hotline.EFORBIDDEN)
		_, err = w.svc.RuleClaim(w.ctx, dispatcher, c.ID, true, ticketing.RulingInput{})
		wantCode(t, err, hotline.EFORBIDDEN)
		_, err = w.svc.RuleClaim(w.ctx, supervisor, 99999, true, ticketing.RulingInput{})
		wantCode(t, err, hotline.ENOTFOUND)

		// Lists: the centre sees all, a unit its own, others nothing.
		list := func(a hotline.Actor, f ticketing.ClaimFilter) []*ticketing.Claim {
			t.Helper()
			l, err := w.svc.Claims(w.ctx, a, f)
			if err != nil {
				t.Fatalf("claims as %s: %v", a.UserID, err)
			}
			return l
		}
		if l := list(supervisor, ticketing.ClaimFilter{State: ticketing.ClaimPending}); len(l) != 2 || l[0].ID != c.ID || l[1].ID != z.ID {
			t.Errorf("supervisor's pending list %+v", l)
		}
		if l := list(dispatcher, ticketing.ClaimFilter{Unit: zgc.Unit, Month: nov}); len(l) != 1 || l[0].ID != z.ID {
			t.Errorf("dispatcher's list of 中关村 %+v", l)
		}
		if l := list(wangjing, ticketing.ClaimFilter{}); len(l) != 1 || l[0].ID != c.ID {
			t.Errorf("望京's own list %+v", l)
		}
		if l := list(wangjing, ticketing.ClaimFilter{Unit: zgc.Unit}); len(l) != 0 {
			t.Errorf("望京 reads 中关村's claims: %+v", l)
		}
		if l := list(supervisor, ticketing.ClaimFilter{Month: ticketing.Month{Year: 2026, Month: time.October}}); len(l) != 0 {
			t.Errorf("October %+v", l)
		}
		_, err = w.svc.Claims(w.ctx, analyst, ticketing.ClaimFilter{})
		wantCode(t, err, hotline.EFORBIDDEN)
		_, err = w.svc.Claims(w.ctx, agent, ticketing.ClaimFilter{})
		wantCode(t, err, hotline.EFORBIDDEN)
	})
}
