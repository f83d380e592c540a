package ticketing

import (
	"fmt"
	"testing"

	"github.com/cityhotline/hotline"
)

// BenchmarkAssess: one month of the street tier, 343 streets, 200 000
// callback records (a tenth of the 2-million-record target of the issue).
func BenchmarkAssess(b *testing.B) {
	yn := []YesNo{AnswerYes, AnswerNo, AnswerYes}
	sat := []Satisfaction{Satisfied, BasicallySatisfied, Dissatisfied, Satisfied}
	answers := make([]CallbackAnswers, 200_000)
	for i := range answers {
		answers[i] = CallbackAnswers{
			Ticket: hotline.TicketID(fmt.Sprint(i)), Unit: hotline.UnitID(fmt.Sprint("s-", i%343)),
			Tier: TierStreet, Month: nov, Reached: i%7 != 0,
			Contacted: yn[i%3], Resolved: yn[i/3%3], Satisfaction: sat[i%4],
		}
	}
	cfg := DefaultAssessmentConfig()
	b.ResetTimer()
	for b.Loop() {
		if got := Assess(nov, TierStreet, answers, nil, nil, cfg); len(got) != 343 {
			b.Fatalf("got %d units", len(got))
		}
	}
}
