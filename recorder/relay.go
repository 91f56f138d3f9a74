package recorder

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/ws"
)

// The relay forwards each side's bytes to the other as they arrive, whole
// reads at a time, so that a burst of frames costs one write; it parses the
// frames in passing (frameParser, in frame.go) to record them. An idle
// connection holds no buffer: a pump waits for its socket to become
// readable before it takes one from the pool (readBuf in readbuf.go,
// rawReader in rawread_unix.go).

// closeTimeout bounds a close handshake: once a close frame has passed, both
// connections are closed after this long whatever the peers do.
const closeTimeout = 5 * time.Second

// maxPrealloc bounds the buffer taken for a message before its bytes have
// come: a frame header alone must not make the proxy allocate 64 MiB.
const maxPrealloc = 1 << 20

// errTooBig is a message over the size limit.
var errTooBig = errors.New("message too big")

// leg is one side's connection.
type leg struct {
	conn    net.Conn
	raw     syscall.RawConn // to wait for data without a buffer; nil if not possible
	pending []byte          // read with the handshake, to be relayed first
	masked  bool            // the upstream leg: frames the proxy writes must be masked

	wmu       sync.Mutex
	midFrame  bool // under wmu: the last write ended inside a frame
	closeSent bool // under wmu: the proxy has sent its own close frame
}

func newLeg(conn net.Conn, br *bufio.Reader, masked bool) *leg {
	l := &leg{conn: conn, masked: masked}
	if n := br.Buffered(); n > 0 {
		b, _ := br.Peek(n)
		l.pending = bytes.Clone(b)
	}
	if sc, ok := conn.(syscall.Conn); ok && canWaitReadable {
		if rc, err := sc.SyscallConn(); err == nil {
			l.raw = rc
		}
	}
	return l
}

// write relays b; mid says whether it ends inside a frame. Nothing is
// relayed after the proxy's own close frame.
func (l *leg) write(b []byte, mid bool) error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if l.closeSent {
		return nil
	}
	_, err := l.conn.Write(b)
	l.midFrame = mid
	return err
}

// sendClose writes a close frame of the proxy's own. A leg inside a frame
// cannot take one, so it is dropped instead.
func (l *leg) sendClose(code int, reason string) {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	l.closeSent = true
	if l.midFrame {
		l.conn.Close()
		return
	}
	l.conn.SetWriteDeadline(time.Now().Add(closeTimeout))
	if _, err := l.conn.Write(closeFrame(code, reason, l.masked)); err != nil {
		l.conn.Close()
	}
}

// peerGone reports whether the peer has ended the connection, by a FIN or
// a reset, with nothing left unread before that end. It cannot tell for a
// leg without a raw connection (TLS, or systems without a raw read): false.
func (l *leg) peerGone() bool { return l.raw != nil && peerClosed(l.raw) }

// closeWrite ends the sending half of the connection (TCP FIN), so the peer
// reads what was sent before it and then the end.
func (l *leg) closeWrite() {
	if ws.CloseWrite(l.conn) {
		return
	}
	l.conn.Close()
}

// pumpToUpstream relays and records what the client sends, until the
// client's side ends or the session is over.
func (s *session) pumpToUpstream() {
	(&pump{s: s, src: s.client, dst: s.upstream, dir: format.Send, by: format.ByClient, count: &s.sent}).run()
}

// pumpToClient relays and records what the upstream sends, until the
// upstream's side ends or the session is over.
func (s *session) pumpToClient() {
	(&pump{s: s, src: s.upstream, dst: s.client, dir: format.Receive, by: format.ByServer, count: &s.received, out: s.out}).run()
}

// pump relays one direction of a session and records what passes.
type pump struct {
	s        *session
	src, dst *leg
	dir      format.Dir    // Send: from the client
	by       string        // who ends the session if src does
	count    *atomic.Int64 // messages relayed
	// out, if set, takes each whole message and control frame in place
	// of the bytes as they come: the session's faults (faultout.go).
	out *faultOut

	fr  frameParser // the frame being read
	ctl []byte      // its payload, if it is a control frame

	m message // the message being read

	sentClose bool // src has sent a close frame
	stop      bool // the reply to the proxy's own close frame has come
}

