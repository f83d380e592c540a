package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/api"
	"github.com/cityhotline/hotline/configs"
	"github.com/cityhotline/hotline/ticketing"
)

// BenchmarkPages measures, through the in-process HTTP API, the reads that
// the browser pages make, on a store holding 5,000 open orders of one street
// (建外街道), 5,000 orders awaiting dispatch and 5,000 of other units:
//
//   - unit_queue: the unit portal's work queue, GET /api/v1/tickets?state=
//     dispatched,in_progress&sort=deadline&limit=50 as the street's handler
//     (issue target: ≤ 300 ms);
//   - unit_page: everything the portal reads when it opens (units,
//     categories, the queue, the month's assessment);
//   - dispatch_queue: the console's queue, state=pending_dispatch,returned
//     &sort=dispatch&limit=200;
//   - dispatch_next: the next order after a dispatch, GET /api/v1/tickets/{id}
//     with its history and GET /api/v1/suggest (issue target: ≤ 50 ms);
//   - dispatch_similar: the side panel that follows, the same street and
//     category and the same address in the last 30 days (two list reads).
//
// Each reports p50 and p99 in ms besides ns/op. Set
// HOTLINE_BENCH_DATABASE_URL to run it on PostgreSQL (an empty database);
// otherwise SQLite in a temporary directory.
func BenchmarkPages(b *testing.B) {
	env := pagesEnv(b)
	month := time.Now().In(ticketing.Beijing).Format("2006-01")
	queue := url.Values{"state": {"dispatched,in_progress"}, "sort": {"deadline"}, "limit": {"50"}}
	pending := url.Values{"state": {"pending_dispatch,returned"}, "sort": {"dispatch"}, "limit": {"200"}}
	b.Run("unit_queue", func(b *testing.B) {
		env.measure(b, func(int) { env.get(b, env.unit, "/api/v1/tickets?"+queue.Encode()) })
	})
	b.Run("unit_page", func(b *testing.B) {
		env.measure(b, func(int) {
			env.get(b, env.unit, "/api/v1/units")
			env.get(b, env.unit, "/api/v1/categories")
			env.get(b, env.unit, "/api/v1/tickets?"+queue.Encode())
			env.get(b, env.unit, "/api/v1/assessment?month="+month)
		})
	})
	b.Run("dispatch_queue", func(b *testing.B) {
		env.measure(b, func(int) { env.get(b, env.dispatcher, "/api/v1/tickets?"+pending.Encode()) })
	})
	b.Run("dispatch_next", func(b *testing.B) {
		sugg := url.Values{"category": {"sanitation.streetlight"}, "address": {"北京市朝阳区建外街道光华路12号"}}
		env.measure(b, func(i int) {
			env.get(b, env.dispatcher, "/api/v1/tickets/"+string(env.pending[i%len(env.pending)]))
			env.get(b, env.dispatcher, "/api/v1/suggest?"+sugg.Encode())
		})
	})
	b.Run("dispatch_similar", func(b *testing.B) {
		from := time.Now().AddDate(0, 0, -30).UTC().Format(time.RFC3339)
		street := url.Values{"street": {"110105-001"}, "category": {"sanitation.streetlight"}, "from": {from}, "limit": {"20"}}
		env.measure(b, func(i int) {
			env.get(b, env.dispatcher, "/api/v1/tickets?"+street.Encode())
			addr := url.Values{"q": {fmt.Sprintf("北京市朝阳区建外街道光华路%d号", i%300)}, "from": {from}, "limit": {"20"}}
			env.get(b, env.dispatcher, "/api/v1/tickets?"+addr.Encode())
		})
	})
}

type pagesBench struct {
	srv              *httptest.Server
	client           *http.Client
	unit, dispatcher string // bearer tokens
	pending          []hotline.TicketID
}

var (
	pagesOnce sync.Once
	pagesEnvV *pagesBench
	pagesErr  error
)

// pagesEnv builds the store once per process (the sub-benchmarks and their
// b.N rounds share it).
func pagesEnv(b *testing.B) *pagesBench {
	b.Helper()
	pagesOnce.Do(func() { pagesEnvV, pagesErr = newPagesBench() })
	if pagesErr != nil {
		b.Fatal(pagesErr)
	}
	return pagesEnvV
}

