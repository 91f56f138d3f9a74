// graphql-ws's own server for wsreplay drive's tests: a query and a
// subscription of n ticks 50 ms apart.
// Usage: node drive-graphql-server.mjs. Prints "listening PORT".
// DRIVE_CHANGE switches a regression on: rename (the tick's field "text"
// is called "label"), missing (one tick fewer), slow (every tick 600 ms
// later).
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { GraphQLSchema, GraphQLObjectType, GraphQLString, GraphQLInt, GraphQLNonNull } from 'graphql';

const change = process.env.DRIVE_CHANGE ?? '';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const textField = change === 'rename' ? 'label' : 'text';
const Tick = new GraphQLObjectType({ name: 'Tick', fields: { n: { type: GraphQLInt }, [textField]: { type: GraphQLString } } });
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: { hello: { type: GraphQLString, args: { name: { type: new GraphQLNonNull(GraphQLString) } }, resolve: (_, { name }) => `hello ${name}` } },
  }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      ticks: {
        type: Tick,
        args: { n: { type: new GraphQLNonNull(GraphQLInt) } },
        subscribe: async function* ticks(_, { n }) {
          for (let i = 1; i <= (change === 'missing' ? n - 1 : n); i++) {
            await sleep(change === 'slow' ? 650 : 50);
            yield { ticks: { n: i, [textField]: `tick ${i} of ${n}` } };
          }
        },
      },
    },
  }),
});
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/graphql' });
useServer({ schema }, wss);
wss.on('listening', () => console.log(`listening ${wss.address().port}`));
