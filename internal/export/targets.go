package export

const playwrightUsage = `In a Playwright test, before the page opens its WebSocket:

  import replay from "./MODULE";

  test("replays the recorded stream", async ({ page }) => {
    await replay(page, { speed: "max" });
    await page.goto("/");
  });

replay(page, options) routes the WebSockets of page (or of a BrowserContext)
whose URL matches options.url (a string, glob or RegExp; default: the
recorded path on any host) and plays the session to each connection.
It resolves once the route is in place.

A recorded drop (the connection lost without a close frame) cannot be
reproduced through routeWebSocket, which always closes with a close event:
the closest it allows is ws.close({ code: 1006 }), so the page sees code 1006
with wasClean true.
`

const mswUsage = `With MSW (2.x), in Node or in the browser:

  import { setupServer } from "msw/node";
  import { handlers, configure } from "./MODULE";

  configure({ speed: "max" });
  const server = setupServer(...handlers);
  server.listen();

handlers intercepts WebSockets whose URL matches the recorded path on any
host (configure({ url }) sets another string or RegExp: call it before the
handlers are passed to setupServer or setupWorker) and plays the session
to each connection. The other options are read at each connection.

A recorded drop (the connection lost without a close frame) cannot be
reproduced through MSW, whose mocked sockets always close with a close
event: the closest it allows is client.close(1006), so the client sees
code 1006 with wasClean true.
`

const commonUsage = `
Options: speed (a number, or "max" or 0 for no waiting; default 1) scales the
recorded offsets, counted from the connection; wait (default false) holds
each message recorded after the client's k-th message until the client
has sent its own k-th message, and counts the offsets after it from then
(as "wsreplay serve --wait" does); onClientMessage(message) is called with
each message the client sends; followIds (default true) holds each reply
until the client has sent the request it answers, then sends it no sooner
than its recorded delay after it, with the ids the client chose (false:
every message on the recorded clock, as recorded). A recorded close is
sent with its code and reason once the messages are out.`

// playwrightAPI is the default export of a Playwright module.
const playwrightAPI = `/**
 * Routes the WebSockets of page (a Page or a BrowserContext) that match
 * options.url to a replay of the session; resolves once the route is in place.
 */
export default async function replay(page, options = {}) {
  const url = options.url ?? ((u) => u.pathname === session.path);
  await page.routeWebSocket(url, (ws) => {
    let closed = false;
    const connection = play(
      {
        send: (message) => ws.send(message),
        close: (code, reason) => {
          closed = true;
          ws.close({ code, reason });
        },
      },
      options,
    );
    ws.onMessage((message) => connection.clientMessage(message));
    ws.onClose((code, reason) => {
      // The page closed: stop, and finish the page's closing handshake.
      connection.stop();
      if (!closed) ws.close({ code, reason });
      closed = true;
    });
  });
}
`

// mswAPI is the handlers and configure of an MSW module.
var mswAPI = `let settings = {};

/**
 * The recorded path on any host, ws: or wss:. MSW (2.x) matches a URL under
 * /socket.io/ with that prefix made "/": either form is taken.
 */
const escaped = (path) => path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const recordedURL = new RegExp(
  "^wss?://[^/]+(?:" +
    escaped(session.path) +
    "|" +
    escaped(session.path.replace(/^\/socket\.io\//, "/")) +
    ")$",
);

` + mswConfigure("ws.link") + `
function handler(url) {
  const link = ws.link(url);
  return link.addEventListener("connection", ({ client }) => {
    const connection = play(
      {
        send: (message) => client.send(message),
        close: (code, reason) => {
          // MSW delivers a message once the socket is open, in a later
          // task, and drops those still pending when it closes: close
          // after them.
          const closeSoon = () => setTimeout(() => client.close(code, reason), 0);
          if (client.socket.readyState === 0) {
            client.socket.addEventListener("open", closeSoon, { once: true });
          } else {
            closeSoon();
          }
        },
      },
      settings,
    );
    client.addEventListener("message", (event) => connection.clientMessage(event.data));
    client.addEventListener("close", () => connection.stop());
  });
}

/** The request handlers to pass to setupServer or setupWorker. */
export const handlers = [handler(recordedURL)];
`

