// Package format reads and writes wsreplay recordings: timestamped WebSocket
// messages as newline-delimited JSON (NDJSON), plain, gzip or zstd.
//
// It knows nothing about WebSockets or HTTP; the recorder and the replayer
// build on it, and so can any Go program. HAR files, which carry HTTP
// handshakes, are package format/har's; converters from other formats check
// their times with CheckTime.
//
//	w := format.NewWriter(f, &format.WriterOptions{Compression: format.Zstd})
//	w.Write(&format.Event{Type: format.TypeMessage, Session: id, Time: t,
//		Dir: format.Receive, Opcode: format.Text, Data: msg})
//	w.Flush() // lines so far are now readable, even if the process dies
//	w.Close() // ends the compressed stream; the caller closes f
//
//	r := format.NewReader(f, &format.ReaderOptions{Name: path})
//	defer r.Close()
//	for {
//		ev, err := r.Next() // io.EOF at a clean end
//		...
//	}
//
// A file's sessions may interleave; NewSessionReader reads one of them, and
// stops after its close line:
//
//	s := format.NewSessionReader(r, id) // io.EOF after the session's close
//
// # Format, version 1
//
// One JSON object per line, UTF-8, each ended by "\n" (readers also accept
// "\r\n"), so jq, grep and head work on a recording. A file is plain NDJSON
// (".ndjson"), or the same compressed as gzip (".ndjson.gz") or zstd
// (".ndjson.zst"); readers tell which by the first bytes, never by the name.
// A compressed file may hold several concatenated streams or frames: the
// recorder writes each block of whole lines as a zstd frame (gzip member) of
// its own (FrameEncoder), so that a file cut after any frame reads back
// every line before the cut, and CompleteFrames finds where to cut one.
//
// Every line has:
//
//	type     "session", "message", "close", "ping", "pong" or "fault"
//	session  the session id (one WebSocket connection); lines of several
//	         sessions may interleave in one file
//	time     RFC 3339 in UTC with nine fractional digits, for example
//	         "2026-11-25T10:00:00.250000000Z". It is the session start plus
//	         the monotonic time elapsed, so offsets within a session are exact
//	         even if the wall clock jumped.
//
// A session line opens a session:
//
//	{"type":"session","v":1,"session":"01J...","time":"...","url":"/live?room=1",
//	 "upstream":"ws://backend:3000/live?room=1","subprotocol":"chat",
//	 "extensions":"permessage-deflate","request_headers":{"Origin":["https://app"],
//	 "Cookie":["[redacted]"]},"response_headers":{}}
//
// "v" is the format version and is required; a reader rejects a version it
// does not know with ErrUnsupportedVersion. "url" is the path and query the
// client asked for, "upstream" the URL the recorder dialled; both have
// credentials redacted. The other fields are optional.
//
// A message line is one whole WebSocket message (fragments reassembled,
// permessage-deflate undone):
//
//	{"type":"message","session":"...","time":"...","dir":"receive","text":"Hello World"}
//	{"type":"message","session":"...","time":"...","dir":"send","binary":"AAEC/w=="}
//
// "dir" is seen from the client, as in HAR: "send" is client to server,
// "receive" server to client. A text message carries "text" (an empty one is
// "text":""); a binary message carries "binary" in standard base64. A text
// message whose bytes are not valid UTF-8 is stored as "binary" with
// "opcode":"text", so that nothing is altered. Valid UTF-8 text stays
// "text", readable by grep, jq and SQL (JSON inside JSON included, whose
// quotes escape to two bytes each), unless its escaped form would be more
// than twice its size (control characters escape to six bytes each) or
// would not fit in a line: it is then stored as "binary" with
// "opcode":"text" too. A message of MaxMessageSize (128 MiB) thus fits in
// DefaultMaxLineSize (180 MiB), the line limit of every reader, whichever
// form it takes. Readers take either form of any text message.
//
// A close line ends a session:
//
//	{"type":"close","session":"...","time":"...","by":"server","code":1000,"reason":"bye","clean":true}
//
// "by" is "client", "server" or "proxy" (the recorder itself, for example at
// shutdown). "clean" is false when the connection ended without a close
// frame (a TCP drop, which browsers report as 1006), and "code" is then 1006.
// If "clean" is missing it is taken as code != 1006. "lost", when present,
// counts lines of the session the recorder could not write (a full queue or
// a failing disk): the recording of that session is incomplete.
//
// Ping and pong lines record observed control frames, with "dir" and an
// optional "text" or "binary" payload. Readers must accept them and may
// ignore them.
//
// A fault line records a fault the recorder applied to live traffic, when
// it was asked to (record --fault, --latency, --bandwidth, --stall-at, or
// its admin API; never by default):
//
//	{"type":"fault","session":"...","time":"...","dir":"receive","fault":"latency 200ms","action":"link"}
//	{"type":"fault","session":"...","time":"...","dir":"receive","fault":"drop:$.type==tick","action":"drop"}
//
// "fault" is the fault as it was given (package fault's syntax) and is
// required; "action" is what it did: "link" (at the start of a session:
// the link faults its messages crossed), or "drop", "duplicate", "delay",
// "reorder", "corrupt" (one message, the next one the server sent). The
// message lines of a session with faults are what the client received, when
// it received them: a dropped message has no line, a duplicated one two, a
// delayed one its late time, a corrupted one the corrupted payload. A
// replay of the file thus gives a client what the client really got.
// Readers that do not know fault lines skip them as lines of an unknown type.
//
// # Kinds
//
// A session line may say what carried the session in "kind": "websocket"
// (the same as no "kind"), "socketio", "poll", "sse" or "sockjs". The messages of every
// kind are message lines, so a reader that knows no kinds reads them as
// WebSocket messages; the extra fields say how to serve them again:
//
//	{"type":"session",...,"kind":"socketio","engineio":{"v":4,"sid":"Xy",
//	 "ping_interval":25000,"ping_timeout":20000,"max_payload":1000000,"upgrades":["websocket"]}}
//	{"type":"message",...,"dir":"receive","text":"42[\"tick\",1]","transport":"polling"}
//
// A socketio session is one Engine.IO sid; each message is one Engine.IO
// packet as it is written on a WebSocket (binary attachments are binary
// messages; in Engine.IO 3, "engineio" v 3, a binary message begins with
// the packet type, byte 4, as its WebSocket frames do), and "transport"
// says which transport carried it: a packet that came in a polling body
// is one message all the same, timed when the body was relayed.
//
//	{"type":"session",...,"kind":"poll","url":"/poll"}
//	{"type":"message",...,"dir":"send","text":"","http":{"method":"GET","url":"/poll?since=3","headers":{}}}
//	{"type":"message",...,"dir":"receive","text":"[...]","http":{"status":200,"headers":{"Content-Type":["application/json"]}}}
//
// A poll session is one poller's HTTP exchanges: a send message is a request
// and its body, the receive message after it the response and its body (a
// request the upstream did not answer gets status 502, or 499 when the
// client left first). The session line's "url" and "request_headers" are
// those of its first request. Its close line is "by":"client" with 1000 and
// "poller idle" when the poller stopped asking, or "by":"proxy" with 1001
// when the recorder shut down.
//
//	{"type":"session",...,"kind":"sse","url":"/events"}
//	{"type":"message",...,"dir":"receive","text":"line 1\nline 2","sse":{"id":"7","event":"tick","retry":3000}}
//
// An sse session is one text/event-stream response; each message is one
// event, its data as an EventSource delivers it, "sse" its other fields
// ("id" present when the event had one, even empty; "no_data":true for a
// block with an id or a retry but no data field, which an EventSource
// does not dispatch). Comment lines (keep-alives) are not recorded. The
// close line says how the stream ended: "by":"server" with 1000 and
// "clean":true when the server ended the response; "by":"server" with 1006
// and "clean":false when it was cut (the connection broke before the
// response's end); "by":"client" with 1001 when the client went away; and
// "by":"proxy" with 1001 when the recorder shut down.
//
//	{"type":"session",...,"kind":"sockjs","url":"/echo/123/x7k2/xhr_streaming"}
//	{"type":"message",...,"dir":"receive","text":"hello","transport":"xhr-streaming"}
//	{"type":"message",...,"dir":"send","text":"hi","transport":"xhr-polling"}
//	{"type":"close",...,"by":"server","code":3000,"reason":"Go away!","clean":true}
//
// A sockjs session is one SockJS session (the <session> part of
// <base>/<server>/<session>/<transport>), whichever transports carried it:
// its websocket, xhr_streaming, xhr (polling) and xhr_send requests. Each
// message is one application message: one string of a server's a[...]
// frame, or of the JSON array a client sent, decoded (its text is what the
// application's onmessage got, or gave to send), and "transport" says
// which transport carried it. The open frame "o" and the heartbeats "h"
// are not recorded (a replay makes them live). The session line's "url"
// and "request_headers" are those of its first transport request. The
// close line is the server's close frame c[code,"reason"] ("by":"server",
// its code and reason, "clean":true); else how the websocket ended; else,
// when the client stopped asking on its HTTP transports, "by":"client"
// with 1006 and "clean":false; or "by":"proxy" with 1001 when the
// recorder shut down.
//
// # Protocols
//
// A session line may name the protocol spoken over the session in
// "protocol", as wsreplay's protocol profiles name it (package protocol:
// "graphql-transport-ws", "subscriptions-transport-ws"). It is absent when
// none was detected, and when "kind" already says it ("socketio"); readers
// then detect the protocol themselves, from the session line and the first
// messages. A reader that knows no profile of that name treats the session
// as speaking no known protocol.
//
//	{"type":"session",...,"subprotocol":"graphql-transport-ws","protocol":"graphql-transport-ws"}
//
// # Bootstraps
//
// Some protocols' clients make an HTTP request before their socket: SockJS
// asks GET <base>/info, SignalR POST <hub>/negotiate. The recorder records
// each such exchange, with no flag, as a poll session of its own that
// names the protocol: one request line, one response line, and a close
// line "by":"server" with 1000 and "bootstrap answered". It is linked to
// the socket it opens by its URL: the WebSocket session recorded next on
// the same base (<base>/<server>/<session>/websocket for SockJS,
// <hub>?id=... for SignalR). Secrets the answer hands out are recorded
// hidden ("connectionToken":"[redacted]"), and so is the id= that
// presents one in a later URL (/hub?id=%5Bredacted%5D).
//
//	{"type":"session",...,"kind":"poll","protocol":"signalr","url":"/hub/negotiate?negotiateVersion=1"}
//	{"type":"message",...,"dir":"send","text":"","http":{"method":"POST","url":"/hub/negotiate?negotiateVersion=1","headers":{}}}
//	{"type":"message",...,"dir":"receive","text":"{\"availableTransports\":[...],\"connectionId\":\"eWA4\",\"connectionToken\":\"[redacted]\",\"negotiateVersion\":1}","http":{"status":200,"headers":{}}}
//	{"type":"close",...,"by":"server","code":1000,"reason":"bootstrap answered","clean":true}
//
// A reader that does not know bootstraps sees a poll session, which it is.
//
// # SignalR's HTTP transports
//
// A SignalR connection carried by Server-Sent Events or long polling
// (GET <hub>?id=<token> streaming or polled, POST <hub>?id=<token> for
// the client's sends, DELETE <hub>?id=<token> to end) is recorded as one
// session per connection token: a session line of the default kind with
// "protocol":"signalr" and "transport" naming the transport as negotiate
// names it ("ServerSentEvents" or "LongPolling"), its URL the first
// request's with the token hidden. Its message lines are the JSON hub
// protocol's records, each with its 0x1e, as a WebSocket would carry
// them: the client's from the POST bodies, the server's from the event
// stream's data or the poll bodies, split at 0x1e; the handshake, pings
// (type 6) and the close message (type 7) included. The close line says
// who ended the connection: the client's DELETE or its leaving the
// stream ("by":"client"), the server's 204 to a poll or the end of its
// stream ("by":"server"). A reader that does not know the field reads a
// WebSocket session of the same messages, which is what it replays.
//
//	{"type":"session",...,"url":"/hub?id=%5Bredacted%5D","protocol":"signalr","transport":"LongPolling"}
//	{"type":"message",...,"dir":"send","text":"{\"protocol\":\"json\",\"version\":1}\u001e"}
//	{"type":"message",...,"dir":"receive","text":"{}\u001e"}
//	{"type":"close",...,"by":"client","code":1000,"reason":"","clean":true}
//
// # Recorded from a browser
//
// A session recorded from a browser's DevTools protocol events (wsreplay
// record --browser, --attach), not through the proxy, says so on its
// session line: "via":"browser", and "page", the URL of the tab or worker
// that opened it (redacted as "url" is). Its other lines are those the
// proxy writes for the same traffic; "upstream" is the URL the browser
// asked for, and the headers are those the browser reports. Times are the
// browser's own monotonic timestamps, turned into wall time once. A
// reader that does not know the fields reads the session as any other.
//
//	{"type":"session",...,"url":"/live?room=1","upstream":"ws://app.example/live?room=1","via":"browser","page":"https://app.example/room/1"}
//
// # Compatibility
//
// The format is a contract: files written by any release stay readable.
// Readers ignore fields they do not know, and skip lines of a type they do
// not know, counting them (Reader.Unknown). A later version may add fields
// and line types; a change that old readers would misread gets a new "v".
// The JSON Schema of version 1 is schema.json in this directory.
//
// # Errors
//
// A Reader returns every complete line before it reports a problem. A last
// line cut off in the middle, or a compressed stream cut short (a writer
// killed after a Flush leaves exactly that), is reported as an error that
// matches ErrTruncated: callers warn and use what was read. A malformed line
// is a *SyntaxError naming the file and line, unless ReaderOptions
// SkipMalformed asks for skipping and counting. Input whose first line is not
// a JSON object is ErrNotRecording.
package format
