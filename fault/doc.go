// Package fault is wsreplay's one vocabulary of faults, the same for the
// command line, the control API, the timeline page, the replay server
// (package replayer) and the recording proxy (package recorder).
//
// Link faults act on a whole connection, as a bad network does:
//
//   - latency with jitter, "200ms±50ms" (or "200ms+-50ms"): every message
//     arrives that much later; jitter varies it per message, and messages
//     keep their order. Toxiproxy's latency toxic (latency, jitter).
//   - bandwidth, "64KiB/s": the link carries that many bytes a second;
//     messages queue behind the ones still on the wire and arrive bunched.
//     Toxiproxy's bandwidth toxic (rate, in KB/s there).
//   - a stall, "10s:5s": from 10 s after the connection opened, nothing
//     arrives for 5 s, then the backlog arrives at once. Toxiproxy's timeout
//     toxic with timeout 0 (data held until the toxic is removed).
//
// Message faults act on the server's messages a Rule selects (see
// ParseRule for the syntax): drop, duplicate, delay=D, reorder (with the
// next message) and corrupt (text that is no longer valid JSON; a
// truncated binary message). Toxiproxy has no notion of messages: these
// have no counterpart there.
//
// Every duration the vocabulary takes (latency, jitter, a stall's start and
// length, delay=D) is at most MaxDuration (24h), and a bandwidth is from
// 1B/s to MaxBandwidth (1024GiB/s); the parsers refuse the rest. Times of
// @ selectors are only compared and have no bound. A Clock stays safe with
// a Link built by hand beyond these limits.
//
// Parsers return one-line errors that quote the bad part; callers add the
// flag or field it came from. Values are plain data, safe to copy and to
// share once built.
package fault
