package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/analytics/classify"
	"github.com/cityhotline/hotline/ticketing"
)

// pagedTickets serves n tickets through FindTickets pages; every fifth
// has no category. Other Store methods are not used.
type pagedTickets struct {
	ticketing.Store
	n       int
	offsets []int
}

func (p *pagedTickets) FindTickets(_ context.Context, f ticketing.TicketFilter) ([]*ticketing.Ticket, error) {
	p.offsets = append(p.offsets, f.Offset)
	var out []*ticketing.Ticket
	for i := f.Offset; i < min(p.n, f.Offset+f.Limit); i++ {
		t := &ticketing.Ticket{Title: fmt.Sprint("标题", i), Content: "内容", Category: hotline.CategoryID(fmt.Sprint("c", i%3))}
		if i%5 == 0 {
			t.Category = ""
		}
		out = append(out, t)
	}
	return out, nil
}

func TestTicketExamples(t *testing.T) {
	st := &pagedTickets{n: 2500}
	ex, err := ticketExamples{st}.Examples(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ex) != 2000 || fmt.Sprint(st.offsets) != "[0 1000 2000]" {
		t.Errorf("%d examples from offsets %v", len(ex), st.offsets)
	}
	if ex[0].Text != "标题1\n内容" || ex[0].Label != "c1" {
		t.Errorf("first example %+v", ex[0])
	}
}

func TestStartClassifierModelFile(t *testing.T) {
	m, err := classify.Train([]classify.Example{{Text: "暖气不热", Label: "heating"}, {Text: "拖欠工资", Label: "wages"}}, classify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.model")
	f, _ := os.Create(path)
	if err := m.Save(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	log := slog.New(slog.DiscardHandler)
	svc, stop, err := startClassifier(context.Background(), ClassifierConfig{Model: path}, nil, log)
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if got, _ := svc.Suggest(context.Background(), "暖气", 1); len(got) != 1 || got[0].Label != "heating" {
		t.Errorf("suggestions %v", got)
	}
	os.WriteFile(path, []byte("junk"), 0o644)
	if _, _, err := startClassifier(context.Background(), ClassifierConfig{Model: path}, nil, log); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("bad model file: %v", err)
	}
}

func TestStartClassifierTrainsFromStore(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	svc, stop, err := startClassifier(ctx, ClassifierConfig{}, &pagedTickets{n: 10}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	stop() // ends the goroutine whether or not it trained (10 tickets are too few)
	if svc.Model() != nil {
		t.Errorf("trained on 8 examples")
	}
}
