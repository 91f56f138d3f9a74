package replayer

import (
	"bytes"
	"context"
	"sync"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/engineio"
	"github.com/wsreplay/wsreplay/internal/readable"
)

// This file is what an Engine.IO replay does with packets, between the
// player (pacing.go) and the transports (engineio_conn.go). Recorded
// pings, probes, open and CONNECT answers are left off the timeline (pick):
// the replay makes its own, live. A namespace's recorded events wait until
// the client has joined it; binary events go out with their attachments
// as one unit; a recorded ack answer goes out under the ack id the client
// used for the matching emit (same namespace, event name and occurrence),
// never before that emit. The player does not reach it before the emit
// either: the replay's echo (echo.go, through the Socket.IO profile) holds
// it, with the rest of the session behind it, until the emit has come and
// for the recorded delay after it; parking (park) is for an answer a step,
// a seek or a later pass of a loop sends on before its emit. The client's
// emits that the recording lacks are logged and ignored.

// evKey names an event in a namespace; evOcc its k-th emit (from 0).
type evKey struct{ ns, event string }

type evOcc struct {
	evKey
	k int
}

// ackRef is an ack id in a namespace.
type ackRef struct {
	ns string
	id int64
}

// eioPlay holds one replay's Socket.IO state. Its methods are safe for
// concurrent use: the player sends while requests bring the client's
// packets.
type eioPlay struct {
	r    *eioReplay
	loop bool // Server.Loop: the recording's emits come round again

	// The player's side: the unit being put together (a packet and its
	// attachments still to come), and what ack it answers.
	unit     []engineio.Packet
	unitLeft int
	unitAck  *evOcc
	unitNS   string

	// sendMu makes deciding to send or hold a namespace's unit, and
	// sending it, one step, so that the units held until a namespace is
	// joined go out before the ones after them.
	sendMu sync.Mutex

	mu        sync.Mutex
	joined    map[string]bool
	held      map[string][][]engineio.Packet // units of namespaces not joined yet
	recCount  map[evKey]int                  // the recording's client emits passed so far
	recAcks   map[ackRef]evOcc               // a recorded ack id -> the emit it was for
	recorded  map[evKey]int                  // every client emit in the recording
	recIDs    map[evOcc]int64                // the recorded ack id of each emit that had one
	cliCount  map[evKey]int                  // the client's emits so far
	cliAcks   map[evOcc]int64                // the ack id the client gave an emit
	parked    map[evOcc][]engineio.Packet    // answers waiting for the client's emit
	skipBytes int                            // the client's attachments to pass over
}

func newEIOPlay(r *eioReplay, loop bool) *eioPlay {
	p := &eioPlay{r: r, loop: loop, joined: map[string]bool{}, held: map[string][][]engineio.Packet{},
		recCount: map[evKey]int{}, recAcks: map[ackRef]evOcc{}, cliCount: map[evKey]int{},
		cliAcks: map[evOcc]int64{}, parked: map[evOcc][]engineio.Packet{}}
	if r.version == 3 {
		p.joined["/"] = true // Socket.IO 2 joins the main namespace unasked
	}
	p.recorded, p.recIDs = recordedEmits(r.sess)
	return p
}

// recordedEmits counts the client's emits in a session, by namespace and
// event, to tell the client's unrecorded ones, and notes the ack id of
// each that asked for one.
func recordedEmits(sess *Session) (counts map[evKey]int, ids map[evOcc]int64) {
	counts, ids = map[evKey]int{}, map[evOcc]int64{}
	st, err := sess.stream()
	if err != nil {
		return counts, ids
	}
	defer st.Close()
	for {
		e, err := st.Next()
		if err != nil { // io.EOF, or an error the replay will report
			return counts, ids
		}
		if e.Type == format.TypeMessage && e.Dir == format.Send && e.Opcode == format.Text {
			if sio, ok := engineio.ParseSocketIO(e.Data); ok {
				if ev, ok := sio.Event(); ok {
					key := evKey{sio.Path(), ev}
					if sio.HasID {
						ids[evOcc{key, counts[key]}] = sio.ID
					}
					counts[key]++
				}
			}
		}
		st.Release(e)
	}
}

