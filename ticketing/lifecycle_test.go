package ticketing_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

func TestHeatingIsDispatchedToTheHeatingGroupAtIntake(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		tk := w.intake(t, ticketing.IntakeInput{Category: "heating.cold", Content: "暖气不热，室温14度", Address: "北京市海淀区中关村大街27号"})
		if tk.State != ticketing.StateDispatched || tk.Unit != "soe.heating" || tk.Urgency != ticketing.UrgencyUtility {
			t.Fatalf("ticket %+v", tk)
		}
		if !strings.HasPrefix(string(tk.ID), "20261127") || len(tk.ID) != 14 {
			t.Errorf("id %q, want 20261127 + 6 digits", tk.ID)
		}
		now := w.clock.Now()
		if !tk.AcceptDue.Equal(now.Add(2*time.Hour)) || !tk.ReplyDue.Equal(now.Add(24*time.Hour)) {
			t.Errorf("deadlines accept %s reply %s", tk.AcceptDue, tk.ReplyDue)
		}
		if tk.District != "110108" || tk.Street != "110108-002" {
			t.Errorf("area %s/%s", tk.District, tk.Street)
		}
		evs, err := w.svc.History(w.ctx, admin, tk.ID)
		if err != nil || len(evs) != 2 || evs[0].Action != "intake" || evs[1].Action != "dispatch" || evs[1].Diff["unit"].To != "soe.heating" {
			t.Fatalf("history %+v, %v", evs, err)
		}
		if w.pub.count("ticket.created") != 1 {
			t.Error("no ticket.created event")
		}
	})
}

func TestStreetOrderFullLifecycle(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		tk := w.intake(t, ticketing.IntakeInput{Category: "city.streetlight", Content: "小区楼下路灯不亮", Address: "朝阳区望京西园三区", CitizenName: "张三"})
		if tk.State != ticketing.StatePendingDispatch || tk.SuggestedUnit != "110105-002" {
			t.Fatalf("intake: state %s suggested %s", tk.State, tk.SuggestedUnit)
		}
		// Units cannot see an undispatched order.
		_, err := w.svc.Ticket(w.ctx, wangjing, tk.ID)
		wantCode(t, err, hotline.ENOTFOUND)

		tk = w.act(t, dispatcher, tk.ID, "dispatch", ticketing.ActionInput{})
		if tk.Unit != "110105-002" || tk.CopyUnit != "110105" || tk.State != ticketing.StateDispatched {
			t.Fatalf("dispatch: unit %s copy %s state %s", tk.Unit, tk.CopyUnit, tk.State)
		}
		// Another street cannot see it; the district copy can read but not act.
		_, err = w.svc.Ticket(w.ctx, zgc, tk.ID)
		wantCode(t, err, hotline.ENOTFOUND)
		_, err = w.svc.Act(w.ctx, zgc, tk.ID, "accept", ticketing.ActionInput{})
		wantCode(t, err, hotline.ENOTFOUND)
		cp, err := w.svc.Ticket(w.ctx, chaoyang, tk.ID)
		if err != nil || cp.ContactNumber != "138****8000" || cp.CitizenName != "张*" {
			t.Fatalf("copy view: %+v %v", cp, err)
		}
		_, err = w.svc.Act(w.ctx, chaoyang, tk.ID, "accept", ticketing.ActionInput{})
		wantCode(t, err, hotline.EFORBIDDEN)

		// The holder sees the number, and the read is recorded.
		own, err := w.svc.Ticket(w.ctx, wangjing, tk.ID)
		if err != nil || own.ContactNumber != "13800138000" {
			t.Fatalf("holder view: %+v %v", own, err)
		}
		acc, err := w.svc.Accesses(w.ctx, supervisor, tk.ID)
		if err != nil || len(acc) != 1 || acc[0].Actor.UserID != "wj1" {
			t.Fatalf("accesses %+v %v", acc, err)
		}
		list, err := w.svc.Tickets(w.ctx, wangjing, ticketing.TicketFilter{Sort: ticketing.SortDeadline})
		if err != nil || len(list) != 1 || list[0].ContactNumber == "13800138000" {
			t.Fatalf("unit list must mask: %+v %v", list, err)
		}

		w.clock.advance(10 * time.Minute)
		tk = w.act(t, wangjing, tk.ID, "accept", ticketing.ActionInput{})
		w.act(t, wangjing, tk.ID, "contact", ticketing.ActionInput{Content: "已电话联系市民，约定明早维修"})
		w.act(t, wangjing, tk.ID, "note", ticketing.ActionInput{Content: "已报修路灯所"})
		tk = w.act(t, wangjing, tk.ID, "reply", ticketing.ActionInput{Outcome: "resolved", Content: "路灯已修复"})
		if tk.State != ticketing.StateReplied || tk.Outcome != ticketing.OutcomeResolved || tk.AcceptLight != ticketing.LightGreen {
			t.Fatalf("reply: %+v", tk)
		}
		tk = w.act(t, dispatcher, tk.ID, "close", ticketing.ActionInput{})
		tk = w.act(t, supervisor, tk.ID, "archive", ticketing.ActionInput{})
		if tk.State != ticketing.StateArchived {
			t.Fatalf("archive: %s", tk.State)
		}
		evs, _ := w.svc.History(w.ctx, admin, tk.ID)
		var actions []string
		for _, e := range evs {
			actions = append(actions, e.Action)
		}
		if got := strings.Join(actions, ","); got != "intake,dispatch,accept,contact,note,reply,close,archive" {
			t.Errorf("history %s", got)
		}
		_, err = w.svc.History(w.ctx, analyst, tk.ID)
		wantCode(t, err, hotline.EFORBIDDEN)
	})
}

