package protocol

import "net/http"

// Set is the list of profiles a recorder, a replay server or a command
// knows, in the order they are tried: the first that recognises a session
// is its protocol, so a more specific profile goes before a more general
// one.
//
// A nil Set means Default(): option structs hold a Set whose zero value is
// the built-in profiles. A non-nil empty Set (Set{}) knows no protocol. A
// Set is a plain value: a test builds its own, and nothing in this package
// keeps a global list. It is safe for concurrent use if nobody modifies it.
type Set []Profile

// Default returns the built-in profiles, a new Set on every call. Adding a
// protocol to wsreplay is one line here (see the package doc).
func Default() Set {
	return Set{
		SocketIO{},
		GraphQLTransportWS{},
		SubscriptionsTransportWS{},
		MQTT{},
		Centrifuge{},
		ActionCable{},
		SignalR{},
		STOMP{},
		Phoenix{},
		SockJS{}, // after Phoenix: /<digits>/<part>/websocket?vsn=2.0.0 is Phoenix's
		JSONRPC{},
	}
}

func (s Set) orDefault() Set {
	if s == nil {
		return Default()
	}
	return s
}

// Detect returns the profile o.Protocol names, if it names one (nil for
// NoProtocol or a name s does not know); otherwise the first profile of s
// that recognises a session opening as o, or nil when none does.
func (s Set) Detect(o Opening) Profile {
	if o.Protocol != "" {
		return s.Lookup(o.Protocol)
	}
	for _, p := range s.orDefault() {
		if p.Recognize(o) {
			return p
		}
	}
	return nil
}

// Lookup returns the profile of s named name (what --protocol takes), or
// nil.
func (s Set) Lookup(name string) Profile {
	for _, p := range s.orDefault() {
		if p.Name() == name {
			return p
		}
	}
	return nil
}

// Names returns the names of the profiles of s, in order.
func (s Set) Names() []string {
	var names []string
	for _, p := range s.orDefault() {
		names = append(names, p.Name())
	}
	return names
}

// Bootstrap returns the profile of s that takes r as one of its HTTP
// bootstrap requests, or nil.
func (s Set) Bootstrap(r *http.Request) Bootstrapper {
	for _, p := range s.orDefault() {
		if b, ok := p.(Bootstrapper); ok && b.Bootstrap(r) {
			return b
		}
	}
	return nil
}

// maxFirstBytes bounds what a Detector keeps of each first message.
const maxFirstBytes = 64 << 10

// Detector finds the protocol of one session from its opening and then,
// if need be, from its first messages, as a caller that streams a
// recording (cat, the timeline) meets them. The zero value is not usable:
// get one from Set.Detector. Not safe for concurrent use.
type Detector struct {
	set     Set
	opening Opening
	found   Profile
	done    bool
}

// Detector starts detecting the protocol of a session that opened as o.
func (s Set) Detector(o Opening) *Detector {
	d := &Detector{set: s.orDefault(), opening: o}
	d.opening.First = nil
	d.found = d.set.Detect(d.opening)
	d.done = d.found != nil || o.Protocol != "" // named: no guessing from messages
	return d
}

// Message notes the session's next message and returns the profile found
// so far (nil while none). After MaxFirst messages without one it stops
// trying: the session speaks no protocol of the set. It keeps a copy of
// each message until then (an empty one for a message over 64 KiB).
func (d *Detector) Message(m Message) Profile {
	if d.done {
		return d.found
	}
	if len(m.Data) > maxFirstBytes {
		m.Data = nil // no handshake is this long; a recording's giant message is not kept
	}
	m.Data = append([]byte(nil), m.Data...) // kept in First past the caller's buffer
	d.opening.First = append(d.opening.First, m)
	d.found = d.set.Detect(d.opening)
	d.done = d.found != nil || len(d.opening.First) >= MaxFirst
	if d.done {
		d.opening.First = nil
	}
	return d.found
}

// Decided reports whether the detector looks no further: a profile was
// found, the opening named the protocol (or none), or MaxFirst messages
// showed none.
func (d *Detector) Decided() bool { return d != nil && d.done }

// Profile returns the profile found so far, nil while none (and of a nil
// Detector).
func (d *Detector) Profile() Profile {
	if d == nil {
		return nil
	}
	return d.found
}
