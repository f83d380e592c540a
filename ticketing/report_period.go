package ticketing

import (
	"fmt"
	"time"

	"github.com/cityhotline/hotline"
)

// ReportKind is the cadence of a report: 日报告, 周分析 or 月通报.
type ReportKind string

// Report kinds.
const (
	ReportDaily   ReportKind = "daily"   // noon to noon, Beijing time
	ReportWeekly  ReportKind = "weekly"  // Monday 00:00 to Monday 00:00
	ReportMonthly ReportKind = "monthly" // the calendar month
)

// ReportKinds lists every kind.
var ReportKinds = []ReportKind{ReportDaily, ReportWeekly, ReportMonthly}

func (k ReportKind) String() string { return string(k) }

// ParseReportKind parses a report kind.
func ParseReportKind(s string) (ReportKind, error) { return parseEnum("kind", s, ReportKinds) }

// Period is the window [From, To) one report covers, in Beijing time.
type Period struct {
	Kind     ReportKind
	From, To time.Time
}

// ReportPeriod returns the period of the kind's report for a Beijing date
// (only its year, month and day are read, in Beijing time): the daily report
// of day D covers D−1 12:00 to D 12:00; the weekly one the Monday-to-Monday
// week holding D; the monthly one D's calendar month.
func ReportPeriod(kind ReportKind, day time.Time) Period {
	b := day.In(Beijing)
	midnight := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, Beijing)
	switch kind {
	case ReportDaily:
		noon := midnight.Add(12 * time.Hour)
		return Period{Kind: kind, From: noon.AddDate(0, 0, -1), To: noon}
	case ReportWeekly:
		monday := midnight.AddDate(0, 0, -((int(b.Weekday()) + 6) % 7))
		return Period{Kind: kind, From: monday, To: monday.AddDate(0, 0, 7)}
	default:
		first := time.Date(b.Year(), b.Month(), 1, 0, 0, 0, 0, Beijing)
		return Period{Kind: ReportMonthly, From: first, To: first.AddDate(0, 1, 0)}
	}
}

// Day is the date that names the period: the report day (the noon the
// daily window ends at), the week's Monday or the month's first day.
func (p Period) Day() time.Time {
	if p.Kind == ReportDaily {
		return p.To.In(Beijing).Add(-12 * time.Hour)
	}
	return p.From.In(Beijing)
}

// Label names the period: 2026-11-27, week of 2026-11-23, or 2026-11.
func (p Period) Label() string {
	if p.Kind == ReportMonthly {
		return p.From.In(Beijing).Format("2006-01")
	}
	return p.Day().Format(time.DateOnly)
}

// Previous is the period just before p (环比).
func (p Period) Previous() Period {
	return ReportPeriod(p.Kind, p.From.Add(-time.Nanosecond))
}

// LastYear is the same period a year earlier (同比): the same report day,
// the same month, or the week holding the same date as this week's
// Thursday (so the weeks match as ISO week numbers do).
func (p Period) LastYear() Period {
	day := p.Day()
	if p.Kind == ReportWeekly {
		day = day.AddDate(0, 0, 3)
	}
	return ReportPeriod(p.Kind, day.AddDate(-1, 0, 0))
}

// Step is the width of one point of the period's volume line: an hour for
// a daily report, a day otherwise.
func (p Period) Step() time.Duration {
	if p.Kind == ReportDaily {
		return time.Hour
	}
	return 24 * time.Hour
}

// Buckets is how many Steps the period holds.
func (p Period) Buckets() int { return int(p.To.Sub(p.From) / p.Step()) }

// Report schedule (Beijing time): the daily report at 12:05 of its day, the
// weekly on Monday 08:00 for the week that just ended, the monthly on the
// 1st 08:00 for the month that just ended.
const (
	dailyAt  = 12*time.Hour + 5*time.Minute
	periodAt = 8 * time.Hour
)

// DueAt is when the scheduled report of p is generated.
func (p Period) DueAt() time.Time {
	if p.Kind == ReportDaily {
		return p.To.Add(dailyAt - 12*time.Hour)
	}
	return p.To.Add(periodAt)
}

// LatestDue returns the newest period of kind whose report was due at or
// before now.
func LatestDue(kind ReportKind, now time.Time) Period {
	p := ReportPeriod(kind, now)
	for !p.DueAt().After(now) {
		p = p.next()
	}
	for p.DueAt().After(now) {
		p = p.Previous()
	}
	return p
}

// next is the period just after p.
func (p Period) next() Period { return ReportPeriod(p.Kind, p.To.Add(12*time.Hour)) }

// NextDue returns the first period of kind whose report falls due after now.
func NextDue(kind ReportKind, now time.Time) Period { return LatestDue(kind, now).next() }

// ParseReportDay parses a YYYY-MM-DD date as a Beijing day; field names the
// input in the error.
func ParseReportDay(field, s string) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, s, Beijing)
	if err != nil {
		return time.Time{}, hotline.Errorf(hotline.EINVALID, "%s %q is not a date", field, s).WithField(field, "must be YYYY-MM-DD")
	}
	return d, nil
}

func (p Period) String() string {
	return fmt.Sprintf("%s %s", p.Kind, p.Label())
}