func TestReturnAndRedispatch(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		tk := w.intake(t, ticketing.IntakeInput{Category: "city.streetlight", Content: "路灯不亮", Address: "朝阳区望京"})
		tk = w.act(t, dispatcher, tk.ID, "dispatch", ticketing.ActionInput{})
		_, err := w.svc.Act(w.ctx, wangjing, tk.ID, "return", ticketing.ActionInput{})
		wantCode(t, err, hotline.EINVALID) // a return needs a reason
		tk = w.act(t, wangjing, tk.ID, "return", ticketing.ActionInput{Reason: "该路段属中关村街道"})
		if tk.State != ticketing.StateReturned || tk.Returns != 1 {
			t.Fatalf("return: %+v", tk)
		}
		_, err = w.svc.Act(w.ctx, dispatcher, tk.ID, "approve_return", ticketing.ActionInput{Unit: "110105-002"})
		wantCode(t, err, hotline.EINVALID) // not back to the same unit
		tk = w.act(t, dispatcher, tk.ID, "approve_return", ticketing.ActionInput{Unit: "110108-002"})
		if tk.State != ticketing.StateDispatched || tk.Unit != "110108-002" || tk.CopyUnit != "110108" {
			t.Fatalf("re-dispatch: %+v", tk)
		}
		// The first street no longer sees it.
		_, err = w.svc.Ticket(w.ctx, wangjing, tk.ID)
		wantCode(t, err, hotline.ENOTFOUND)
		// A disputed return is rejected: back to the unit, as it was.
		w.act(t, zgc, tk.ID, "accept", ticketing.ActionInput{})
		w.act(t, zgc, tk.ID, "return", ticketing.ActionInput{Reason: "不是我们的"})
		tk = w.act(t, dispatcher, tk.ID, "reject_return", ticketing.ActionInput{Reason: "属地清楚，请办理"})
		if tk.State != ticketing.StateInProgress || tk.Unit != "110108-002" || tk.Returns != 2 {
			t.Fatalf("reject: %+v", tk)
		}
	})
}