func newPagesBench() (*pagesBench, error) {
	ctx := context.Background()
	cfg := DefaultConfig()
	dir, err := os.MkdirTemp("", "hotline-pages-bench-")
	if err != nil {
		return nil, err
	}
	cfg.DataDir = dir
	cfg.Database.URL = os.Getenv("HOTLINE_BENCH_DATABASE_URL")
	log := slog.New(slog.DiscardHandler)
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	tcfg, err := ticketingConfig(cfg, configs.Reference())
	if err != nil {
		return nil, err
	}
	tickets := ticketing.NewService(tcfg, st, hotline.SystemClock{}, nil, log)
	accounts := account.NewService(account.Config{}, st, hotline.SystemClock{}, log)
	if err := seedReference(ctx, tickets, configs.Reference(), log); err != nil {
		return nil, err
	}
	for _, u := range []account.UserInput{
		{Username: "bench.unit", Name: "建外", Role: "unit", Unit: "110105-001", Password: "bench-password-1"},
		{Username: "bench.disp", Name: "派单", Role: "dispatcher", Password: "bench-password-1"},
	} {
		if _, err := accounts.CreateUser(ctx, hotline.System, u); err != nil && hotline.ErrorCode(err) != hotline.ECONFLICT {
			return nil, err
		}
	}
	pending, err := fillPagesStore(ctx, tickets)
	if err != nil {
		return nil, err
	}
	env := &pagesBench{srv: httptest.NewServer(api.New(api.Config{Location: ticketing.Beijing}, tickets, accounts, log)),
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}, pending: pending}
	for name, tok := range map[string]*string{"bench.unit": &env.unit, "bench.disp": &env.dispatcher} {
		if *tok, _, _, err = accounts.Login(ctx, name, "bench-password-1"); err != nil {
			return nil, err
		}
	}
	return env, nil
}

// fillPagesStore files 5,000 orders for 建外街道 (dispatched by unit
// override), 5,000 awaiting dispatch (the street-light category is not
// dispatched automatically) and 5,000 heating orders (dispatched to the
// heating company), from 8 goroutines.
func fillPagesStore(ctx context.Context, svc *ticketing.Service) ([]hotline.TicketID, error) {
	const each = 5000
	agent := hotline.Actor{UserID: "bench.agent", Name: "话务员", Role: hotline.RoleAgent}
	streets := []string{"光华路", "建国门外大街", "永安里", "建华南路", "秀水街"}
	var (
		n       atomic.Int64
		mu      sync.Mutex
		pending []hotline.TicketID
		first   error
		wg      sync.WaitGroup
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := n.Add(1) - 1
				if i >= 3*each {
					return
				}
				in := ticketing.IntakeInput{Channel: "phone", Type: "complaint", ContactNumber: fmt.Sprintf("138%08d", i),
					Content: fmt.Sprintf("第%d号：路灯不亮，夜间出行不便", i),
					Address: fmt.Sprintf("北京市朝阳区建外街道%s%d号", streets[i%int64(len(streets))], i%300)}
				switch i % 3 {
				case 0:
					in.Category, in.Unit = "sanitation.streetlight", "110105-001"
				case 1:
					in.Category = "sanitation.streetlight"
				case 2:
					in.Category, in.Content = "heating.cold", "家中暖气不热，室温只有十四度"
				}
				t, _, err := svc.Intake(ctx, agent, in, ticketing.IdemKey{})
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				if err == nil && t.State == ticketing.StatePendingDispatch {
					pending = append(pending, t.ID)
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	if len(pending) != each {
		return nil, fmt.Errorf("%d orders await dispatch, want %d", len(pending), each)
	}
	slices.Sort(pending)
	return pending, nil
}

func (e *pagesBench) get(b *testing.B, token, path string) {
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := e.client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
}

// measure runs op b.N times and reports the p50 and p99 of one op in ms.
func (e *pagesBench) measure(b *testing.B, op func(i int)) {
	op(0) // warm the reference-data snapshot and the connection
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		op(i)
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(times)
	q := func(p float64) float64 { return float64(times[int(p*float64(len(times)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.5), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
}
