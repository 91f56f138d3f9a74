package recorder

import "sync"

// readBufferSize is the size of the pooled read buffers.
const readBufferSize = 64 << 10

// fallbackBufferSize is the read buffer a pump keeps for the whole session
// when it cannot wait for its socket without one (see rawReader).
const fallbackBufferSize = 8 << 10

var readBufs = sync.Pool{New: func() any { b := make([]byte, readBufferSize); return &b }}

// readBuf is a pump's read buffer. A pooled one (on a raw connection) is
// taken when data has come and given back while the socket is empty, unless
// it holds the start of a frame header (carry); an idle connection then
// holds no buffer. Otherwise the pump keeps a smaller buffer of its own for
// the session. The zero value is not ready: see newReadBuf. A readBuf
// belongs to one pump goroutine.
type readBuf struct {
	b      *[]byte // nil while the buffer is given back
	carry  int     // bytes at the start of b kept from the last read
	pooled bool
}

func newReadBuf(pooled bool) *readBuf { return &readBuf{pooled: pooled} }

// get returns the free part of the buffer, after what it carries, taking a
// buffer if it holds none.
func (r *readBuf) get() []byte {
	if r.b == nil {
		if r.pooled {
			r.b = readBufs.Get().(*[]byte)
		} else {
			b := make([]byte, fallbackBufferSize)
			r.b = &b
		}
	}
	return (*r.b)[r.carry:]
}

// release gives a pooled buffer back, unless it carries bytes.
func (r *readBuf) release() {
	if r.carry == 0 && r.b != nil && r.pooled {
		readBufs.Put(r.b)
		r.b = nil
	}
}

// filled returns what the buffer carries followed by the n bytes just read
// into get's slice.
func (r *readBuf) filled(n int) []byte { return (*r.b)[:r.carry+n] }

// keep carries b[done:] (b from filled) over to the next read.
func (r *readBuf) keep(b []byte, done int) { r.carry = copy(*r.b, b[done:]) }
