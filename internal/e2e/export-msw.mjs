// Runs a module written by "wsreplay export --to msw" under MSW's Node
// interception (setupServer): a Node WebSocket client (Node's global
// WebSocket, which MSW patches) connects to URL, sends one message when it
// opens, and logs what it sees until the connection closes (or, for a
// session without an ending, for options.idle ms).
// Prints {log, client}: the client's log (open, messages, close with code,
// reason and wasClean) and the messages the module's onClientMessage got.
// OPTIONS_JSON go to configure; its clientDelay (ms) delays the client's
// message, its idle (ms, default 15000) ends a connection that stays open,
// and every log entry has t, the milliseconds since open.
// Node 20 has a global WebSocket only with --experimental-websocket.
// Usage: node --experimental-websocket export-msw.mjs MODULE URL [OPTIONS_JSON]
import { setupServer } from 'msw/node';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [modulePath, wsURL, optionsJSON] = process.argv.slice(2);
const mod = await import(pathToFileURL(path.resolve(modulePath)).href);
const client = [];
const options = JSON.parse(optionsJSON || '{}');
mod.configure({
  ...options,
  onClientMessage: (m) => client.push(typeof m === 'string' ? m : 'binary:' + Buffer.from(m).toString('hex')),
});
const server = setupServer(...mod.handlers);
server.listen({ onUnhandledRequest: 'error' });

const log = [];
let opened = 0;
const at = () => Math.round(performance.now() - opened);
await new Promise((resolve) => {
  const ws = new WebSocket(wsURL);
  ws.binaryType = 'arraybuffer';
  const idle = setTimeout(() => { log.push({ ev: 'still open' }); ws.close(); resolve(); }, options.idle || 15000);
  ws.onopen = () => {
    opened = performance.now();
    log.push({ ev: 'open' });
    setTimeout(() => ws.send('hello from the client'), options.clientDelay || 0);
  };
  ws.onmessage = async (m) => {
    let data = m.data;
    if (typeof data !== 'string') {
      // MSW may deliver a Blob even for binaryType arraybuffer.
      const buf = data instanceof Blob ? await data.arrayBuffer() : data;
      data = 'binary:' + Buffer.from(buf).toString('hex');
    }
    log.push({ ev: 'message', data, t: at() });
  };
  ws.onclose = (c) => {
    clearTimeout(idle);
    log.push({ ev: 'close', code: c.code, reason: c.reason, wasClean: c.wasClean, t: at() });
    resolve();
  };
});
server.close();
console.log(JSON.stringify({ log, client }));
