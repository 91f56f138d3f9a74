// One application on one origin for wsreplay's record --browser tests: a
// page (GET /) that opens a WebSocket (text, binary, a server close 4001),
// a second one that the server drops, a dedicated worker's WebSocket (the
// worker closes it), a default Socket.IO client (polling, then upgrade; the
// server sends its ticks once the client has upgraded) and
// an EventSource, and shows what it received in
// window.out. The sockets go to the page's own origin unless the query
// says ?target=ws://HOST:PORT (a replay server). ?hold=1 then opens a last
// WebSocket that stays open. Prints "listening PORT", "page done" when a
// page has received everything, and "hold open" when the held socket is
// open. ?late=MS: the Socket.IO client emits "join" MS later than it
// would (a client slower than the recorded one). ?bench=N: only a WebSocket that receives N messages at once, and
// "bench RATE" printed (messages per second the page received).
// Usage: node browser-app-server.mjs
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { Server } from 'socket.io';

const page = `<!doctype html><meta charset="utf-8"><title>wsreplay browser e2e</title>
<script src="/socket.io/socket.io.js"></script><script>
const q = new URLSearchParams(location.search);
const ws = q.get('target') || ('ws://' + location.host), http = 'http' + ws.slice(2);
const hex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
window.out = { ws: [], drop: [], sio: [], sse: [] };
if (q.get('bench')) { // ?bench=N: N messages as fast as the server sends them; the rate is printed
  const n = Number(q.get('bench')); let got = 0, t0 = 0;
  const b = new WebSocket(ws + '/ws/bench?n=' + n);
  b.onmessage = () => { if (got++ === 0) t0 = performance.now();
    if (got === n) fetch('/bench?rate=' + Math.round((n - 1) / ((performance.now() - t0) / 1000)), { method: 'POST' }).then(() => { window.done = true; }); };
  throw 'bench';
}
window.done = false;
let pending = 5;
const finish = () => { if (--pending > 0) return;
  fetch('/done', { method: 'POST' }).finally(() => {
    if (q.get('hold')) { const h = new WebSocket(ws + '/ws/hold'); h.onmessage = () => fetch('/held', { method: 'POST' }); }
    window.done = true; }); };
const a = new WebSocket(ws + '/ws/main?room=1&ticket2=SECRETQ');
a.binaryType = 'arraybuffer';
a.onopen = () => a.send(JSON.stringify({ hello: 'world', password: 'hunter2SECRET' }));
a.onmessage = (e) => { out.ws.push(typeof e.data === 'string' ? e.data : { binary: hex(e.data) });
  if (out.ws.length === 1) a.send(new Uint8Array([0, 1, 2, 255]));
  if (out.ws.length === 2) a.send('done'); };
a.onclose = (e) => { out.ws.push({ close: e.code, reason: e.reason, clean: e.wasClean }); finish(); };
const d = new WebSocket(ws + '/ws/drop');
d.onmessage = (e) => out.drop.push(e.data);
d.onclose = (e) => { out.drop.push({ close: e.code, clean: e.wasClean }); finish(); };
const s = io(http, { reconnection: false });
s.on('welcome', (p) => { out.sio.push(['welcome', p]);
  setTimeout(() => s.emit('join', 'lobby', (ack) => out.sio.push(['ack', ack])), Number(q.get('late') || 0)); });
s.on('tick', (p) => { out.sio.push(['tick', p]); if (p.n === 3) { s.disconnect(); finish(); } });
const w = new Worker('/worker.js?ws=' + encodeURIComponent(ws));
w.onmessage = (e) => { out.worker = e.data; finish(); };
const es = new EventSource(http + '/events');
es.onmessage = (e) => out.sse.push([e.data, e.lastEventId]);
es.addEventListener('price', (e) => { out.sse.push(['price', e.data]); es.close(); finish(); });
</script>`;

const server = createServer((req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (path === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page);
  } else if (path === '/worker.js') { // a dedicated worker's own WebSocket, closed by the worker
    res.writeHead(200, { 'content-type': 'text/javascript' });
    res.end(`const s = new WebSocket(new URL(location).searchParams.get('ws') + '/ws/worker');
s.onmessage = (e) => s.close(1000, 'worker done');
s.onclose = (e) => postMessage([e.code, e.reason]);`);
  } else if (path === '/events') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'access-control-allow-origin': '*' });
    res.write('id: 1\ndata: first\n\n');
    setTimeout(() => res.write('id: 2\ndata: second\ndata: line\n\n'), 30);
    setTimeout(() => res.write('event: price\ndata: {"p":101}\n\n'), 60);
  } else if (path === '/bench') {
    console.log('bench ' + new URL(req.url, 'http://x').searchParams.get('rate'));
    res.end('ok');
  } else if (path === '/done' || path === '/held') {
    console.log(path === '/done' ? 'page done' : 'hold open');
    res.end('ok');
  } else if (!path.startsWith('/socket.io/')) {
    res.writeHead(404);
    res.end();
  }
});
const io = new Server(server);
io.on('connection', (socket) => {
  socket.emit('welcome', { server: 'sio' });
  socket.on('join', (room, ack) => {
    ack({ room, ok: true });
    // The ticks wait for the upgrade to the WebSocket. Sent while it is
    // under way they race it: the page may disconnect on tick 3 before the
    // upgrade ends (its close then goes by polling), or get tick 3 before
    // tick 2 (seen on a loaded machine: the server's WebSocket carried
    // 3, 1, 2), and two recordings of the page differ by how the race went.
    const ticks = () => { for (let i = 1; i <= 3; i++) setTimeout(() => socket.emit('tick', { n: i }), 20 * i); };
    if (socket.conn.transport.name === 'websocket') ticks();
    else socket.conn.once('upgrade', ticks);
  });
});
const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, sock, head) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (!path.startsWith('/ws/')) return; // socket.io's own
  wss.handleUpgrade(req, sock, head, (c) => {
    if (path === '/ws/main') {
      c.on('message', (data, isBinary) => {
        if (!isBinary && data.toString() === 'done') return c.close(4001, 'bye now');
        if (!isBinary) c.send('ready ✓ ' + data.toString());
        else c.send(Buffer.from([...data, ...Array.from({ length: 256 }, (_, i) => i)]));
      });
    } else if (path === '/ws/bench') {
      const n = Number(new URL(req.url, 'http://x').searchParams.get('n'));
      const msg = JSON.stringify({ type: 'tick', pad: 'x'.repeat(80) });
      for (let i = 0; i < n; i++) c.send(msg);
    } else if (path === '/ws/drop') {
      // The drop comes well after d2: a loaded machine once lost d2 to the
      // drop (in the page and the proxy's recording alike) when it came 40 ms
      // later, which is a matter for the recorder's own tests, not this page.
      c.send('d1');
      setTimeout(() => c.send('d2'), 20);
      setTimeout(() => c.terminate(), 400);
    } else if (path === '/ws/worker') {
      c.send('w1');
    } else {
      c.send('held');
    }
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
