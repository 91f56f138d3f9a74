// A SignalR hub server for wsreplay's interoperability tests, written from
// the published protocol documents of dotnet/aspnetcore, not from ASP.NET
// Core: TransportProtocols.md (POST <hub>/negotiate?negotiateVersion=1,
// answered with a connectionId, a connectionToken and the transports; the
// WebSocket at <hub>?id=<connectionToken>) and HubProtocol.md (the JSON hub
// protocol: the handshake {"protocol":"json","version":1} answered {},
// records ended by 0x1e, Invocation 1, Completion 3, Ping 6, Close 7).
// It offers the WebSockets transport only.
// Usage: node signalr-server.mjs PORT [PING_MS]
//
// Hub /hub: Join(room) sends the caller three "news" invocations and
// completes with "joined <room>"; Echo(text) completes with text. The
// server pings every PING_MS (15 s by default, as ASP.NET Core's
// KeepAliveInterval).
//
// Prints "listening PORT" once it accepts connections.
import http from 'node:http';
import crypto from 'node:crypto';
import { WebSocketServer } from 'ws';

const RS = '\x1e';
const tokens = new Map(); // connectionToken -> connectionId, until used
const id = () => crypto.randomBytes(16).toString('base64url');

const server = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  if (req.method === 'POST' && u.pathname === '/hub/negotiate') {
    const version = Number(u.searchParams.get('negotiateVersion') || 0);
    const answer = { connectionId: id(), availableTransports: [{ transport: 'WebSockets', transferFormats: ['Text', 'Binary'] }] };
    if (version >= 1) {
      answer.negotiateVersion = 1;
      answer.connectionToken = id();
      tokens.set(answer.connectionToken, answer.connectionId);
    } else {
      tokens.set(answer.connectionId, answer.connectionId);
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(answer));
    return;
  }
  res.writeHead(404).end();
});

const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, socket, head) => {
  const u = new URL(req.url, 'http://x');
  if (u.pathname !== '/hub' || !tokens.delete(u.searchParams.get('id'))) {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => hub(ws));
});

function hub(ws) {
  let handshaken = false;
  let buf = '';
  const send = (m) => ws.send(JSON.stringify(m) + RS);
  const ping = setInterval(() => send({ type: 6 }), pingMs);
  ws.on('close', () => clearInterval(ping));
  ws.on('message', (data) => {
    buf += data.toString();
    let i;
    while ((i = buf.indexOf(RS)) >= 0) {
      const rec = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      if (!handshaken) {
        handshaken = true;
        if (rec.protocol !== 'json' || rec.version !== 1) {
          send({ error: `protocol ${rec.protocol} ${rec.version} is not supported` });
          ws.close();
          return;
        }
        ws.send('{}' + RS);
        continue;
      }
      message(rec, send, ws);
    }
  });
}

function message(rec, send, ws) {
  switch (rec.type) {
    case 1: // Invocation
      if (rec.target === 'Join') {
        const room = rec.arguments[0];
        [1, 2, 3].forEach((n) => setTimeout(() => send({ type: 1, target: 'news', arguments: [`${room} ${n}`] }), 20 * n));
        setTimeout(() => send({ type: 3, invocationId: rec.invocationId, result: `joined ${room}` }), 80);
      } else if (rec.target === 'Echo') {
        send({ type: 3, invocationId: rec.invocationId, result: rec.arguments[0] });
      } else {
        send({ type: 3, invocationId: rec.invocationId, error: `Unknown hub method '${rec.target}'` });
      }
      break;
    case 7: // Close
      ws.close();
      break;
  }
}

// The keep-alive interval: argv[3] ms, else ASP.NET Core's 15 s.
const pingMs = Number(process.argv[3] || 15000);

server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => console.log(`listening ${server.address().port}`));
