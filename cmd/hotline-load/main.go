// Command hotline-load drives a running hotline server over its HTTP API and
// reports throughput and latency as JSON. It only talks to loopback
// addresses and stops after -n requests or -duration, whichever comes first.
//
//	hotline-load tickets -url http://127.0.0.1:8080 -user admin -password X -n 20000 -c 32
//	hotline-load queue   -url http://127.0.0.1:8080 -user admin -password X -unit UNIT -n 2000 -c 4
//	hotline-load calls   -target sip:12345@127.0.0.1:5060 -rate 100 -n 2000 -c 1000 -hold 3s
//	hotline-load desk    -url http://127.0.0.1:8080 -password X -agents 2000 -active 100 -talk 10s
//	hotline-load citizens -listen 127.0.0.1:5090 -expect 100
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "hotline-load:", err)
		os.Exit(2)
	}
}

const usage = `usage: hotline-load tickets|queue|calls|desk|citizens [flags]
  tickets  file tickets (and dispatch those left pending) as fast as -c workers can
  queue    read a unit's work queue repeatedly
` + callsUsage + `
` + deskUsage + `
` + citizensUsage + `
run "hotline-load SUBCOMMAND -h" for the flags`

// options are the flags shared by the subcommands.
type options struct {
	url        string
	user       string
	password   string
	n          int
	c          int
	duration   time.Duration
	categories string
	unit       string
	seed       int64
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	sub := args[0]
	switch sub {
	case "calls":
		return runCalls(ctx, args[1:], out)
	case "desk":
		return runDesk(ctx, args[1:], out)
	case "citizens":
		return runCitizens(ctx, args[1:], out)
	}
	if sub != "tickets" && sub != "queue" {
		return fmt.Errorf("unknown subcommand %q\n%s", sub, usage)
	}
	o, err := parseFlags(sub, args[1:])
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	cl, err := newClient(o.url)
	if err != nil {
		return err
	}
	if err := cl.login(ctx, o.user, o.password); err != nil {
		return err
	}
	var rep Report
	if sub == "tickets" {
		rep = runTickets(ctx, cl, o)
	} else {
		rep = runQueue(ctx, cl, o)
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

func parseFlags(sub string, args []string) (options, error) {
	fs := flag.NewFlagSet(sub, flag.ContinueOnError)
	var o options
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8080", "server base URL (loopback only)")
	fs.StringVar(&o.user, "user", "admin", "account to log in as")
	fs.StringVar(&o.password, "password", os.Getenv("HOTLINE_ADMIN_PASSWORD"), "its password (default $HOTLINE_ADMIN_PASSWORD)")
	fs.IntVar(&o.c, "c", 32, "concurrent workers")
	fs.DurationVar(&o.duration, "duration", 5*time.Minute, "stop after this long even if -n is not reached")
	fs.Int64Var(&o.seed, "seed", 1, "seed of the generated ticket texts")
	if sub == "tickets" {
		fs.IntVar(&o.n, "n", 20000, "tickets to file")
		fs.StringVar(&o.categories, "categories", "heating.cold,sanitation.streetlight,property.service",
			"comma-separated category ids to cycle through")
	} else {
		fs.IntVar(&o.n, "n", 2000, "queue reads")
		fs.StringVar(&o.unit, "unit", "", "unit whose queue to read (required)")
	}
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	return o, o.check(sub)
}

func (o options) check(sub string) error {
	switch {
	case o.n <= 0 || o.n > 10_000_000:
		return fmt.Errorf("-n %d: want 1..10000000", o.n)
	case o.c <= 0 || o.c > 1024:
		return fmt.Errorf("-c %d: want 1..1024", o.c)
	case o.duration <= 0:
		return fmt.Errorf("-duration %v: must be positive", o.duration)
	case o.password == "":
		return errors.New("-password is required (or set HOTLINE_ADMIN_PASSWORD)")
	case sub == "queue" && o.unit == "":
		return errors.New("-unit is required")
	case sub == "tickets" && len(splitList(o.categories)) == 0:
		return errors.New("-categories must name at least one category")
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
