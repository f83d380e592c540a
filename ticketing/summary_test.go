package ticketing_test

import (
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

func TestSummary(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		heat := w.intake(t, ticketing.IntakeInput{Category: "heating.cold", Content: "暖气不热", Address: "海淀区中关村大街1号"})
		wj := w.intake(t, ticketing.IntakeInput{Category: "city.streetlight", Content: "路灯不亮", Address: "朝阳区望京西园"})
		jw := w.intake(t, ticketing.IntakeInput{Category: "city.streetlight", Content: "路灯不亮", Address: "朝阳区建国门外大街"})
		w.act(t, dispatcher, wj.ID, "dispatch", ticketing.ActionInput{})
		w.act(t, dispatcher, jw.ID, "dispatch", ticketing.ActionInput{})
		w.act(t, supervisor, jw.ID, "supervise", ticketing.ActionInput{Reason: "重复来电"})
		w.clock.advance(48 * time.Hour) // past the utility's 24 h reply clock, not the ordinary 7 days
		if _, err := w.svc.Sweep(w.ctx); err != nil {
			t.Fatal(err)
		}

		rows, err := w.svc.Summary(w.ctx, supervisor, ticketing.TicketFilter{}, ticketing.GroupUnit)
		if err != nil {
			t.Fatal(err)
		}
		want := []ticketing.TicketCount{
			{Key: "soe.heating", Total: 1, Red: 1, Overdue: 1},
			{Key: "110105-001", Total: 1, Supervised: 1},
			{Key: "110105-002", Total: 1},
		}
		if len(rows) != len(want) {
			t.Fatalf("by unit: %+v", rows)
		}
		for i := range want {
			if rows[i] != want[i] {
				t.Errorf("by unit row %d: %+v, want %+v", i, rows[i], want[i])
			}
		}
		if heat.Unit != "soe.heating" {
			t.Fatalf("heating went to %s", heat.Unit)
		}

		streets, err := w.svc.Summary(w.ctx, analyst, ticketing.TicketFilter{District: "110105"}, ticketing.GroupStreet)
		if err != nil || len(streets) != 2 || streets[0].Key != "110105-001" {
			t.Errorf("analyst, streets of 110105: %+v, %v", streets, err)
		}
		own, err := w.svc.Summary(w.ctx, wangjing, ticketing.TicketFilter{}, ticketing.GroupCategory)
		if err != nil || len(own) != 1 || own[0] != (ticketing.TicketCount{Key: "city.streetlight", Total: 1}) {
			t.Errorf("a unit sees its own: %+v, %v", own, err)
		}
		_, err = w.svc.Summary(w.ctx, supervisor, ticketing.TicketFilter{}, "colour")
		wantCode(t, err, hotline.EINVALID)
		_, err = w.svc.Summary(w.ctx, hotline.Actor{UserID: "x", Role: hotline.RoleUnit}, ticketing.TicketFilter{}, ticketing.GroupUnit)
		wantCode(t, err, hotline.EFORBIDDEN)
	})
}

func TestRulePreview(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		wj := w.intake(t, ticketing.IntakeInput{Category: "city.streetlight", Content: "路灯不亮", Address: "朝阳区望京西园"})
		jw := w.intake(t, ticketing.IntakeInput{Category: "city.streetlight", Content: "路灯不亮", Address: "朝阳区建国门外大街"})
		w.intake(t, ticketing.IntakeInput{Category: "heating.cold", Content: "暖气不热", Address: "海淀区中关村大街1号"})
		rules, err := w.svc.Rules(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		var street int64
		for _, r := range rules {
			if r.Category == "city" && r.Target == ticketing.TargetStreet {
				street = r.ID
			}
		}
		rule, ms, err := w.svc.RuleTickets(w.ctx, supervisor, street, 10)
		if err != nil || rule.ID != street || len(ms) != 2 {
			t.Fatalf("rule %d: %+v, %+v, %v", street, rule, ms, err)
		}
		if ms[0].Ticket.ID != jw.ID || !ms[0].Routes || ms[0].Unit != "110105-001" || ms[1].Unit != "110105-002" {
			t.Errorf("matches newest first, routed by the rule: %+v %+v", ms[0], ms[1])
		}

		// A new rule for 望京 only takes 望京's order from the street rule.
		probe := &ticketing.Rule{Category: "city.streetlight", Area: "110105-002", Target: ticketing.TargetUnit, Unit: "110105", Priority: 1}
		ms, err = w.svc.PreviewRule(w.ctx, admin, probe, 10)
		if err != nil || len(ms) != 1 || ms[0].Ticket.ID != wj.ID || !ms[0].Routes || ms[0].Unit != "110105" || ms[0].Rule != 0 {
			t.Fatalf("preview: %+v, %v", ms, err)
		}
		if n, _ := w.svc.Rules(w.ctx); len(n) != len(rules) {
			t.Errorf("a preview stored a rule")
		}
		_, err = w.svc.PreviewRule(w.ctx, supervisor, probe, 10)
		wantCode(t, err, hotline.EFORBIDDEN)
		_, err = w.svc.PreviewRule(w.ctx, admin, &ticketing.Rule{Category: "nope", Target: ticketing.TargetStreet}, 10)
		wantCode(t, err, hotline.EINVALID)
		_, _, err = w.svc.RuleTickets(w.ctx, wangjing, street, 10)
		wantCode(t, err, hotline.EFORBIDDEN)
		_, _, err = w.svc.RuleTickets(w.ctx, admin, 9999, 10)
		wantCode(t, err, hotline.ENOTFOUND)
	})
}

func TestSLAView(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.ParseInLocation(time.DateOnly, s, ticketing.Beijing); return d }
	cal := ticketing.NewCalendar([]time.Time{day("2026-10-02"), day("2026-10-01")}, []time.Time{day("2026-09-27")})
	if h := cal.Holidays(); len(h) != 2 || !h[0].Equal(day("2026-10-01")) {
		t.Errorf("holidays %v", h)
	}
	if wd := cal.Workdays(); len(wd) != 1 || !wd[0].Equal(day("2026-09-27")) {
		t.Errorf("workdays %v", wd)
	}
	svc := ticketing.NewService(ticketing.Config{}, nil, nil, nil, nil)
	sla := svc.SLA()
	if sla.Deadlines[ticketing.UrgencyOrdinary].Reply != 7*24*time.Hour || sla.WarnAt != 0.8 {
		t.Errorf("default SLA %+v", sla)
	}
	sla.Deadlines[ticketing.UrgencyOrdinary] = ticketing.Clocks{}
	if svc.SLA().Deadlines[ticketing.UrgencyOrdinary].Reply == 0 {
		t.Errorf("SLA() shares its map with the caller")
	}
}
