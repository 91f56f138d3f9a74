package export

import (
	"fmt"
	"strings"
)

// writeSocketIO writes the module of a Socket.IO session: the API of a
// WebSocket module (routeWebSocket, ws.link: Engine.IO 4 is carried by a
// WebSocket), with a player that speaks Engine.IO and Socket.IO.
func writeSocketIO(target Target, s *Session, opts *Options) (*Files, error) {
	items, left, err := sioTimeline(s)
	if err != nil {
		return nil, err
	}
	data := sioArray(items, false)
	useSidecar, err := sidecarFor(opts, data)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString("/** The recorded session, and the parameters the mock's open packet announces. */\n")
	fmt.Fprintf(&b, "export const session = {\n  id: %s,\n  url: %s,\n  path: %s,\n  engineio: %s,\n};\n\n",
		jsString(s.ID), jsString(s.URL), jsString(s.path()), sioParams(s))
	b.WriteString(sioDataDoc)
	if left > 0 {
		fmt.Fprintf(&b, "// %d recorded ack answers answer no recorded emit: left out, as \"wsreplay serve\" leaves them.\n", left)
	}
	b.WriteString(timelineConst(target, "packets", data, useSidecar, opts.SidecarName))
	b.WriteString(endingDoc)
	fmt.Fprintf(&b, "export const ending = %s;\n\n", endingLiteral(s.Ending))
	module := webSocketModule(target, s, opts, useSidecar, b.String(), pacing+sioPlayer)
	f := &Files{Module: []byte(module)}
	if useSidecar {
		f.Sidecar = []byte(sioArray(items, true) + "\n")
	}
	return f, nil
}

const sioDataDoc = `/**
 * The recorded Socket.IO packets, in order. at: milliseconds from the
 * connection; ns: the namespace. dir "receive": a packet the mock sends
 * (text, as written on a WebSocket; attachments: its binary attachments,
 * base64, sent right after it; answers: an ack answer for the client's
 * k-th emit of that event in ns, sent under the ack id the client gave it).
 * dir "send": the client's k-th emit of event in ns, which option wait
 * waits for. Engine.IO's own packets (open, pings, upgrade) and namespace
 * CONNECTs are made live, not replayed.
 */
`

const endingDoc = `/**
 * How the session ended: a close frame (clean) or a drop (code 1006); null:
 * no recorded ending, or the client closed, and the mock stays open.
 */
`

// timelineConst exports the timeline data as name: in the module, or read
// from the sidecar file.
func timelineConst(target Target, name, data string, sidecar bool, file string) string {
	switch {
	case !sidecar:
		return fmt.Sprintf("export const %s = %s;\n\n", name, data)
	case target == Playwright:
		return fmt.Sprintf("export const %s = JSON.parse(readFileSync(new URL(%s, import.meta.url), \"utf8\"));\n\n", name, jsString("./"+file))
	}
	return fmt.Sprintf("export const %s = sidecar; // from %s\n\n", name, jsString("./"+file))
}

const sioPlaywrightUsage = `In a Playwright test, before the page connects:

  import replay from "./MODULE";

  test("replays the recorded Socket.IO session", async ({ page }) => {
    await replay(page, { speed: "max" });
    await page.goto("/");
  });

replay(page, options) routes the WebSockets of page (or of a BrowserContext)
whose URL matches options.url (a string, glob or RegExp; default: the
recorded path on any host) and answers each as an Engine.IO 4 server
(Socket.IO 3 and 4) playing the session. It mocks the WebSocket transport
only: the page's client must connect with transports: ["websocket"] (a
client that starts with HTTP long-polling never reaches the mock).
It resolves once the route is in place.
`

const sioMSWUsage = `With MSW (2.x), in Node or in the browser:

  import { setupServer } from "msw/node";
  import { handlers, configure } from "./MODULE";

  configure({ speed: "max" });
  const server = setupServer(...handlers);
  server.listen();

handlers intercepts WebSockets whose URL matches the recorded path on any
host (configure({ url }) sets another string or RegExp: call it before the
handlers are passed to setupServer or setupWorker) and answers each as an
Engine.IO 4 server (Socket.IO 3 and 4) playing the session. MSW intercepts
the global WebSocket: the client must connect with transports:
["websocket"], and be socket.io-client's browser build (in Node, the
default build uses the ws package, which MSW does not see), loaded after
server.listen() (it takes the global WebSocket as it loads). This module
does not use @mswjs/socket.io-binding, which knows no namespaces, acks or
pings; it speaks Engine.IO itself.
`

