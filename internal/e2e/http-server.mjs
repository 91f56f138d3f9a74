// An HTTP backend with the realtime fallbacks wsreplay records without a
// WebSocket, for its interoperability tests. Usage: node http-server.mjs PORT
//
//   GET /poll?since=N&_=CACHEBUSTER   long-polling: since=0 answers [1,2] at
//       once; since=2 holds the request 300 ms and answers 204 (nothing new),
//       then, asked again, answers [3] after 100 ms; since=3 answers [4,5] at
//       once; since=5 holds 300 ms and answers 204.
//   GET /events   Server-Sent Events: the first stream sends a retry of 200 ms,
//       then events id 1 (tick), 2 (two data lines) and 3 (news) at 50, 150
//       and 250 ms, and the server ends it at 300 ms. A reconnection (it comes
//       with Last-Event-ID: 3) gets ids 4 and 5 at 50 and 100 ms and stays
//       open until the client leaves.
//
// Every answer allows any origin: the pages of the tests are on another port.
// Prints "listening PORT" once it accepts connections.
import http from 'node:http';

const [port] = process.argv.slice(2);
let asked2 = 0;

function poll(req, res, url) {
  const since = url.searchParams.get('since');
  const json = (body) => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-batch': since });
    res.end(JSON.stringify(body));
  };
  const empty = () => { res.writeHead(204, { 'x-batch': since }); res.end(); };
  switch (since) {
    case '0': return json([1, 2]);
    case '2': return (asked2++ % 2 === 0) ? setTimeout(empty, 300) : setTimeout(() => json([3]), 100);
    case '3': return json([4, 5]);
    default: return setTimeout(empty, 300);
  }
}

function events(req, res) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const at = (ms, text) => setTimeout(() => res.write(text), ms);
  if (req.headers['last-event-id'] === '3') {
    at(0, ': reconnected\n\n');
    at(50, 'id: 4\ndata: {"n":4}\n\n');
    at(100, 'event: news\nid: 5\ndata: last\n\n');
    return;
  }
  at(0, 'retry: 200\n\n');
  at(50, 'event: tick\nid: 1\ndata: {"n":1}\n\n');
  at(150, 'id: 2\ndata: line one\ndata: line two\n\n');
  at(250, 'event: news\nid: 3\ndata: {"n":3}\n\n');
  setTimeout(() => res.end(), 300);
}

const server = http.createServer((req, res) => {
  res.setHeader('access-control-allow-origin', '*');
  res.setHeader('access-control-expose-headers', 'x-batch');
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/poll') return poll(req, res, url);
  if (url.pathname === '/events') return events(req, res);
  res.writeHead(404);
  res.end();
});
server.listen(Number(port || 0), '127.0.0.1', () => console.log(`listening ${server.address().port}`));