func TestExtensionSupervisionPauseReopen(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		tk := w.intake(t, ticketing.IntakeInput{Category: "heating.cold", Content: "暖气不热", Address: "海淀区"})
		tk = w.act(t, heating, tk.ID, "accept", ticketing.ActionInput{})
		due := tk.ReplyDue
		_, err := w.svc.Act(w.ctx, heating, tk.ID, "extend", ticketing.ActionInput{Days: 99, Reason: "x"})
		wantCode(t, err, hotline.EINVALID)
		tk = w.act(t, heating, tk.ID, "extend", ticketing.ActionInput{Days: 3, Reason: "需更换管道"})
		_, err = w.svc.Act(w.ctx, heating, tk.ID, "approve_extension", ticketing.ActionInput{})
		wantCode(t, err, hotline.EFORBIDDEN) // a unit cannot approve its own extension
		tk = w.act(t, supervisor, tk.ID, "approve_extension", ticketing.ActionInput{})
		if !tk.ReplyDue.Equal(due.Add(72*time.Hour)) || tk.Extensions != 1 || tk.PendingExtension != 0 {
			t.Fatalf("extension: due %s (was %s) %+v", tk.ReplyDue, due, tk)
		}
		w.act(t, heating, tk.ID, "extend", ticketing.ActionInput{Days: 2, Reason: "再延"})
		tk = w.act(t, dispatcher, tk.ID, "deny_extension", ticketing.ActionInput{Reason: "不予延期"})
		if tk.Extensions != 1 || tk.PendingExtension != 0 {
			t.Fatalf("deny: %+v", tk)
		}
		tk = w.act(t, supervisor, tk.ID, "supervise", ticketing.ActionInput{Reason: "群众反映强烈"})
		_, err = w.svc.Act(w.ctx, supervisor, tk.ID, "supervise", ticketing.ActionInput{Reason: "again"})
		wantCode(t, err, hotline.ECONFLICT)
		tk = w.act(t, supervisor, tk.ID, "urge", ticketing.ActionInput{Reason: "请加快办理"})
		if !tk.Supervised || tk.Urges != 1 {
			t.Fatalf("supervise/urge: %+v", tk)
		}
		due = tk.ReplyDue
		w.act(t, dispatcher, tk.ID, "pause", ticketing.ActionInput{Reason: "等待业主配合入户"})
		w.clock.advance(5 * time.Hour)
		tk = w.act(t, dispatcher, tk.ID, "resume", ticketing.ActionInput{})
		if !tk.ReplyDue.Equal(due.Add(5 * time.Hour)) {
			t.Fatalf("pause moved reply due to %s, want %s", tk.ReplyDue, due.Add(5*time.Hour))
		}
		w.act(t, heating, tk.ID, "reply", ticketing.ActionInput{Outcome: "unresolved", Content: "管线老化待改造"})
		tk = w.act(t, supervisor, tk.ID, "reopen", ticketing.ActionInput{Reason: "市民不满意"})
		if tk.State != ticketing.StateDispatched || tk.Unit != "soe.heating" || tk.Reopens != 1 || !tk.AcceptedAt.IsZero() {
			t.Fatalf("reopen: %+v", tk)
		}
	})
}

func TestMerge(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		a := w.intake(t, ticketing.IntakeInput{Category: "city.streetlight", Content: "望京西园路灯不亮", Address: "朝阳区望京"})
		b := w.intake(t, ticketing.IntakeInput{Category: "city.streetlight", Content: "望京西园三区路灯坏了", Address: "朝阳区望京"})
		_, err := w.svc.Act(w.ctx, dispatcher, b.ID, "merge", ticketing.ActionInput{Into: string(b.ID)})
		wantCode(t, err, hotline.EINVALID)
		b = w.act(t, dispatcher, b.ID, "merge", ticketing.ActionInput{Into: string(a.ID), Reason: "同一路灯"})
		if b.State != ticketing.StateClosed || b.MergedInto != a.ID || b.Triage != ticketing.TriageMerged {
			t.Fatalf("merged: %+v", b)
		}
		evs, _ := w.svc.History(w.ctx, admin, a.ID)
		if last := evs[len(evs)-1]; last.Action != "merged_from" || !strings.Contains(last.Reason, string(b.ID)) {
			t.Fatalf("survivor history %+v", evs)
		}
		_, err = w.svc.Act(w.ctx, dispatcher, b.ID, "reopen", ticketing.ActionInput{Reason: "x"})
		wantCode(t, err, hotline.ECONFLICT)
	})
}

func TestConcurrentActionsOneWins(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		tk := w.intake(t, ticketing.IntakeInput{Category: "heating.cold", Content: "暖气不热", Address: "海淀区"})
		var wg sync.WaitGroup
		errs := make([]error, 6)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if i%2 == 0 {
					_, errs[i] = w.svc.Act(context.Background(), heating, tk.ID, "accept", ticketing.ActionInput{Version: tk.Version})
				} else {
					_, errs[i] = w.svc.Act(context.Background(), heating, tk.ID, "return", ticketing.ActionInput{Version: tk.Version, Reason: "不属于我们"})
				}
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch hotline.ErrorCode(err) {
			case "":
				won++
			case hotline.ECONFLICT:
				var e *hotline.Error
				if !asError(err, &e) || e.Current == nil {
					t.Errorf("conflict without the current ticket: %v", err)
				} else if cur := e.Current.(*ticketing.Ticket); cur.ContactNumber == "13800138000" {
					t.Errorf("a unit's conflict shows the contact number unmasked")
				}
			default:
				t.Errorf("unexpected error %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d actions won, want exactly 1", won)
		}
		evs, _ := w.svc.History(w.ctx, admin, tk.ID)
		if len(evs) != 3 {
			t.Fatalf("history has %d events, want intake, dispatch and the one winner", len(evs))
		}
	})
}

