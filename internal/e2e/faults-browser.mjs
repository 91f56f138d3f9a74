// Drives Debian's Chromium with playwright-core: a page opens
// new WebSocket(URL) and reconnects after every close, as browser.mjs does,
// until it has seen CONNECTIONS connections open and close, and logs each
// event with t, the milliseconds since its connection opened (for the
// faults tests: a stall, the backlog after it, a drop).
// Usage: node faults-browser.mjs URL CONNECTIONS
import { runPage } from './chromium.mjs';

const [wsURL, connections] = process.argv.slice(2);
const page = `<!doctype html><meta charset="utf-8"><title>wsreplay faults e2e</title><script>
window.log = [];
window.done = false;
let opened = 0, attempts = 0;
function connect() {
  attempts++;
  const ws = new WebSocket(${JSON.stringify(wsURL)});
  let isOpen = false, t0 = 0;
  const t = () => Math.round(performance.now() - t0);
  ws.onopen = () => { isOpen = true; opened++; t0 = performance.now(); log.push({ ev: 'open', t: 0 }); };
  ws.onmessage = (m) => log.push({ ev: 'message', data: String(m.data), t: t() });
  ws.onclose = (c) => {
    if (isOpen) log.push({ ev: 'close', code: c.code, wasClean: c.wasClean, t: t() });
    if (opened >= ${Number(connections)} && isOpen) { window.done = true; return; }
    if (attempts > 200) { window.done = true; return; }
    setTimeout(connect, 100);
  };
}
connect();
</script>`;
const result = await runPage(page, { until: () => window.done, read: () => window.log });
console.log(JSON.stringify(result));