const sioOptions = `
The mock sends an open packet with a fresh sid and the recorded
pingInterval, pingTimeout and maxPayload, pings every pingInterval (the
client answers), answers each namespace CONNECT at once with a fresh sid,
and holds a namespace's events until the client has joined it. Binary
events go with their attachments. A recorded ack answer goes under the ack
id the client gave the emit it answers (same namespace, event and
occurrence), once the client has made it.

Options: speed (a number, or "max" or 0 for no waiting; default 1) scales the
recorded offsets, counted from the connection; wait (default false) holds
each packet recorded after a client emit until the client has made that
emit (same namespace, event and occurrence), and counts the offsets after
it from then; followIds (default true) holds an ack answer, and the
packets after it, until the client has made the emit it answers, and sends
it no sooner than its recorded delay after that emit (false: the answer
waits alone, the other packets keep the recorded clock, as in "wsreplay
serve"); onClientMessage(message) is called with each packet the client
sends. A recorded close is sent with its code and reason once the
packets are out; without one the mock stays open, pinging.`

// pacing is the clock of the players of the kinds other than WebSocket:
// speed read from the options, sleeps against an instant.
const pacing = `/** The speed of options: a positive number, or "max" (0 is "max", as in "wsreplay serve"). */
function speedOf(options) {
  const speed = options.speed ?? 1;
  if (speed === 0 || speed === "max") return "max";
  if (!(typeof speed === "number" && speed > 0)) {
    throw new TypeError("speed: " + speed + ' is not a positive number or "max"');
  }
  return speed;
}

/**
 * A clock for one replay: sleepUntil(due) resolves at due (a
 * performance.now() instant) or when wake() is called; due(at, anchor,
 * base) is when a recorded offset at falls, anchor being the instant
 * base falls on.
 */
function clock(speed) {
  let timer;
  let wakeUp = () => {};
  return {
    due: (at, anchor, base) => (speed === "max" ? 0 : anchor + (at - base) / speed),
    sleepUntil: (due) =>
      new Promise((resolve) => {
        wakeUp = resolve;
        timer = setTimeout(resolve, Math.max(0, due - performance.now()));
      }),
    wake() {
      clearTimeout(timer);
      wakeUp();
    },
  };
}
`

