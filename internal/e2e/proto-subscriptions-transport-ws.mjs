// An application on subscriptions-transport-ws's SubscriptionClient (the
// "graphql-ws" subprotocol Apollo Client 2 and 3 spoke), for wsreplay's
// protocol tests: a query, a query whose resolver fails, a mutation and a
// subscription, one after another. The client closes the connection when
// no keep-alive ("ka") came for its timeout, 1 s.
// Usage: node proto-subscriptions-transport-ws.mjs URL [late=MS pause=MS control=URL linger=MS]
//   (see proto-lib.mjs); the URL is the server's /subscriptions.
import WebSocket from 'ws';
import stws from 'subscriptions-transport-ws';
import { url, log, beat, request, linger, finish } from './proto-lib.mjs';

const client = new stws.SubscriptionClient(url, { reconnect: false, timeout: 1000 }, WebSocket);
let closed;
const isClosed = new Promise((resolve) => { closed = resolve; });
client.onConnecting(() => {
  client.client.addEventListener('message', ({ data }) => {
    if (JSON.parse(data).type === 'ka') beat();
  });
});
client.onConnected(() => log({ ev: 'connected' }));
let leaving = false;
client.onDisconnected(() => {
  log({ ev: 'disconnected' });
  // With reconnect off, the operations still running would never end.
  if (!leaving) finish(new Error('disconnected before the application left'));
  closed();
});
client.onError((err) => log({ ev: 'error', error: String(err?.message ?? err) }));

// operation runs one operation to its end, logging what it gets.
function operation(name, payload) {
  return new Promise((resolve) => {
    client.request(payload).subscribe({
      next: (value) => log({ op: name, next: value }),
      error: (err) => {
        log({ op: name, error: Array.isArray(err) ? err : String(err?.message ?? err) });
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
  leaving = true;
  client.close();
  await isClosed;
  finish();
} catch (err) {
  finish(err);
}
