package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// runTickets files o.n tickets with o.c workers. A ticket that the catalogue
// did not dispatch on intake (state pending_dispatch) is dispatched at once.
func runTickets(ctx context.Context, cl *client, o options) Report {
	rec := newRecorder()
	cats := splitList(o.categories)
	var next atomic.Int64
	work(ctx, o.c, func(worker int) {
		gen := newGenerator(o.seed+int64(worker), cats)
		for ctx.Err() == nil && next.Add(1) <= int64(o.n) {
			fileTicket(ctx, cl, rec, gen.ticket())
		}
	})
	return rec.report("tickets")
}

type created struct {
	ID    string `json:"id"`
	State string `json:"state"`
}

func fileTicket(ctx context.Context, cl *client, rec *recorder, body ticketBody) {
	var t created
	start := time.Now()
	status, err := cl.do(ctx, http.MethodPost, "/api/v1/tickets", body, &t)
	if ctx.Err() != nil {
		return // cut off by -duration: neither a success nor the server's fault
	}
	if err != nil && status == 0 {
		rec.add(0, 0)
		return
	}
	rec.add(status, time.Since(start))
	if status != http.StatusCreated || t.State != "pending_dispatch" {
		return
	}
	start = time.Now()
	status, err = cl.do(ctx, http.MethodPost, "/api/v1/tickets/"+url.PathEscape(t.ID)+"/dispatch", struct{}{}, nil)
	if ctx.Err() != nil {
		return
	}
	if err != nil && status == 0 {
		rec.add(0, 0)
		return
	}
	rec.add(status, time.Since(start))
	if status/100 == 2 {
		rec.addDispatched()
	}
}

// runQueue reads a unit's work queue o.n times with o.c workers.
func runQueue(ctx context.Context, cl *client, o options) Report {
	rec := newRecorder()
	path := "/api/v1/tickets?" + url.Values{
		"unit":  {o.unit},
		"state": {"dispatched,in_progress"},
		"sort":  {"deadline"},
		"limit": {"50"},
	}.Encode()
	var next atomic.Int64
	work(ctx, o.c, func(int) {
		for ctx.Err() == nil && next.Add(1) <= int64(o.n) {
			start := time.Now()
			status, err := cl.do(ctx, http.MethodGet, path, nil, nil)
			if ctx.Err() != nil {
				return
			}
			if err != nil && status == 0 {
				rec.add(0, 0)
				continue
			}
			rec.add(status, time.Since(start))
		}
	})
	return rec.report("queue")
}

// work runs f on n goroutines and waits for all of them.
func work(ctx context.Context, n int, f func(worker int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { f(i) })
	}
	wg.Wait()
}

// ticketBody is the intake request the generator produces.
type ticketBody struct {
	Channel       string `json:"channel"`
	CallerNumber  string `json:"caller_number"`
	ContactNumber string `json:"contact_number"`
	Type          string `json:"type"`
	Category      string `json:"category"`
	Title         string `json:"title"`
	Content       string `json:"content"`
	Address       string `json:"address"`
}

// generator makes varied, plausible requests: districts, streets,
// categories and wording change from one ticket to the next.
type generator struct {
	rnd  *rand.Rand
	cats []string
	n    int
}

func newGenerator(seed int64, cats []string) *generator {
	return &generator{rnd: rand.New(rand.NewPCG(uint64(seed), 12345)), cats: cats}
}

var places = []struct{ district, street string }{
	{"朝阳区", "建外街道"}, {"朝阳区", "望京街道"}, {"海淀区", "中关村街道"}, {"海淀区", "学院路街道"},
	{"东城区", "东华门街道"}, {"西城区", "金融街街道"}, {"丰台区", "方庄街道"}, {"通州区", "永顺镇"},
	{"昌平区", "回龙观街道"}, {"大兴区", "亦庄镇"},
}

var matters = map[string][]string{
	"heating.cold":           {"暖气不热，室温只有十四度", "暖气片冰凉，家里有老人", "供暖温度不达标，已经一周了"},
	"sanitation.streetlight": {"路灯不亮，晚上出行不安全", "路灯白天一直亮着，浪费电", "路灯杆倾斜，存在安全隐患"},
	"property.service":       {"物业不作为，楼道垃圾无人清理", "电梯坏了物业不修", "物业乱收停车费"},
}

var types = []string{"complaint", "complaint", "help", "report", "suggestion"}

func (g *generator) ticket() ticketBody {
	g.n++
	cat := g.cats[g.n%len(g.cats)]
	p := places[g.rnd.IntN(len(places))]
	what := pick(g.rnd, matters[cat], "有问题需要处理")
	community := fmt.Sprintf("%s%d号院", []string{"幸福", "和平", "光明", "阳光", "金地"}[g.rnd.IntN(5)], 1+g.rnd.IntN(30))
	phone := fmt.Sprintf("1380013%04d", g.rnd.IntN(10000))
	return ticketBody{
		Channel:       "phone",
		CallerNumber:  phone,
		ContactNumber: phone,
		Type:          types[g.rnd.IntN(len(types))],
		Category:      cat,
		Title:         p.street + community + prefix(what, 8),
		Content:       fmt.Sprintf("%s%s%s，%s，请尽快处理。（%d）", p.district, p.street, community, what, g.n),
		Address:       fmt.Sprintf("北京市%s%s%s%d号楼", p.district, p.street, community, 1+g.rnd.IntN(20)),
	}
}

// prefix returns the first n characters (not bytes) of s.
func prefix(s string, n int) string {
	r := []rune(s)
	return string(r[:min(n, len(r))])
}

func pick(r *rand.Rand, options []string, fallback string) string {
	if len(options) == 0 {
		return fallback
	}
	return options[r.IntN(len(options))]
}
