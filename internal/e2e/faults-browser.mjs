// Drives Debian's Chromium with playwright-core: a page opens
// new WebSocket(URL) and reconnects after every close, as browser.mjs does,
// until it has seen CONNECTIONS connections open and close, and logs each
// event with t, the milliseconds since its connection opened (for the
// faults tests: a stall, the backlog after it, a drop).
// Usage: node faults-browser.mjs URL CONNECTIONS
import { runPage } from './chromium.mjs';
import { reconnectLoop } from './reconnect-page.mjs';

const [wsURL, connections] = process.argv.slice(2);
const page = `<!doctype html><meta charset="utf-8"><title>wsreplay faults e2e</title><script>
window.log = [];
window.done = false;
(${reconnectLoop})(${JSON.stringify(wsURL)}, ${Number(connections)}, '', {
  open: () => log.push({ ev: 'open', t: 0 }),
  message: (m, t) => log.push({ ev: 'message', data: String(m.data), t }),
  close: (c, t) => log.push({ ev: 'close', code: c.code, wasClean: c.wasClean, t }),
}, () => { window.done = true; });
</script>`;
const result = await runPage(page, { until: () => window.done, read: () => window.log });
console.log(JSON.stringify(result));
