package replayer

import (
	"fmt"
	"net/http"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// injection shapes an injection for this replay (control.shape): as the
// session's profile writes it (profileShape), once the profile is known.
func (c *replayConn) injection(in *injection) ([]*format.Event, error) {
	p := c.profile
	if p == nil {
		p = c.echo.profile() // found from the first messages since the accept
	}
	if shape := profileShape(p); shape != nil {
		return shape(in)
	}
	return in.events()
}

// profileShape returns how injections into a replay of a session of the
// profile p are shaped (control.shape): where p writes server messages
// from their meaning (protocol.Injector), the event form {"event", "args"}
// is the message p writes; text and binary are sent as they are. Nil when
// p writes none: the default shape (injection.events).
func profileShape(p protocol.Profile) func(*injection) ([]*format.Event, error) {
	inj, ok := p.(protocol.Injector)
	if !ok {
		return nil
	}
	return func(in *injection) ([]*format.Event, error) {
		bad := func(msg string) error { return &apiError{status: http.StatusBadRequest, msg: msg, field: "event"} }
		switch {
		case in.Event == nil && (in.socketIOFields() || in.sseFields()):
			return nil, bad(fmt.Sprintf("a %s event takes event and args (JSON values)", p.Name()))
		case in.Event == nil:
			return in.events()
		case in.Text != nil || in.Binary != nil:
			return nil, bad("give an event or a raw message (text or binary), not both")
		case in.Namespace != "" || in.Attachments != nil || in.sseFields():
			return nil, bad(fmt.Sprintf("a %s event takes event and args (JSON values)", p.Name()))
		}
		m, err := inj.Inject(*in.Event, in.Args)
		if err != nil {
			return nil, bad(fmt.Sprintf("%s: %v", p.Name(), err))
		}
		op := format.Text
		if m.Binary {
			op = format.Binary
		}
		return []*format.Event{{Type: format.TypeMessage, Dir: format.Receive, Opcode: op, Data: m.Data}}, nil
	}
}