// message is the message a pump is reading, across its frames.
type message struct {
	op     byte   // its opcode, 0 between messages
	length int64  // its payload bytes, as far as its frames have said
	data   []byte // its payload, when recording; the recorded line takes it
	// charged is what data holds of Proxy.PartialBudget; skip: the
	// message is relayed but not recorded, the budget being spent.
	charged int64
	skip    bool
}

// run relays until src ends or the session is over.
func (p *pump) run() {
	buf := newReadBuf(p.src.raw != nil)
	defer buf.release()
	defer p.finishOut()
	defer p.release() // a message cut off by the end of the session
	var rr *rawReader
	if p.src.raw != nil {
		rr = newRawReader(p.src.raw, buf)
	}
	n := 0
	if len(p.src.pending) > 0 {
		n = copy(buf.get(), p.src.pending)
		p.src.pending = nil
	}
	for {
		var rerr error
		if n == 0 {
			n, rerr = p.read(buf, rr)
		}
		if n > 0 {
			b := buf.filled(n)
			done, err := p.process(b)
			if err != nil {
				p.failed(err)
				return
			}
			buf.keep(b, done)
			n = 0
		}
		if p.stop {
			p.src.conn.Close()
			return
		}
		if rerr != nil {
			p.readEnded()
			return
		}
	}
}

// read reads once from src into buf: through rr, which waits for data
// before it takes a buffer, or, without one, with a plain Read.
func (p *pump) read(buf *readBuf, rr *rawReader) (int, error) {
	if rr != nil {
		return rr.read()
	}
	return p.src.conn.Read(buf.get())
}

// process parses the frames in b, records them, and relays them. It
// returns how many bytes it used: all but the beginning of a frame header.
func (p *pump) process(b []byte) (int, error) {
	i, frameStart := 0, 0
	for i < len(b) {
		if !p.fr.inFrame {
			h, ok, err := parseHeader(b[i:])
			if !ok {
				break
			}
			if err == nil {
				err = p.begin(h)
			}
			if err != nil {
				p.forward(b[:i], false)
				return i, err
			}
			p.fr.start(h)
			frameStart = i
			i += h.size
		}
		if chunk, pos := p.fr.payload(b[i:]); len(chunk) > 0 {
			p.collect(chunk, pos)
			i += len(chunk)
		}
		if !p.fr.end() {
			break
		}
		if err := p.frameDone(); err != nil {
			// A bad close frame is not relayed. Part of it may have
			// been, in an earlier read: the leg is then dropped
			// rather than closed (leg.sendClose).
			p.forward(b[:frameStart], false)
			return i, err
		}
	}
	return i, p.forward(b[:i], p.fr.inFrame)
}

// collect keeps payload bytes of the frame being read, unmasked: a control
// frame's, and those of a message being recorded, or relayed through
// faults (kept whatever Proxy.PartialBudget says: faults are asked for).
func (p *pump) collect(chunk []byte, pos int64) {
	if p.fr.h.opcode >= opClose {
		p.ctl = appendUnmasked(p.ctl, chunk, p.fr.h.key, pos)
	} else if p.out != nil {
		p.m.data = appendUnmasked(p.m.data, chunk, p.fr.h.key, pos)
	} else if p.m.data != nil && p.grow(len(chunk)) {
		p.m.data = appendUnmasked(p.m.data, chunk, p.fr.h.key, pos)
	}
}

