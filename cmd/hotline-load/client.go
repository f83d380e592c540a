package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// client is an authenticated API client for one server.
type client struct {
	base  string
	http  *http.Client
	token string
}

// newClient checks that base is an http URL on a loopback host.
func newClient(base string) (*client, error) {
	if err := checkLoopback(base); err != nil {
		return nil, err
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 1024, IdleConnTimeout: 30 * time.Second}
	return &client{
		base: strings.TrimRight(base, "/"),
		http: &http.Client{Transport: tr, Timeout: 30 * time.Second},
	}, nil
}

// checkLoopback refuses any URL whose host is not a loopback address (or
// "localhost"): load is only ever aimed at this machine.
func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("-url %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("-url %q: want http://HOST:PORT", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-url %q: refusing a non-loopback host; hotline-load only targets 127.0.0.0/8 or ::1", raw)
	}
	return nil
}

// login exchanges the credentials for a bearer token.
func (c *client) login(ctx context.Context, user, password string) error {
	var out struct {
		Token string `json:"token"`
	}
	status, err := c.do(ctx, http.MethodPost, "/api/v1/login", map[string]string{"username": user, "password": password}, &out)
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	if status != http.StatusOK || out.Token == "" {
		return fmt.Errorf("login as %s: status %d", user, status)
	}
	c.token = out.Token
	return nil
}

// do sends a JSON request and decodes a 2xx JSON answer into out (when not
// nil). It returns the status; a transport failure is an error.
func (c *client) do(ctx context.Context, method, path string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 2 && out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
		return resp.StatusCode, nil
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}
