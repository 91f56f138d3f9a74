// An application on phoenix's JavaScript client (Socket and Channel, the V2
// JSON serializer), for wsreplay's protocol tests, against
// proto-phoenix-server.mjs: a heartbeat every 1 s (phoenix gives up on the
// connection when a heartbeat's reply is 1 s late), a join, pushes with
// replies ("ok" and "error") and a broadcast, the channel's own pushes, a
// leave, a disconnect. Its refs are phoenix's counter, shared by
// heartbeats and pushes, so they depend on how many heartbeats went first.
// Usage: node proto-phoenix.mjs URL [late=MS pause=MS control=URL linger=MS]
//   (see proto-lib.mjs); URL is the endpoint without /websocket (ws://HOST/socket).
import WebSocket from 'ws';
import { Socket } from 'phoenix';
import { url, log, beat, request, linger, finish } from './proto-lib.mjs';

let leaving = false;
const socket = new Socket(url, {
  transport: WebSocket,
  params: { client: 'e2e' },
  heartbeatIntervalMs: 1000,
  timeout: 1000,
  reconnectAfterMs: () => 100,
  rejoinAfterMs: () => 100,
});
const opened = new Promise((resolve) => socket.onOpen(resolve));
socket.onClose((event) => {
  if (leaving) return;
  log({ ev: 'close', code: event?.code });
  finish(new Error('the connection closed before the application left'));
});
socket.onError(() => log({ ev: 'socket error' }));
socket.onMessage((msg) => {
  if (msg.topic === 'phoenix' && msg.event === 'phx_reply' && msg.payload.status === 'ok') beat();
});

// reply awaits a push's reply, logging it as what.
function reply(what, push) {
  return new Promise((resolve) => {
    for (const status of ['ok', 'error', 'timeout']) {
      push.receive(status, (response) => {
        log({ reply: what, status, response: response ?? null });
        resolve();
      });
    }
  });
}

try {
  socket.connect();
  await opened;
  log({ ev: 'open' });
  const channel = socket.channel('room:lobby', { user: 'e2e' });
  let newMsg;
  const gotNewMsg = new Promise((resolve) => { newMsg = resolve; });
  let presence;
  const gotPresence = new Promise((resolve) => { presence = resolve; });
  channel.on('presence', (payload) => {
    log({ push: 'presence', payload });
    presence();
  });
  channel.on('new_msg', (payload) => {
    log({ push: 'new_msg', payload });
    newMsg();
  });
  channel.onClose(() => log({ ev: 'channel closed' }));
  channel.onError((reason) => log({ ev: 'channel error', reason: String(reason) }));

  await request();
  await Promise.all([reply('join', channel.join()), gotPresence]);
  await request();
  await Promise.all([reply('new_msg', channel.push('new_msg', { body: 'héllo ✓', at: [1, 2] })), gotNewMsg]);
  await request();
  await reply('ping', channel.push('ping', { n: 7 }));
  await request();
  await reply('bad', channel.push('bad', {}));
  await request();
  await reply('leave', channel.leave());
  await linger();
  await request();
  leaving = true;
  await new Promise((resolve) => socket.disconnect(resolve, 1000, 'bye'));
  log({ ev: 'disconnected' });
  finish();
} catch (err) {
  finish(err);
}
