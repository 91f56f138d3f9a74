package browser

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/chromedp/cdproto"
	jsonv2 "github.com/chromedp/cdproto/cdp/jsonv2"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// errLost is the error of a call whose answer cannot come: the connection
// to the browser is gone.
var errLost = errors.New("connection to the browser lost")

// conn is one DevTools protocol connection, flattened (every target's
// session on it, told apart by session id): commands with their answers,
// and the events, in the order the browser sent them. Its reader goroutine
// (conn.read) delivers answers to the calls that wait for them and queues
// the events for the one goroutine that records (next); call may be used
// from any goroutine.
type conn struct {
	tr     chromedp.Transport
	nextID atomic.Int64

	mu      sync.Mutex
	waiting map[int64]chan *cdproto.Message
	events  []*cdproto.Message // not yet taken by next
	more    chan struct{}      // signalled (capacity 1) when events grows
	lost    chan struct{}      // closed when the connection ends
	err     error              // why it ended, once lost is closed
}

func newConn(tr chromedp.Transport) *conn {
	return &conn{tr: tr, waiting: map[int64]chan *cdproto.Message{},
		more: make(chan struct{}, 1), lost: make(chan struct{})}
}

// read is the reader goroutine: it runs until the connection ends. The
// event queue has no bound of its own: the recording goroutine waits for
// answers this goroutine must keep reading (a response body), and the
// browser paces what it sends by the page's own traffic.
func (c *conn) read(ctx context.Context) {
	defer close(c.lost)
	for {
		msg := new(cdproto.Message)
		if err := c.tr.Read(ctx, msg); err != nil {
			c.mu.Lock()
			c.err = err
			c.mu.Unlock()
			return
		}
		c.mu.Lock()
		switch {
		case msg.ID != 0:
			if ch, ok := c.waiting[msg.ID]; ok {
				delete(c.waiting, msg.ID)
				ch <- msg
			}
		case msg.Method != "":
			c.events = append(c.events, msg)
			select {
			case c.more <- struct{}{}:
			default:
			}
		}
		c.mu.Unlock()
	}
}

// next returns the events queued so far, oldest first (nil if none).
func (c *conn) next() []*cdproto.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	evs := c.events
	c.events = nil
	return evs
}

// call sends method with params to the target of session ("" : the
// browser) and decodes its answer into res (nil: ignored).
func (c *conn) call(ctx context.Context, session target.SessionID, method string, params, res any) error {
	id := c.nextID.Add(1)
	msg := &cdproto.Message{ID: id, SessionID: session, Method: cdproto.MethodType(method)}
	if params != nil {
		b, err := jsonv2.Marshal(params, chromedp.DefaultMarshalOptions)
		if err != nil {
			return fmt.Errorf("%s: %w", method, err)
		}
		msg.Params = b
	}
	ch := make(chan *cdproto.Message, 1)
	c.mu.Lock()
	c.waiting[id] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.waiting, id)
		c.mu.Unlock()
	}()
	if err := c.tr.Write(ctx, msg); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-c.lost:
		return fmt.Errorf("%s: %w", method, errLost)
	case ans := <-ch:
		if ans.Error != nil {
			return fmt.Errorf("%s: %w", method, ans.Error)
		}
		if res != nil && len(ans.Result) > 0 {
			return jsonv2.Unmarshal(ans.Result, res, chromedp.DefaultUnmarshalOptions)
		}
		return nil
	}
}
