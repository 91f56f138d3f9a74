package format

// lineBuf holds a line longer than the Reader's buffer while it is read.
// Growing one slice by append would leave a trail of discarded copies
// behind it, four to five times the line in all, and a line refused at
// the limit would cost that much before its refusal (issue 26): so the
// bytes that do not fit the slice of the last long line go into blocks,
// and are joined into one slice only once the line is complete. A line
// refused at MaxLineSize then costs the limit in blocks, once; one
// accepted costs its blocks and its joined copy, twice its size.
//
// The zero value is empty. A lineBuf is not safe for concurrent use.
type lineBuf struct {
	line   []byte   // the start of the line, in the slice kept from earlier lines
	blocks [][]byte // the rest, each full but the last
	n      int      // bytes held
}

// Block sizes: blocks grow with the line, so that a line a little longer
// than the buffer costs little, up to a size at which one partly filled
// block is a small part of a line that long.
const (
	minLineBlock = 4 << 10
	maxLineBlock = 4 << 20
)

// reset empties b, keeping the slice of the last line for the next.
func (b *lineBuf) reset() {
	b.line = b.line[:0]
	clear(b.blocks)
	b.blocks = b.blocks[:0]
	b.n = 0
}

// release lets go of everything b holds.
func (b *lineBuf) release() { *b = lineBuf{} }

// len returns how many bytes b holds.
func (b *lineBuf) len() int { return b.n }

// add appends p, which b does not keep.
func (b *lineBuf) add(p []byte) {
	b.n += len(p)
	if len(b.blocks) == 0 {
		k := min(len(p), cap(b.line)-len(b.line))
		b.line = append(b.line, p[:k]...)
		p = p[k:]
	}
	for len(p) > 0 {
		last := len(b.blocks) - 1
		if last < 0 || len(b.blocks[last]) == cap(b.blocks[last]) {
			size := min(max(b.n-len(p), minLineBlock), maxLineBlock)
			b.blocks = append(b.blocks, make([]byte, 0, size))
			last++
		}
		blk := b.blocks[last]
		k := min(len(p), cap(blk)-len(blk))
		b.blocks[last] = append(blk, p[:k]...)
		p = p[k:]
	}
}

// join returns the bytes held followed by tail, as one slice that is
// valid until the next reset.
func (b *lineBuf) join(tail []byte) []byte {
	if len(b.blocks) == 0 {
		b.line = append(b.line, tail...)
		return b.line
	}
	whole := make([]byte, 0, b.n+len(tail))
	whole = append(whole, b.line...)
	for _, blk := range b.blocks {
		whole = append(whole, blk...)
	}
	whole = append(whole, tail...)
	clear(b.blocks)
	b.blocks = b.blocks[:0]
	b.line = whole
	return whole
}