// begin checks a frame header against the state of the connection.
func (p *pump) begin(h frameHeader) error {
	if h.masked != (p.dir == format.Send) {
		if h.masked {
			return protocolError("masked frame from the server")
		}
		return protocolError("unmasked frame from the client")
	}
	p.ctl = p.ctl[:0]
	switch h.opcode {
	case opText, opBinary:
		if p.m.op != 0 {
			return protocolError("new message before the previous one ended")
		}
		p.m.op, p.m.length, p.m.skip = h.opcode, 0, false
	case opContinuation:
		if p.m.op == 0 {
			return protocolError("continuation frame outside a message")
		}
	default:
		return nil
	}
	if p.m.length += h.length; p.m.length > p.s.limit {
		return errTooBig
	}
	if p.out != nil {
		if p.m.data == nil {
			p.m.data = make([]byte, 0, min(h.length, maxPrealloc))
		}
		return nil
	}
	if p.m.data == nil && !p.m.skip && p.s.lines.recorded() {
		// A message in one frame gets a buffer of its size; the recorded
		// line keeps it, so the payload is copied once.
		n := min(h.length, maxPrealloc)
		if !h.fin {
			n = min(max(2*h.length, 4<<10), maxPrealloc)
		}
		p.startMessage(n)
	}
	return nil
}

// frameDone acts on a frame read to its end.
func (p *pump) frameDone() error {
	switch p.fr.h.opcode {
	case opPing:
		p.s.lines.control(format.TypePing, p.dir, p.ctl)
		p.putOut(opPing, p.ctl)
	case opPong:
		p.s.lines.control(format.TypePong, p.dir, p.ctl)
		p.putOut(opPong, p.ctl)
	case opClose:
		code, reason, err := parseClose(p.ctl)
		if err != nil {
			return err
		}
		p.sentClose = true
		p.putOut(opClose, p.ctl)
		p.s.closeFrame(p.by, code, reason)
		if p.s.proxyClosing.Load() {
			p.stop = true
		}
	default:
		if !p.fr.h.fin {
			return nil
		}
		p.count.Add(1)
		p.s.p.stats.message(p.dir, p.m.length, p.m.data != nil)
		if p.out != nil {
			// Recorded by out, as the client gets it.
			p.out.put(p.m.op, p.m.data)
		} else if p.m.data != nil {
			p.release()
			p.s.lines.message(p.dir, p.m.op == opText, p.m.data)
		} else if p.m.skip {
			p.s.lines.lose()
		}
		p.m.op, p.m.data = 0, nil
	}
	return nil
}

// forward relays b to dst, unless the proxy is ending the session itself,
// or out relays the frames in b.
func (p *pump) forward(b []byte, mid bool) error {
	if len(b) == 0 || p.s.proxyClosing.Load() || p.out != nil {
		return nil
	}
	return p.dst.write(b, mid)
}

// failed ends the session after an error of the pump's own.
func (p *pump) failed(err error) {
	var pe protocolError
	switch {
	case errors.Is(err, errTooBig):
		p.s.log.Warn("message over the size limit", "from", p.by, "limit", p.s.limit)
		p.s.proxyClose(1009, "message too big")
	case errors.As(err, &pe):
		p.s.log.Warn("protocol error", "from", p.by, "err", err)
		p.s.proxyClose(1002, "protocol error: "+pe.Error())
	default:
		// dst is gone: its pump reads the end and reports it. Closing
		// it makes sure that pump wakes.
		p.dst.conn.Close()
	}
}

// putOut hands out a control frame, if the pump has an out.
func (p *pump) putOut(op byte, payload []byte) {
	if p.out != nil {
		p.out.put(op, payload)
	}
}

// finishOut waits until out has written what it was handed.
func (p *pump) finishOut() {
	if p.out != nil {
		p.out.finish()
		if p.dir == format.Receive {
			p.s.outEnd = p.out.lastWrite // pumpToClient runs on session.run's goroutine
		}
	}
}

// readEnded handles the end of src's connection.
func (p *pump) readEnded() {
	if p.dir == format.Send {
		// The client is gone: what faults hold for it never arrives.
		p.s.out.abandon()
	}
	p.finishOut() // what is on its way arrives before the end
	if p.sentClose || p.s.proxyClosing.Load() {
		// After a close frame this is the normal end: let the other
		// side read to its end too.
		p.dst.closeWrite()
	} else {
		// Gone without a close frame: drop the other side the same
		// way, so that a browser sees 1006 as it would have.
		p.s.dropped(p.by)
		p.dst.conn.Close()
	}
	p.src.conn.Close()
}
