// An application on rpc-websockets' Client (JSON-RPC 2.0) whose request ids
// are random numbers, as an application's own id generator makes them, for
// wsreplay's protocol tests: calls that answer, a call that fails, a
// subscription to the server's "feed" events and a call that starts them, a
// notification, an unsubscription, one after another. Each call gives up
// after 1 s (rpc-websockets' reply timeout). JSON-RPC has no heartbeat.
// Usage: node proto-rpc-websockets.mjs URL [late=MS pause=MS control=URL linger=MS]
//   (see proto-lib.mjs).
import { randomInt } from 'node:crypto';
import { Client } from 'rpc-websockets';
import { url, log, request, linger, finish } from './proto-lib.mjs';

const replyTimeout = 1000;
const client = new Client(url, { reconnect: false }, () => randomInt(1, 2 ** 31));
let leaving = false;
let closed;
const isClosed = new Promise((resolve) => { closed = resolve; });
const opened = new Promise((resolve) => client.once('open', resolve));
client.on('close', (code, reason) => {
  log({ ev: 'close', code, reason: String(reason) });
  if (!leaving) finish(new Error('the connection closed before the application left'));
  closed();
});
client.on('error', (err) => log({ ev: 'error', error: String(err?.message ?? err) }));

let feedDone;
let feedLeft = 0;
client.on('feed', (item) => {
  log({ event: 'feed', item });
  if (--feedLeft === 0) feedDone();
});

// call makes one call and logs its result or error.
async function call(method, params) {
  await request();
  try {
    log({ call: method, result: await client.call(method, params, replyTimeout) });
  } catch (err) {
    log({ call: method, error: err instanceof Error ? err.message : err });
  }
}

try {
  await opened;
  log({ ev: 'open' });
  await call('sum', [20, 22]);
  await call('echo', { text: 'héllo ✓', list: [1, 'two', null] });
  await call('fail');
  await call('nope', []);
  await call('rpc.on', ['feed']);
  const fed = new Promise((resolve) => { feedDone = resolve; });
  feedLeft = 3;
  await call('startFeed', [3]);
  await fed;
  await request();
  await client.notify('seen', { items: 3 });
  await call('rpc.off', ['feed']);
  await linger();
  leaving = true;
  client.close();
  await isClosed;
  finish();
} catch (err) {
  finish(err);
}
