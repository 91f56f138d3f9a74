// A @microsoft/signalr (10) client for wsreplay's inject test: starts a
// HubConnection to URL (the hub's http:// URL) with the default
// negotiation, then injects through the control API at CONTROL, into the
// replay that is not over: an event by its meaning ({"event": "tick",
// "args": [...]}), a refusal (an empty target), then "done". Prints the
// invocations of its client methods tick and done that it received, and
// the API's statuses (and the reasons of refusals), as JSON.
// Usage: node signalr-inject-client.mjs URL CONTROL
import * as signalR from '@microsoft/signalr';

const [url, control] = process.argv.slice(2);
const conn = new signalR.HubConnectionBuilder().withUrl(url).configureLogging(signalR.LogLevel.None).build();
const out = { got: [], statuses: [], refusals: [] };
const timer = setTimeout(() => { console.log(JSON.stringify({ error: 'timeout', ...out })); process.exit(1); }, 30000);
const done = new Promise((resolve) => conn.on('done', (...args) => { out.got.push({ name: 'done', args }); resolve(); }));
conn.on('tick', (...args) => out.got.push({ name: 'tick', args }));
conn.onclose((err) => { out.closed = String(err); });
try {
  await conn.start();
  const { replays } = await (await fetch(control + '/_wsreplay/api/replays')).json();
  const live = replays.filter((r) => r.state !== 'ended');
  if (live.length !== 1) throw new Error('replays not over: ' + JSON.stringify(live));
  for (const body of [{ event: 'tick', args: [{ n: 1 }, 'x'] }, { event: '' }, { event: 'done', args: ['bye'] }]) {
    const res = await fetch(control + '/_wsreplay/api/replays/' + live[0].id + '/inject', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    out.statuses.push(res.status);
    if (res.status !== 200) out.refusals.push((await res.json()).error);
  }
  await done;
  await conn.stop();
} catch (err) {
  out.error = String(err);
}
clearTimeout(timer);
console.log(JSON.stringify(out));
process.exit(0);
