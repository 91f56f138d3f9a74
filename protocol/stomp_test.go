package protocol

import (
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// TestSTOMPRecognize: by subprotocol, or with none by a first client
// frame CONNECT or STOMP.
func TestSTOMPRecognize(t *testing.T) {
	connect := send("CONNECT\naccept-version:1.2\nhost:localhost\nheart-beat:1000,1000\n\n\x00")
	tests := []struct {
		name string
		o    Opening
		want bool
	}{
		{"v12.stomp", Opening{Subprotocol: "v12.stomp"}, true},
		{"v11.stomp", Opening{Subprotocol: "v11.stomp"}, true},
		{"v10.stomp", Opening{Subprotocol: "v10.stomp"}, true},
		{"CONNECT frame", Opening{First: []Message{connect}}, true},
		{"STOMP frame with CRLF", Opening{First: []Message{send("STOMP\r\naccept-version:1.2\r\n\r\n\x00")}}, true},
		{"server speaks first", Opening{First: []Message{receive("hi"), connect}}, true},
		{"another subprotocol", Opening{Subprotocol: "mqtt", First: []Message{connect}}, false},
		{"CONNECT without its NUL", Opening{First: []Message{send("CONNECT\nhost:a\n\n")}}, false},
		{"first client frame is a SEND", Opening{First: []Message{send("SEND\ndestination:/a\n\nx\x00"), connect}}, false},
		{"text that starts with CONNECT", Opening{First: []Message{send("CONNECT me please\n\n\x00")}}, false},
		{"nothing", Opening{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (STOMP{}).Recognize(tt.o); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if p := Set(nil).Detect(Opening{Subprotocol: "v12.stomp"}); p == nil || p.Name() != "stomp" {
		t.Errorf("Default() detected %v, want stomp", p)
	}
}

// TestSTOMPDescribe: command, destination, the id that ties frames
// together, and heart-beats; secrets in headers are not shown.
func TestSTOMPDescribe(t *testing.T) {
	tests := []struct {
		name string
		m    Message
		want Description
	}{
		{"connect hides the passcode", send("CONNECT\naccept-version:1.2\nlogin:me\npasscode:secret\nheart-beat:1000,1000\n\n\x00"),
			Description{Kind: "CONNECT", Summary: "CONNECT accept-version:1.2 heart-beat:1000,1000"}},
		{"subscribe", send("SUBSCRIBE\nid:sub-0\ndestination:/topic/prices\nreceipt:r-1\n\n\x00"),
			Description{Kind: "SUBSCRIBE", Channel: "/topic/prices", ID: "r-1", Summary: "SUBSCRIBE /topic/prices id:sub-0 receipt:r-1"}},
		{"message with body", receive("MESSAGE\ndestination:/topic/prices\nmessage-id:7\nsubscription:sub-0\ncontent-length:5\n\nhello\x00\n"),
			Description{Kind: "MESSAGE", Channel: "/topic/prices", ID: "sub-0", Summary: "MESSAGE /topic/prices subscription:sub-0 message-id:7 hello"}},
		{"receipt", receive("RECEIPT\r\nreceipt-id:r-1\r\n\r\n\x00"),
			Description{Kind: "RECEIPT", ID: "r-1", Summary: "RECEIPT receipt-id:r-1"}},
		{"escaped destination", send("SEND\ndestination:/a\\cb\\\\c\\n\n\nx\x00"),
			Description{Kind: "SEND", Channel: "/a:b\\c\n", Summary: "SEND /a:b\\c\n x"}},
		{"connect has no escapes", receive("CONNECTED\nversion:1.2\nserver:a\\cb\n\n\x00"),
			Description{Kind: "CONNECTED", Summary: "CONNECTED version:1.2"}},
		{"first of a repeated header", receive("MESSAGE\nsubscription:a\nsubscription:b\n\n\x00"),
			Description{Kind: "MESSAGE", ID: "a", Summary: "MESSAGE subscription:a"}},
		{"two frames", receive("RECEIPT\nreceipt-id:1\n\n\x00RECEIPT\nreceipt-id:2\n\n\x00"),
			Description{Kind: "RECEIPT", ID: "1", Summary: "RECEIPT receipt-id:1 +1 frames"}},
		{"body with a NUL by content-length", receive("MESSAGE\ncontent-length:3\n\na\x00b\x00"),
			Description{Kind: "MESSAGE", Summary: "MESSAGE a\x00b"}},
		{"LF heart-beat", send("\n"), Description{Kind: "heart-beat", Heartbeat: true, Summary: "heart-beat"}},
		{"CRLF heart-beat", receive("\r\n"), Description{Kind: "heart-beat", Heartbeat: true, Summary: "heart-beat"}},
		{"empty message", receive(""), Description{}},
		{"not stomp", receive("hello\n\n\x00"), Description{}},
		{"header without colon", receive("MESSAGE\nbad\n\n\x00"), Description{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (STOMP{}).Describe(tt.m); got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestSTOMPHeartbeat: the server beats every max(sx, cy) ms when both the
// CONNECTED frame's sx and the CONNECT frame's cy are above zero.
func TestSTOMPHeartbeat(t *testing.T) {
	connect := func(hb string) Message { return send("CONNECT\naccept-version:1.2\nheart-beat:" + hb + "\n\n\x00") }
	connected := func(hb string) Message { return receive("CONNECTED\nversion:1.2\nheart-beat:" + hb + "\n\n\x00") }
	tests := []struct {
		name  string
		first []Message
		want  time.Duration // 0: none
	}{
		{"both 1000", []Message{connect("1000,1000"), connected("1000,1000")}, time.Second},
		{"client wants slower", []Message{connect("0,5000"), connected("2000,0")}, 5 * time.Second},
		{"server can only slower", []Message{connect("0,1000"), connected("4000,0")}, 4 * time.Second},
		{"client wants none", []Message{connect("1000,0"), connected("1000,1000")}, 0},
		{"server sends none", []Message{connect("1000,1000"), connected("0,1000")}, 0},
		{"no CONNECTED yet", []Message{connect("1000,1000")}, 0},
		{"no heart-beat header", []Message{send("STOMP\naccept-version:1.2\n\n\x00"), connected("1000,1000")}, 0},
		{"unreadable", []Message{connect("x,1000"), connected("1000,1000")}, 0},
		{"huge is capped", []Message{connect("0,99999999999"), connected("1,0")}, 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, ok := STOMP{}.SendHeartbeat(Opening{Subprotocol: "v12.stomp", First: tt.first})
			if ok != (tt.want != 0) || b.Interval != tt.want {
				t.Fatalf("got %v, %v; want %v", b.Interval, ok, tt.want)
			}
			if ok && (string(b.Message.Data) != "\n" || b.Message.Dir != format.Receive) {
				t.Errorf("beat %+v", b.Message)
			}
		})
	}
	var _ HeartbeatSender = STOMP{}
	if _, ok := any(STOMP{}).(HeartbeatReplier); ok {
		t.Error("STOMP answers the client's beats; they need no answer")
	}
}

// TestSTOMPPairing: a RECEIPT waits for the live frame that asked for it,
// MESSAGEs for the live SUBSCRIBE, and both carry the live client's ids,
// escaped as STOMP 1.2 says.
func TestSTOMPPairing(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
	}{
		{"subscription and receipt", []step{
			{op: "rec", msg: "SUBSCRIBE\nid:sub-0\ndestination:/topic/a\nreceipt:r-1\n\n\x00"},
			{op: "reply", msg: "RECEIPT\nreceipt-id:r-1\n\n\x00", ready: false},
			{op: "reply", msg: "MESSAGE\ndestination:/topic/a\nsubscription:sub-0\nmessage-id:1\n\nhi\x00", ready: false},
			{op: "live", msg: "SUBSCRIBE\nid:sub-5\ndestination:/topic/a\nreceipt:r-9\n\n\x00"},
			{op: "reply", msg: "RECEIPT\nreceipt-id:r-1\n\n\x00", ready: true, want: "RECEIPT\nreceipt-id:r-9\n\n\x00"},
			{op: "reply", msg: "MESSAGE\r\ndestination:/topic/a\r\nsubscription:sub-0\r\nmessage-id:1\r\n\r\nhi\x00", ready: true,
				want: "MESSAGE\r\ndestination:/topic/a\r\nsubscription:sub-5\r\nmessage-id:1\r\n\r\nhi\x00"},
		}},
		{"disconnect receipt waits for the live DISCONNECT", []step{
			{op: "rec", msg: "SUBSCRIBE\nid:0\ndestination:/a\n\n\x00"},
			{op: "rec", msg: "DISCONNECT\nreceipt:close-1\n\n\x00"},
			{op: "live", msg: "SUBSCRIBE\nid:0\ndestination:/a\n\n\x00"},
			{op: "reply", msg: "RECEIPT\nreceipt-id:close-1\n\n\x00", ready: false},
			{op: "live", msg: "DISCONNECT\nreceipt:close-2\n\n\x00"},
			{op: "reply", msg: "RECEIPT\nreceipt-id:close-1\n\n\x00", ready: true, want: "RECEIPT\nreceipt-id:close-2\n\n\x00"},
		}},
		{"destinations tell requests apart", []step{
			{op: "rec", msg: "SUBSCRIBE\nid:1\ndestination:/a\n\n\x00"},
			{op: "rec", msg: "SUBSCRIBE\nid:2\ndestination:/b\n\n\x00"},
			{op: "live", msg: "SUBSCRIBE\nid:x\ndestination:/b\n\n\x00"},
			{op: "reply", msg: "MESSAGE\nsubscription:1\n\n\x00", ready: false},
			{op: "reply", msg: "MESSAGE\nsubscription:2\n\n\x00", ready: true, want: "MESSAGE\nsubscription:x\n\n\x00"},
		}},
		{"live id escaped", []step{
			{op: "rec", msg: "SEND\ndestination:/a\nreceipt:1\n\nx\x00"},
			{op: "live", msg: "SEND\ndestination:/a\nreceipt:a\\cb\\nc\\\\\n\nx\x00"},
			{op: "reply", msg: "ERROR\nreceipt-id:1\nmessage:no\n\n\x00", ready: true, want: "ERROR\nreceipt-id:a\\cb\\nc\\\\\nmessage:no\n\n\x00"},
		}},
		{"every frame of a batch", []step{
			{op: "rec", msg: "SUBSCRIBE\nid:1\ndestination:/a\n\n\x00"},
			{op: "live", msg: "SUBSCRIBE\nid:7\ndestination:/a\n\n\x00"},
			{op: "reply", msg: "MESSAGE\nsubscription:1\ncontent-length:2\n\n\x00\x00\x00\nMESSAGE\nsubscription:1\n\nb\x00", ready: true,
				want: "MESSAGE\nsubscription:7\ncontent-length:2\n\n\x00\x00\x00\nMESSAGE\nsubscription:7\n\nb\x00"},
		}},
		{"heart-beats and frames without ids", []step{
			{op: "rec", msg: "\n"},
			{op: "rec", msg: "SEND\ndestination:/a\n\nx\x00"},
			{op: "reply", msg: "\n", ready: true},
			{op: "reply", msg: "MESSAGE\ndestination:/a\nmessage-id:3\n\nx\x00", ready: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { playSteps(t, NewPairing(STOMP{}), tt.steps) })
	}
}
