// An application on @stomp/stompjs's Client (STOMP 1.2 over WebSocket),
// for wsreplay's protocol tests, against proto-stomp-server.mjs: heart-beats
// 1000,1000 (stompjs gives up on the connection after 2 s without a byte
// from the server), a subscription with a receipt, a message sent to it
// with a receipt (random receipt ids, as an application makes them), a
// subscription the server sends three messages on, acknowledged one by
// one, an unsubscription with a receipt, and stompjs's DISCONNECT, which
// waits for its own receipt.
// Over SockJS (sockjs-client 1.6), as Spring's STOMP applications connect,
// when URL's path ends in -sockjs; a fragment (#xhr-streaming) forces that
// SockJS transport.
// Usage: node proto-stomp.mjs URL [late=MS pause=MS control=URL linger=MS]
//   (see proto-lib.mjs).
import WebSocket from 'ws';
import SockJS from 'sockjs-client';
import { randomUUID } from 'node:crypto';
import { Client } from '@stomp/stompjs';
import { url, log, beat, request, linger, finish } from './proto-lib.mjs';

let leaving = false;
let connected;
const isConnected = new Promise((resolve) => { connected = resolve; });
let closed;
const isClosed = new Promise((resolve) => { closed = resolve; });

const client = new Client({
  webSocketFactory: () => {
    const [base, transport] = url.split('#');
    const ws = base.endsWith('-sockjs')
      ? new SockJS(base.replace(/^ws/, 'http'), null, transport ? { transports: [transport] } : {})
      : new WebSocket(url, ['v12.stomp', 'v11.stomp', 'v10.stomp']);
    ws.addEventListener('message', ({ data }) => {
      if (data === '\n' || data === '\r\n') beat();
    });
    return ws;
  },
  connectHeaders: { login: 'guest', passcode: 'guest', host: '/' },
  heartbeatIncoming: 1000,
  heartbeatOutgoing: 1000,
  reconnectDelay: 0,
  onConnect: (frame) => {
    log({ ev: 'connected', version: frame.headers.version, heartBeat: frame.headers['heart-beat'] });
    connected();
  },
  onStompError: (frame) => log({ ev: 'error', message: frame.headers.message, body: frame.body }),
  onDisconnect: (frame) => log({ ev: 'disconnected', command: frame.command }),
  onWebSocketClose: (event) => {
    log({ ev: 'closed', code: event.code });
    if (!leaving) finish(new Error('the connection closed before the application left'));
    closed();
  },
});

// receipt asks for a receipt on the frame sent by send and awaits it.
function receipt(what, send) {
  const id = `receipt-${randomUUID()}`;
  return new Promise((resolve) => {
    client.watchForReceipt(id, () => {
      log({ receipt: what });
      resolve();
    });
    send({ receipt: id });
  });
}

const show = (m) => ({ message: m.headers.destination, body: m.body, contentType: m.headers['content-type'] });

try {
  client.activate();
  await isConnected;

  await request();
  let chatSeen;
  const chat = new Promise((resolve) => { chatSeen = resolve; });
  await receipt('subscribe /topic/chat', (headers) => client.subscribe('/topic/chat', (m) => {
    log(show(m));
    chatSeen();
  }, headers));

  await request();
  await Promise.all([
    receipt('send /topic/chat', (headers) => client.publish({ destination: '/topic/chat', body: 'héllo ✓ {"json":true}', headers: { ...headers, 'content-type': 'text/plain' } })),
    chat,
  ]);

  await request();
  let ticksSeen;
  const ticks = new Promise((resolve) => { ticksSeen = resolve; });
  let n = 0;
  const sub = client.subscribe('/queue/ticks', (m) => {
    log(show(m));
    m.ack();
    if (++n === 3) ticksSeen();
  }, { ack: 'client-individual' });
  await ticks;

  await request();
  await receipt('unsubscribe /queue/ticks', (headers) => sub.unsubscribe(headers));

  await linger();
  await request();
  leaving = true;
  await client.deactivate();
  await isClosed;
  finish();
} catch (err) {
  finish(err);
}
