// A small STOMP 1.2 broker over WebSocket (Node's ws), written for
// wsreplay's STOMP test from the STOMP Protocol Specification, Version 1.2
// (stomp.github.io/stomp-specification-1.2.html), since STOMP servers are
// not npm packages. What it does of the spec:
//   - frames: COMMAND EOL, headers "name:value" EOL, EOL, body, NULL; EOL
//     is LF or CR LF; a body is content-length octets when that header is
//     there, else up to the NULL; EOLs between frames are heart-beats;
//     header values escaped (\r \n \c \\) in every frame but CONNECT and
//     CONNECTED; of a repeated header the first counts.
//   - CONNECT or STOMP with accept-version containing 1.2 gets CONNECTED
//     (version, session, server, heart-beat); else ERROR and close.
//   - heart-beating: with the client's cx,cy and this server's sx,sy
//     (1000,1000), the server sends an EOL every max(sx,cy) ms of its own
//     silence and, after 2*max(cx,sy) ms without a byte from the client,
//     takes the connection as dead and closes it.
//   - SUBSCRIBE (id, destination, ack auto | client | client-individual),
//     UNSUBSCRIBE (id), SEND (destination) delivered as MESSAGE
//     (destination, message-id, subscription, content-type,
//     content-length, and ack when the subscription acknowledges) to every
//     subscription of its destination, ACK and NACK (id of a delivered
//     message), DISCONNECT; a "receipt" header on any of them gets a RECEIPT
//     with that receipt-id once the frame is handled.
//   - a frame it cannot take gets an ERROR (message, receipt-id when it
//     asked for one), and the connection is closed, as the spec says.
// The destination /queue/ticks is this test's own: subscribing to it
// makes the server send "tick i of 3" three times, 100 ms apart.
// The same broker is served over SockJS (sockjs-node 0.3) at /stomp-sockjs,
// as Spring's STOMP endpoints are (registry.addEndpoint(...).withSockJS()):
// each SockJS message is one WebSocket message would be.
// Usage: node proto-stomp-server.mjs. Prints "listening PORT".
import http from 'node:http';
import sockjs from 'sockjs';
import { WebSocketServer } from 'ws';

const serverBeats = [1000, 1000]; // sx, sy
const server = http.createServer();
const wss = new WebSocketServer({
  server,
  handleProtocols: (protocols) => ['v12.stomp', 'v11.stomp', 'v10.stomp'].find((p) => protocols.has(p)) ?? false,
});
const subscribers = new Map(); // destination -> Set of {conn, id, ack}
let sessions = 0;
let messageIds = 0;

function escape(v) {
  return String(v).replace(/[\\\r\n:]/g, (c) => ({ '\\': '\\\\', '\r': '\\r', '\n': '\\n', ':': '\\c' })[c]);
}

function unescape(v) {
  return v.replace(/\\(.)/gs, (m, c) => {
    const u = { '\\': '\\', r: '\r', n: '\n', c: ':' }[c];
    if (u === undefined) throw new Error(`undefined escape sequence ${m}`);
    return u;
  });
}

function encode(command, headers, body = '') {
  const raw = command === 'CONNECTED';
  const lines = [command];
  for (const [k, v] of Object.entries(headers)) lines.push(raw ? `${k}:${v}` : `${escape(k)}:${escape(v)}`);
  return `${lines.join('\n')}\n\n${body}\0`;
}

// parse takes the frames whole in buf and returns them and what is left.
// Heart-beats (EOLs between frames) are skipped.
function parse(buf) {
  const frames = [];
  for (;;) {
    buf = buf.replace(/^(\r?\n)+/, '');
    const end = buf.search(/\r?\n\r?\n/);
    if (end < 0) return [frames, buf];
    const head = buf.slice(0, end).split(/\r?\n/);
    const bodyStart = end + buf.slice(end).match(/^\r?\n\r?\n/)[0].length;
    const command = head[0];
    const raw = command === 'CONNECT' || command === 'CONNECTED';
    const headers = {};
    for (const line of head.slice(1)) {
      const i = line.indexOf(':');
      if (i < 0) throw new Error(`header line without a colon: ${JSON.stringify(line)}`);
      const k = raw ? line.slice(0, i) : unescape(line.slice(0, i));
      if (!(k in headers)) headers[k] = raw ? line.slice(i + 1) : unescape(line.slice(i + 1));
    }
    let body;
    let next;
    if (headers['content-length'] !== undefined) {
      const bytes = Buffer.from(buf.slice(bodyStart));
      const n = Number(headers['content-length']);
      if (bytes.length < n + 1) return [frames, buf];
      if (bytes[n] !== 0) throw new Error('no NULL after content-length octets');
      body = bytes.subarray(0, n).toString();
      next = bodyStart + body.length + 1;
    } else {
      const nul = buf.indexOf('\0', bodyStart);
      if (nul < 0) return [frames, buf];
      body = buf.slice(bodyStart, nul);
      next = nul + 1;
    }
    frames.push({ command, headers, body });
    buf = buf.slice(next);
  }
}

// sockJSSocket gives a SockJS connection the shape of a ws WebSocket, as
// the broker uses it.
function sockJSSocket(c) {
  return {
    OPEN: 1,
    get readyState() { return c.readyState; },
    send: (data) => c.write(data),
    close: (code, reason) => c.close(code ?? 1000, reason ?? 'Normal closure'),
    on: (ev, fn) => c.on(ev === 'message' ? 'data' : ev, fn),
  };
}

