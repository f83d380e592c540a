package sqlite

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

const helperEnv = "HOTLINE_SQLITE_CRASH_HELPER_DB"

// TestAcknowledgedTicketsSurviveSIGKILL runs a child process that creates
// tickets as fast as it can and prints each id once CreateTicket returns,
// kills it with SIGKILL mid-stream, and checks that every printed ticket is
// in the database.
func TestAcknowledgedTicketsSurviveSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$")
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []hotline.TicketID
	lines := bufio.NewScanner(out)
	for len(acked) < 200 && lines.Scan() {
		acked = append(acked, hotline.TicketID(lines.Text()))
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait() // "signal: killed" is the expected outcome
	if len(acked) < 200 {
		t.Fatalf("helper acknowledged only %d tickets before its output ended", len(acked))
	}

	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("reopen after SIGKILL: %v", err)
	}
	defer db.Close()
	for _, id := range acked {
		if _, err := db.FindTicketByID(t.Context(), id); err != nil {
			t.Fatalf("acknowledged ticket %s lost after SIGKILL: %v", id, err)
		}
	}
}

// TestCrashHelper is the child of TestAcknowledgedTicketsSurviveSIGKILL; on
// its own it does nothing.
func TestCrashHelper(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("only runs as the child of TestAcknowledgedTicketsSurviveSIGKILL")
	}
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// Bounded, in case the parent dies without killing us; a closed pipe
	// also ends the loop.
	for range 100_000 {
		tk := &ticketing.Ticket{Created: time.Now(), Title: "路灯不亮", State: ticketing.StatePendingDispatch}
		ev := []ticketing.Event{{Time: tk.Created, Action: "intake", Actor: hotline.System}}
		if err := db.CreateTicket(ctx, tk, ev, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := fmt.Fprintln(os.Stdout, tk.ID); err != nil {
			return
		}
	}
}
