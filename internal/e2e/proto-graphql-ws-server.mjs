// graphql-ws's own server (graphql-ws/use/ws on Node's ws) with the schema
// of proto-graphql-schema.mjs, for wsreplay's graphql-ws test.
// Usage: node proto-graphql-ws-server.mjs. Prints "listening PORT".
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { schema } from './proto-graphql-schema.mjs';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/graphql' });
useServer({ schema }, wss);
wss.on('listening', () => console.log(`listening ${wss.address().port}`));
