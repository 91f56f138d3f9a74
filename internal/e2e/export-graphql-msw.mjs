// Runs a module written by "wsreplay export --to msw" from a graphql-ws
// session under MSW's Node interception (setupServer): a real graphql-ws
// client (createClient, fresh UUID operation ids) on Node's global
// WebSocket, which MSW patches, runs a query, waits options.clientDelay
// ms, then runs a subscription to its end.
// options.timeout (ms, default 15000) ends a run that gets no answer.
// Prints {query, subscription, delays, error}: the results each operation
// got, the ms from the subscription's start to each of its results, and
// what went wrong (a timeout: an operation that got no answer).
// Node 20 has a global WebSocket only with --experimental-websocket.
// Usage: node --experimental-websocket export-graphql-msw.mjs MODULE URL [OPTIONS_JSON]
import { setupServer } from 'msw/node';
import { createClient } from 'graphql-ws';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [modulePath, wsURL, optionsJSON] = process.argv.slice(2);
const options = JSON.parse(optionsJSON || '{}');
const mod = await import(pathToFileURL(path.resolve(modulePath)).href);
mod.configure(options);
const server = setupServer(...mod.handlers);
server.listen({ onUnhandledRequest: 'error' });

const out = { query: [], subscription: [], delays: [] };
const timeout = setTimeout(() => {
  out.error = 'timeout: no complete answer';
  console.log(JSON.stringify(out));
  process.exit(0);
}, options.timeout || 15000);

// One connection for both operations (lazy: false), as a page keeps it.
const client = createClient({ url: wsURL, lazy: false, retryAttempts: 0 });
const run = (query, results, delays = []) =>
  new Promise((resolve, reject) => {
    const start = performance.now();
    const next = (r) => {
      results.push(r);
      delays.push(Math.round(performance.now() - start));
    };
    client.subscribe({ query }, { next, error: reject, complete: resolve });
  });
try {
  await run('{ hello }', out.query);
  await new Promise((r) => setTimeout(r, options.clientDelay || 0));
  await run('subscription { tick }', out.subscription, out.delays);
} catch (err) {
  out.error = String(err?.message ?? err);
}
clearTimeout(timeout);
await client.dispose();
server.close();
console.log(JSON.stringify(out));
