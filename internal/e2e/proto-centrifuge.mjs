// An application on Centrifuge's JavaScript client (centrifuge, the JSON
// protocol over WebSocket), for wsreplay's protocol tests, against
// centrifuge-server (the real github.com/centrifugal/centrifuge server
// library): the server pings every 1 s and the client gives up on the
// connection ("no ping") when a ping is 1 s late (maxServerPingDelay; the
// default is 10 s). It subscribes to "news" and gets its publications,
// reads them for 1.5 s (so that the recording holds a server ping and the
// client's pong), calls two RPCs (one answered, one an error),
// unsubscribes, and leaves. Its command ids are the client's counter.
// Usage: node proto-centrifuge.mjs URL [late=MS pause=MS control=URL linger=MS]
//   (see proto-lib.mjs); URL is the endpoint (ws://HOST/connection/websocket).
import WebSocket from 'ws';
import { Centrifuge } from 'centrifuge';
import { url, log, beat, request, linger, finish, sleep } from './proto-lib.mjs';

// CountingWebSocket counts the server's pings ({} records), as the client
// sees them.
class CountingWebSocket extends WebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener('message', (e) => {
      for (const line of String(e.data).split('\n')) if (line.trim() === '{}') beat();
    });
  }
}

let leaving = false;
const client = new Centrifuge(url, {
  websocket: CountingWebSocket,
  maxServerPingDelay: 1000,
  minReconnectDelay: 100,
  maxReconnectDelay: 200,
  timeout: 5000,
});
client.on('connected', (ctx) => log({ ev: 'connected', transport: ctx.transport, data: ctx.data ?? null }));
client.on('connecting', (ctx) => {
  if (ctx.code !== 0) log({ ev: 'connecting', code: ctx.code, reason: ctx.reason });
  if (ctx.code !== 0 && !leaving) finish(new Error(`reconnecting (${ctx.code} ${ctx.reason}) before the application left`));
});
client.on('disconnected', (ctx) => log({ ev: 'disconnected', code: ctx.code, reason: ctx.reason }));
client.on('error', (ctx) => log({ ev: 'error', type: ctx.type, error: String(ctx.error?.message ?? ctx.error) }));

// rpc logs an RPC's result or error.
async function rpc(method, data) {
  try {
    const res = await client.rpc(method, data);
    log({ rpc: method, data: res.data });
  } catch (err) {
    log({ rpc: method, error: { code: err.code, message: err.message } });
  }
}

try {
  const connected = new Promise((resolve) => client.once('connected', resolve));
  client.connect();
  await connected;
  await request();
  const news = client.newSubscription('news');
  let pubs = 0;
  let twoPubs;
  const gotTwo = new Promise((resolve) => { twoPubs = resolve; });
  news.on('subscribed', (ctx) => log({ ev: 'subscribed', channel: ctx.channel, data: ctx.data ?? null }));
  news.on('unsubscribed', (ctx) => log({ ev: 'unsubscribed', channel: ctx.channel, code: ctx.code, reason: ctx.reason }));
  news.on('error', (ctx) => log({ ev: 'subscription error', error: String(ctx.error?.message ?? ctx.error) }));
  news.on('publication', (ctx) => {
    log({ publication: ctx.channel, data: ctx.data });
    if (++pubs === 2) twoPubs();
  });
  news.subscribe();
  await gotTwo;
  await sleep(1500);
  await request();
  await rpc('sum', { a: 2, b: 3 });
  await request();
  await rpc('nope', {});
  await request();
  news.unsubscribe();
  await linger();
  await request();
  leaving = true;
  const disconnected = new Promise((resolve) => client.once('disconnected', resolve));
  client.disconnect();
  await disconnected;
  finish();
} catch (err) {
  finish(err);
}
