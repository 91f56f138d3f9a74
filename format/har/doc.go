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
// What Write keeps that HAR has no place for (the session id, the URL the
// client asked for, subprotocol and extensions) goes in an entry's
// "_wsreplay", so that a recording written as HAR and read back is the same
// but for the list above.
package har
