// An application on Rails' Action Cable JavaScript client (@rails/actioncable,
// its consumer, subscriptions and connection monitor), for wsreplay's
// protocol tests, against proto-actioncable-server.mjs: the server pings
// every 3 s; the client's monitor declares the connection stale 4 s after
// the last ping (Action Cable's default is 6 s, two beats; 4 s keeps the
// test short and still needs every beat). It subscribes to a chat room
// (its identifier carries a random tab id, as an application's may, so a
// replay must follow it), speaks and asks in it, is rejected from a
// channel, subscribes to a second channel and unsubscribes, then leaves;
// last it connects as a guest (?guest=1), whom the server disconnects as
// unauthorized.
// Usage: node proto-actioncable.mjs URL [late=MS pause=MS control=URL linger=MS]
//   (see proto-lib.mjs)
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { createConsumer, adapters, ConnectionMonitor } from '@rails/actioncable';
import { url, log, beat, request, linger, finish } from './proto-lib.mjs';

// Node is no browser: the monitor listens for the page's visibility.
globalThis.addEventListener ??= () => {};
globalThis.removeEventListener ??= () => {};
globalThis.document ??= { visibilityState: 'visible' };
ConnectionMonitor.staleThreshold = 4;

// CountingWebSocket counts the server's pings, as the monitor sees them.
class CountingWebSocket extends WebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener('message', (e) => {
      if (JSON.parse(e.data).type === 'ping') beat();
    });
  }
}
adapters.WebSocket = CountingWebSocket;

let leaving = false;
const consumer = createConsumer(url);

// received counts each subscription's messages; waiters wait for a count.
const received = {};
const waiters = [];
function receivedBy(name, n) {
  if ((received[name] ?? 0) >= n) return Promise.resolve();
  return new Promise((resolve) => waiters.push({ name, n, resolve }));
}

// subscribe creates a subscription that logs what it sees as name, and
// resolves once it is rejected or has its first message.
function subscribe(name, params) {
  const sub = consumer.subscriptions.create(params, {
    connected: () => log({ ev: 'connected', sub: name }),
    rejected: () => { log({ ev: 'rejected', sub: name }); received[name] = Infinity; wake(); },
    disconnected: ({ willAttemptReconnect }) => {
      log({ ev: 'disconnected', sub: name, willAttemptReconnect });
      if (!leaving) finish(new Error(`${name}: disconnected before the application left`));
    },
    received: (data) => {
      log({ received: name, data });
      received[name] = (received[name] ?? 0) + 1;
      wake();
    },
  });
  return receivedBy(name, 1).then(() => sub);
}

function wake() {
  for (const w of waiters.filter((w) => received[w.name] >= w.n)) {
    waiters.splice(waiters.indexOf(w), 1);
    w.resolve();
  }
}

// guest connects with ?guest=1 and waits for the server to disconnect it.
function guest() {
  const guestConsumer = createConsumer(url + (url.includes('?') ? '&' : '?') + 'guest=1');
  return new Promise((resolve) => {
    guestConsumer.subscriptions.create({ channel: 'ChatChannel', room: 'lobby' }, {
      connected: () => log({ ev: 'connected', sub: 'guest' }),
      disconnected: ({ willAttemptReconnect }) => {
        log({ ev: 'disconnected', sub: 'guest', willAttemptReconnect });
        resolve();
      },
    });
  });
}

try {
  await request();
  const chat = await subscribe('chat', { channel: 'ChatChannel', room: 'lobby', tab: randomUUID() });
  await request();
  chat.perform('speak', { text: 'héllo ✓' });
  await receivedBy('chat', 2);
  await request();
  await subscribe('secret', { channel: 'SecretChannel' });
  await request();
  chat.perform('ask', { n: 41 });
  await receivedBy('chat', 3);
  await request();
  const notes = await subscribe('notes', { channel: 'NotesChannel' });
  await request();
  notes.unsubscribe();
  await linger();
  await request();
  leaving = true;
  consumer.disconnect();
  await new Promise((resolve) => setTimeout(resolve, 200));
  await guest();
  finish();
} catch (err) {
  finish(err);
}
