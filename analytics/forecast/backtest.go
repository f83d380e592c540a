package forecast

import (
	"math"
	"time"
)

// MAPEMinCount is the smallest actual count a slot needs to enter the
// MAPE: percentage errors of nearly empty night slots say nothing.
const MAPEMinCount = 5

// Accuracy compares a forecast with what happened. MAPE is the mean of
// |actual − forecast| ÷ actual over the slots whose actual count is at
// least MAPEMinCount (Slots of them); WAPE is Σ|actual − forecast| ÷
// Σ actual over every slot.
type Accuracy struct {
	MAPE  float64
	WAPE  float64
	Slots int
}

// accuracy scores pred against actual (the same length).
func accuracy(actual, pred []float64) Accuracy {
	var ape, absErr, sum float64
	var n int
	for i, a := range actual {
		e := math.Abs(a - pred[i])
		absErr += e
		sum += a
		if a >= MAPEMinCount {
			ape += e / a
			n++
		}
	}
	var acc Accuracy
	if n > 0 {
		acc.MAPE, acc.Slots = ape/float64(n), n
	}
	if sum > 0 {
		acc.WAPE = absErr / sum
	}
	return acc
}

// SeasonalNaive forecasts n half hours from from as the same half hours a
// week earlier in s, and a week before that when the forecast reaches past
// the end of s; 0 where s has no data.
func SeasonalNaive(s Series, from time.Time, n int) Series {
	out := Series{Start: from.Truncate(Slot), Counts: make([]float64, max(n, 0))}
	for i := range out.Counts {
		t := out.At(i)
		for t = t.Add(-7 * 24 * time.Hour); !t.Before(s.End()); t = t.Add(-7 * 24 * time.Hour) {
		}
		if j := int(t.Sub(s.Start) / Slot); !t.Before(s.Start) && j < len(s.Counts) {
			out.Counts[i] = s.Counts[j]
		}
	}
	return out
}

// BacktestWeek is one week forecast from the history before it.
type BacktestWeek struct {
	From  time.Time
	Model Accuracy
	Naive Accuracy
}

// Backtest is how the model and seasonal-naive did over the last weeks of
// a history; Model and Naive pool every week's slots.
type Backtest struct {
	Weeks []BacktestWeek
	Model Accuracy
	Naive Accuracy
}

// RunBacktest forecasts each of the last weeks full weeks of s (ending at
// its last Beijing midnight) from the data before it, with the model and
// with seasonal-naive, and scores both.
func RunBacktest(s Series, weeks int, cfg Config) (*Backtest, error) {
	if weeks < 1 || weeks > 52 {
		return nil, invalid("backtest_weeks", "must be between 1 and 52")
	}
	if !aligned(s.Start) {
		return nil, invalid("start", "the series must start on a half-hour boundary")
	}
	end := midnight(s.End())
	first := end.AddDate(0, 0, -7*weeks)
	if first.Before(nextMidnight(s.Start).AddDate(0, 0, MinHistoryDays)) {
		return nil, invalid("backtest_weeks", "the history is too short for that many weeks")
	}
	bt := &Backtest{}
	var actual, model, naive []float64
	for k := weeks; k >= 1; k-- {
		from := end.AddDate(0, 0, -7*k)
		i := int(from.Sub(s.Start) / Slot)
		past := Series{Start: s.Start, Counts: s.Counts[:i]}
		m, err := Fit(past, cfg)
		if err != nil {
			return nil, err
		}
		act := s.Counts[i : i+SlotsPerWeek]
		mf, nf := m.Forecast(from, SlotsPerWeek), SeasonalNaive(past, from, SlotsPerWeek)
		bt.Weeks = append(bt.Weeks, BacktestWeek{From: from, Model: accuracy(act, mf.Counts), Naive: accuracy(act, nf.Counts)})
		actual, model, naive = append(actual, act...), append(model, mf.Counts...), append(naive, nf.Counts...)
	}
	bt.Model, bt.Naive = accuracy(actual, model), accuracy(actual, naive)
	return bt, nil
}