const overSockJS = sockjs.createServer({ prefix: '/stomp-sockjs', log: () => {} });
overSockJS.on('connection', (c) => serve(sockJSSocket(c)));
wss.on('connection', (ws) => serve(ws));
overSockJS.installHandlers(server); // after ws: SockJS takes its prefix's upgrades, ws the others

function serve(ws) {
  const conn = { ws, buf: '', connected: false, subs: new Map(), unacked: new Map(), lastIn: Date.now(), lastOut: Date.now() };
  const send = (command, headers, body) => {
    conn.lastOut = Date.now();
    ws.send(encode(command, headers, body));
  };
  const fail = (message, frame) => {
    const headers = { message };
    if (frame?.headers.receipt) headers['receipt-id'] = frame.headers.receipt;
    send('ERROR', headers, '');
    ws.close();
  };
  conn.send = send;
  ws.on('message', (data) => {
    conn.lastIn = Date.now();
    let frames;
    try {
      [frames, conn.buf] = parse(conn.buf + data.toString());
    } catch (err) {
      return fail(`malformed frame: ${err.message}`);
    }
    for (const frame of frames) {
      if (ws.readyState !== ws.OPEN) return;
      try {
        handle(conn, frame);
      } catch (err) {
        return fail(err.message, frame);
      }
      if (frame.headers.receipt && frame.command !== 'CONNECT' && frame.command !== 'STOMP') {
        send('RECEIPT', { 'receipt-id': frame.headers.receipt });
      }
    }
  });
  ws.on('close', () => {
    clearInterval(conn.beats);
    for (const sub of conn.subs.values()) subscribers.get(sub.destination)?.delete(sub);
    for (const t of conn.timers ?? []) clearTimeout(t);
  });
}

function handle(conn, { command, headers, body }) {
  if (!conn.connected && command !== 'CONNECT' && command !== 'STOMP') throw new Error(`${command} before CONNECT`);
  switch (command) {
    case 'CONNECT':
    case 'STOMP':
      return connect(conn, headers);
    case 'SUBSCRIBE': {
      const { id, destination, ack = 'auto' } = headers;
      if (!id || !destination) throw new Error('SUBSCRIBE needs id and destination');
      if (conn.subs.has(id)) throw new Error(`subscription ${id} exists`);
      const sub = { conn, id, destination, ack };
      conn.subs.set(id, sub);
      if (!subscribers.has(destination)) subscribers.set(destination, new Set());
      subscribers.get(destination).add(sub);
      if (destination === '/queue/ticks') {
        conn.timers = [1, 2, 3].map((i) => setTimeout(() => deliver(sub, `tick ${i} of 3`, 'text/plain'), 100 * i));
      }
      return;
    }
    case 'UNSUBSCRIBE': {
      const sub = conn.subs.get(headers.id);
      if (!sub) throw new Error(`no subscription ${headers.id}`);
      conn.subs.delete(headers.id);
      subscribers.get(sub.destination).delete(sub);
      return;
    }
    case 'SEND': {
      if (!headers.destination) throw new Error('SEND needs a destination');
      for (const sub of subscribers.get(headers.destination) ?? []) deliver(sub, body, headers['content-type']);
      return;
    }
    case 'ACK':
    case 'NACK':
      if (!conn.unacked.delete(headers.id)) throw new Error(`${command} of no message waiting: ${headers.id}`);
      return;
    case 'DISCONNECT':
      conn.connected = false;
      return;
    default:
      throw new Error(`unknown command ${command}`);
  }
}

function connect(conn, headers) {
  if (!(headers['accept-version'] ?? '1.0').split(',').includes('1.2')) {
    throw new Error('this server speaks STOMP 1.2 only');
  }
  const [cx, cy] = (headers['heart-beat'] ?? '0,0').split(',').map(Number);
  const [sx, sy] = serverBeats;
  conn.connected = true;
  conn.send('CONNECTED', { version: '1.2', session: `session-${++sessions}`, server: 'wsreplay-e2e-stomp/1.0', 'heart-beat': serverBeats.join(',') });
  const out = sx && cy ? Math.max(sx, cy) : 0;
  const inc = cx && sy ? Math.max(cx, sy) : 0;
  if (!out && !inc) return;
  conn.beats = setInterval(() => {
    const now = Date.now();
    if (inc && now - conn.lastIn > 2 * inc) return conn.ws.close(4000, 'no heart-beat from the client');
    if (out && now - conn.lastOut >= out) {
      conn.lastOut = now;
      conn.ws.send('\n');
    }
  }, Math.min(...[out, inc].filter(Boolean)) / 4);
}

function deliver(sub, body, contentType = 'text/plain') {
  const { conn } = sub;
  if (conn.ws.readyState !== conn.ws.OPEN) return;
  const id = `message-${++messageIds}`;
  const headers = { destination: sub.destination, 'message-id': id, subscription: sub.id };
  if (sub.ack !== 'auto') {
    headers.ack = id;
    conn.unacked.set(id, sub);
  }
  headers['content-type'] = contentType;
  headers['content-length'] = Buffer.byteLength(body);
  conn.send('MESSAGE', headers, body);
}

server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
