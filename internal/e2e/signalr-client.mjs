// A @microsoft/signalr (10) application for wsreplay's interoperability
// tests: a HubConnection to URL (the hub's http:// URL) with the default
// negotiation, started twice (start, Join, the news, Echo, stop; then
// again). Prints each run as JSON: the transport, the news it got and the
// invocations' results.
// With TRANSPORT (ServerSentEvents, LongPolling, WebSockets), that
// transport is forced: withUrl(URL, { transport: HttpTransportType[TRANSPORT] }).
// Usage: node signalr-client.mjs URL [TRANSPORT]
import * as signalR from '@microsoft/signalr';

const options = process.argv[3] ? { transport: signalR.HttpTransportType[process.argv[3]] } : {};
const conn = new signalR.HubConnectionBuilder().withUrl(process.argv[2], options).configureLogging(signalR.LogLevel.None).build();
let current;
conn.on('news', (m) => current.news.push(m));
const timer = setTimeout(() => { console.log(JSON.stringify({ error: 'timeout', current })); process.exit(1); }, 30000);
const runs = [];
try {
  for (const i of [1, 2]) {
    current = { transport: null, news: [], results: [] };
    await conn.start();
    current.transport = conn.connection.transport?.constructor?.name ?? null;
    current.results.push(await conn.invoke('Join', `room ${i}`));
    while (current.news.length < 3) await new Promise((r) => setTimeout(r, 10));
    current.results.push(await conn.invoke('Echo', `hi ${i}`));
    await conn.stop();
    runs.push(current);
  }
} catch (err) {
  runs.push({ error: String(err), current });
}
clearTimeout(timer);
console.log(JSON.stringify(runs));
process.exit(0);
