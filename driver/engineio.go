package driver

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/engineio"
	"github.com/wsreplay/wsreplay/protocol"
)

// eioConn is an Engine.IO client, as engine.io-client behaves: the
// polling handshake, then the upgrade to a WebSocket (2probe, 3probe, 5)
// when the recording shows one and the server offers it, else polling;
// or a WebSocket from the start when the recording's URL asks for one.
// It answers revision 4 pings and sends revision 3's on the interval the
// server announced. read hands out every packet, its own included, for
// the run's recording; the run leaves the transport's out of its pacing.
type eioConn struct {
	version int
	base    *url.URL // the target URL without transport, sid, t
	header  http.Header
	client  *http.Client
	open    engineio.OpenParams

	ws      *websocket.Conn // nil while polling
	wmu     sync.Mutex      // serialises writes: pongs from read, sends
	pmu     sync.Mutex      // serialises POSTs: engine.io refuses overlapping ones
	pending []packet        // read before the caller asked (the handshake's body, the probe)
	polled  chan packet     // polling: what the GET loop read
	closed  <-chan struct{} // closed when close begins: polling reads end
	// own, if set, is told of each packet the client makes itself (a
	// pong, a revision 3 ping, the close) once it is sent, for the run's
	// recording. Set before the first read; called from any goroutine.
	own   func(data []byte, transport string)
	stop  context.CancelFunc
	loops sync.WaitGroup
}

// packet is a read Engine.IO packet, or the end.
type packet struct {
	engineio.Packet
	transport string
	end       *ending
}

// dialEngineIO opens an Engine.IO session on u (the recorded URL on the
// target), upgrading when upgrade says so.
func dialEngineIO(ctx context.Context, u *url.URL, h http.Header, client *http.Client, upgrade bool) (*eioConn, error) {
	q := u.Query()
	eq, _ := engineio.ParseQuery(q)
	c := &eioConn{version: eq.Version, header: h, client: client, polled: make(chan packet, 64)}
	for _, k := range []string{"transport", "sid", "t"} {
		q.Del(k)
	}
	base := *u
	base.RawQuery = q.Encode()
	c.base = &base
	if c.version == 0 {
		c.version = 4
	}
	var err error
	if eq.Transport == "websocket" {
		err = c.dialDirect(ctx)
	} else {
		err = c.handshake(ctx)
		if err == nil && upgrade && slices.Contains(c.open.Upgrades, "websocket") {
			err = c.upgrade(ctx)
		}
	}
	if err != nil {
		return nil, err
	}
	loopCtx, stop := context.WithCancel(context.Background())
	c.stop, c.closed = stop, loopCtx.Done()
	if c.ws == nil {
		c.loops.Add(1)
		go c.pollLoop(loopCtx)
	}
	if c.version < 4 && c.open.PingInterval > 0 {
		c.loops.Add(1)
		go c.pingLoop(loopCtx, time.Duration(c.open.PingInterval)*time.Millisecond)
	}
	return c, nil
}

func (c *eioConn) query(transport string) *url.URL {
	u := *c.base
	q := u.Query()
	q.Set("EIO", strconv.Itoa(c.version))
	q.Set("transport", transport)
	if c.open.SID != "" {
		q.Set("sid", c.open.SID)
	}
	if transport == "polling" {
		q.Set("t", strconv.FormatInt(time.Now().UnixNano(), 36))
	}
	u.RawQuery = q.Encode()
	return &u
}

// handshake makes the polling handshake and keeps what its body holds.
func (c *eioConn) handshake(ctx context.Context) error {
	pkts, err := c.get(ctx)
	if err != nil {
		return err
	}
	if len(pkts) == 0 || !c.opened(pkts[0].Data) {
		return fmt.Errorf("engine.io handshake on %s: no open packet", c.base.Redacted())
	}
	for _, p := range pkts {
		c.pending = append(c.pending, packet{Packet: p, transport: "polling"})
	}
	return nil
}

func (c *eioConn) opened(p []byte) bool {
	o, ok := engineio.ParseOpen(p)
	c.open = o
	return ok
}

// dialDirect opens the WebSocket transport at once; its first packet is
// the open packet.
func (c *eioConn) dialDirect(ctx context.Context) error {
	ws, err := dialWebSocket(ctx, c.query("websocket"), c.header, "", c.client)
	if err != nil {
		return err
	}
	c.ws = ws.c
	typ, data, err := c.ws.Read(ctx)
	if err != nil || typ != websocket.MessageText || !c.opened(data) {
		c.ws.CloseNow()
		return fmt.Errorf("engine.io on %s: no open packet", c.base.Redacted())
	}
	c.pending = append(c.pending, packet{Packet: engineio.Packet{Data: data}, transport: "websocket"})
	return nil
}

// upgrade probes the WebSocket transport and switches to it.
func (c *eioConn) upgrade(ctx context.Context) error {
	ws, err := dialWebSocket(ctx, c.query("websocket"), c.header, "", c.client)
	if err != nil {
		return err
	}
	probe := []byte{engineio.Ping, 'p', 'r', 'o', 'b', 'e'}
	if err := ws.c.Write(ctx, websocket.MessageText, probe); err != nil {
		ws.c.CloseNow()
		return fmt.Errorf("engine.io upgrade: %w", err)
	}
	_, data, err := ws.c.Read(ctx)
	if err != nil || string(data) != "3probe" {
		ws.c.CloseNow()
		return fmt.Errorf("engine.io upgrade on %s: no 3probe", c.base.Redacted())
	}
	if err := ws.c.Write(ctx, websocket.MessageText, []byte{engineio.Upgrade}); err != nil {
		ws.c.CloseNow()
		return fmt.Errorf("engine.io upgrade: %w", err)
	}
	c.ws = ws.c
	c.pending = append(c.pending, packet{Packet: engineio.Packet{Data: data}, transport: "websocket"})
	return nil
}

