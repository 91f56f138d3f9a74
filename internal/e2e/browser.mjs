// Drives Debian's Chromium with playwright-core: a page served from its own
// origin opens new WebSocket(URL), reconnecting after every close (as real
// frontends do) until it has seen CONNECTIONS connections open and close.
// Prints the page's log as JSON: opens, messages, and closes with their code
// and wasClean.
// Usage: node browser.mjs URL CONNECTIONS
import { runPage } from './chromium.mjs';
import { reconnectLoop } from './reconnect-page.mjs';

const [wsURL, connections] = process.argv.slice(2);
const page = `<!doctype html><meta charset="utf-8"><title>wsreplay e2e</title><script>
window.log = [];
window.done = false;
(${reconnectLoop})(${JSON.stringify(wsURL)}, ${Number(connections)}, 'arraybuffer', {
  open: () => log.push({ ev: 'open' }),
  message: (m) => log.push({ ev: 'message', data: typeof m.data === 'string' ? m.data : 'binary:' + m.data.byteLength }),
  close: (c) => log.push({ ev: 'close', code: c.code, reason: c.reason, wasClean: c.wasClean }),
}, () => { window.done = true; });
</script>`;
const result = await runPage(page, { until: () => window.done, read: () => window.log });
console.log(JSON.stringify(result));
