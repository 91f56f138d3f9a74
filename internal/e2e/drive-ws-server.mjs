// A stateful WebSocket application on Node's ws, for wsreplay drive's
// tests: "login" gets a session id the server chooses, "add" with that
// session adds to the connection's total and answers it, "bye" gets a
// farewell and a close (4000 "done"). GET /count answers what the server
// counted: {"connections":C,"messages":M} (messages it received).
// Usage: node drive-ws-server.mjs. Prints "listening PORT".
// DRIVE_CHANGE switches a regression on: rename (the total's field is
// "sum"), missing (no farewell before the close), slow (every answer to
// "add" 600 ms late).
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import crypto from 'node:crypto';

const change = process.env.DRIVE_CHANGE ?? '';
let connections = 0;
let messages = 0;
const http = createServer((req, res) => {
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify({ connections, messages }));
});
const wss = new WebSocketServer({ server: http, path: '/app' });
wss.on('connection', (ws) => {
  connections++;
  const session = `sess-${crypto.randomUUID()}`;
  let total = 0;
  ws.on('message', (data) => {
    messages++;
    let m;
    try { m = JSON.parse(data); } catch { return ws.send(JSON.stringify({ op: 'error', error: 'not JSON' })); }
    const send = (v, delay = 0) => (delay ? setTimeout(() => ws.send(JSON.stringify(v)), delay) : ws.send(JSON.stringify(v)));
    switch (m.op) {
      case 'login':
        return send({ op: 'welcome', session, user: m.user });
      case 'add':
        if (m.session !== session) return send({ op: 'error', error: 'unknown session' });
        total += m.n;
        return send(change === 'rename' ? { op: 'total', sum: total } : { op: 'total', total }, change === 'slow' ? 600 : 0);
      case 'bye':
        if (change !== 'missing') send({ op: 'farewell', total });
        return ws.close(4000, 'done');
      default:
        return send({ op: 'error', error: `unknown op ${m.op}` });
    }
  });
});
http.listen(0, '127.0.0.1', () => console.log(`listening ${http.address().port}`));
