// Runs a module written by "wsreplay export --to msw" under MSW's Node
// interception (setupServer): a Node WebSocket client (Node's global
// WebSocket, which MSW patches) connects to URL, sends each message of
// options.send when it opens, options.gap ms apart, and logs the messages
// it gets until it has options.expect of them (or 10 s have passed).
// Prints {received}: the messages got, in order.
// Node 20 has a global WebSocket only with --experimental-websocket.
// Usage: node --experimental-websocket export-echo-msw.mjs MODULE URL OPTIONS_JSON
import { setupServer } from 'msw/node';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [modulePath, wsURL, optionsJSON] = process.argv.slice(2);
const options = JSON.parse(optionsJSON);
const mod = await import(pathToFileURL(path.resolve(modulePath)).href);
mod.configure({ speed: options.speed ?? 'max' });
const server = setupServer(...mod.handlers);
server.listen({ onUnhandledRequest: 'error' });

const received = [];
await new Promise((resolve) => {
  const ws = new WebSocket(wsURL);
  const timeout = setTimeout(resolve, 10000);
  ws.onopen = async () => {
    for (const m of options.send) {
      await new Promise((r) => setTimeout(r, options.gap || 0));
      ws.send(m);
    }
  };
  ws.onmessage = (m) => {
    received.push(m.data);
    if (received.length === options.expect) {
      clearTimeout(timeout);
      ws.close();
      resolve();
    }
  };
});
server.close();
console.log(JSON.stringify({ received }));