// pick says whether a recorded message is on the replay's timeline, and
// notes the recorded emits that asked for an ack.
func (p *eioPlay) pick(e *format.Event) bool {
	if e.Opcode == format.Binary {
		return e.Dir == format.Receive // the client's attachments are its own
	}
	d := e.Data
	if len(d) == 0 {
		return false
	}
	switch d[0] {
	case engineio.Open, engineio.Ping, engineio.Pong, engineio.Upgrade, engineio.Noop:
		return false
	case engineio.Close:
		return e.Dir == format.Receive
	case engineio.Message:
	default:
		return e.Dir == format.Receive
	}
	sio, ok := engineio.ParseSocketIO(d)
	switch {
	case !ok:
		return e.Dir == format.Receive
	case sio.Type == engineio.SIOConnect:
		return false // answered live
	case e.Dir == format.Receive:
		return true
	}
	ev, ok := sio.Event()
	if !ok {
		return false // the client's ack answers: its own
	}
	p.mu.Lock()
	key := evKey{sio.Path(), ev}
	k := p.recCount[key]
	p.recCount[key] = k + 1
	if sio.HasID {
		p.recAcks[ackRef{key.ns, sio.ID}] = evOcc{key, k}
	}
	p.mu.Unlock()
	return true
}

// send is the player's sender: a recorded server packet.
func (p *eioPlay) send(_ context.Context, e *format.Event) error {
	pk := engineio.Packet{Data: bytes.Clone(e.Data), Binary: e.Opcode == format.Binary}
	if pk.Binary {
		if p.unitLeft == 0 {
			return p.r.out(pk) // an attachment of nothing: sent as it is
		}
		p.unit = append(p.unit, pk)
		if p.unitLeft--; p.unitLeft > 0 {
			return nil
		}
		return p.flushUnit()
	}
	if p.unitLeft > 0 { // a unit cut short by the recording: send what it has
		p.unitLeft = 0
		if err := p.flushUnit(); err != nil {
			return err
		}
	}
	sio, ok := engineio.ParseSocketIO(pk.Data)
	if !ok {
		return p.r.out(pk)
	}
	p.unit, p.unitLeft, p.unitAck, p.unitNS = []engineio.Packet{pk}, sio.Attachments, nil, sio.Path()
	if sio.Type == engineio.SIOAck || sio.Type == engineio.SIOBinaryAck {
		p.mu.Lock()
		occ, ok := p.recAcks[ackRef{sio.Path(), sio.ID}]
		p.mu.Unlock()
		if !ok {
			p.r.log.Warn("recorded ack answer for no recorded emit: not sent", "packet", readable.Preview(pk.Data, 80))
			p.unit, p.unitLeft = nil, 0
			return nil
		}
		p.unitAck = &occ
	}
	if p.unitLeft > 0 {
		return nil
	}
	return p.flushUnit()
}

// flushUnit sends the unit put together; or holds it until the client
// has joined its namespace; or parks an ack answer until the client has
// made the emit it answers (the player, which held it for its emit, sends
// it on before only at a step, a seek or a later pass of a loop). Neither
// waits: the replay goes on, and its faults fire.
func (p *eioPlay) flushUnit() error {
	unit, occ, ns := p.unit, p.unitAck, p.unitNS
	p.unit, p.unitAck = nil, nil
	p.sendMu.Lock()
	defer p.sendMu.Unlock()
	p.mu.Lock()
	if !p.joined[ns] {
		if occ == nil {
			p.held[ns] = append(p.held[ns], unit)
		}
		p.mu.Unlock()
		if occ != nil { // an answer in a namespace not joined: parked as any
			return p.park(*occ, unit)
		}
		return nil
	}
	p.mu.Unlock()
	if occ == nil {
		return p.r.out(unit...)
	}
	return p.park(*occ, unit)
}

