package protocol

import (
	"strconv"
	"testing"
)

// TestPairingKnownBounded: a session whose requests choose ever new ids
// (a million operations) keeps the last maxKnown of them, and their
// replies still wait and follow the client; an older id's reply goes as
// recorded.
func TestPairingKnownBounded(t *testing.T) {
	p := NewPairing(GraphQLTransportWS{})
	sub := func(id string) Message {
		return send(`{"id":"` + id + `","type":"subscribe","payload":{"query":"{a}"}}`)
	}
	const n = 3 * maxKnown
	for i := range n {
		p.Recorded(sub("r" + strconv.Itoa(i)))
		p.Live(sub("l" + strconv.Itoa(i)))
	}
	if len(p.known) > maxKnown || len(p.to) > maxKnown || len(p.order) > maxKnown {
		t.Errorf("known %d, to %d, order %d ids: want at most %d", len(p.known), len(p.to), len(p.order), maxKnown)
	}
	last := receive(`{"id":"r` + strconv.Itoa(n-1) + `","type":"complete"}`)
	if got, want := string(p.Rewrite(last)), `{"id":"l`+strconv.Itoa(n-1)+`","type":"complete"}`; got != want {
		t.Errorf("latest id: got %s, want %s", got, want)
	}
	p.Recorded(sub("fresh"))
	if p.Ready(receive(`{"id":"fresh","type":"complete"}`)) {
		t.Error("a reply to a request not made live yet is ready")
	}
	old := receive(`{"id":"r0","type":"complete"}`)
	if !p.Ready(old) || string(p.Rewrite(old)) != string(old.Data) {
		t.Errorf("a forgotten id's reply: ready %v, %s; want it ready as recorded", p.Ready(old), p.Rewrite(old))
	}
}

// TestPairingRecordedBounded: recorded requests the live client never
// makes are kept up to a bound; past it, a request is not followed (its
// replies go as recorded, never held for good).
func TestPairingRecordedBounded(t *testing.T) {
	p := NewPairing(GraphQLTransportWS{})
	for i := range maxRecorded + 10 {
		p.Recorded(send(`{"id":"r` + strconv.Itoa(i) + `","type":"subscribe","payload":{"query":"{q` + strconv.Itoa(i) + `}"}}`))
	}
	if p.nRec != maxRecorded || len(p.recorded) != maxRecorded {
		t.Errorf("%d recorded requests held under %d Sames, want %d", p.nRec, len(p.recorded), maxRecorded)
	}
	if !p.Ready(receive(`{"id":"r` + strconv.Itoa(maxRecorded+5) + `","type":"next"}`)) {
		t.Error("the reply to a request past the bound is held")
	}
	if p.Ready(receive(`{"id":"r5","type":"next"}`)) {
		t.Error("the reply to a request within the bound is not held")
	}
}
