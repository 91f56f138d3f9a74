// An application on graphql-ws's client (createClient, with its default
// UUID operation ids), for wsreplay's protocol tests: a query, a query
// whose resolver fails, a mutation and a subscription, one after another,
// with keepAlive pings. graphql-ws leaves the ping's timeout to the
// application; this one closes with 4408 when a pong is 1 s late, as
// graphql-ws's recipe does.
// Usage: node proto-graphql-ws.mjs URL [late=MS pause=MS control=URL linger=MS]
//   (see proto-lib.mjs); the URL is graphql-ws-server's /graphql.
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { url, log, beat, request, linger, finish } from './proto-lib.mjs';

const pongTimeout = 1000;
let socket;
let pongTimer;
let closed;
const isClosed = new Promise((resolve) => { closed = resolve; });
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  lazy: false,
  retryAttempts: 0,
  keepAlive: 300,
  on: {
    opened: (s) => { socket = s; },
    connected: () => log({ ev: 'connected' }),
    ping: (received) => {
      if (!received) pongTimer = setTimeout(() => socket?.close(4408, 'pong timeout'), pongTimeout);
    },
    pong: (received) => {
      if (received) {
        clearTimeout(pongTimer);
        beat();
      }
    },
    closed: (event) => {
      log({ ev: 'closed', code: event.code, reason: String(event.reason) });
      closed();
    },
    error: (err) => log({ ev: 'error', error: String(err?.message ?? err) }),
  },
});

// operation runs one operation to its end, logging what it gets.
function operation(name, payload) {
  return new Promise((resolve) => {
    client.subscribe(payload, {
      next: (value) => log({ op: name, next: value }),
      error: (err) => {
        log({ op: name, error: Array.isArray(err) ? err : { code: err?.code, reason: err?.reason } });
        resolve();
      },
      complete: () => {
        log({ op: name, complete: true });
        resolve();
      },
    });
  });
}

try {
  await request();
  await operation('hello', { query: 'query Hello($name: String!) { hello(name: $name) items { id title } }', variables: { name: 'e2e' } });
  await request();
  await operation('boom', { query: '{ boom }' });
  await request();
  await operation('add', { query: 'mutation { add(n: 2) }' });
  await request();
  await operation('ticks', { query: 'subscription { ticks(n: 3) { n text } }' });
  await linger();
  await client.dispose();
  await isClosed;
  finish();
} catch (err) {
  finish(err);
}
