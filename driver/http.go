package driver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/sse"
	"github.com/wsreplay/wsreplay/protocol"
)

// sseConn is an event stream: one GET whose response's events are the
// server's messages. Its client sends nothing.
type sseConn struct {
	body    io.ReadCloser
	stop    context.CancelFunc
	parser  sse.Parser
	pending []received
	buf     []byte
}

func dialSSE(ctx context.Context, u *url.URL, h http.Header, client *http.Client) (*sseConn, error) {
	// The stream outlives the dial's deadline: its own context, ended by close.
	sctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	req, err := http.NewRequestWithContext(sctx, http.MethodGet, httpScheme(u).String(), nil)
	if err != nil {
		stop()
		return nil, err
	}
	req.Header = h.Clone()
	req.Header.Set("Accept", "text/event-stream")
	resp, err := doBefore(ctx, client, req)
	if err != nil {
		stop()
		return nil, fmt.Errorf("event stream %s: %w", httpScheme(u).Redacted(), err)
	}
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "text/event-stream") {
		resp.Body.Close()
		stop()
		return nil, fmt.Errorf("event stream %s: HTTP %d, %s", httpScheme(u).Redacted(), resp.StatusCode, ct)
	}
	c := &sseConn{body: resp.Body, stop: stop, buf: make([]byte, 32<<10)}
	c.parser.MaxLine, c.parser.MaxEvent = readLimit, readLimit
	return c, nil
}

// doBefore makes req, giving up when ctx (the dial's deadline) ends
// before the response's headers come.
func doBefore(ctx context.Context, client *http.Client, req *http.Request) (*http.Response, error) {
	type result struct {
		resp *http.Response
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		resp, err := client.Do(req)
		ch <- result{resp, err}
	}()
	select {
	case r := <-ch:
		return r.resp, r.err
	case <-ctx.Done():
		go func() {
			if r := <-ch; r.resp != nil {
				r.resp.Body.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

func (c *sseConn) subprotocol() string { return "" }

func (c *sseConn) send(context.Context, protocol.Message, *format.Event) error {
	return errors.New("an event stream's client sends no messages")
}

func (c *sseConn) read(ctx context.Context) (received, error) {
	for len(c.pending) == 0 {
		n, err := c.body.Read(c.buf)
		c.parser.Write(c.buf[:n], func(ev sse.Event) {
			data := []byte(ev.Data)
			c.pending = append(c.pending, received{Message: protocol.Message{Dir: format.Receive, Binary: !utf8.Valid(data), Data: data},
				sse: &format.SSE{ID: ev.ID, HasID: ev.HasID, Event: ev.Type, Retry: ev.Retry, NoData: !ev.HasData}})
		})
		if err == io.EOF && len(c.pending) == 0 {
			return received{}, &ending{by: format.ByServer, code: 1000, clean: true}
		}
		if err != nil && err != io.EOF && len(c.pending) == 0 {
			return received{}, &ending{by: format.ByServer, code: format.CodeAbnormal}
		}
	}
	r := c.pending[0]
	c.pending = c.pending[1:]
	return r, nil
}

func (c *sseConn) close(int, string, bool) error {
	c.stop()
	return c.body.Close()
}

// pollConn plays a poller: each recorded request is made in turn (on a
// goroutine of its own, so that a request may be under way while the one
// before waits for its answer, as pollers do), and each response is a
// server message.
type pollConn struct {
	target  *url.URL
	header  map[string][]string // the session's recorded request headers
	extra   http.Header
	client  *http.Client
	answers chan received
	stop    context.CancelFunc
	ctx     context.Context
	wg      sync.WaitGroup
	once    sync.Once
}

func newPollConn(target *url.URL, header map[string][]string, extra http.Header, client *http.Client, requests int) *pollConn {
	ctx, stop := context.WithCancel(context.Background())
	return &pollConn{target: target, header: header, extra: extra, client: client,
		answers: make(chan received, requests+1), ctx: ctx, stop: stop}
}

func (c *pollConn) subprotocol() string { return "" }

// send makes the request recorded as rec, with m's body.
func (c *pollConn) send(_ context.Context, m protocol.Message, rec *format.Event) error {
	if rec.HTTP == nil {
		return errors.New("a poll's request without its method and URL")
	}
	u, err := targetURL(c.target, rec.HTTP.URL)
	if err != nil {
		return err
	}
	method := rec.HTTP.Method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if len(m.Data) > 0 {
		body = bytes.NewReader(m.Data)
	}
	req, err := http.NewRequestWithContext(c.ctx, method, httpScheme(u).String(), body)
	if err != nil {
		return err
	}
	h := map[string][]string{}
	for k, v := range c.header {
		h[k] = v
	}
	for k, v := range rec.HTTP.Headers {
		h[k] = v
	}
	req.Header = requestHeader(h, c.extra)
	c.wg.Add(1)
	go c.roundTrip(req)
	return nil
}

// roundTrip makes one request and hands its response to read.
func (c *pollConn) roundTrip(req *http.Request) {
	defer c.wg.Done()
	resp, err := c.client.Do(req)
	if err != nil {
		if c.ctx.Err() == nil {
			c.answers <- received{end: &ending{by: format.ByServer, code: format.CodeAbnormal, reason: err.Error()}}
		}
		return
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, readLimit))
	if err != nil && c.ctx.Err() != nil {
		return
	}
	h := map[string][]string{}
	for k, v := range resp.Header {
		h[k] = v
	}
	for _, k := range hopHeaders {
		delete(h, k)
	}
	c.answers <- received{Message: protocol.Message{Dir: format.Receive, Binary: !utf8.Valid(data), Data: data},
		http: &format.HTTP{Status: resp.StatusCode, Headers: h}}
}

func (c *pollConn) read(ctx context.Context) (received, error) {
	select {
	case r := <-c.answers:
		if r.end != nil {
			return received{}, r.end
		}
		return r, nil
	case <-c.ctx.Done():
		return received{}, &ending{by: format.ByClient, code: 1000, clean: true}
	case <-ctx.Done():
		return received{}, ctx.Err()
	}
}

func (c *pollConn) close(int, string, bool) error {
	c.once.Do(c.stop)
	c.wg.Wait()
	return nil
}