func TestTransitionNotAllowed(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		tk := w.intake(t, ticketing.IntakeInput{Category: "heating.cold", Content: "暖气不热"})
		_, err := w.svc.Act(w.ctx, heating, tk.ID, "reply", ticketing.ActionInput{Outcome: "resolved", Content: "ok"})
		wantCode(t, err, hotline.ECONFLICT) // must accept first
		_, err = w.svc.Act(w.ctx, admin, tk.ID, "archive", ticketing.ActionInput{})
		wantCode(t, err, hotline.ECONFLICT)
		_, err = w.svc.Act(w.ctx, heating, tk.ID, "fly", ticketing.ActionInput{})
		wantCode(t, err, hotline.ENOTFOUND)
		_, err = w.svc.Act(w.ctx, agent, tk.ID, "accept", ticketing.ActionInput{})
		wantCode(t, err, hotline.EFORBIDDEN)
		cur, _ := w.svc.Ticket(w.ctx, admin, tk.ID)
		if cur.Version != tk.Version {
			t.Fatalf("a refused action changed the ticket: version %d → %d", tk.Version, cur.Version)
		}
	})
}

func TestTriageOutcomes(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		ans := w.intake(t, ticketing.IntakeInput{Type: "consult", Category: "heating.cold", Content: "供暖什么时候开始", Triage: "answered", Reason: "11月15日开始供暖"})
		emg := w.intake(t, ticketing.IntakeInput{Type: "help", Content: "楼道起火", Triage: "emergency", Handoff: "119"})
		nod := w.intake(t, ticketing.IntakeInput{Type: "complaint", Content: "对法院判决不服", Triage: "no_dispatch", Reason: "legal_channel"})
		for _, tk := range []*ticketing.Ticket{ans, emg, nod} {
			if tk.State != ticketing.StateClosed || tk.ClosedAt.IsZero() || tk.Unit != "" {
				t.Errorf("%s: state %s unit %s", tk.Triage, tk.State, tk.Unit)
			}
		}
		if emg.TriageReason != "119" || nod.TriageReason != "legal_channel" {
			t.Errorf("reasons %q %q", emg.TriageReason, nod.TriageReason)
		}
	})
}

func TestBadIntakeWritesNothing(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		lat := 200.0
		cases := map[string]struct {
			in    ticketing.IntakeInput
			field string
		}{
			"unknown category": {ticketing.IntakeInput{Type: "complaint", Category: "nope", Content: "x", ContactNumber: "13800138000"}, "category"},
			"group category":   {ticketing.IntakeInput{Type: "complaint", Category: "heating", Content: "x", ContactNumber: "13800138000"}, "category"},
			"missing contact":  {ticketing.IntakeInput{Type: "complaint", Category: "heating.cold", Content: "x"}, "contact_number"},
			"bad contact":      {ticketing.IntakeInput{Type: "complaint", Category: "heating.cold", Content: "x", ContactNumber: "call me"}, "contact_number"},
			"oversized":        {ticketing.IntakeInput{Type: "complaint", Category: "heating.cold", Content: strings.Repeat("长", 4001), ContactNumber: "13800138000"}, "content"},
			"empty content":    {ticketing.IntakeInput{Type: "complaint", Category: "heating.cold", ContactNumber: "13800138000"}, "content"},
			"bad type":         {ticketing.IntakeInput{Type: "rant", Category: "heating.cold", Content: "x", ContactNumber: "13800138000"}, "type"},
			"bad latitude":     {ticketing.IntakeInput{Type: "complaint", Category: "heating.cold", Content: "x", ContactNumber: "13800138000", Lat: &lat}, "lat"},
			"bad handoff":      {ticketing.IntakeInput{Type: "help", Content: "x", ContactNumber: "13800138000", Triage: "emergency", Handoff: "999"}, "handoff"},
			"no reason":        {ticketing.IntakeInput{Type: "help", Content: "x", ContactNumber: "13800138000", Triage: "no_dispatch"}, "reason"},
			"unknown unit":     {ticketing.IntakeInput{Type: "complaint", Category: "heating.cold", Content: "x", ContactNumber: "13800138000", Unit: "mars"}, "unit"},
		}
		for name, tc := range cases {
			_, _, err := w.svc.Intake(w.ctx, agent, tc.in, ticketing.IdemKey{})
			var e *hotline.Error
			if !asError(err, &e) || e.Code != hotline.EINVALID || e.Fields[tc.field] == "" {
				t.Errorf("%s: error %v, want EINVALID naming %s", name, err, tc.field)
			}
		}
		_, _, err := w.svc.Intake(w.ctx, heating, ticketing.IntakeInput{Type: "complaint", Category: "heating.cold", Content: "x", ContactNumber: "1"}, ticketing.IdemKey{})
		wantCode(t, err, hotline.EFORBIDDEN)
		list, err := w.svc.Tickets(w.ctx, admin, ticketing.TicketFilter{})
		if err != nil || len(list) != 0 {
			t.Fatalf("bad input wrote %d tickets (%v)", len(list), err)
		}
	})
}

