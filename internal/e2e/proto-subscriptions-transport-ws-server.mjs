// subscriptions-transport-ws's own SubscriptionServer (on Node's ws), with
// the schema of proto-graphql-schema.mjs and keep-alives ("ka") every
// 300 ms, for wsreplay's subscriptions-transport-ws test.
// Usage: node proto-subscriptions-transport-ws-server.mjs. Prints "listening PORT".
import { WebSocketServer } from 'ws';
import { execute, subscribe } from 'graphql';
import stws from 'subscriptions-transport-ws';
import { schema } from './proto-graphql-schema.mjs';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/subscriptions' });
stws.SubscriptionServer.create({ schema, execute, subscribe, keepAlive: 300 }, wss);
wss.on('listening', () => console.log(`listening ${wss.address().port}`));
