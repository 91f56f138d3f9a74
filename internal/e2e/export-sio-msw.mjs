// Runs a module written by "wsreplay export --to msw" for a Socket.IO
// session under MSW's Node interception (setupServer): socket.io-client's
// browser build (which uses the global WebSocket that MSW patches; its Node
// build uses the ws package, which MSW does not see), with transports
// ["websocket"], plays the scenario of sio-browser.mjs against URL, which
// nobody serves. Prints what each namespace received, as sio-browser.mjs.
// Node 20 has a global WebSocket only with --experimental-websocket.
// Usage: node --experimental-websocket export-sio-msw.mjs MODULE URL [LINGER_MS] [NOISE] [OPTIONS_JSON]
import { setupServer } from 'msw/node';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';


const [modulePath, url, linger = '0', noise = '0', optionsJSON] = process.argv.slice(2);
const mod = await import(pathToFileURL(path.resolve(modulePath)).href);
mod.configure(JSON.parse(optionsJSON || '{}'));
const server = setupServer(...mod.handlers);
server.listen({ onUnhandledRequest: 'error' });

// The ESM bundle is a .js file under a package without "type": "module":
// imported as what it is, from its text. It takes the global WebSocket as
// it loads: after server.listen(), which patches it.
const bundle = readFileSync(new URL('./node_modules/socket.io-client/dist/socket.io.esm.min.js', import.meta.url));
const { io } = await import('data:text/javascript;base64,' + bundle.toString('base64'));

const hex = (b) => Buffer.from(b).toString('hex');
const show = (v) => (v instanceof ArrayBuffer ? { buffer: hex(v) } : ArrayBuffer.isView(v) ? { buffer: hex(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength)) } :
  Array.isArray(v) ? v.map(show) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, show(x)])) : v);
const out = { main: [], admin: [], transports: [], upgrades: [], disconnects: [] };
const finish = () => {
  server.close();
  console.log(JSON.stringify(out));
  process.exit(0);
};
const opts = { reconnection: false, auth: { token: 'secret-token' }, transports: ['websocket'] };
const main = io(url, opts), admin = io(url + '/admin', opts);
main.io.on('open', () => {
  out.transports.push(main.io.engine.transport.name);
  main.io.engine.once('upgrade', (t) => out.upgrades.push(t.name));
});
main.on('connect', () => {
  for (let i = 0; i < Number(noise); i++) main.emit('noise', i, () => out.main.push(['ack noise (unrecorded!)', i]));
  main.emit('join', 'lobby', (a) => out.main.push(['ack join', show(a)]));
});
main.on('disconnect', (r) => out.disconnects.push(r));
for (const name of ['welcome', 'roomcast', 'late', 'farewell']) main.on(name, (p) => {
  out.main.push([name, show(p)]);
  if (name === 'late') main.emit('bye');
  if (name === 'farewell') setTimeout(() => {
    if (!main.connected) out.error = 'disconnected while lingering';
    out.final = main.io.engine.transport.name;
    main.disconnect(); admin.disconnect(); setTimeout(finish, 300);
  }, Number(linger));
});
main.on('blob', (p) => {
  out.main.push(['blob', show(p)]);
  main.emit('ask', 21, (a) => { out.main.push(['ack ask', show(a)]);
    main.emit('file', 'a.txt', (b) => { out.main.push(['ack file', show(b)]); main.emit('wait', 1500); }); });
});
admin.on('stats', (p) => { out.admin.push(['stats', show(p)]); admin.emit('kick', 'bo', (a) => out.admin.push(['ack kick', show(a)])); });
main.on('connect_error', (e) => { out.error = 'connect_error ' + e.message; finish(); });
setTimeout(() => { out.error = 'timeout'; finish(); }, 40000);