func TestIdempotentIntake(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		in := ticketing.IntakeInput{Type: "complaint", Category: "heating.cold", Content: "暖气不热", ContactNumber: "13800138000"}
		a, replay, err := w.svc.Intake(w.ctx, agent, in, ticketing.IdemKey{Key: "k1", Hash: "h1"})
		if err != nil || replay {
			t.Fatal(err, replay)
		}
		b, replay, err := w.svc.Intake(w.ctx, agent, in, ticketing.IdemKey{Key: "k1", Hash: "h1"})
		if err != nil || !replay || b.ID != a.ID {
			t.Fatalf("replay: %v %v %s/%s", err, replay, a.ID, b.ID)
		}
		_, _, err = w.svc.Intake(w.ctx, agent, in, ticketing.IdemKey{Key: "k1", Hash: "other"})
		wantCode(t, err, hotline.ECONFLICT)
		list, _ := w.svc.Tickets(w.ctx, admin, ticketing.TicketFilter{})
		if len(list) != 1 {
			t.Fatalf("%d tickets, want 1", len(list))
		}
	})
}

func TestSweepFiresOnceAcrossRestarts(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		tk := w.intake(t, ticketing.IntakeInput{Category: "heating.cold", Content: "暖气不热"})
		if n, err := w.svc.Sweep(w.ctx); err != nil || n != 0 {
			t.Fatalf("early sweep fired %d (%v)", n, err)
		}
		w.clock.advance(100 * time.Minute) // past 80 % of the 2 h accept clock
		if n, err := w.svc.Sweep(w.ctx); err != nil || n != 1 {
			t.Fatalf("sweep at 100 min fired %d (%v)", n, err)
		}
		// A second server (or a restart) over the same store fires nothing new.
		again := ticketing.NewService(ticketing.Config{}, w.store, w.clock, w.pub, nil)
		if n, err := again.Sweep(w.ctx); err != nil || n != 0 {
			t.Fatalf("restarted sweep fired %d (%v)", n, err)
		}
		w.clock.advance(22 * time.Hour) // accept overdue; contact and reply (24 h each) past 80 %
		if n, err := w.svc.Sweep(w.ctx); err != nil || n != 3 {
			t.Fatalf("sweep at 23 h fired %d (%v)", n, err)
		}
		cur, _ := w.svc.Ticket(w.ctx, admin, tk.ID)
		if cur.AcceptLight != ticketing.LightRed || cur.ContactLight != ticketing.LightYellow || cur.ReplyLight != ticketing.LightYellow {
			t.Fatalf("lights %s %s %s", cur.AcceptLight, cur.ContactLight, cur.ReplyLight)
		}
		if w.pub.count("sla.red") != 1 || w.pub.count("sla.yellow") != 3 {
			t.Fatalf("published red %d yellow %d", w.pub.count("sla.red"), w.pub.count("sla.yellow"))
		}
		list, _ := w.svc.Tickets(w.ctx, supervisor, ticketing.TicketFilter{Light: ticketing.LightYellow})
		if len(list) != 1 {
			t.Fatalf("yellow list has %d", len(list))
		}
		w.clock.advance(2 * time.Hour)
		list, _ = w.svc.Tickets(w.ctx, supervisor, ticketing.TicketFilter{Overdue: true})
		if len(list) != 1 {
			t.Fatalf("overdue list has %d", len(list))
		}
	})
}

func asError(err error, target **hotline.Error) bool {
	return errors.As(err, target)
}
