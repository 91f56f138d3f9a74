package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wsreplay/wsreplay/recorder"
)

// The admin listener's /faults sets the live faults: PUT with JSON only,
// bad specs are 400s naming the field, DELETE removes them.
func TestAdminFaults(t *testing.T) {
	f := &recorder.Faults{}
	mux := http.NewServeMux()
	(&faultsHandler{Faults: f, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).register(mux)
	do := func(method, body, ctype string) (int, string) {
		r := httptest.NewRequest(method, "/faults", strings.NewReader(body))
		r.RemoteAddr = "127.0.0.1:5000"
		if ctype != "" {
			r.Header.Set("Content-Type", ctype)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w.Code, strings.TrimSpace(w.Body.String())
	}
	if st, _ := do("PUT", `{"latency":"200ms"}`, "text/plain"); st != 415 {
		t.Errorf("PUT as text/plain: %d, want 415", st)
	}
	if st, _ := do("POST", `{"latency":"200ms"}`, "application/json"); st != 405 {
		t.Errorf("POST: %d, want 405 (a page could send it cross-origin)", st)
	}
	for body, field := range map[string]string{`{"latency":"x"}`: "latency", `{"latency":"0±1300000h"}`: "latency", `{"bandwidth":"NaNKB"}`: "bandwidth", `{"messages":["zap"]}`: "messages", `{"stall_at":["1s"]}`: "stall_at"} {
		if st, got := do("PUT", body, "application/json"); st != 400 || !strings.Contains(got, `"field":"`+field+`"`) {
			t.Errorf("PUT %s: %d %s, want 400 naming %s", body, st, got, field)
		}
	}
	st, got := do("PUT", `{"latency":"200ms±20ms","messages":["delay=200ms:path=/feed"]}`, "application/json")
	if want := `{"latency":"200ms±20ms","messages":["delay=200ms:path=/feed"]}`; st != 200 || got != want {
		t.Fatalf("PUT: %d %s, want %s", st, got, want)
	}
	if link, rules := f.Get(); link == nil || link.Latency.String() != "200ms" || len(rules) != 1 {
		t.Errorf("faults set: %v %v", link, rules)
	}
	if st, got := do("DELETE", "", ""); st != 200 || got != "{}" {
		t.Errorf("DELETE: %d %s", st, got)
	}
	if link, rules := f.Get(); link != nil || rules != nil {
		t.Errorf("after DELETE: %v %v", link, rules)
	}
}

// /faults answers connections from this machine only, as /recordings/
// does: an --admin listener open to the cluster network for probes and
// Prometheus must not let that network read, set or remove the faults on
// live traffic. The others get 403 with one line, and the faults stay.
func TestAdminFaultsLoopbackPeersOnly(t *testing.T) {
	f := &recorder.Faults{}
	mux := http.NewServeMux()
	(&faultsHandler{Faults: f, Log: slog.New(slog.DiscardHandler)}).register(mux)
	do := func(method, remote, body string) (int, string) {
		r := httptest.NewRequest(method, "/faults", strings.NewReader(body))
		r.RemoteAddr = remote
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w.Code, strings.TrimSpace(w.Body.String())
	}
	if st, got := do("PUT", "127.0.0.1:5000", `{"latency":"200ms"}`); st != 200 {
		t.Fatalf("PUT from 127.0.0.1: %d %s, want 200", st, got)
	}
	for _, remote := range []string{"10.1.2.3:5000", "[fd00::1]:5000", "192.168.1.9:80", "[::ffff:10.0.0.1]:1", "0.0.0.0:1", "not an address"} {
		for method, body := range map[string]string{"GET": "", "PUT": `{"messages":["drop"]}`, "DELETE": ""} {
			st, got := do(method, remote, body)
			if st != 403 || !strings.Contains(got, "this machine only") || strings.Contains(got, "200ms") || strings.Count(got, "\n") > 0 {
				t.Errorf("%s /faults from %s: %d %q, want 403 and one line saying why", method, remote, st, got)
			}
		}
	}
	if link, rules := f.Get(); link == nil || link.Latency.String() != "200ms" || rules != nil {
		t.Errorf("faults after the refused requests: %v %v, want latency 200ms alone", link, rules)
	}
	for _, remote := range []string{"[::1]:5000", "[::ffff:127.0.0.1]:5000", "127.0.0.2:1"} {
		if st, got := do("GET", remote, ""); st != 200 || got != `{"latency":"200ms"}` {
			t.Errorf("GET /faults from %s: %d %s, want 200", remote, st, got)
		}
	}
}

// Over a real loopback connection, record's admin listener serves /faults
// (with its Host and JSON rules still in force).
func TestAdminFaultsLoopbackRecord(t *testing.T) {
	_, stderr, _ := startCommand(t, "record", "--upstream", "ws://127.0.0.1:9", "--listen", "127.0.0.1:0",
		"--out", t.TempDir(), "--admin", "127.0.0.1:0")
	m := adminRE.FindStringSubmatch(stderr.String())
	if m == nil || !strings.Contains(stderr.String(), "/faults") {
		t.Fatalf("no admin line naming /faults:\n%s", stderr)
	}
	do := func(method, host, ctype, body string) (int, string) {
		req, _ := http.NewRequest(method, m[1]+"/faults", strings.NewReader(body))
		if host != "" {
			req.Host = host
		}
		req.Header.Set("Content-Type", ctype)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, strings.TrimSpace(string(b))
	}
	for _, c := range []struct {
		method, host, ctype, body string
		want                      int
		got                       string
	}{
		{"PUT", "", "application/json", `{"messages":["drop"]}`, 200, `{"messages":["drop"]}`},
		{"GET", "", "", "", 200, `{"messages":["drop"]}`},
		{"PUT", "rebind.example", "application/json", `{"latency":"1s"}`, 403, ""},
		{"PUT", "", "text/plain", `{"latency":"1s"}`, 415, ""},
		{"DELETE", "", "", "", 200, "{}"},
	} {
		st, got := do(c.method, c.host, c.ctype, c.body)
		if st != c.want || c.got != "" && got != c.got {
			t.Errorf("%s /faults (Host %q, %s): %d %s, want %d %s", c.method, c.host, c.ctype, st, got, c.want, c.got)
		}
	}
}