// get makes one polling GET and returns its packets.
func (c *eioConn) get(ctx context.Context) ([]engineio.Packet, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, httpScheme(c.query("polling")).String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header = c.header.Clone()
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("engine.io poll %s: %w", c.base.Redacted(), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, readLimit))
	if err != nil {
		return nil, fmt.Errorf("engine.io poll %s: %w", c.base.Redacted(), err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("engine.io poll %s: HTTP %d", c.base.Redacted(), resp.StatusCode)
	}
	binaryBody := resp.Header.Get("Content-Type") == "application/octet-stream"
	return engineio.DecodePayload(c.version, bytes.Clone(body), binaryBody)
}

// post sends packets in one polling POST.
func (c *eioConn) post(ctx context.Context, pkts []engineio.Packet) error {
	c.pmu.Lock()
	defer c.pmu.Unlock()
	body, ctype := engineio.EncodePayload(c.version, pkts, false)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, httpScheme(c.query("polling")).String(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = c.header.Clone()
	req.Header.Set("Content-Type", ctype)
	resp, err := c.client.Do(req)
	if err != nil {
		return fmt.Errorf("engine.io post %s: %w", c.base.Redacted(), err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("engine.io post %s: HTTP %d", c.base.Redacted(), resp.StatusCode)
	}
	return nil
}

// pollLoop polls until the session ends, answering pings.
func (c *eioConn) pollLoop(ctx context.Context) {
	defer c.loops.Done()
	for {
		pkts, err := c.get(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			c.deliver(ctx, packet{end: &ending{by: format.ByServer, code: format.CodeAbnormal}})
			return
		}
		for _, p := range pkts {
			if !p.Binary && len(p.Data) == 1 && p.Data[0] == engineio.Ping && c.version >= 4 {
				c.ownPacket(ctx, engineio.Pong)
			}
			if !c.deliver(ctx, packet{Packet: p, transport: "polling"}) {
				return
			}
			if !p.Binary && len(p.Data) > 0 && p.Data[0] == engineio.Close {
				c.deliver(ctx, packet{end: &ending{by: format.ByServer, code: 1000, clean: true}})
				return
			}
		}
	}
}

// deliver hands p to read; false when the session is being closed.
func (c *eioConn) deliver(ctx context.Context, p packet) bool {
	select {
	case c.polled <- p:
		return true
	case <-ctx.Done():
		return false
	}
}

// pingLoop sends revision 3's client pings.
func (c *eioConn) pingLoop(ctx context.Context, every time.Duration) {
	defer c.loops.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.ownPacket(ctx, engineio.Ping)
		}
	}
}

// ownPacket sends a packet of the client's own making, and tells own.
func (c *eioConn) ownPacket(ctx context.Context, typ byte) error {
	m := protocol.Message{Data: []byte{typ}}
	transport := "websocket"
	if c.ws == nil {
		transport = "polling"
	}
	err := c.send(ctx, m, nil)
	if err == nil && c.own != nil {
		c.own(m.Data, transport)
	}
	return err
}

func (c *eioConn) subprotocol() string { return "" }

func (c *eioConn) send(ctx context.Context, m protocol.Message, _ *format.Event) error {
	if c.ws == nil {
		return c.post(ctx, []engineio.Packet{{Data: m.Data, Binary: m.Binary}})
	}
	typ := websocket.MessageText
	if m.Binary {
		typ = websocket.MessageBinary
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.ws.Write(ctx, typ, m.Data)
}

func (c *eioConn) read(ctx context.Context) (received, error) {
	var p packet
	switch {
	case len(c.pending) > 0:
		p, c.pending = c.pending[0], c.pending[1:]
	case c.ws != nil:
		typ, data, err := c.ws.Read(ctx)
		if err != nil {
			return received{}, endingOf(err)
		}
		p = packet{Packet: engineio.Packet{Data: data, Binary: typ == websocket.MessageBinary}, transport: "websocket"}
		if !p.Binary && len(data) == 1 && data[0] == engineio.Ping && c.version >= 4 {
			c.ownPacket(ctx, engineio.Pong)
		}
	default:
		select {
		case p = <-c.polled:
		case <-c.closed:
			return received{}, &ending{by: format.ByClient, code: 1000, clean: true}
		case <-ctx.Done():
			return received{}, ctx.Err()
		}
		if p.end != nil {
			return received{}, p.end
		}
	}
	return received{Message: protocol.Message{Dir: format.Receive, Binary: p.Binary, Data: p.Data}, transport: p.transport}, nil
}

func (c *eioConn) close(code int, reason string, clean bool) error {
	defer c.loops.Wait()
	defer c.stop()
	if c.ws == nil {
		if clean {
			return c.ownPacket(context.Background(), engineio.Close)
		}
		return nil
	}
	if !clean {
		return c.ws.CloseNow()
	}
	return c.ws.Close(websocket.StatusCode(code), reason)
}
