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
	for body, field := range map[string]string{`{"latency":"x"}`: "latency", `{"messages":["zap"]}`: "messages", `{"stall_at":["1s"]}`: "stall_at"} {
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
