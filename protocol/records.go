package protocol

import (
	"bytes"
	"fmt"
)

// recordSplitter is the Splitter of protocols whose WebSocket messages
// hold one or more whole records, each ended (SignalR: 0x1e) or separated
// (Centrifuge: '\n') by a byte: it cuts after each such byte, and holds
// nothing between messages, since no record spans two.
type recordSplitter struct{ sep byte }

func (s recordSplitter) Split(m Message) []Message { return records(m, s.sep) }
func (recordSplitter) Rest() []Message             { return nil }

// records cuts m after each sep byte that has bytes after it: a record
// keeps its delimiter, so the records' bytes, in order, are m's. A
// message with no sep inside (one record) is returned as it is.
func records(m Message, sep byte) []Message {
	var out []Message
	eachRecord(m, sep, func(r Message) bool {
		out = append(out, r)
		return true
	})
	return out
}

// eachRecord calls fn with each record of m, as records cuts them, until
// fn returns false.
func eachRecord(m Message, sep byte, fn func(Message) bool) {
	for b := m.Data; ; {
		i := bytes.IndexByte(b, sep)
		if i < 0 || i == len(b)-1 {
			fn(Message{Dir: m.Dir, Binary: m.Binary, Data: b})
			return
		}
		if !fn(Message{Dir: m.Dir, Binary: m.Binary, Data: b[: i+1 : i+1]}) {
			return
		}
		b = b[i+1:]
	}
}

// firstRecord returns the first record of m, as records cuts them.
func firstRecord(m Message, sep byte) Message {
	var first Message
	eachRecord(m, sep, func(r Message) bool {
		first = r
		return false
	})
	return first
}

// withoutSep returns a record without its trailing sep, and that sep
// (nil if it has none).
func withoutSep(b []byte, sep byte) (body, tail []byte) {
	if n := len(b); n > 0 && b[n-1] == sep {
		return b[:n-1], b[n-1:]
	}
	return b, nil
}

// describeRecords describes the first record of m, and says how many
// more m holds: for callers that did not cut m with the profile's
// Splitter. m is a heartbeat only if every record is: a caller that
// leaves recorded heartbeats out must not lose a reply beside one.
func describeRecords(m Message, sep byte, describe func(Message) Description) Description {
	var d Description
	n := 0
	eachRecord(m, sep, func(r Message) bool {
		if n == 0 {
			d = describe(r)
		} else if d.Heartbeat {
			d.Heartbeat = describe(r).Heartbeat
		}
		n++
		return true
	})
	if n > 1 && d.Summary != "" {
		d.Summary += fmt.Sprintf(" (+%d messages)", n-1)
	}
	return d
}

// echoesRecords returns the ids every record of m echoes, in order.
func echoesRecords(m Message, sep byte, echoes func(Message) []ID) []ID {
	var ids []ID
	eachRecord(m, sep, func(r Message) bool {
		ids = append(ids, echoes(r)...)
		return true
	})
	return ids
}

// rewriteRecords rewrites every record of m: m.Data itself when no
// record changes.
func rewriteRecords(m Message, sep byte, rewrite func(Message) []byte) []byte {
	var out []byte
	changed := false
	eachRecord(m, sep, func(r Message) bool {
		b := rewrite(r)
		changed = changed || !bytes.Equal(b, r.Data)
		out = append(out, b...)
		return true
	})
	if !changed {
		return m.Data
	}
	return out
}
