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
import { playScenario } from './sio-scenario.mjs';

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

const out = { main: [], admin: [], transports: [], upgrades: [], disconnects: [] };
const finish = () => {
  server.close();
  console.log(JSON.stringify(out));
  process.exit(0);
};
playScenario(io, url, out, { linger: Number(linger), noise: Number(noise), transports: ['websocket'] }, finish);
setTimeout(() => { out.error = 'timeout'; finish(); }, 40000);
