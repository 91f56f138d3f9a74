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
	size   int64           // what evs hold, counted in sharedCopies.total
	shared bool            // evs loaded
}

// sharedCopies are the sessions of a Catalog that replays play now, and
// the decoded copies they share. Its zero value is empty and ready; it is
// safe for concurrent use.
type sharedCopies struct {
	mu       sync.Mutex
	sessions map[*Session]*sharedSession
	total    int64 // the bytes of every copy held
}

// stream opens s for one more replay.
func (sc *sharedCopies) stream(s *Session) (eventStream, error) {
	sc.mu.Lock()
	if sc.sessions == nil {
		sc.sessions = map[*Session]*sharedSession{}
	}
	ss := sc.sessions[s]
	if ss == nil {
		ss = &sharedSession{}
		sc.sessions[s] = ss
	}
	ss.users++
	first := ss.users == 1
	sc.mu.Unlock()
	if !first {
		ss.load.Do(func() { sc.decode(s, ss) })
		if ss.shared {
			return &sharedSlice{sliceStream: sliceStream{evs: ss.evs}, sc: sc, s: s, ss: ss}, nil
		}
	}
	fs, err := s.fileStream()
	if err != nil {
		sc.leave(s, ss)
		return nil, err
	}
	return &sharedFile{fileStream: fs, sc: sc, s: s, ss: ss}, nil
}

// decode reads s whole into ss.evs, unless it is larger than the bounds
// allow or cannot be read (the replays then stream from the file, and
// report what is wrong there).
func (sc *sharedCopies) decode(s *Session, ss *sharedSession) {
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
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.total+size > maxSharedTotal {
		return
	}
	sc.total += size
	ss.evs, ss.size, ss.shared = evs, size, true
}

// leave ends one replay of s; the last one lets the shared copy go.
func (sc *sharedCopies) leave(s *Session, ss *sharedSession) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if ss.users--; ss.users == 0 {
		sc.total -= ss.size
		delete(sc.sessions, s)
	}
}

type sharedSlice struct {
	sliceStream
	sc     *sharedCopies
	s      *Session
	ss     *sharedSession
	closed bool
}

func (st *sharedSlice) Close() error {
	if !st.closed {
		st.closed = true
		st.sc.leave(st.s, st.ss)
	}
	return nil
}

type sharedFile struct {
	*fileStream
	sc     *sharedCopies
	s      *Session
	ss     *sharedSession
	closed bool
}

func (st *sharedFile) Close() error {
	if st.closed {
		return nil
	}
	st.closed = true
	st.sc.leave(st.s, st.ss)
	return st.fileStream.Close()
}
