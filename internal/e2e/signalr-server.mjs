// A SignalR hub server for wsreplay's interoperability tests, written from
// the published protocol documents of dotnet/aspnetcore, not from ASP.NET
// Core: TransportProtocols.md (POST <hub>/negotiate?negotiateVersion=1,
// answered with a connectionId, a connectionToken and the transports; the
// WebSocket at <hub>?id=<connectionToken>; Server-Sent Events: GET
// <hub>?id=<token> with Accept: text/event-stream, each message an event's
// data; long polling: GET <hub>?id=<token> polled, the first poll answered
// at once and empty, a poll held until there is something to send, 204
// once the connection is over; the client's messages POSTed to
// <hub>?id=<token>; DELETE <hub>?id=<token> ends the connection) and
// HubProtocol.md (the JSON hub protocol: the handshake
// {"protocol":"json","version":1} answered {}, records ended by 0x1e,
// Invocation 1, Completion 3, Ping 6, Close 7).
// It offers the three transports, WebSockets first.
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
const conns = new Map(); // connectionToken -> a connection on an HTTP transport
const transports = [
  { transport: 'WebSockets', transferFormats: ['Text', 'Binary'] },
  { transport: 'ServerSentEvents', transferFormats: ['Text'] },
  { transport: 'LongPolling', transferFormats: ['Text', 'Binary'] },
];
const id = () => crypto.randomBytes(16).toString('base64url');

const server = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  if (req.method === 'POST' && u.pathname === '/hub/negotiate') {
    const version = Number(u.searchParams.get('negotiateVersion') || 0);
    const answer = { connectionId: id(), availableTransports: transports };
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
  if (u.pathname === '/hub' && u.searchParams.has('id')) {
    httpTransport(req, res, u.searchParams.get('id'));
    return;
  }
  res.writeHead(404).end();
});

// httpTransport serves Server-Sent Events and long polling.
function httpTransport(req, res, token) {
  let c = conns.get(token);
  if (!c && req.method === 'GET' && tokens.delete(token)) {
    c = req.headers.accept?.includes('text/event-stream') ? sse(req, res) : longPolling();
    conns.set(token, c);
    c.token = token;
    if (c.sse) return;
    res.writeHead(200).end(); // the first poll: the connection is made
    return;
  }
  if (!c) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('No Connection with that ID');
    return;
  }
  if (req.method === 'POST') {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => { c.receive(body); res.writeHead(200).end(); });
  } else if (req.method === 'DELETE') {
    c.close();
    res.writeHead(202).end();
  } else if (req.method === 'GET' && !c.sse) {
    c.poll(res);
  } else {
    res.writeHead(409).end();
  }
}

// sse is a connection whose messages are the events of res.
function sse(req, res) {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
  res.flushHeaders();
  const c = connection((text) => res.write(`data: ${text}\r\n\r\n`), () => res.end());
  c.sse = true;
  req.on('close', () => c.close());
  return c;
}

// longPolling is a connection whose messages wait for the next poll.
function longPolling() {
  let queue = [];
  let waiting = null;
  let over = false;
  const flush = () => {
    if (!waiting) return;
    if (queue.length) {
      waiting.writeHead(200, { 'Content-Type': 'text/plain' }).end(queue.join(''));
      queue = [];
    } else if (over) {
      waiting.writeHead(204).end();
    } else {
      return;
    }
    clearTimeout(waiting.timer);
    waiting = null;
  };
  const c = connection((text) => { queue.push(text); flush(); }, () => { over = true; flush(); });
  c.poll = (res) => {
    waiting = res;
    res.timer = setTimeout(() => { if (waiting === res) { waiting = null; res.writeHead(200).end(); } }, 20000);
    res.on('close', () => { if (waiting === res) { clearTimeout(res.timer); waiting = null; } });
    flush();
  };
  return c;
}

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
  const c = connection((text) => ws.send(text), () => ws.close());
  ws.on('close', () => c.close());
  ws.on('message', (data) => c.receive(data.toString()));
}

// connection is one hub connection on any transport: write sends text to
// the client, end ends the transport; receive takes the client's text.
function connection(write, end) {
  let handshaken = false;
  let closed = false;
  let buf = '';
  const c = {};
  const send = (m) => write(JSON.stringify(m) + RS);
  const ping = setInterval(() => send({ type: 6 }), pingMs);
  c.close = () => {
    if (closed) return;
    closed = true;
    clearInterval(ping);
    if (c.token) conns.delete(c.token);
    end();
  };
  c.receive = (text) => {
    buf += text;
    let i;
    while ((i = buf.indexOf(RS)) >= 0) {
      const rec = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      if (!handshaken) {
        handshaken = true;
        if (rec.protocol !== 'json' || rec.version !== 1) {
          send({ error: `protocol ${rec.protocol} ${rec.version} is not supported` });
          c.close();
          return;
        }
        write('{}' + RS);
        continue;
      }
      message(rec, send, c);
    }
  };
  return c;
}

function message(rec, send, c) {
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
      c.close();
      break;
  }
}

// The keep-alive interval: argv[3] ms, else ASP.NET Core's 15 s.
const pingMs = Number(process.argv[3] || 15000);

server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => console.log(`listening ${server.address().port}`));
