package diff

// DefaultMax is how many differences of a session pair Compare keeps
// (with their context) when Options.Max is zero.
const DefaultMax = 20

// Hunk is one run of differences with the equal messages around it: up to
// Options.Context before and after, two runs closer than that being one
// hunk.
type Hunk struct {
	Edits []Edit
}

// hunks keeps the differences of one comparison, each in its context, up
// to max of them; the rest are only counted. Not safe for concurrent use.
type hunks struct {
	ctx    int    // equal edits kept on either side of a difference
	max    int    // differences kept
	kept   int    // differences kept so far
	before []Edit // the last ctx equal edits, while no hunk is open
	cur    *Hunk  // the open hunk, nil if none
	after  int    // equal edits in cur since its last difference
	done   []Hunk
	more   int // differences past max
}

// add keeps e if it is a difference within max or the context of one.
func (h *hunks) add(e Edit) {
	if e.Kind == Equal {
		h.equal(e)
		return
	}
	if h.kept >= h.max {
		h.more++
		h.close()
		return
	}
	h.kept++
	if h.cur == nil {
		h.cur = &Hunk{Edits: append([]Edit(nil), h.before...)}
		h.before = h.before[:0]
	}
	h.cur.Edits = append(h.cur.Edits, e)
	h.after = 0
}

// equal keeps an equal edit after an open hunk's difference, or among the
// last ctx before the next one; past max, none.
func (h *hunks) equal(e Edit) {
	switch {
	case h.cur != nil && h.after < h.ctx:
		h.cur.Edits = append(h.cur.Edits, e)
		h.after++
		return
	case h.cur != nil:
		h.close()
	}
	if h.ctx == 0 || h.kept >= h.max {
		return
	}
	if len(h.before) == h.ctx {
		h.before = append(h.before[:0], h.before[1:]...)
	}
	h.before = append(h.before, e)
}

// close ends the open hunk, if any.
func (h *hunks) close() {
	if h.cur != nil {
		h.done = append(h.done, *h.cur)
		h.cur = nil
	}
}
