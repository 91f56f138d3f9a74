package replayer

import (
	"errors"
	"io"
	"sync"

	"github.com/wsreplay/wsreplay/format"
)

// A thousand clients replaying one session at once would hold a thousand
// decoders (a zstd decoder holds about 250 KiB) and decode the same lines a
// thousand times. So a replay that starts while others play the same
// session decodes it once into memory, if it is small (maxSharedBytes, and
// maxSharedTotal for all sessions shared at a time), and it and the replays
// after it play that copy; the copy is let go when the last of them ends.
// The first replay of a session, and every replay of a large one, streams
// from the file as always.

const (
	maxSharedBytes = 16 << 20 // the decoded size of one session shared
	maxSharedTotal = 64 << 20 // of all sessions shared at a time
	eventOverhead  = 200      // what an Event costs besides its payload
)

// sharedSession is what the replays of one session share.
type sharedSession struct {
	users  int             // replays playing the session now
	load   sync.Once       // decodes evs, once a second replay comes
	evs    []*format.Event // nil if not loaded (yet), or too large
	size   int64           // what evs hold, counted in sharedTotal
	shared bool            // evs loaded
}

var shared = struct {
	sync.Mutex
	sessions map[*Session]*sharedSession
	total    int64
}{sessions: map[*Session]*sharedSession{}}

// sharedStream opens s for one more replay.
func sharedStream(s *Session) (eventStream, error) {
	shared.Lock()
	ss := shared.sessions[s]
	if ss == nil {
		ss = &sharedSession{}
		shared.sessions[s] = ss
	}
	ss.users++
	first := ss.users == 1
	shared.Unlock()
	if !first {
		ss.load.Do(func() { ss.decode(s) })
		if ss.shared {
			return &sharedSlice{sliceStream: sliceStream{evs: ss.evs}, s: s, ss: ss}, nil
		}
	}
	fs, err := s.fileStream()
	if err != nil {
		leave(s, ss)
		return nil, err
	}
	return &sharedFile{fileStream: fs, s: s, ss: ss}, nil
}

// decode reads s whole into ss.evs, unless it is larger than the bounds
// allow or cannot be read (the replays then stream from the file, and
// report what is wrong there).
func (ss *sharedSession) decode(s *Session) {
	// A line longer than a session that can be shared is an error here:
	// never read whole (a line of 230 MiB held it, and its decoded copy,
	// only to find the session too large).
	fs, err := s.fileStreamMax(2 * maxSharedBytes)
	if err != nil {
		return
	}
	defer fs.Close()
	var evs []*format.Event
	var size int64
	for {
		e, err := fs.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return
		}
		if size += int64(len(e.Data)) + eventOverhead; size > maxSharedBytes {
			return
		}
		evs = append(evs, e)
	}
	shared.Lock()
	defer shared.Unlock()
	if shared.total+size > maxSharedTotal {
		return
	}
	shared.total += size
	ss.evs, ss.size, ss.shared = evs, size, true
}

// leave ends one replay of s; the last one lets the shared copy go.
func leave(s *Session, ss *sharedSession) {
	shared.Lock()
	defer shared.Unlock()
	if ss.users--; ss.users == 0 {
		shared.total -= ss.size
		delete(shared.sessions, s)
	}
}

type sharedSlice struct {
	sliceStream
	s      *Session
	ss     *sharedSession
	closed bool
}

func (st *sharedSlice) Close() error {
	if !st.closed {
		st.closed = true
		leave(st.s, st.ss)
	}
	return nil
}

type sharedFile struct {
	*fileStream
	s      *Session
	ss     *sharedSession
	closed bool
}

func (st *sharedFile) Close() error {
	if st.closed {
		return nil
	}
	st.closed = true
	leave(st.s, st.ss)
	return st.fileStream.Close()
}
