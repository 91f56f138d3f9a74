// A Node ws client for the faults tests: connects to URL and prints, as
// JSON, every message with t, the milliseconds since the connection
// opened, and the close code.
// Usage: node faults-client.mjs URL
import WebSocket from 'ws';

const ws = new WebSocket(process.argv[2]);
const seen = { messages: [], close: null };
let t0 = 0;
ws.on('open', () => { t0 = performance.now(); });
ws.on('message', (data) => {
  seen.messages.push({ data: data.toString(), t: Math.round(performance.now() - t0) });
});
ws.on('close', (code) => {
  seen.close = code;
  console.log(JSON.stringify(seen));
  process.exit(0);
});
ws.on('error', (err) => { seen.error = String(err); });
setTimeout(() => {
  seen.error = 'timeout';
  console.log(JSON.stringify(seen));
  process.exit(1);
}, 30000);
