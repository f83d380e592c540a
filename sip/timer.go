package sip

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// timerParams is the RFC 4028 session timer agreed for a dialog; zero
// Interval means no timer.
type timerParams struct {
	Interval  time.Duration
	Refresher string // "uac" or "uas"
	require   bool   // the UAC supports timer: put "Require: timer" in 2xx
}

// addTo writes Session-Expires (and Require when the UAC refreshes) into a 2xx.
func (tp timerParams) addTo(res *sip.Response) {
	if tp.Interval <= 0 {
		return
	}
	res.AppendHeader(sip.NewHeader("Session-Expires",
		fmt.Sprintf("%d;refresher=%s", int(tp.Interval.Seconds()), tp.Refresher)))
	if tp.require && tp.Refresher == "uac" {
		res.AppendHeader(sip.NewHeader("Require", "timer"))
	}
}

// ParseSessionExpires reads "1800;refresher=uac" (or the compact "x" form's
// value): the interval and the refresher ("" when absent).
func ParseSessionExpires(v string) (time.Duration, string, error) {
	parts := strings.Split(v, ";")
	secs, err := strconv.Atoi(strings.TrimSpace(parts[0]))
	if err != nil || secs <= 0 || secs > 86400*7 {
		return 0, "", fmt.Errorf("session-expires %q: bad delta-seconds", v)
	}
	refresher := ""
	for _, p := range parts[1:] {
		k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(k, "refresher") {
			refresher = strings.ToLower(strings.TrimSpace(val))
		}
	}
	if refresher != "" && refresher != "uac" && refresher != "uas" {
		return 0, "", fmt.Errorf("session-expires %q: refresher must be uac or uas", v)
	}
	return time.Duration(secs) * time.Second, refresher, nil
}

func headerValue(req *sip.Request, names ...string) string {
	for _, n := range names {
		if h := req.GetHeader(n); h != nil {
			return h.Value()
		}
	}
	return ""
}

func supportsTimer(req *sip.Request) bool {
	for _, h := range append(req.GetHeaders("Supported"), req.GetHeaders("k")...) {
		for _, opt := range strings.Split(h.Value(), ",") {
			if strings.EqualFold(strings.TrimSpace(opt), "timer") {
				return true
			}
		}
	}
	return false
}

// negotiateTimer reads Session-Expires/Min-SE of a new INVITE. It answers 422
// (with our Min-SE) when the interval is too small and returns ok=false.
func (s *Server) negotiateTimer(req *sip.Request, tx sip.ServerTransaction) (timerParams, bool) {
	v := headerValue(req, "Session-Expires", "x")
	if v == "" {
		return timerParams{}, true
	}
	se, refresher, err := ParseSessionExpires(v)
	if err != nil {
		s.refuse(req, tx, RefusedMalformed, sip.StatusBadRequest, "Bad Request", err.Error())
		return timerParams{}, false
	}
	if se < s.cfg.MinSE {
		s.refuse(req, tx, RefusedSessionTime, 422, "Session Interval Too Small", v,
			sip.NewHeader("Min-SE", strconv.Itoa(int(s.cfg.MinSE.Seconds()))))
		return timerParams{}, false
	}
	se = min(se, max(s.cfg.SessionExpires, s.cfg.MinSE))
	if ms, err := strconv.Atoi(strings.TrimSpace(strings.Split(headerValue(req, "Min-SE"), ";")[0])); err == nil {
		se = max(se, time.Duration(ms)*time.Second)
	}
	sup := supportsTimer(req)
	if refresher == "" {
		refresher = "uas"
		if sup {
			refresher = "uac"
		}
	}
	return timerParams{Interval: se, Refresher: refresher, require: sup}, true
}

// timerTx adds the session-timer headers to the 2xx of an INVITE.
type timerTx struct {
	sip.ServerTransaction
	tp timerParams
}

func (t timerTx) Respond(res *sip.Response) error {
	if res.IsSuccess() {
		t.tp.addTo(res)
	}
	return t.ServerTransaction.Respond(res)
}

func (s *Server) wrapTx(tx sip.ServerTransaction, tp timerParams) sip.ServerTransaction {
	if tp.Interval <= 0 {
		return tx
	}
	return timerTx{ServerTransaction: tx, tp: tp}
}

// sessionTimer keeps an answered dialog alive per RFC 4028: as refresher it
// sends a re-INVITE every half interval; otherwise it expects a refresh before
// the interval minus min(32 s, interval/3) and ends the call when none comes.
type sessionTimer struct {
	tp      timerParams
	weDo    bool
	refresh func(ctx context.Context) error
	expire  func()
	kick    chan struct{}
	stopCh  chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
}

func newSessionTimer(tp timerParams, weRefresh bool, refresh func(context.Context) error, expire func()) *sessionTimer {
	return &sessionTimer{tp: tp, weDo: weRefresh, refresh: refresh, expire: expire,
		kick: make(chan struct{}, 1), stopCh: make(chan struct{})}
}

func (t *sessionTimer) start() {
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		t.run()
	}()
}

func (t *sessionTimer) run() {
	for {
		wait := t.tp.Interval - min(32*time.Second, t.tp.Interval/3)
		if t.weDo {
			wait = t.tp.Interval / 2
		}
		timer := time.NewTimer(wait)
		select {
		case <-t.stopCh:
			timer.Stop()
			return
		case <-t.kick:
			timer.Stop()
			continue
		case <-timer.C:
		}
		if !t.weDo || t.sendRefresh() != nil {
			t.expire()
			return
		}
	}
}

func (t *sessionTimer) sendRefresh() error {
	ctx, cancel := context.WithTimeout(context.Background(), 32*time.Second)
	defer cancel()
	go func() {
		select {
		case <-t.stopCh:
			cancel()
		case <-ctx.Done():
		}
	}()
	return t.refresh(ctx)
}

// refreshed restarts the interval (a re-INVITE or UPDATE arrived).
func (t *sessionTimer) refreshed() {
	select {
	case t.kick <- struct{}{}:
	default:
	}
}

func (t *sessionTimer) stop() {
	t.once.Do(func() { close(t.stopCh) })
	t.wg.Wait()
}
