package ticketing

import (
	"fmt"
	"time"

	"github.com/cityhotline/hotline"
)

// Month is a calendar month in Beijing time: the period of an assessment
// (考评月). The zero Month is "no month".
type Month struct {
	Year  int
	Month time.Month
}

// MonthOf returns the Beijing month that t falls in.
func MonthOf(t time.Time) Month {
	b := t.In(Beijing)
	return Month{Year: b.Year(), Month: b.Month()}
}

// String formats m as YYYY-MM.
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

// ParseMonth parses YYYY-MM.
func ParseMonth(s string) (Month, error) {
	t, err := time.ParseInLocation("2006-01", s, Beijing)
	if err != nil {
		return Month{}, hotline.Errorf(hotline.EINVALID, "bad month %q", s).WithField("month", "must be YYYY-MM")
	}
	return MonthOf(t), nil
}

// Key is the month as the number YYYYMM, the form stores index it by.
func (m Month) Key() int { return m.Year*100 + int(m.Month) }

// MonthOfKey is the inverse of Key; 0 (and any key without a month 1-12)
// is the zero Month.
func MonthOfKey(k int) Month {
	if k <= 0 || k%100 < 1 || k%100 > 12 {
		return Month{}
	}
	return Month{Year: k / 100, Month: time.Month(k % 100)}
}

// Start is the first instant of m in Beijing time.
func (m Month) Start() time.Time { return time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, Beijing) }

// End is the first instant after m (exclusive bound).
func (m Month) End() time.Time { return m.Start().AddDate(0, 1, 0) }

// Previous is the month before m: the one movement is measured against.
func (m Month) Previous() Month { return MonthOf(m.Start().AddDate(0, -1, 0)) }

// Contains reports whether t falls in m (Beijing time).
func (m Month) Contains(t time.Time) bool { return MonthOf(t) == m }

// YesNo is a callback answer to a yes/no question (1 是 / 2 否).
type YesNo string

// Yes/no answers. The zero value "" means the same as unknown.
const (
	AnswerYes     YesNo = "yes"
	AnswerNo      YesNo = "no"
	AnswerUnknown YesNo = "unknown" // not asked, not answered, or unclear
)

// YesNos lists every yes/no answer.
var YesNos = []YesNo{AnswerYes, AnswerNo, AnswerUnknown}

func (a YesNo) String() string { return string(a) }

// ParseYesNo parses a yes/no answer.
func ParseYesNo(s string) (YesNo, error) { return parseEnum("answer", s, YesNos) }

// Clear reports whether the citizen gave a definite answer.
func (a YesNo) Clear() bool { return a == AnswerYes || a == AnswerNo }

// Satisfaction is the answer to "are you satisfied?" (对办理结果是否满意).
type Satisfaction string

// Satisfaction answers. The zero value "" means the same as unknown.
const (
	Satisfied           Satisfaction = "satisfied"    // 满意
	BasicallySatisfied  Satisfaction = "basically"    // 基本满意
	Dissatisfied        Satisfaction = "dissatisfied" // 不满意
	SatisfactionUnknown Satisfaction = "unknown"      // not asked, not answered, or unclear
)

// Satisfactions lists every satisfaction answer.
var Satisfactions = []Satisfaction{Satisfied, BasicallySatisfied, Dissatisfied, SatisfactionUnknown}

func (s Satisfaction) String() string { return string(s) }

// ParseSatisfaction parses a satisfaction answer.
func ParseSatisfaction(s string) (Satisfaction, error) {
	return parseEnum("satisfaction", s, Satisfactions)
}

// Clear reports whether the citizen gave a definite answer.
func (s Satisfaction) Clear() bool {
	return s == Satisfied || s == BasicallySatisfied || s == Dissatisfied
}

// Class is a unit's monthly class in the ranking (先进类 / 进步类 / 整改类 /
// 治理类). The empty class means none.
type Class string

// Classes of the monthly ranking.
const (
	ClassNone       Class = ""
	ClassAdvanced   Class = "advanced"   // 先进类: top of the tier by score
	ClassImproved   Class = "improved"   // 进步类: climbed enough places since last month
	ClassRectify    Class = "rectify"    // 整改类: bottom of the tier by score
	ClassGovernance Class = "governance" // 治理类: streets/towns with the most complaints
)

// Classes lists every class a unit can be given (ClassNone excluded).
var Classes = []Class{ClassAdvanced, ClassImproved, ClassRectify, ClassGovernance}

func (c Class) String() string { return string(c) }

// ParseClass parses a class name.
func ParseClass(s string) (Class, error) { return parseEnum("class", s, Classes) }

// CallbackAnswers is one satisfaction callback (回访) of a ticket, valid or
// not, as the assessment sees it: who it counts for, when, and what the
// citizen said. Answers not given (a hang-up after question 2) stay unknown.
type CallbackAnswers struct {
	Ticket   hotline.TicketID
	Unit     hotline.UnitID // the unit assessed: the one that handled the ticket
	Tier     Tier           // the unit's tier
	Month    Month          // the month it counts in: MonthOf(CalledAt)
	CalledAt time.Time      // when the callback was made; orders a ticket's callbacks

	Reached      bool // 接通: the citizen was reached (not busy, no answer, wrong number)
	Contacted    YesNo
	Resolved     YesNo
	Satisfaction Satisfaction

	// Excluded: the ticket left the assessment by an approved
	// unreasonable-request claim (不合理诉求) or an approved assessment
	// appeal (考核申诉).
	Excluded bool
}

// OpinionClear reports whether all three questions got a definite answer
// (意见明确).
func (c *CallbackAnswers) OpinionClear() bool {
	return c.Contacted.Clear() && c.Resolved.Clear() && c.Satisfaction.Clear()
}

// Valid reports whether the callback counts in the three rates (有效回访).
// The rule: the citizen was reached, the opinion is clear — all three
// questions answered with a definite option, none unknown — and the ticket is
// not excluded by an approved claim or appeal. A citizen who hangs up after
// question 2 gives an invalid callback: the partial answers stay on the
// ticket but do not move the unit's rates.
func (c *CallbackAnswers) Valid() bool {
	return c.Reached && c.OpinionClear() && !c.Excluded
}