// park sends an ack answer under the client's ack id if the client has
// made the emit it answers, and keeps it until then otherwise.
func (p *eioPlay) park(occ evOcc, unit []engineio.Packet) error {
	p.mu.Lock()
	id, emitted := p.cliAcks[occ]
	if !emitted {
		p.parked[occ] = unit
		p.mu.Unlock()
		return nil
	}
	p.mu.Unlock()
	return p.r.out(withAckID(unit, id)...)
}

// withAckID returns an ack unit with its header's id replaced.
func withAckID(unit []engineio.Packet, id int64) []engineio.Packet {
	sio, _ := engineio.ParseSocketIO(unit[0].Data)
	sio.ID, sio.HasID = id, true
	out := append([]engineio.Packet{{Data: sio.Encode()}}, unit[1:]...)
	return out
}

// fromClient handles a Socket.IO packet or attachment from the client.
func (p *eioPlay) fromClient(pk engineio.Packet) {
	if pk.Binary {
		p.mu.Lock()
		if p.skipBytes > 0 {
			p.skipBytes--
		}
		p.mu.Unlock()
		return
	}
	sio, ok := engineio.ParseSocketIO(pk.Data)
	if !ok {
		p.r.log.Debug("client message", "data", readable.Preview(pk.Data, 80))
		return
	}
	p.mu.Lock()
	p.skipBytes = sio.Attachments
	p.mu.Unlock()
	switch sio.Type {
	case engineio.SIOConnect:
		p.connect(sio)
	case engineio.SIODisconnect:
		p.mu.Lock()
		delete(p.joined, sio.Path())
		p.mu.Unlock()
	case engineio.SIOEvent, engineio.SIOBinaryEvent:
		p.emit(sio)
	}
}

// connect answers a namespace CONNECT at once, with a fresh sid.
func (p *eioPlay) connect(sio engineio.SocketIO) {
	ns := sio.Path()
	reply := engineio.SocketIO{Type: engineio.SIOConnect, Namespace: ns}
	if p.r.version >= 4 {
		reply.Data = []byte(`{"sid":"` + newSID() + `"}`)
	}
	p.sendMu.Lock()
	defer p.sendMu.Unlock()
	p.r.out(engineio.Packet{Data: reply.Encode()})
	p.mu.Lock()
	p.joined[ns] = true
	held := p.held[ns]
	delete(p.held, ns)
	p.mu.Unlock()
	p.r.log.Info("namespace joined", "namespace", ns, "held_events", len(held))
	for _, unit := range held {
		p.r.out(unit...)
	}
}

// emit notes a client emit: its ack id, for the recorded answer (sent now
// if the player has parked it); one the recording lacks is logged.
func (p *eioPlay) emit(sio engineio.SocketIO) {
	ev, _ := sio.Event()
	key := evKey{sio.Path(), ev}
	p.mu.Lock()
	k := p.cliCount[key]
	p.cliCount[key] = k + 1
	// With Server.Loop the recording's emits come round again: the
	// client's k-th emit is the recorded (k mod n)-th, and the player's
	// occurrences go on counting across passes as the client's do.
	n := p.recorded[key]
	unrecorded := n == 0 || k >= n && !p.loop
	var unit []engineio.Packet
	if sio.HasID && !unrecorded {
		occ := evOcc{key, k}
		p.cliAcks[occ] = sio.ID
		unit = p.parked[occ]
		delete(p.parked, occ)
	}
	p.mu.Unlock()
	if unrecorded {
		p.r.log.Info("client emit not in the recording: ignored", "namespace", key.ns, "event", ev, "n", k+1,
			"recorded", p.recorded[key])
		return
	}
	clientID := sio.ID // the answer goes out under it
	if p.r.client != nil {
		// Server.Wait compares the client's emits with the recorded ones:
		// under the recorded ack id, since the client's own differs.
		// (The recorded events are shared with other replays: never
		// changed.)
		rec := sio
		rec.ID, rec.HasID = p.recIDs[evOcc{key, k % n}]
		p.r.client.add(rec.Encode())
	}
	if unit != nil {
		p.r.out(withAckID(unit, clientID)...)
	}
}
