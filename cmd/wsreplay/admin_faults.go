package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"

	"github.com/wsreplay/wsreplay/fault"
	"github.com/wsreplay/wsreplay/recorder"
)

// faultsHandler serves /faults on record's admin listener: the faults the
// proxy applies to the sessions that open from then on, in the control
// API's fields (latency, bandwidth, stall_at, messages; package fault's
// syntax). GET reads them, PUT replaces them (application/json), DELETE
// removes them. PUT and DELETE are methods a web page cannot send to
// another origin without a CORS preflight, which this listener never
// answers: a page the operator visits cannot turn faults on. All three
// answer connections from this machine (or pod) only, as /recordings/
// does: an --admin listener open to the network for probes and metrics
// must not let the network break the live traffic.
type faultsHandler struct {
	Faults *recorder.Faults
	Log    *slog.Logger
}

// faultsBody is /faults' JSON.
type faultsBody struct {
	Latency   string   `json:"latency,omitempty"`
	Bandwidth string   `json:"bandwidth,omitempty"`
	StallAt   []string `json:"stall_at,omitempty"`
	Messages  []string `json:"messages,omitempty"`
}

func (h *faultsHandler) register(mux *http.ServeMux) {
	mux.Handle("GET /faults", h.local(h.get))
	mux.Handle("PUT /faults", h.local(h.put))
	mux.Handle("DELETE /faults", h.local(func(w http.ResponseWriter, r *http.Request) {
		h.Faults.Set(nil, nil)
		h.Log.Info("live faults removed", "remote", r.RemoteAddr)
		h.get(w, r)
	}))
}

// local answers 403 to a connection from another machine: faults act on
// live traffic.
func (h *faultsHandler) local(fn http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !fromThisMachine(r) {
			h.Log.Warn("refused /faults request from another machine", "remote", r.RemoteAddr, "method", r.Method,
				"hint", "reach it through kubectl port-forward or an SSH tunnel")
			faultsError(w, http.StatusForbidden, "", "/faults answers connections from this machine only (kubectl port-forward, an SSH tunnel)")
			return
		}
		fn(w, r)
	})
}

func (h *faultsHandler) get(w http.ResponseWriter, _ *http.Request) {
	link, rules := h.Faults.Get()
	var b faultsBody
	if link != nil {
		b.Latency = fault.FormatLatency(link.Latency, link.Jitter)
		if link.Bandwidth > 0 {
			b.Bandwidth = fault.FormatBandwidth(link.Bandwidth)
		}
		for _, s := range link.Stalls {
			b.StallAt = append(b.StallAt, s.String())
		}
	}
	for _, r := range rules {
		b.Messages = append(b.Messages, r.String())
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(b)
}

func (h *faultsHandler) put(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		faultsError(w, http.StatusUnsupportedMediaType, "", "send application/json")
		return
	}
	var b faultsBody
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		faultsError(w, http.StatusBadRequest, "", fmt.Sprintf("not a faults object: %v", err))
		return
	}
	link, rules, field, err := b.parse()
	if err != nil {
		faultsError(w, http.StatusBadRequest, field, err.Error())
		return
	}
	h.Faults.Set(link, rules)
	h.Log.Warn("live faults set: new sessions get them", "remote", r.RemoteAddr, "latency", b.Latency,
		"bandwidth", b.Bandwidth, "stall_at", b.StallAt, "messages", b.Messages)
	h.get(w, r)
}

// parse returns the faults b gives, or the field that is wrong.
func (b *faultsBody) parse() (*fault.Link, []*fault.Rule, string, error) {
	var link *fault.Link
	if b.Latency != "" || b.Bandwidth != "" || len(b.StallAt) > 0 {
		link = &fault.Link{}
	}
	var err error
	if b.Latency != "" {
		if link.Latency, link.Jitter, err = fault.ParseLatency(b.Latency); err != nil {
			return nil, nil, "latency", err
		}
	}
	if b.Bandwidth != "" {
		if link.Bandwidth, err = fault.ParseBandwidth(b.Bandwidth); err != nil {
			return nil, nil, "bandwidth", err
		}
	}
	for _, s := range b.StallAt {
		st, err := fault.ParseStall(s)
		if err != nil {
			return nil, nil, "stall_at", err
		}
		link.Stalls = append(link.Stalls, st)
	}
	var rules []*fault.Rule
	for _, m := range b.Messages {
		r, err := fault.ParseRule(m)
		if err != nil {
			return nil, nil, "messages", err
		}
		rules = append(rules, r)
	}
	return link, rules, "", nil
}

func faultsError(w http.ResponseWriter, status int, field, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg, "field": field})
}
