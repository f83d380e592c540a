package call

import (
	"testing"

	"github.com/cityhotline/hotline/ticketing"
)

func TestCallResult(t *testing.T) {
	cases := []struct {
		res  SurveyResult
		want ticketing.CallResult
	}{
		{SurveyResult{End: SurveyCompleted, Reached: true}, ticketing.ResultAnswered},
		{SurveyResult{End: SurveyTransferred, Reached: true}, ticketing.ResultAnswered},
		{SurveyResult{End: SurveyHangup, Reached: true}, ticketing.ResultHungUp},
		{SurveyResult{End: SurveyBusy}, ticketing.ResultBusy},
		{SurveyResult{End: SurveyNoAnswer}, ticketing.ResultNoAnswer},
		{SurveyResult{End: SurveyUnreachable}, ticketing.ResultUnreachable},
		{SurveyResult{End: SurveyFailed}, ticketing.ResultFailed},
		{SurveyResult{End: SurveyFailed, Reached: true}, ticketing.ResultHungUp}, // answers kept, no second call
	}
	for _, c := range cases {
		if got := callResult(c.res); got != c.want {
			t.Errorf("callResult(%s, reached %v) = %s, want %s", c.res.End, c.res.Reached, got, c.want)
		}
	}
}

func TestApplyAnswer(t *testing.T) {
	r := &ticketing.CallbackRecord{}
	for _, a := range [][2]string{{"q1", "yes"}, {"q2", "no"}, {"q3", "dissatisfied"}} {
		if !applyAnswer(r, a[0], a[1]) {
			t.Fatalf("applyAnswer(%s) refused", a[0])
		}
	}
	if applyAnswer(r, "q4", "yes") {
		t.Error("an unknown question was applied")
	}
	if r.Contacted != ticketing.AnswerYes || r.Resolved != ticketing.AnswerNo || r.Satisfaction != ticketing.Dissatisfied {
		t.Errorf("record %+v", r)
	}
}