// player replays the session to one connection; both targets share it.
const player = `/**
 * Replays the session to one connection: conn.send(message) sends to the
 * client, conn.close(code, reason) ends the connection. Returns
 * clientMessage(message), to call with each message the client sends, and
 * stop(), to call when the client has gone.
 *
 * Each message is due at anchor + (at - base) / speed: anchor is the
 * connection (or, with wait, the arrival of the client message last waited
 * for) and base the recorded offset that falls on it. Timers are set
 * against that instant, not chained, so delays do not add up. A reply
 * (echoes) waits until the requests it answers have come live, and is due
 * no sooner than its recorded delay after them; it goes with their ids.
 */
function play(conn, options) {
  let speed = options.speed ?? 1;
  if (speed === 0) speed = "max"; // as "wsreplay serve --speed 0"
  if (speed !== "max" && !(typeof speed === "number" && speed > 0)) {
    throw new TypeError("speed: " + speed + ' is not a positive number or "max"');
  }
  const follow = options.followIds ?? true;
  const arrivals = []; // when each client message arrived
  const counterparts = pairing(); // the live requests, by the recorded ones
  let resume = () => {}; // wakes a wait for a client message
  let wakeUp = () => {}; // ends a sleep early
  let timer;
  let stopped = false;

  const sleepUntil = (due) =>
    new Promise((resolve) => {
      wakeUp = resolve;
      timer = setTimeout(resolve, Math.max(0, due - performance.now()));
    });
  const nextClientMessage = () => new Promise((resolve) => (resume = resolve));
  const at = (m, anchor, base) => (speed === "max" ? 0 : anchor + (m.at - base) / speed);

  // holdReply waits until the requests m answers have come live (or, for
  // a guess of the generic rule, until 5 s past due), and returns when m
  // is due then.
  async function holdReply(m, due) {
    const giveUp = m.guessed ? Math.max(due, performance.now()) + 5000 : Infinity;
    while (!m.echoes.every((e) => counterparts.live.has(e.request)) && !stopped) {
      if (performance.now() >= giveUp) return due;
      const waits = [nextClientMessage()];
      if (giveUp !== Infinity) waits.push(sleepUntil(giveUp));
      await Promise.race(waits);
      clearTimeout(timer);
    }
    for (const e of m.echoes) {
      const request = counterparts.live.get(e.request);
      if (request && speed !== "max") {
        due = Math.max(due, request.at + (m.at - messages[e.request].at) / speed);
      }
    }
    return due;
  }

  async function run() {
    let anchor = performance.now();
    let base = 0;
    let k = 0; // recorded client messages passed
    for (const m of messages) {
      if (m.dir === "send") {
        k++;
        if (!options.wait) continue;
        while (arrivals.length < k && !stopped) await nextClientMessage();
        if (stopped) return;
        anchor = arrivals[k - 1];
        base = m.at;
        continue;
      }
      let due = at(m, anchor, base);
      const reply = follow && m.echoes !== undefined;
      if (reply) due = await holdReply(m, due);
      if (speed !== "max" && !stopped) await sleepUntil(due);
      if (stopped) return;
      conn.send(reply ? withLiveIds(m, counterparts.live) : payload(m));
    }
    if (ending === null) return;
    if (speed !== "max") await sleepUntil(at(ending, anchor, base));
    if (stopped) return;
    stopped = true;
    conn.close(ending.code, ending.reason);
  }

  run();
  return {
    clientMessage(message) {
      arrivals.push(performance.now());
      if (follow) counterparts.add(message, performance.now());
      options.onClientMessage?.(message);
      resume();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      wakeUp();
      resume();
    },
  };
}

/**
 * The recorded requests (messages with request), by kind: a kind is the
 * values a request has at its same paths, with its ids present. Most
 * specific shapes (the paths compared) first.
 */
const requestKinds = (() => {
  const kinds = new Map(); // kindOf -> indexes in messages
  const shapes = new Map(); // JSON of a request's paths -> the request
  messages.forEach((m, i) => {
    if (m.request === undefined) return;
    const kind = kindOf(JSON.parse(m.text), m.request);
    if (kind === undefined) return;
    if (!kinds.has(kind)) kinds.set(kind, []);
    kinds.get(kind).push(i);
    shapes.set(JSON.stringify(m.request), m.request);
  });
  const size = (r) => r.same.length + r.ids.length + (r.has ?? []).length;
  return { kinds, shapes: [...shapes.values()].sort((a, b) => size(b) - size(a)) };
})();

/**
 * The kind of a message (its parsed value) for the paths of a recorded
 * request; undefined if it lacks a value there.
 */
function kindOf(value, request) {
  const values = request.same.map((path) => valueAt(value, path));
  const present = [...request.ids.filter((path) => path !== null), ...(request.has ?? [])];
  if (values.includes(undefined) || present.some((path) => valueAt(value, path) === undefined)) {
    return undefined;
  }
  return JSON.stringify([request.same, present, values]);
}

/**
 * Pairs the live client's requests with the recorded ones: the k-th live
 * request of a kind with the k-th recorded one. live maps the index of a
 * recorded request to its counterpart: when it came, and its ids.
 */
function pairing() {
  const live = new Map();
  const count = new Map(); // per kind: live requests so far
  return {
    live,
    add(message, at) {
      let value;
      try {
        value = JSON.parse(message);
      } catch {
        return; // not JSON (or binary): no request
      }
      for (const shape of requestKinds.shapes) {
        const kind = kindOf(value, shape);
        const recorded = requestKinds.kinds.get(kind);
        if (recorded === undefined) continue;
        const k = count.get(kind) ?? 0;
        count.set(kind, k + 1);
        if (k >= recorded.length) return;
        const ids = messages[recorded[k]].request.ids.map((path) =>
          path === null ? undefined : valueAt(value, path),
        );
        live.set(recorded[k], { at, ids });
        return;
      }
    },
  };
}

/** The reply m with the live ids of the requests it answers, as far as they have come. */
function withLiveIds(m, live) {
  let value = JSON.parse(m.text);
  let changed = false;
  for (const e of m.echoes) {
    const id = live.get(e.request)?.ids[e.id];
    if (id === undefined || id === valueAt(value, e.path)) continue;
    value = setAt(value, e.path, id);
    changed = true;
  }
  // Re-encoded only if an id changed: JSON.parse in the client reads the same.
  return changed ? JSON.stringify(value) : m.text;
}

/** The value at path (member names, indexes; an inner array goes into a string's JSON). */
function valueAt(value, path) {
  for (const step of path) {
    if (Array.isArray(step)) {
      try {
        return valueAt(JSON.parse(value), step);
      } catch {
        return undefined;
      }
    }
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, step)) {
      return undefined;
    }
    value = value[step];
  }
  return value;
}

/** value with x at path (which valueAt found). */
function setAt(value, path, x) {
  if (path.length === 0) return x;
  const [step, ...rest] = path;
  if (Array.isArray(step)) return JSON.stringify(setAt(JSON.parse(value), step, x));
  value[step] = setAt(value[step], rest, x);
  return value;
}
`

// payloadNode decodes a message for Playwright's ws.send: a string or a
// Buffer.
const payloadNode = `
/** The message to send: its text, or its bytes. */
function payload(m) {
  return m.text ?? Buffer.from(m.binary, "base64");
}
`

// payloadWeb decodes a message without Node's Buffer, for MSW in a
// browser as in Node.
const payloadWeb = `
/** The message to send: its text, or its bytes. */
function payload(m) {
  return m.text ?? Uint8Array.from(atob(m.binary), (c) => c.charCodeAt(0));
}
`

// mswConfigure is configure(options) of an MSW module, which replaces the
// handler (made by handler(url) with maker: ws.link, http.all(), sse())
// when options has url; recordedURL, its default, is the module's.
func mswConfigure(maker string) string {
	return `/**
 * Sets the options (see the top of this file). url, a string or RegExp for
 * ` + maker + `, replaces the handler: call it before the handlers are passed to
 * setupServer or setupWorker.
 */
export function configure(options = {}) {
  settings = { ...settings, ...options };
  if ("url" in options) handlers.splice(0, handlers.length, handler(options.url ?? recordedURL));
}
`
}
