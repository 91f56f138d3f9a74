// rpc-websockets' own JSON-RPC 2.0 Server, for wsreplay's JSON-RPC test:
// methods that answer (sum, echo), one that fails, and startFeed, which
// answers and then pushes n "feed" events 100 ms apart to the subscribers.
// Its namespace is the path /rpc.
// Usage: node proto-rpc-websockets-server.mjs. Prints "listening PORT".
import { Server } from 'rpc-websockets';

const ns = '/rpc';
const server = new Server({ host: '127.0.0.1', port: 0 });
const feed = server.of(ns);
server.event('feed', ns);
server.register('sum', ([a, b]) => a + b, ns);
server.register('echo', (params) => params, ns);
server.register('fail', () => { throw new Error('fail: the method failed'); }, ns);
server.register('startFeed', ([n]) => {
  for (let i = 1; i <= n; i++) setTimeout(() => feed.emit('feed', { n: i, text: `item ${i} of ${n}` }), 100 * i);
  return { started: n };
}, ns);
server.on('listening', () => console.log(`listening ${server.wss.address().port}`));
