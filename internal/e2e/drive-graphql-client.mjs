// The client of drive-graphql-server.mjs, on graphql-ws's createClient
// (its own UUID operation ids): a query, then a subscription to its end.
// Prints {"got":[...]}.
// Usage: node drive-graphql-client.mjs ws://HOST:PORT/graphql
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';

const got = [];
const client = createClient({ url: process.argv[2], webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });
const run = (payload) => new Promise((resolve, reject) => {
  client.subscribe(payload, { next: (v) => got.push(v), error: reject, complete: resolve });
});
try {
  await run({ query: 'query { hello(name: "drive") }' });
  await run({ query: 'subscription { ticks(n: 3) { n text } }' });
  await client.dispose();
  await new Promise((resolve) => setTimeout(resolve, 200));
  console.log(JSON.stringify({ got }));
  process.exit(0);
} catch (err) {
  console.log(JSON.stringify({ got, error: String(err?.message ?? JSON.stringify(err)) }));
  process.exit(1);
}
