// Drives Chromium with playwright-core: a page on its own loopback origin
// loads socket.io-client's browser bundle (from node_modules) and plays the
// scenario of sio-app-client.mjs with the default client (polling, then
// upgrade) against URL, on another origin. Prints what the page received.
// Usage: node sio-browser.mjs URL [LINGER_MS] [NOISE] [TRANSPORTS] [MODULE [OPTIONS_JSON]]
//   TRANSPORTS: the client's transports, comma-separated ("websocket");
//   "" or "default" for the default. MODULE: a module written by "wsreplay
//   export --to playwright", whose replay(page, OPTIONS) routes the page's
//   WebSockets first (URL then need not be served by anyone).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launch, servePage } from './chromium.mjs';
import { playScenario } from './sio-scenario.mjs';

const [url, linger = '0', noise = '0', transports = '', modulePath, optionsJSON] = process.argv.slice(2);
const bundle = fileURLToPath(new URL('./node_modules/socket.io-client/dist/socket.io.min.js', import.meta.url));
const page = `<!doctype html><meta charset="utf-8"><title>wsreplay socket.io e2e</title>
<script src="/socket.io.min.js"></script><script>
window.out = { main: [], admin: [], transports: [], upgrades: [], disconnects: [] };
window.done = false;
(${playScenario})(io, ${JSON.stringify(url)}, out, {
  linger: ${Number(linger)},
  noise: ${Number(noise)},
  transports: ${JSON.stringify(transports && transports !== 'default' ? transports.split(',') : null)},
}, () => { done = true; });
</script>`;
const server = await servePage(page, { '/socket.io.min.js': bundle });
const { browser, close } = await launch();
let result;
try {
  const tab = await browser.newPage();
  if (modulePath) {
    const { default: replay } = await import(pathToFileURL(path.resolve(modulePath)).href);
    await replay(tab, JSON.parse(optionsJSON || '{}'));
  }
  const errors = [];
  tab.on('pageerror', (e) => errors.push(String(e)));
  await tab.goto(server.url);
  try {
    await tab.waitForFunction(() => window.done, null, { timeout: 60000, polling: 50 });
    result = await tab.evaluate(() => window.out);
  } catch (e) {
    result = { ...(await tab.evaluate(() => window.out).catch(() => ({}))), error: `${e.message} ${errors.join('; ')}` };
  }
} finally {
  await close();
  server.close();
}
console.log(JSON.stringify(result));
