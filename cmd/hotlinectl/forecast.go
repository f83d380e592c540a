package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing/fstest"
	"time"

	"github.com/cityhotline/hotline/analytics/forecast"
	"github.com/cityhotline/hotline/configs"
	"github.com/cityhotline/hotline/ticketing"
)

// forecastStderr takes the usage text; tests replace it.
var forecastStderr io.Writer = os.Stderr

// forecastFlags are the flags of `hotlinectl forecast`.
type forecastFlags struct {
	csv, timeCol, countCol, until, calendar string
	in                                      forecast.PlanInput
}

func parseForecastFlags(args []string) (*forecastFlags, error) {
	ff := &forecastFlags{}
	fs := flag.NewFlagSet("forecast", flag.ContinueOnError)
	fs.SetOutput(forecastStderr)
	fs.StringVar(&ff.csv, "csv", "", "CSV file with a header row (required)")
	fs.StringVar(&ff.timeCol, "time", "", "column with the call's arrival time, or the half hour's start with --count (required)")
	fs.StringVar(&ff.countCol, "count", "", "column with a count per row (pre-counted rows); without it every row is one call")
	fs.StringVar(&ff.until, "until", "", "end of the history (exclusive), RFC 3339 or YYYY-MM-DD; default: the midnight after the last row")
	fs.StringVar(&ff.calendar, "calendar", "", "holiday calendar YAML (the shape of configs/reference/calendar.yaml) for years the shipped one lacks; default: the shipped one")
	fs.IntVar(&ff.in.Days, "days", 14, "days to forecast (1-28)")
	fs.DurationVar(&ff.in.Staffing.AHT, "aht", forecast.DefaultAHT, "average handle time (talk + wrap-up)")
	fs.Float64Var(&ff.in.Staffing.Target, "target", forecast.DefaultTarget, "service level: fraction answered within --within")
	fs.DurationVar(&ff.in.Staffing.Within, "within", forecast.DefaultWithin, "service level threshold")
	fs.Float64Var(&ff.in.Staffing.Shrinkage, "shrinkage", forecast.DefaultShrinkage, "fraction of paid time off the phones")
	fs.IntVar(&ff.in.BacktestWeeks, "backtest-weeks", 4, "weeks to backtest (1-12)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: hotlinectl forecast --csv FILE --time COLUMN [--count COLUMN] [--days 14] [--aht 240s] "+
			"[--target 0.8] [--within 15s] [--shrinkage 0.3] [--backtest-weeks 4] [--until DATE] [--calendar FILE]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, errUsage
	}
	if ff.csv == "" || ff.timeCol == "" {
		fs.Usage()
		return nil, errUsage
	}
	return ff, nil
}

// runForecast bins a CSV of calls per half hour (Beijing time), fits the
// model and prints the backtest, the forecast and the staffing plan as
// JSON (forecast.Report).
func runForecast(ctx context.Context, args []string, stdout io.Writer) error {
	ff, err := parseForecastFlags(args)
	if err != nil {
		return err
	}
	cal, err := forecastCalendar(ff.calendar)
	if err != nil {
		return err
	}
	hist, err := readForecastCSV(ff)
	if err != nil {
		return err
	}
	plan, err := forecast.NewPlan(hist, forecast.Config{Calendar: cal}, ff.in)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(plan.Report(cal))
}

// forecastCalendar is the holiday calendar of path, or the shipped one in
// configs/ when path is empty.
func forecastCalendar(path string) (*ticketing.Calendar, error) {
	fsys := configs.Reference()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("--calendar: %w", err)
		}
		fsys = fstest.MapFS{configs.CalendarFile: &fstest.MapFile{Data: b}}
	}
	hol, work, err := configs.LoadCalendar(fsys)
	if err != nil {
		return nil, fmt.Errorf("load the calendar: %w", err)
	}
	return ticketing.NewCalendar(hol, work), nil
}

// readForecastCSV reads the CSV into counts per half hour from the first
// row's midnight to --until (default: the midnight after the last row).
func readForecastCSV(ff *forecastFlags) (forecast.Series, error) {
	tb, err := openTable(ff.csv)
	if err != nil {
		return forecast.Series{}, err
	}
	defer tb.Close()
	times, counts, err := readForecastRows(tb, ff.timeCol, ff.countCol)
	if err != nil {
		return forecast.Series{}, fmt.Errorf("%s: %w", ff.csv, err)
	}
	if len(times) == 0 {
		return forecast.Series{}, fmt.Errorf("%s: no rows", ff.csv)
	}
	first, last := times[0], times[0]
	for _, t := range times {
		if t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	from := forecastMidnight(first)
	to := forecastMidnight(last).AddDate(0, 0, 1)
	if ff.until != "" {
		if to, err = parseForecastTime(ff.until); err != nil {
			return forecast.Series{}, fmt.Errorf("--until: %w", err)
		}
	}
	s := forecast.Bin(nil, from, to)
	for i, t := range times {
		if !t.Before(from) && t.Before(to) {
			s.Counts[int(t.Sub(from)/forecast.Slot)] += counts[i]
		}
	}
	return s, nil
}

// readForecastRows reads the time column (and the count column, else 1 per row).
func readForecastRows(tb *table, timeCol, countCol string) ([]time.Time, []float64, error) {
	ti, err := tb.column("time", timeCol)
	if err != nil {
		return nil, nil, err
	}
	ci, err := tb.column("count", countCol)
	if err != nil {
		return nil, nil, err
	}
	var times []time.Time
	var counts []float64
	for line := 2; ; line++ {
		rec, err := tb.next()
		if errors.Is(err, io.EOF) {
			return times, counts, nil
		}
		if err != nil {
			return nil, nil, err
		}
		t, c, err := forecastRow(rec, ti, ci)
		if err != nil {
			return nil, nil, fmt.Errorf("line %d: %w", line, err)
		}
		times, counts = append(times, t), append(counts, c)
	}
}

func forecastRow(rec []string, ti, ci int) (time.Time, float64, error) {
	if ti >= len(rec) || (ci >= 0 && ci >= len(rec)) {
		return time.Time{}, 0, errors.New("too few fields")
	}
	t, err := parseForecastTime(rec[ti])
	if err != nil {
		return time.Time{}, 0, err
	}
	if ci < 0 {
		return t, 1, nil
	}
	c, err := strconv.ParseFloat(strings.TrimSpace(rec[ci]), 64)
	if err != nil || c < 0 {
		return time.Time{}, 0, fmt.Errorf("count %q is not a count", rec[ci])
	}
	return t, c, nil
}

// parseForecastTime reads a time; without a zone it is Beijing time.
func parseForecastTime(s string) (time.Time, error) { return parseTime(s, ticketing.Beijing) }

func forecastMidnight(t time.Time) time.Time {
	y, m, d := t.In(ticketing.Beijing).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, ticketing.Beijing)
}
