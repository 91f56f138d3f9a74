package format

import "io"

// Stream is a source of events in file order: a *Reader, a SessionReader,
// or a caller's own (the events of a HAR file). Next returns io.EOF at the
// end.
type Stream interface {
	Next() (*Event, error)
}

// SessionReader reads the lines of one session out of a stream in which
// the lines of several sessions interleave: the lines of other sessions are
// skipped, and the session ends after its close line, so that reading a
// session near the start of a large file does not read the rest of it.
//
// Next and Decode return io.EOF after the session's close line, or at the
// end of the stream for a session without one (and at once, having read the
// whole stream, for a session the stream does not hold). Every other error
// is the stream's, unchanged: a torn tail after the session's last complete
// line satisfies errors.Is(err, ErrTruncated), and a malformed line is a
// *SyntaxError that names the line in the file, whichever session it was
// meant for.
//
// A SessionReader is not safe for concurrent use. It does not close its
// stream, which the caller owns.
type SessionReader struct {
	src  Stream
	dec  lineDecoder // src, when it decodes into the caller's Event (a *Reader)
	id   string
	pos  Position
	done bool
}

// lineDecoder is what a *Reader has besides Next: a source with both methods
// lets SessionReader.Decode reuse the caller's Event and LinePos say where
// each line starts.
type lineDecoder interface {
	Decode(*Event) error
	Pos() Position
}

// NewSessionReader returns a SessionReader of session id in src, reading
// from src's current line on (a Reader started at the session's first line
// with ReaderOptions.Start skips what lies before it).
func NewSessionReader(src Stream, id string) *SessionReader {
	s := &SessionReader{src: src, id: id}
	s.dec, _ = src.(lineDecoder)
	return s
}

// Next returns the session's next event; the Event is the caller's.
func (s *SessionReader) Next() (*Event, error) {
	if s.dec != nil {
		e := new(Event)
		if err := s.Decode(e); err != nil {
			return nil, err
		}
		return e, nil
	}
	for !s.done {
		e, err := s.src.Next()
		if err != nil {
			return nil, err
		}
		if s.take(e) {
			return e, nil
		}
	}
	return nil, io.EOF
}

// Decode reads the session's next event into e. With a *Reader for its
// stream it reuses the storage of e.Data, as Reader.Decode does; with
// another stream it copies the event Next returns into e.
func (s *SessionReader) Decode(e *Event) error {
	if s.dec == nil {
		got, err := s.Next()
		if err != nil {
			return err
		}
		*e = *got
		return nil
	}
	for !s.done {
		pos := s.dec.Pos()
		if err := s.dec.Decode(e); err != nil {
			return err
		}
		if s.take(e) {
			s.pos = pos
			return nil
		}
	}
	return io.EOF
}

// LinePos returns where the line of the event returned last starts (or a
// line of unknown type just before it, which a Reader skips), to begin a
// later Reader there (ReaderOptions.Start). It is the zero Position before
// the first event, and always when the stream has no Pos method.
func (s *SessionReader) LinePos() Position { return s.pos }

// take reports whether e is of the session, and notes its end.
func (s *SessionReader) take(e *Event) bool {
	if e.Session != s.id {
		return false
	}
	s.done = e.Type == TypeClose
	return true
}
