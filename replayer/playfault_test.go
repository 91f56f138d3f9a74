package replayer

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/fault"
	"github.com/wsreplay/wsreplay/format"
)

func rules(t *testing.T, specs ...string) []*fault.Rule {
	t.Helper()
	var rs []*fault.Rule
	for _, s := range specs {
		r, err := fault.ParseRule(s)
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	return rs
}

func TestMessageFaults(t *testing.T) {
	evs := []*format.Event{
		msg(100, format.Receive, `{"type":"a"}`), msg(200, format.Receive, `{"type":"tick"}`),
		msg(300, format.Send, `hi`), msg(400, format.Receive, `{"type":"c"}`), msg(500, format.Receive, `{"type":"d"}`),
	}
	tests := []struct {
		rule string
		want []arrival
	}{
		{"drop:$.type==tick", []arrival{{ms(100), `{"type":"a"}`}, {ms(400), `{"type":"c"}`}, {ms(500), `{"type":"d"}`}}},
		{"duplicate:#1", []arrival{{ms(100), `{"type":"a"}`}, {ms(100), `{"type":"a"}`}, {ms(200), `{"type":"tick"}`}, {ms(400), `{"type":"c"}`}, {ms(500), `{"type":"d"}`}}},
		{"delay=250ms:event=tick", []arrival{{ms(100), `{"type":"a"}`}, {ms(400), `{"type":"c"}`}, {ms(450), `{"type":"tick"}`}, {ms(500), `{"type":"d"}`}}},
		{"reorder:@150ms", []arrival{{ms(100), `{"type":"a"}`}, {ms(400), `{"type":"c"}`}, {ms(400), `{"type":"tick"}`}, {ms(500), `{"type":"d"}`}}},
		{"reorder:#5", []arrival{{ms(100), `{"type":"a"}`}, {ms(200), `{"type":"tick"}`}, {ms(400), `{"type":"c"}`}, {ms(500), `{"type":"d"}`}}},
		{"corrupt:$.type==c", []arrival{{ms(100), `{"type":"a"}`}, {ms(200), `{"type":"tick"}`}, {ms(400), `{"type}{`}, {ms(500), `{"type":"d"}`}}},
		{"delay=1s:#5", []arrival{{ms(100), `{"type":"a"}`}, {ms(200), `{"type":"tick"}`}, {ms(400), `{"type":"c"}`}, {ms(1500), `{"type":"d"}`}}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			got, _ := playFake(t, &Server{Faults: rules(t, tt.rule)}, session(evs...), nil, 5*time.Second)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// A corrupted text message is never valid JSON; a binary one is cut.
func TestCorruptBinary(t *testing.T) {
	bin := msg(100, format.Receive, "12345678")
	bin.Opcode = format.Binary
	got, _ := playFake(t, &Server{Faults: rules(t, "corrupt")}, session(bin, msg(200, format.Receive, `{"a":1}`)), nil, time.Second)
	if len(got) != 2 || got[0].text != "1234" || json.Valid([]byte(got[1].text)) {
		t.Fatalf("got %v, want the binary cut to 4 bytes and text that is not JSON", got)
	}
}

// Every fault applied is noted for the API and the timeline.
func TestFaultsNoted(t *testing.T) {
	evs := []*format.Event{msg(100, format.Receive, `{"type":"a"}`), msg(200, format.Receive, `{"type":"tick"}`)}
	var ctl *control
	playFakeCtl(t, &Server{Faults: rules(t, "drop:event=tick")}, session(evs...), nil, &ctl, time.Second)
	ctl.mu.Lock()
	v := ctl.faultsViewLocked()
	ctl.mu.Unlock()
	want := []appliedFault{{Seq: 2, Action: "drop", Fault: "drop:event=tick"}}
	if !slices.Equal(v.Applied, want) || !slices.Equal(v.Messages, []string{"drop:event=tick"}) {
		t.Fatalf("got %+v, want applied %+v", v, want)
	}
}
