// An application on @microsoft/signalr 10's HubConnection (JSON hub
// protocol over WebSocket, after the default negotiation), for wsreplay's
// protocol tests, against signalr-server.mjs (a hub written from the
// protocol documents, pinging every 500 ms here): the client gives up on a
// server silent for 2 s. It joins a room (three news, then the join's
// result), reads it for 1.2 s, echoes, and stops.
// Usage: node proto-signalr.mjs URL [late=MS pause=MS control=URL linger=MS]
//   (see proto-lib.mjs); URL is the hub's ws:// URL, called as http://.
import * as signalR from '@microsoft/signalr';
import WebSocket from 'ws';
import { url, log, beat, request, linger, finish, sleep } from './proto-lib.mjs';

// CountingWebSocket counts the server's pings the application receives.
class CountingWebSocket extends WebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener('message', ({ data }) => {
      if (String(data).includes('{"type":6}')) beat();
    });
  }
}

const conn = new signalR.HubConnectionBuilder()
  .withUrl(url.replace(/^ws/, 'http'), { transport: signalR.HttpTransportType.WebSockets, WebSocket: CountingWebSocket })
  .configureLogging(signalR.LogLevel.None)
  .build();
conn.serverTimeoutInMilliseconds = 2000;
conn.keepAliveIntervalInMilliseconds = 500;
let leaving = false;
// The news the join sends come before its result, in any replay; when they
// come relative to start()'s continuation depends on how the client's reads
// fall, so they are logged with the join's result.
const news = [];
conn.on('news', (m) => news.push(m));
conn.onclose((err) => {
  log({ ev: 'closed', error: err ? String(err.message ?? err) : null });
  if (!leaving) finish(new Error('the connection closed before the application left'));
});

try {
  await conn.start();
  log({ ev: 'connected' });
  await request();
  const joined = await conn.invoke('Join', 'room 1');
  log({ op: 'join', news: news.splice(0), result: joined });
  // Reads the room for 1.2 s: the recording holds the server's pings, whose
  // interval (a server setting) the replay keeps.
  await sleep(1200);
  await request();
  log({ op: 'echo', result: await conn.invoke('Echo', 'hi') });
  await linger();
  leaving = true;
  await conn.stop();
  finish();
} catch (err) {
  finish(err);
}
