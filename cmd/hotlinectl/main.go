// Command hotlinectl is the hotline's administration and data tool: it
// trains and evaluates the category classifier, mines hot spots from a
// CSV, forecasts call volume and staffing, and fills a store with
// realistic generated records for benchmarks.
//
//	hotlinectl classify train --csv FILE --text COLUMN --label COLUMN --model OUT
//	hotlinectl classify eval  --csv FILE --text COLUMN --label COLUMN --model MODEL
//	hotlinectl classify cv    --csv FILE --text COLUMN --label COLUMN [--folds 5]
//	hotlinectl hotspots --csv FILE --text COLUMN --time COLUMN --top N
//	hotlinectl forecast ...
//	hotlinectl seed ...
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand: it parses its own flags from args and writes
// its result to stdout.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout io.Writer) error
}

// errUsage marks an error whose message is the usage text.
var errUsage = errors.New("usage")

func commands() map[string]command {
	return map[string]command{
		"classify": {"train, evaluate or cross-validate the category classifier on a labelled CSV", runClassify},
		"hotspots": {"cluster a CSV of messages into ranked hot spots (JSON)", runHotspots},
		"forecast": {"forecast calls per half hour and the Erlang C staffing plan", runForecast},
		"seed":     {"fill a store with years of realistic generated records", runSeed},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "hotlinectl:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr, cmds)
		return errUsage
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "hotlinectl: unknown command %q\n", args[0])
		usage(stderr, cmds)
		return errUsage
	}
	return c.run(ctx, args[1:], stdout)
}

func usage(w io.Writer, cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "usage: hotlinectl COMMAND [flags]   (hotlinectl COMMAND -h for its flags)")
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, cmds[n].summary)
	}
}
