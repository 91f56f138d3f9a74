// The client of drive-ws-server.mjs: logs in, adds 2, 3 and 5 with the
// session id the server chose, each after the answer to the one before,
// says bye and waits for the close. Prints {"got":[...],"code":N}.
// Usage: node drive-ws-client.mjs ws://HOST:PORT/app
import WebSocket from 'ws';

const ws = new WebSocket(process.argv[2], { headers: { 'X-Client': 'drive-e2e', Cookie: 'sid=secret' } });
const got = [];
const adds = [2, 3, 5];
let session;
ws.on('open', () => ws.send(JSON.stringify({ op: 'login', user: 'ana' })));
ws.on('message', (data) => {
  const m = JSON.parse(data);
  got.push(m);
  if (m.op === 'welcome') session = m.session;
  if (m.op === 'welcome' || m.op === 'total') {
    const n = adds.shift();
    ws.send(JSON.stringify(n === undefined ? { op: 'bye' } : { op: 'add', session, n }));
  }
});
ws.on('close', (code) => {
  console.log(JSON.stringify({ got, code }));
  process.exit(0);
});
setTimeout(() => { console.log(JSON.stringify({ error: 'timeout', got })); process.exit(1); }, 20000);
