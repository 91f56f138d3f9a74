package protocol

// Pairing follows the ids of one replay through a profile's Echoer: it
// pairs each live client request with its recorded counterpart (the k-th
// live request with a given Request.Same with the k-th recorded one),
// learns which live value stands for which recorded one, tells whether a
// recorded reply may go (its request has come) and gives the reply the
// live values. It is what the replay server uses to make "replies wait for
// their requests" and "ids follow the client" true of a protocol.
//
// The caller feeds it both halves as they happen: Recorded with each
// recorded client message as the replay passes it (in recording order;
// a replay that passes them without waiting still feeds them), Live with
// each message the live client sends, and asks Ready and Rewrite of each
// recorded server message before sending it. Not safe for concurrent use:
// the replay that owns it serialises its calls.
//
// Its memory is bounded whatever the session's length or the client does:
// at most maxLive live and maxRecorded recorded requests wait unpaired, and
// the ids learned are the last maxKnown the recording chose (an older
// one's replies then go as recorded).
type Pairing struct {
	e        Echoer
	recorded map[string][]Request // per Same: recorded requests not paired yet
	live     map[string][]Request // per Same: live requests not paired yet
	nRec     int                  // recorded requests not paired yet, in all
	nLive    int                  // live requests not paired yet, in all
	known    map[ID]uint64        // ids the recorded requests chose -> when (see order)
	order    []knownAt            // the last maxKnown ids chosen, a ring (see know)
	chosen   uint64               // ids chosen so far
	to       map[ID]string        // a recorded id -> the live client's value
}

// knownAt is the n-th id a recorded request chose.
type knownAt struct {
	id ID
	n  uint64
}

// maxLive bounds the live requests held while no recorded counterpart has
// come: a client that sends requests the recording never had must not grow
// a replay's memory without bound. maxRecorded bounds the recorded
// requests the live client has not made yet (a request the recording never
// answered stays unpaired); one past it is not followed. maxKnown bounds
// the ids learned.
const (
	maxLive     = 1024
	maxRecorded = 4096
	maxKnown    = 16384
)

// NewPairing returns a Pairing for one replay of a session whose profile
// is e.
func NewPairing(e Echoer) *Pairing {
	return &Pairing{e: e, recorded: map[string][]Request{}, live: map[string][]Request{},
		known: map[ID]uint64{}, to: map[ID]string{}}
}

// Recorded notes a recorded client message the replay has reached.
func (p *Pairing) Recorded(m Message) {
	r, ok := p.e.Request(m)
	if !ok || p.nRec >= maxRecorded && len(p.live[r.Same]) == 0 {
		return
	}
	for _, id := range r.IDs {
		p.know(id)
		delete(p.to, id) // a recorded id used again: its replies wait for the new request
	}
	p.recorded[r.Same] = append(p.recorded[r.Same], r)
	p.nRec++
	p.match(r.Same)
}

// know notes an id a recorded request chose, forgetting the oldest past
// maxKnown.
func (p *Pairing) know(id ID) {
	p.chosen++
	p.known[id] = p.chosen
	if len(p.order) < maxKnown {
		p.order = append(p.order, knownAt{id, p.chosen})
		return
	}
	// order is a ring now: its slot at (chosen-1) % maxKnown holds the
	// oldest id.
	slot := &p.order[(p.chosen-1)%maxKnown]
	if p.known[slot.id] == slot.n { // not chosen again since
		delete(p.known, slot.id)
		delete(p.to, slot.id)
	}
	*slot = knownAt{id, p.chosen}
}

// Live notes a message the live client sent.
func (p *Pairing) Live(m Message) {
	r, ok := p.e.Request(m)
	if !ok || p.nLive >= maxLive && len(p.recorded[r.Same]) == 0 {
		return
	}
	p.live[r.Same] = append(p.live[r.Same], r)
	p.nLive++
	p.match(r.Same)
}

// match pairs the oldest unpaired requests of both halves with the same
// Same, their ids by scope in order.
func (p *Pairing) match(same string) {
	for len(p.recorded[same]) > 0 && len(p.live[same]) > 0 {
		rec, live := p.recorded[same][0], p.live[same][0]
		p.recorded[same], p.live[same] = p.recorded[same][1:], p.live[same][1:]
		p.nRec, p.nLive = p.nRec-1, p.nLive-1
		used := make([]bool, len(live.IDs))
		for _, id := range rec.IDs {
			for j, l := range live.IDs {
				if !used[j] && l.Scope == id.Scope {
					used[j], p.to[id] = true, l.Value
					break
				}
			}
		}
	}
	if len(p.recorded[same]) == 0 && len(p.live[same]) == 0 {
		delete(p.recorded, same)
		delete(p.live, same)
	}
}

// Ready reports whether the recorded server message m may be sent: false
// while it echoes an id of a recorded request whose live counterpart has
// not come. A message that echoes nothing known is always ready.
func (p *Pairing) Ready(m Message) bool {
	for _, id := range p.e.Echoes(m) {
		if p.Waits(id) {
			return false
		}
	}
	return true
}

// Waits reports whether a reply that echoes id waits: id is one a
// recorded request chose, and its live counterpart has not come. Ready is
// Waits of each id a message echoes, for a caller that has them already.
func (p *Pairing) Waits(id ID) bool {
	_, ok := p.to[id]
	return !ok && p.known[id] != 0
}

// Counterpart returns the live client's value for the id a recorded
// request chose, once the live counterpart of that request has come.
func (p *Pairing) Counterpart(id ID) (string, bool) {
	v, ok := p.to[id]
	return v, ok
}

// Rewrite returns the recorded server message m with the live client's
// values in place of the recorded ones it echoes; m.Data itself when
// there is nothing to replace.
func (p *Pairing) Rewrite(m Message) []byte {
	return p.e.Rewrite(m, func(id ID) (string, bool) {
		v, ok := p.to[id]
		return v, ok
	})
}
