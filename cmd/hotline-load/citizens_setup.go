package main

// With -setup N the citizens subcommand makes its own work: N heating
// requests from N different numbers, filed by an agent and accepted,
// contacted and replied to by the heating unit, so that N satisfaction
// callbacks fall due together (the server's callback.delay later). After
// the calls it reads every ticket's stored answers back and reports what
// survived: the benchmark's "no answer lost".

import (
	"context"
	"fmt"
	"net/http"
	"sync"
)

// surveyAccounts are the accounts -setup uses (the demo accounts by default).
type surveyAccounts struct {
	url                       string
	agent, unit, supervisor   string
	password                  string
	category, address, prefix string
}

// SurveyCheck is what the server stored for the set-up tickets.
type SurveyCheck struct {
	Tickets       int            `json:"tickets"`
	CallbacksDone int            `json:"callbacks_done"`
	AllThree      int            `json:"all_three_answers"`
	Valid         int            `json:"valid"`
	Recorded      int            `json:"with_recording"`
	Other         map[string]int `json:"other,omitempty"`
}

// fileReplied files n requests and has the unit reply to each; it returns
// their numbers.
func fileReplied(ctx context.Context, a surveyAccounts, n int) ([]string, error) {
	agent, err := loggedIn(ctx, a.url, a.agent, a.password)
	if err != nil {
		return nil, err
	}
	unit, err := loggedIn(ctx, a.url, a.unit, a.password)
	if err != nil {
		return nil, err
	}
	ids := make([]string, n)
	errs := make([]error, n)
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			ids[i], errs[i] = fileOne(ctx, a, agent, unit, i)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return ids, nil
}

func fileOne(ctx context.Context, a surveyAccounts, agent, unit *client, i int) (string, error) {
	var tk struct {
		ID   string `json:"id"`
		Unit string `json:"unit"`
	}
	body := map[string]string{"type": "complaint", "category": a.category, "title": "暖气不热",
		"content": fmt.Sprintf("家里暖气不热，室温只有14度（回访压测 %d）", i), "address": fmt.Sprintf(a.address, i+1),
		"contact_number": fmt.Sprintf("%s%08d", a.prefix, i)}
	if st, err := agent.do(ctx, http.MethodPost, "/api/v1/tickets", body, &tk); err != nil || st != http.StatusCreated {
		return "", fmt.Errorf("file request %d: status %d, %v", i, st, err)
	}
	for _, step := range []struct {
		action string
		body   map[string]string
	}{
		{"accept", map[string]string{}},
		{"contact", map[string]string{"content": "已电话联系市民"}},
		{"reply", map[string]string{"outcome": "resolved", "content": "已派人维修，暖气恢复"}},
	} {
		if st, err := unit.do(ctx, http.MethodPost, "/api/v1/tickets/"+tk.ID+"/"+step.action, step.body, nil); err != nil || st != http.StatusOK {
			return "", fmt.Errorf("%s %s (held by %q): status %d, %v", step.action, tk.ID, tk.Unit, st, err)
		}
	}
	return tk.ID, nil
}

// checkAnswers reads each ticket's callbacks and answers back.
func checkAnswers(ctx context.Context, a surveyAccounts, ids []string) (SurveyCheck, error) {
	sup, err := loggedIn(ctx, a.url, a.supervisor, a.password)
	if err != nil {
		return SurveyCheck{}, err
	}
	out := SurveyCheck{Tickets: len(ids), Other: map[string]int{}}
	for _, id := range ids {
		var r struct {
			Callbacks []struct {
				State string `json:"state"`
			} `json:"callbacks"`
			Answers []struct {
				Reached      bool    `json:"reached"`
				Contacted    *bool   `json:"contacted"`
				Resolved     *bool   `json:"resolved"`
				Satisfaction *string `json:"satisfaction"`
				Manual       bool    `json:"manual"`
				Recording    string  `json:"recording"`
				Valid        bool    `json:"valid"`
			} `json:"answers"`
		}
		if st, err := sup.do(ctx, http.MethodGet, "/api/v1/tickets/"+id+"/callback", nil, &r); err != nil || st != http.StatusOK {
			return out, fmt.Errorf("callbacks of %s: status %d, %v", id, st, err)
		}
		if len(r.Callbacks) == 1 && r.Callbacks[0].State == "done" {
			out.CallbacksDone++
		}
		if len(r.Answers) != 1 || r.Answers[0].Manual {
			out.Other[fmt.Sprintf("%d answer records", len(r.Answers))]++
			continue
		}
		ans := r.Answers[0]
		if ans.Reached && isTrue(ans.Contacted) && isTrue(ans.Resolved) && ans.Satisfaction != nil && *ans.Satisfaction == "satisfied" {
			out.AllThree++
		}
		if ans.Valid {
			out.Valid++
		}
		if ans.Recording != "" {
			out.Recorded++
		}
	}
	return out, nil
}

func isTrue(b *bool) bool { return b != nil && *b }

func loggedIn(ctx context.Context, url, user, password string) (*client, error) {
	c, err := newClient(url)
	if err != nil {
		return nil, err
	}
	return c, c.login(ctx, user, password)
}
