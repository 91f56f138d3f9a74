package replayer

// recent is a map that keeps the last max keys put, so that what a replay
// learns of a session of any length stays bounded: putting a key past max
// forgets the key put longest ago (unless it was put again since). The
// zero value is not usable: get one from newRecent. Not safe for
// concurrent use.
type recent[K comparable, V any] struct {
	max  int
	n    uint64 // puts so far
	m    map[K]stamped[V]
	ring []K // the keys of the last max puts; once full, put n goes at (n-1)%max
}

type stamped[V any] struct {
	v V
	n uint64 // the put that set it
}

func newRecent[K comparable, V any](max int) recent[K, V] {
	return recent[K, V]{max: max, m: map[K]stamped[V]{}}
}

func (r *recent[K, V]) put(k K, v V) {
	r.n++
	r.m[k] = stamped[V]{v, r.n}
	if len(r.ring) < r.max {
		r.ring = append(r.ring, k)
		return
	}
	slot := &r.ring[(r.n-1)%uint64(r.max)]
	if old := r.m[*slot]; old.n == r.n-uint64(r.max) { // not put again since
		delete(r.m, *slot)
	}
	*slot = k
}

func (r *recent[K, V]) get(k K) (V, bool) {
	s, ok := r.m[k]
	return s.v, ok
}

func (r *recent[K, V]) len() int { return len(r.m) }
