// Runs a module written by "wsreplay export --to playwright" in Chromium,
// driven by playwright-core as browser.mjs does: the module's replay(page,
// options) routes the page's WebSockets, then a page served from its own
// origin opens new WebSocket(URL), sends one message when it opens (after
// options.clientDelay ms), and logs what it sees until the connection
// closes (or, for a session without an ending, for options.idle ms,
// default 15000).
// Prints {log, client}: the page's log (open, messages with t, the ms since
// open, close with code, reason and wasClean) and the messages the
// module's onClientMessage got.
// OPTIONS_JSON go to replay; clientDelay, idle and onContext (route on
// the BrowserContext) are this script's.
// Usage: node export-playwright.mjs MODULE URL [OPTIONS_JSON]
import { runPage } from './chromium.mjs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [modulePath, wsURL, optionsJSON] = process.argv.slice(2);
const options = JSON.parse(optionsJSON || '{}');
const { default: replay } = await import(pathToFileURL(path.resolve(modulePath)).href);
const page = `<!doctype html><meta charset="utf-8"><title>wsreplay export e2e</title><script>
window.log = [];
window.done = false;
const ws = new WebSocket(${JSON.stringify(wsURL)});
ws.binaryType = 'arraybuffer';
let opened = 0;
const at = () => Math.round(performance.now() - opened);
const hex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
const idle = setTimeout(() => { log.push({ ev: 'still open' }); done = true; }, ${Number(options.idle || 15000)});
ws.onopen = () => {
  opened = performance.now();
  log.push({ ev: 'open' });
  setTimeout(() => ws.send('hello from the client'), ${Number(options.clientDelay || 0)});
};
ws.onmessage = (m) => log.push({ ev: 'message', data: typeof m.data === 'string' ? m.data : 'binary:' + hex(m.data), t: at() });
ws.onclose = (c) => {
  clearTimeout(idle);
  log.push({ ev: 'close', code: c.code, reason: c.reason, wasClean: c.wasClean, t: at() });
  done = true;
};
</script>`;
const client = [];
// options.onContext: route on the BrowserContext instead of the page.
const before = (tab) => replay(options.onContext ? tab.context() : tab, {
  ...options,
  onClientMessage: (m) => client.push(typeof m === 'string' ? m : 'binary:' + m.toString('hex')),
});
const result = await runPage(page, { before, until: () => window.done, read: () => window.log });
console.log(JSON.stringify({ log: result, client }));
