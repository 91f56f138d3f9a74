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

const [url, linger = '0', noise = '0', transports = '', modulePath, optionsJSON] = process.argv.slice(2);
const bundle = fileURLToPath(new URL('./node_modules/socket.io-client/dist/socket.io.min.js', import.meta.url));
const page = `<!doctype html><meta charset="utf-8"><title>wsreplay socket.io e2e</title>
<script src="/socket.io.min.js"></script><script>
const url = ${JSON.stringify(url)}, linger = ${Number(linger)}, noise = ${Number(noise)};
const hex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
const show = (v) => (v instanceof ArrayBuffer ? { buffer: hex(v) } : ArrayBuffer.isView(v) ? { buffer: hex(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength)) } :
  Array.isArray(v) ? v.map(show) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, show(x)])) : v);
window.out = { main: [], admin: [], transports: [], upgrades: [], disconnects: [] };
window.done = false;
const opts = { reconnection: false, auth: { token: 'secret-token' } };
const transports = ${JSON.stringify(transports && transports !== 'default' ? transports.split(',') : null)};
if (transports) opts.transports = transports;
const main = io(url, opts), admin = io(url + '/admin', opts);
main.io.on('open', () => {
  out.transports.push(main.io.engine.transport.name);
  main.io.engine.once('upgrade', (t) => out.upgrades.push(t.name));
});
main.on('connect', () => {
  for (let i = 0; i < noise; i++) main.emit('noise', i, () => out.main.push(['ack noise (unrecorded!)', i]));
  main.emit('join', 'lobby', (a) => out.main.push(['ack join', show(a)]));
});
main.on('disconnect', (r) => out.disconnects.push(r));
for (const name of ['welcome', 'roomcast', 'late', 'farewell']) main.on(name, (p) => {
  out.main.push([name, show(p)]);
  if (name === 'late') main.emit('bye');
  if (name === 'farewell') setTimeout(() => {
    if (!main.connected) out.error = 'disconnected while lingering';
    out.final = main.io.engine.transport.name;
    main.disconnect(); admin.disconnect(); setTimeout(() => { done = true; }, 300);
  }, linger);
});
main.on('blob', (p) => {
  out.main.push(['blob', show(p)]);
  main.emit('ask', 21, (a) => { out.main.push(['ack ask', show(a)]);
    main.emit('file', 'a.txt', (b) => { out.main.push(['ack file', show(b)]); main.emit('wait', 1500); }); });
});
admin.on('stats', (p) => { out.admin.push(['stats', show(p)]); admin.emit('kick', 'bo', (a) => out.admin.push(['ack kick', show(a)])); });
main.on('connect_error', (e) => { out.error = 'connect_error ' + e.message; done = true; });
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
