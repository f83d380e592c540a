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
	"time"

	"github.com/cityhotline/hotline/analytics/hotspot"
)

// hotspotsStderr receives notes about skipped rows; tests replace it.
var hotspotsStderr io.Writer = os.Stderr

const hotspotsUsage = `usage:
  hotlinectl hotspots --csv FILE --text COLUMN --time COLUMN [--top N] [--id COLUMN]
      [--place COLUMN] [--citizen COLUMN] [--support COLUMN] [--window DURATION] [--period DURATION]

--text may name several columns joined by commas (their texts are joined by a newline);
the first of several is the title, which weighs most in what a message is about.
Times: 2019/1/2 10:00:00, 2019-01-02 10:00:00, 2019-01-02T10:00:00, RFC 3339, or a
date alone; times without a zone are read as UTC. Rows whose time does not parse are
listed on stderr and left out. Members are named by --id, or by the 1-based data row.
--window (e.g. 168h) counts back from the last message; the default is the whole file.`

type hotspotsFlags struct {
	csv, text, time, id, place, citizen, support string
	top, minSize                                 int
	window, period                               time.Duration
	samePlace, noPlace                           float64
}

// runHotspots clusters a CSV of messages into hot spots and prints them as JSON.
func runHotspots(ctx context.Context, args []string, stdout io.Writer) error {
	f, err := parseHotspotsFlags(args)
	if err != nil {
		return err
	}
	msgs, err := readHotspotsCSV(f)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	res := hotspot.Find(msgs, hotspot.Config{Window: f.window, Period: f.period, Top: f.top,
		MinSize: f.minSize, SamePlace: f.samePlace, NoPlace: f.noPlace})
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}

func parseHotspotsFlags(args []string) (hotspotsFlags, error) {
	var f hotspotsFlags
	fs := flag.NewFlagSet("hotspots", flag.ContinueOnError)
	fs.SetOutput(hotspotsStderr)
	fs.Usage = func() { fmt.Fprintln(hotspotsStderr, hotspotsUsage); fs.PrintDefaults() }
	fs.StringVar(&f.csv, "csv", "", "CSV file (UTF-8, header row)")
	fs.StringVar(&f.text, "text", "", "text column name(s), comma-separated")
	fs.StringVar(&f.time, "time", "", "time column name")
	fs.StringVar(&f.id, "id", "", "optional: id column name")
	fs.StringVar(&f.place, "place", "", "optional: place column name (community, street)")
	fs.StringVar(&f.citizen, "citizen", "", "optional: citizen column name")
	fs.StringVar(&f.support, "support", "", "optional: support/likes column name")
	fs.IntVar(&f.top, "top", 10, "number of hot spots to print")
	fs.IntVar(&f.minSize, "min-size", 0, "smallest cluster (0: the default, 3)")
	fs.Float64Var(&f.samePlace, "same-place", 0, "similarity linking messages at one place (0: the default)")
	fs.Float64Var(&f.noPlace, "no-place", 0, "similarity linking messages when one names no place (0: the default)")
	fs.DurationVar(&f.window, "window", 0, "window back from the last message (0: whole file)")
	fs.DurationVar(&f.period, "period", 0, "period of counts and alerts (0: a day, or 1/30 of a longer window)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return f, errUsage
		}
		return f, fmt.Errorf("hotspots: %w", err)
	}
	if f.csv == "" || f.text == "" || f.time == "" {
		fs.Usage()
		return f, fmt.Errorf("hotspots: --csv, --text and --time are required")
	}
	if f.top <= 0 {
		return f, fmt.Errorf("hotspots: --top must be positive, got %d", f.top)
	}
	return f, nil
}

// hotspotsColumns are the column indexes of the flags; -1 when not asked for.
type hotspotsColumns struct {
	text                              []int
	time, id, place, citizen, support int
}

func readHotspotsCSV(f hotspotsFlags) ([]hotspot.Message, error) {
	t, err := openTable(f.csv)
	if err != nil {
		return nil, fmt.Errorf("hotspots: %w", err)
	}
	defer t.Close()
	cols, err := hotspotsFindColumns(t, f)
	if err != nil {
		return nil, fmt.Errorf("hotspots: %w", err)
	}
	var msgs []hotspot.Message
	for row := 1; ; row++ {
		rec, err := t.next()
		if errors.Is(err, io.EOF) {
			return msgs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("hotspots: %w", err)
		}
		m, err := hotspotsMessage(rec, row, cols)
		if err != nil {
			fmt.Fprintf(hotspotsStderr, "hotspots: skipped data row %d: %v\n", row, err)
			continue
		}
		msgs = append(msgs, m)
	}
}

func hotspotsFindColumns(t *table, f hotspotsFlags) (hotspotsColumns, error) {
	var c hotspotsColumns
	var err error
	if c.text, err = t.columns("text", f.text); err != nil {
		return c, err
	}
	var errs []error
	for _, x := range []struct {
		flag, name string
		dst        *int
	}{{"time", f.time, &c.time}, {"id", f.id, &c.id}, {"place", f.place, &c.place},
		{"citizen", f.citizen, &c.citizen}, {"support", f.support, &c.support}} {
		var err error
		*x.dst, err = t.column(x.flag, x.name)
		errs = append(errs, err)
	}
	return c, errors.Join(errs...)
}

func hotspotsMessage(rec []string, row int, c hotspotsColumns) (hotspot.Message, error) {
	get := func(i int) string { return field(rec, i) }
	t, err := parseHotspotTime(get(c.time))
	if err != nil {
		return hotspot.Message{}, err
	}
	var parts []string
	for _, i := range c.text {
		if s := get(i); s != "" {
			parts = append(parts, s)
		}
	}
	// With several text columns the first is the title (weighed most).
	m := hotspot.Message{ID: get(c.id), Text: strings.Join(parts, "\n"), Place: get(c.place),
		Citizen: get(c.citizen), Time: t}
	if len(c.text) > 1 {
		m.Title = get(c.text[0])
	}
	if m.ID == "" {
		m.ID = strconv.Itoa(row)
	}
	if s := get(c.support); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return m, fmt.Errorf("support %q is not a whole number", s)
		}
		m.Support = n
	}
	return m, nil
}

// parseHotspotTime reads the common time forms; times without a zone are UTC.
func parseHotspotTime(s string) (time.Time, error) { return parseTime(s, time.UTC) }
