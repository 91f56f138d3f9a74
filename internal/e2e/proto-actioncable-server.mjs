// A small Action Cable server over WebSocket (Node's ws), written for
// wsreplay's Action Cable test from the published Action Cable protocol
// (Rails' ActionCable::Connection and ActionCable::Channel, and AnyCable's
// "Action Cable Protocol" document), since Action Cable servers are Ruby,
// not npm packages. What it does of that protocol:
//   - it accepts the subprotocol "actioncable-v1-json" (a client that
//     offers none of it gets a welcome all the same, as Rails does; the
//     client then finds the protocol unsupported and closes).
//   - on connect it sends {"type":"welcome"}, and every 3 s
//     {"type":"ping","message":UNIX_SECONDS} (Rails' beat interval).
//   - {"command":"subscribe","identifier":ID}: ID is a string of JSON
//     whose "channel" names the channel. ChatChannel and NotesChannel are
//     confirmed with {"identifier":ID,"type":"confirm_subscription"}, then
//     their first message {"identifier":ID,"message":{...}}; any other
//     channel gets {"identifier":ID,"type":"reject_subscription"}.
//   - {"command":"message","identifier":ID,"data":DATA}: DATA is a string
//     of JSON whose "action" names the channel's method: ChatChannel's
//     "speak" broadcasts {"from":"e2e","text":TEXT} to the channel (this
//     one connection in the test), "ask" answers {"answer":N+1}.
//   - {"command":"unsubscribe","identifier":ID} ends the subscription,
//     with no answer (as Rails).
//   - a command for a subscription it does not hold is ignored.
//   - a connection whose query has guest=1 is refused as Rails refuses an
//     unauthorized one: {"type":"disconnect","reason":"unauthorized",
//     "reconnect":false} in place of the welcome, then a close.
// Usage: node proto-actioncable-server.mjs. Prints "listening PORT".
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  handleProtocols: (offered) => (offered.has('actioncable-v1-json') ? 'actioncable-v1-json' : false),
});
wss.on('listening', () => console.log(`listening ${wss.address().port}`));

const firstMessages = {
  ChatChannel: (params) => ({ history: ['welcome to ' + params.room, 'ünïcode ✓'] }),
  NotesChannel: () => ({ notes: [1, 2, 3] }),
};

wss.on('connection', (ws, req) => {
  const send = (obj) => ws.send(JSON.stringify(obj));
  if (new URL(req.url, 'ws://x').searchParams.get('guest') === '1') {
    send({ type: 'disconnect', reason: 'unauthorized', reconnect: false });
    return ws.close();
  }
  const subscriptions = new Set();
  send({ type: 'welcome' });
  const beat = setInterval(() => send({ type: 'ping', message: Math.floor(Date.now() / 1000) }), 3000);
  ws.on('close', () => clearInterval(beat));
  ws.on('message', (raw) => {
    let cmd, params;
    try {
      cmd = JSON.parse(raw);
      params = JSON.parse(cmd.identifier);
    } catch {
      return;
    }
    const identifier = cmd.identifier;
    switch (cmd.command) {
      case 'subscribe': {
        const first = firstMessages[params.channel];
        if (!first) return send({ identifier, type: 'reject_subscription' });
        subscriptions.add(identifier);
        send({ identifier, type: 'confirm_subscription' });
        return send({ identifier, message: first(params) });
      }
      case 'unsubscribe':
        return subscriptions.delete(identifier);
      case 'message':
        if (subscriptions.has(identifier)) perform(params.channel, JSON.parse(cmd.data), (message) => send({ identifier, message }));
    }
  });
});

// perform runs a channel's action; reply sends to the subscription.
function perform(channel, data, reply) {
  if (channel !== 'ChatChannel') return;
  if (data.action === 'speak') reply({ from: 'e2e', text: data.text });
  if (data.action === 'ask') reply({ answer: data.n + 1 });
}
