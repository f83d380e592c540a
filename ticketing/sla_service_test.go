package ticketing_test

import (
	"sync"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// editedSLA is the default rules with the utility tier's reply at 3 days
// counted in working days and 2026-11-30 (a Monday) a holiday.
func editedSLA(t *testing.T, svc *ticketing.Service) ticketing.SLASettings {
	t.Helper()
	in := svc.SLASettings()
	c := in.Deadlines[ticketing.UrgencyUtility]
	c.Reply = 72 * time.Hour
	in.Deadlines[ticketing.UrgencyUtility] = c
	in.Working[2] = true
	in.Holidays = append(in.Holidays, time.Date(2026, 11, 30, 0, 0, 0, 0, ticketing.Beijing))
	return in
}

// An admin's edit applies to clocks started after it: an order dispatched
// before keeps its deadline, one dispatched after gets the new one (over
// the weekend and the new holiday); the edit is audited and stored, and a
// new service over the same store starts with it.
func TestUpdateSLANewClocksOnly(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		heat := ticketing.IntakeInput{Category: "heating.cold", Content: "暖气不热，室温14度", Address: "北京市海淀区中关村大街27号"}
		before := w.intake(t, heat)
		if want := w.clock.Now().Add(24 * time.Hour); !before.ReplyDue.Equal(want) {
			t.Fatalf("reply due before the edit %s, want %s", before.ReplyDue, want)
		}

		if _, err := w.svc.UpdateSLA(w.ctx, supervisor, editedSLA(t, w.svc)); hotline.ErrorCode(err) != hotline.EFORBIDDEN {
			t.Fatalf("a supervisor's edit: %v, want forbidden", err)
		}
		got, err := w.svc.UpdateSLA(w.ctx, hotline.Actor{UserID: "admin", Name: "管理员", Role: hotline.RoleAdmin}, editedSLA(t, w.svc))
		if err != nil {
			t.Fatal(err)
		}
		if len(got.History) != 1 || got.By != "admin" || !got.Updated.Equal(w.clock.Now()) {
			t.Fatalf("audit %+v by %s at %s", got.History, got.By, got.Updated)
		}
		want := []string{"tiers.utility.reply: 1d → 3d", "working_days.reply: false → true", "holidays: +2026-11-30"}
		if ch := got.History[0].Changes; len(ch) != len(want) || ch[0] != want[0] || ch[1] != want[1] || ch[2] != want[2] {
			t.Fatalf("changes %q, want %q", ch, want)
		}

		// Friday 2026-11-27 09:00: 3 working days skip the weekend and Monday.
		after := w.intake(t, heat)
		if wantDue := time.Date(2026, 12, 3, 9, 0, 0, 0, ticketing.Beijing); !after.ReplyDue.Equal(wantDue) {
			t.Errorf("reply due after the edit %s, want %s", after.ReplyDue.In(ticketing.Beijing), wantDue)
		}
		old, err := w.svc.Ticket(w.ctx, admin, before.ID)
		if err != nil || !old.ReplyDue.Equal(before.ReplyDue) {
			t.Errorf("the running deadline moved: %v → %v (%v)", before.ReplyDue, old.ReplyDue, err)
		}

		// Saving the same rules again changes nothing and audits nothing.
		same, err := w.svc.UpdateSLA(w.ctx, admin, w.svc.SLASettings())
		if err != nil || len(same.History) != 1 {
			t.Fatalf("an unchanged save: %d changes audited, %v", len(same.History), err)
		}

		// A restart: configuration rules first, then the stored ones.
		fresh := ticketing.NewService(ticketing.Config{}, w.store, w.clock, nil, nil)
		if fresh.SLA().Deadlines[ticketing.UrgencyUtility].Reply != 24*time.Hour {
			t.Fatal("a new service does not start from its configuration")
		}
		if ok, err := fresh.LoadSLA(w.ctx); !ok || err != nil {
			t.Fatalf("load stored rules: %v %v", ok, err)
		}
		s := fresh.SLASettings()
		if s.Deadlines[ticketing.UrgencyUtility].Reply != 72*time.Hour || !s.Working[2] || len(s.Holidays) != 1 || len(s.History) != 1 {
			t.Errorf("loaded rules %+v", s)
		}
		if !fresh.SLA().Calendar.Holiday(time.Date(2026, 11, 30, 12, 0, 0, 0, ticketing.Beijing)) {
			t.Error("the loaded calendar has not got the holiday")
		}

		// A later release ships a calendar with 2026 and 2027: the admin
		// edited 2026, so 2026 stays the admin's; 2027 comes from the release.
		day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, ticketing.Beijing) }
		shipped := ticketing.DefaultSLA()
		shipped.Calendar = ticketing.NewCalendar([]time.Time{day(2026, 10, 1), day(2027, 1, 1)}, []time.Time{day(2027, 2, 7)})
		release := ticketing.NewService(ticketing.Config{SLA: shipped}, w.store, w.clock, nil, nil)
		if ok, err := release.LoadSLA(w.ctx); !ok || err != nil {
			t.Fatalf("load stored rules over a new release's calendar: %v %v", ok, err)
		}
		cal := release.SLA().Calendar
		if !cal.Holiday(day(2026, 11, 30)) || cal.Holiday(day(2026, 10, 1)) {
			t.Error("2026 is not the admin's: want 11-30 a holiday and the release's 10-01 not")
		}
		if !cal.Holiday(day(2027, 1, 1)) || !cal.Workday(day(2027, 2, 7)) {
			t.Error("the release's 2027 days are missing")
		}
	})
}