// sioPlayer is the Engine.IO 4 server of a Socket.IO module.
const sioPlayer = `
/**
 * Plays the session to one connection as an Engine.IO 4 server on its
 * WebSocket transport: conn.send(packet) sends a text packet or an
 * attachment, conn.close(code, reason) ends the connection. Returns
 * clientMessage(message), to call with each message the client sends, and
 * stop(), to call when the client has gone.
 */
function play(conn, options) {
  const speed = speedOf(options);
  const time = clock(speed);
  const joined = new Set(); // the namespaces the client has joined
  const held = new Map(); // namespace -> packets waiting for the client to join it
  const emits = new Map(); // namespace and event -> the client's emits, { id, at }
  const parked = new Map(); // namespace, event and occurrence -> an answer waiting for that emit
  const key = (ns, event) => JSON.stringify([ns, event]);
  let resume = () => {}; // wakes a wait for a client emit
  let stopped = false;
  const follow = options.followIds ?? true;
  const emitted = new Map(); // namespace, event and occurrence -> when the recorded emit was
  for (const p of packets) if (p.dir === "send") emitted.set(key(p.ns, p.event) + "#" + p.k, p.at);

  const out = (p, id) => {
    conn.send(id === undefined ? p.text : withAckID(p.text, id));
    for (const a of p.attachments ?? []) conn.send(payload({ binary: a }));
  };
  // deliver sends p, or holds it until the client has joined its
  // namespace, or (an ack answer) until the client has made the emit.
  const deliver = (p) => {
    if (p.answers !== undefined) {
      const k = key(p.ns, p.answers.event);
      const emit = emits.get(k)?.[p.answers.k];
      if (emit === undefined) parked.set(k + "#" + p.answers.k, p);
      else if (emit.id !== undefined) out(p, emit.id);
    } else if (!joined.has(p.ns)) {
      held.set(p.ns, [...(held.get(p.ns) ?? []), p]);
    } else {
      out(p);
    }
  };

  conn.send("0" + JSON.stringify({ sid: freshID(), upgrades: [], ...session.engineio }));
  // In Engine.IO 4 the server pings and the client answers; a client that
  // hears no ping for pingInterval + pingTimeout closes.
  const pinger = setInterval(() => conn.send("2"), session.engineio.pingInterval);

  async function run() {
    let anchor = performance.now();
    let base = 0;
    for (const p of packets) {
      if (p.dir === "send") {
        if (!options.wait) continue;
        let emit;
        while ((emit = emits.get(key(p.ns, p.event))?.[p.k]) === undefined && !stopped) {
          await new Promise((resolve) => (resume = resolve));
        }
        if (stopped) return;
        [anchor, base] = [emit.at, p.at];
        continue;
      }
      let due = time.due(p.at, anchor, base);
      if (follow && p.answers !== undefined) {
        // An ack answer, and the packets after it, wait for the emit it
        // answers, and come no sooner than its recorded delay after it.
        const k = key(p.ns, p.answers.event);
        let emit;
        while ((emit = emits.get(k)?.[p.answers.k]) === undefined && !stopped) {
          await new Promise((resolve) => (resume = resolve));
        }
        if (stopped) return;
        const recorded = emitted.get(k + "#" + p.answers.k);
        if (speed !== "max" && recorded !== undefined) due = Math.max(due, emit.at + (p.at - recorded) / speed);
      }
      if (speed !== "max") await time.sleepUntil(due);
      if (stopped) return;
      deliver(p);
    }
    if (ending === null) return;
    if (speed !== "max") await time.sleepUntil(time.due(ending.at, anchor, base));
    if (stopped) return;
    stopped = true;
    clearInterval(pinger);
    conn.close(ending.code, ending.reason);
  }

  // clientPacket answers a probe, a namespace CONNECT, and notes emits.
  function clientPacket(text) {
    const p = parsePacket(text);
    if (p === undefined) {
      if (text.startsWith("2")) conn.send("3" + text.slice(1)); // a ping of the client's
      return;
    }
    if (p.type === "0") {
      conn.send("40" + (p.ns === "/" ? "" : p.ns + ",") + JSON.stringify({ sid: freshID() }));
      joined.add(p.ns);
      for (const q of held.get(p.ns) ?? []) out(q);
      held.delete(p.ns);
    } else if (p.type === "1") {
      joined.delete(p.ns);
    } else if (p.type === "2" || p.type === "5") {
      let event;
      try {
        event = JSON.parse(p.data)[0];
      } catch {
        return;
      }
      const k = key(p.ns, event);
      const list = emits.get(k) ?? [];
      emits.set(k, list);
      list.push({ id: p.id, at: performance.now() });
      const answer = parked.get(k + "#" + (list.length - 1));
      parked.delete(k + "#" + (list.length - 1));
      if (answer !== undefined && p.id !== undefined) out(answer, p.id);
      resume();
    }
  }

  run();
  return {
    clientMessage(message) {
      options.onClientMessage?.(message);
      if (typeof message === "string" && !stopped) clientPacket(message); // attachments: the client's own
    },
    stop() {
      stopped = true;
      clearInterval(pinger);
      time.wake();
      resume();
    },
  };
}

/**
 * A Socket.IO packet in an Engine.IO message (4<type>[<n>-][<ns>,][<id>]<data>);
 * undefined for any other Engine.IO packet.
 */
function parsePacket(text) {
  const m = /^4([0-6])(?:(\d+)-)?(\/[^,]*)?,?(\d+)?([^]*)$/.exec(text);
  if (m === null) return undefined;
  const [, type, attachments, nsq, id, data] = m;
  return {
    type,
    attachments,
    ns: nsq === undefined ? "/" : nsq.split("?")[0],
    id: id === undefined ? undefined : Number(id),
    data,
  };
}

/** An ack answer's text with the ack id id. */
function withAckID(text, id) {
  const p = parsePacket(text);
  const n = p.attachments === undefined ? "" : p.attachments + "-";
  return "4" + p.type + n + (p.ns === "/" ? "" : p.ns + ",") + id + p.data;
}

/** A fresh Engine.IO or Socket.IO sid: 20 characters of base64url. */
function freshID() {
  const bytes = crypto.getRandomValues(new Uint8Array(15));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_");
}
`
