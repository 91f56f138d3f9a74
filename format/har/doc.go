// Package har converts between wsreplay recordings and HAR 1.2 files (HTTP
// Archive), whose WebSocket entries carry their messages in
// "_webSocketMessages" as Chrome DevTools writes them. It keeps HTTP and
// WebSocket handshakes out of package format, as age keeps its armor
// encoding out of its core.
//
//	br, isHAR, err := har.Sniff(f) // a HAR file or a recording?
//	rec, err := har.Read(br, path) // rec.Events: sessions, messages, closes
//	err = har.Write(w, evs, &har.WriteOptions{Creator: har.Creator{Name: "wsreplay", Version: v}})
//
// Read and Write hold everything; NewReader and NewWriter stream: a Reader
// decodes one entry at a time and gives its offset (ReadSession reads that
// entry again), a Writer writes each session's entry once it has ended, so
// memory follows the largest entry (the sessions open at a time), not the
// file.
//
// What HAR cannot carry, and so Write leaves out or changes:
//   - the clean flag of a close, and drops: only a clean close is written,
//     as a close frame (opcode 8) carrying its code and reason;
//   - "by proxy" closes, written as closes by the server;
//   - ping and pong lines;
//   - text messages that are not valid UTF-8, written as binary (opcode 2);
//   - times finer than a microsecond (HAR times are float seconds).
//
// Sessions HTTP carried are ordinary entries: an event stream (kind sse)
// is one "eventsource" entry with its events in "_eventSourceMessages", as
// Chrome DevTools keeps an EventSource's messages ("time", "eventName",
// "eventId", the last event id so far, and "data"); Read also reads those
// of a HAR that Chrome wrote. A poller (kind poll) is one entry per
// exchange, its request (with "postData") and its response (with its
// "content"); Read reads back the poll entries wsreplay wrote, which name
// their session in "_wsreplay" (other HTTP entries are not sessions).
//
// What Write keeps that HAR has no place for (the session id, the URL the
// client asked for, subprotocol and extensions; the kind, the ending of an
// sse or poll session, an event's own id, retry and want of data) goes in
// an entry's
// "_wsreplay", so that a recording written as HAR and read back is the same
// but for the list above.
package har