// Bad rules are refused with the field named, and nothing changes.
func TestUpdateSLARefusesBadRules(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		in := w.svc.SLASettings()
		c := in.Deadlines[ticketing.UrgencyOrdinary]
		c.Reply = time.Hour // shorter than first contact (24 h)
		in.Deadlines[ticketing.UrgencyOrdinary] = c
		in.WarnAt = 1
		_, err := w.svc.UpdateSLA(w.ctx, admin, in)
		he, ok := err.(*hotline.Error)
		if !ok || he.Code != hotline.EINVALID || he.Fields["tiers.ordinary.reply"] == "" || he.Fields["warn_at"] == "" {
			t.Fatalf("bad rules: %v", err)
		}
		if got := w.svc.SLA(); got.Deadlines[ticketing.UrgencyOrdinary].Reply != 7*24*time.Hour || got.WarnAt != 0.8 {
			t.Errorf("refused rules were applied: %+v", got)
		}
		if st, err := w.store.(ticketing.SLAStore).FindSLASettings(w.ctx); st != nil || err != nil {
			t.Errorf("refused rules were stored: %+v %v", st, err)
		}
	})
}

// Readers running while the admin edits: intake and the calendar's users
// see one set of rules or the other (run under -race).
func TestUpdateSLAWhileReadersRun(t *testing.T) {
	w := newWorld(t, stores(t)["sqlite"](t))
	cal := w.svc.SLA().Calendar
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				s := w.svc.SLA()
				r := s.Deadlines[ticketing.UrgencyUtility].Reply
				if r != 24*time.Hour && r != 72*time.Hour {
					t.Errorf("utility reply %v is neither the old nor the new rule", r)
					return
				}
				cal.Add(w.clock.Now(), 48*time.Hour, true)
				cal.Holiday(w.clock.Now())
				_ = cal.Holidays()
			}
		})
	}
	for i := range 20 {
		in := editedSLA(t, w.svc)
		if i%2 == 1 {
			in = w.svc.SLASettings()
			c := in.Deadlines[ticketing.UrgencyUtility]
			c.Reply = 24 * time.Hour
			in.Deadlines[ticketing.UrgencyUtility] = c
			in.Holidays = nil
		}
		if _, err := w.svc.UpdateSLA(w.ctx, admin, in); err != nil {
			t.Fatal(err)
		}
		w.intake(t, ticketing.IntakeInput{Category: "heating.cold", Content: "暖气不热，室温14度", Address: "北京市海淀区中关村大街27号"})
	}
	close(stop)
	wg.Wait()
	if h := w.svc.SLASettings().History; len(h) != 20 {
		t.Errorf("%d changes audited, want 20", len(h))
	}
}

// Lowering the warning threshold turns a running clock yellow at the next
// sweep, not at the moment the old threshold had scheduled: the change
// brings every pending check forward.
func TestUpdateSLARechecksRunningClocks(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		tk := w.intake(t, ticketing.IntakeInput{Category: "heating.cold", Content: "暖气不热"})
		w.clock.advance(70 * time.Minute) // 58 % of the 2 h accept clock: green at 80 %
		if n, err := w.svc.Sweep(w.ctx); err != nil || n != 0 {
			t.Fatalf("sweep at 70 min fired %d (%v)", n, err)
		}
		in := w.svc.SLASettings()
		in.WarnAt = 0.5
		if _, err := w.svc.UpdateSLA(w.ctx, admin, in); err != nil {
			t.Fatal(err)
		}
		if n, err := w.svc.Sweep(w.ctx); err != nil || n != 1 {
			t.Fatalf("sweep after the threshold fell to 50 %% fired %d (%v), want the accept clock", n, err)
		}
		cur, err := w.svc.Ticket(w.ctx, admin, tk.ID)
		if err != nil || cur.AcceptLight != ticketing.LightYellow || cur.ContactLight != ticketing.LightGreen {
			t.Fatalf("lights %s %s (%v), want accept yellow, contact green", cur.AcceptLight, cur.ContactLight, err)
		}
		if !cur.AcceptDue.Equal(tk.AcceptDue) {
			t.Errorf("the accept deadline moved: %v → %v", tk.AcceptDue, cur.AcceptDue)
		}
	})
}
