// The GraphQL schema of wsreplay's GraphQL-over-WebSocket tests, served by
// proto-graphql-ws-server.mjs (graphql-ws) and
// proto-subscriptions-transport-ws-server.mjs (subscriptions-transport-ws):
// a query, a query whose resolver fails, a mutation that changes the
// server's state, and a subscription that yields n ticks 100 ms apart.
import {
  GraphQLSchema, GraphQLObjectType, GraphQLString, GraphQLInt, GraphQLNonNull, GraphQLList,
} from 'graphql';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let total = 40;

const Item = new GraphQLObjectType({
  name: 'Item',
  fields: { id: { type: GraphQLInt }, title: { type: GraphQLString } },
});

const Tick = new GraphQLObjectType({
  name: 'Tick',
  fields: { n: { type: GraphQLInt }, text: { type: GraphQLString } },
});

export const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      hello: {
        type: GraphQLString,
        args: { name: { type: new GraphQLNonNull(GraphQLString) } },
        resolve: (_, { name }) => `hello ${name} ✓`,
      },
      items: {
        type: new GraphQLList(Item),
        resolve: () => [{ id: 1, title: 'one' }, { id: 2, title: 'two, with "quotes"' }],
      },
      boom: {
        type: GraphQLString,
        resolve: () => { throw new Error('boom: the resolver failed'); },
      },
    },
  }),
  mutation: new GraphQLObjectType({
    name: 'Mutation',
    fields: {
      add: {
        type: GraphQLInt,
        args: { n: { type: new GraphQLNonNull(GraphQLInt) } },
        resolve: (_, { n }) => (total += n),
      },
    },
  }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      ticks: {
        type: Tick,
        args: { n: { type: new GraphQLNonNull(GraphQLInt) } },
        subscribe: async function* ticks(_, { n }) {
          for (let i = 1; i <= n; i++) {
            await sleep(100);
            yield { ticks: { n: i, text: `tick ${i} of ${n}` } };
          }
        },
      },
    },
  }),
});
