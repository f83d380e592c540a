package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/api"
	"github.com/cityhotline/hotline/configs"
	"github.com/cityhotline/hotline/metrics"
	"github.com/cityhotline/hotline/ticketing"
)

// BenchmarkIntakeHTTP files tickets through the whole in-process server
// (HTTP, JSON, auth, intake, triage, catalogue dispatch, store) from
// parallel clients: the create + triage + dispatch path of the issue's
// throughput target. Set HOTLINE_BENCH_DATABASE_URL to run it on
// PostgreSQL; otherwise SQLite in a temporary directory.
func BenchmarkIntakeHTTP(b *testing.B) {
	ctx := context.Background()
	cfg := DefaultConfig()
	cfg.DataDir = b.TempDir()
	cfg.Database.URL = os.Getenv("HOTLINE_BENCH_DATABASE_URL")
	log := slog.New(slog.DiscardHandler)
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	tcfg, err := ticketingConfig(cfg, configs.Reference())
	if err != nil {
		b.Fatal(err)
	}
	mon := metrics.New(prometheus.NewRegistry())
	tickets := ticketing.NewService(tcfg, st, hotline.SystemClock{}, mon.Publisher(), log)
	accounts := account.NewService(account.Config{}, st, hotline.SystemClock{}, log)
	if err := seedReference(ctx, tickets, configs.Reference(), log); err != nil {
		b.Fatal(err)
	}
	if _, err := accounts.Bootstrap(ctx, "bench-admin-pw"); err != nil && hotline.ErrorCode(err) != hotline.ECONFLICT {
		b.Fatal(err)
	}
	srv := httptest.NewServer(mon.HTTPMiddleware(api.New(api.Config{}, tickets, accounts, log)))
	defer srv.Close()
	token, _, _, err := accounts.Login(ctx, "admin", "bench-admin-pw")
	if err != nil {
		b.Fatal(err)
	}
	streets := []string{"朝阳区建外街道光华路", "海淀区中关村街道科学院南路", "东城区东华门街道", "西城区金融街街道", "丰台区方庄地区"}
	var n atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		cl := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
		for pb.Next() {
			i := n.Add(1)
			body, _ := json.Marshal(map[string]string{"channel": "phone", "type": "complaint", "category": "heating.cold",
				"contact_number": fmt.Sprintf("138%08d", i), "content": "家中暖气不热，室温只有十四度，老人孩子受不了",
				"address": fmt.Sprintf("北京市%s%d号", streets[i%int64(len(streets))], i%200)})
			req, _ := http.NewRequest("POST", srv.URL+"/api/v1/tickets", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := cl.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
}
