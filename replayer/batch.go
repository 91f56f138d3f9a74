package replayer

import (
	"context"
	"encoding/binary"
	"net"
	"sync"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// Messages due together (a burst, a replay at --speed max, the messages
// before --from) are written together: their frames gather in a pooled
// buffer, written to the socket in one system call when the player is about
// to wait (see player.flush) or once frameBatchSize bytes wait, so a burst of 100
// messages costs one wake-up of the client, not 100. A replay's frames are
// the server's, unmasked and uncompressed (the replay server does not offer
// permessage-deflate), so they are written on the connection under
// coder/websocket, which then only writes its own control frames (pongs,
// the close frame) and the heartbeat answers: each of those is one write of
// a whole frame, as each batch is, and a net.Conn takes whole writes one at
// a time.

// frameBatchSize is how many bytes of frames wait before they are written; a
// larger message goes on its own, without a copy.
const frameBatchSize = 32 << 10

var batchPool = sync.Pool{New: func() any { b := make([]byte, 0, frameBatchSize+1024); return &b }}

// frameBatch holds the frames waiting to be written to one connection.
type frameBatch struct {
	buf *[]byte // nil when nothing waits
}

// appendFrameHeader appends the header of a final, unmasked frame.
func appendFrameHeader(b []byte, opcode byte, n int) []byte {
	b = append(b, 0x80|opcode)
	switch {
	case n <= 125:
		return append(b, byte(n))
	case n <= 0xFFFF:
		return binary.BigEndian.AppendUint16(append(b, 126), uint16(n))
	}
	return binary.BigEndian.AppendUint64(append(b, 127), uint64(n))
}

// opcodeOf is a recorded message's WebSocket opcode.
func opcodeOf(e *format.Event) byte {
	if e.Opcode == format.Binary {
		return 2
	}
	return 1
}

// add puts e's frame in the batch, or writes it with what waits if it is
// large; the batch is written once frameBatchSize bytes wait.
func (c *replayConn) add(e *format.Event) error {
	open := c.nextOpen // e's own: what is batched before it is flushed as it was
	if len(e.Data) > frameBatchSize/2 {
		if err := c.flush(); err != nil {
			return err
		}
		c.batchOpen = open
		var hdr [10]byte
		bufs := net.Buffers{appendFrameHeader(hdr[:0], opcodeOf(e), len(e.Data)), e.Data}
		if !writesVectors(c.netConn) {
			// Two writes would let a control frame in between.
			bufs = net.Buffers{append(bufs[0], e.Data...)}
		}
		return c.writeRaw(&bufs)
	}
	b := &c.batch
	if b.buf == nil {
		b.buf = batchPool.Get().(*[]byte)
	}
	*b.buf = append(appendFrameHeader(*b.buf, opcodeOf(e), len(e.Data)), e.Data...)
	c.batchOpen = open
	if len(*b.buf) >= frameBatchSize {
		return c.flush()
	}
	return nil
}

// writesVectors reports whether conn writes net.Buffers in one write
// (writev), rather than one write per buffer.
func writesVectors(conn net.Conn) bool {
	switch conn.(type) {
	case *net.TCPConn, *net.UnixConn:
		return true
	}
	return false
}

// flush writes the frames that wait, in one write.
func (c *replayConn) flush() error {
	b := &c.batch
	if b.buf == nil {
		return nil
	}
	bufs := net.Buffers{*b.buf}
	err := c.writeRaw(&bufs)
	*b.buf = (*b.buf)[:0]
	batchPool.Put(b.buf)
	b.buf = nil
	return err
}

// writeRaw writes whole frames to the socket, under the lock the heartbeat
// answers take too; a write still blocked (a client that does not read)
// when the replay's context ends is cut short.
func (c *replayConn) writeRaw(bufs *net.Buffers) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	stop := context.AfterFunc(c.ioCtx, func() { c.netConn.SetWriteDeadline(time.Unix(1, 0)) })
	_, err := bufs.WriteTo(c.netConn)
	if !stop() {
		// The deadline was set: clear it, so that the close frame
		// coder/websocket sends at a shutdown still goes.
		c.netConn.SetWriteDeadline(time.Time{})
		if err == nil {
			err = c.ioCtx.Err()
		}
	}
	c.wireOpen = c.batchOpen
	if err == nil {
		err = c.writeDeferred()
	}
	return err
}
