// A small Phoenix channels server over WebSocket (Node's ws), written for
// wsreplay's Phoenix test from Phoenix's documentation of its socket and
// channels (Phoenix.Socket, Phoenix.Channel, and the V2 JSON serializer,
// Phoenix.Socket.V2.JSONSerializer), since Phoenix servers are Elixir,
// not npm packages. What it does of those documents:
//   - the endpoint is /socket/websocket?vsn=2.0.0 (other vsn: 403).
//   - every message is a JSON array [join_ref, ref, topic, event, payload]
//     in a text frame (the V2 serializer; its binary frames are not used
//     by this test).
//   - "heartbeat" on the topic "phoenix" is answered with
//     [null, ref, "phoenix", "phx_reply", {"status":"ok","response":{}}].
//   - "phx_join" to a topic of "room:*" joins the channel: a reply
//     [join_ref, ref, topic, "phx_reply", {"status":"ok","response":...}],
//     then a push from the channel [join_ref, null, topic, "presence", ...].
//     A join to another topic gets the reply status "error" with
//     {"reason":"unmatched topic"}.
//   - in a joined channel: "new_msg" is broadcast to the topic's members
//     as [null, null, topic, "new_msg", payload] (a broadcast carries no
//     join_ref) and replied to with "ok"; "ping" is replied to with "ok"
//     and {"pong": payload}; "bad" gets the reply status "error"; an event
//     the channel does not handle gets no reply, as a channel that does
//     not reply.
//   - "phx_leave" gets the reply "ok", then the channel's
//     [join_ref, join_ref, topic, "phx_close", {}].
//   - a message to a topic not joined gets the reply status "error",
//     {"reason":"unmatched topic"}.
//   - the server closes a connection that sent nothing for 60 s (Phoenix's
//     default timeout), so a client's heartbeats are what keep it.
// Usage: node proto-phoenix-server.mjs. Prints "listening PORT".
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/socket/websocket' });
const members = new Map(); // topic -> Set of {ws, joinRef}

function reply(ws, [joinRef, ref, topic], status, response = {}) {
  ws.send(JSON.stringify([joinRef, ref, topic, 'phx_reply', { status, response }]));
}

wss.on('connection', (ws, req) => {
  if (new URL(req.url, 'http://x').searchParams.get('vsn') !== '2.0.0') return ws.close(4403, 'vsn 2.0.0 only');
  const joined = new Map(); // topic -> member
  let idle;
  const alive = () => {
    clearTimeout(idle);
    idle = setTimeout(() => ws.close(1000, 'idle'), 60000);
  };
  alive();
  ws.on('message', (data) => {
    alive();
    let msg;
    try {
      msg = JSON.parse(data.toString());
      if (!Array.isArray(msg) || msg.length !== 5) throw new Error('not a V2 message');
    } catch {
      return ws.close(1003, 'not a V2 JSON message');
    }
    handle(ws, joined, msg);
  });
  ws.on('close', () => {
    clearTimeout(idle);
    for (const [topic, m] of joined) members.get(topic)?.delete(m);
  });
});

function handle(ws, joined, msg) {
  const [joinRef, , topic, event, payload] = msg;
  if (topic === 'phoenix' && event === 'heartbeat') return reply(ws, msg, 'ok');
  if (event === 'phx_join') {
    if (!topic.startsWith('room:')) return reply(ws, msg, 'error', { reason: 'unmatched topic' });
    const m = { ws, joinRef };
    joined.set(topic, m);
    if (!members.has(topic)) members.set(topic, new Set());
    members.get(topic).add(m);
    reply(ws, msg, 'ok', { welcome: `hello ${payload.user}`, topic });
    ws.send(JSON.stringify([joinRef, null, topic, 'presence', { online: [...members.get(topic)].length }]));
    return;
  }
  if (!joined.has(topic) || joined.get(topic).joinRef !== joinRef) return reply(ws, msg, 'error', { reason: 'unmatched topic' });
  switch (event) {
    case 'new_msg':
      for (const m of members.get(topic)) m.ws.send(JSON.stringify([null, null, topic, 'new_msg', payload]));
      return reply(ws, msg, 'ok');
    case 'ping':
      return reply(ws, msg, 'ok', { pong: payload });
    case 'bad':
      return reply(ws, msg, 'error', { reason: 'bad request' });
    case 'phx_leave':
      members.get(topic).delete(joined.get(topic));
      joined.delete(topic);
      reply(ws, msg, 'ok');
      ws.send(JSON.stringify([joinRef, joinRef, topic, 'phx_close', {}]));
      return;
    default:
      return undefined; // handle_in with {:noreply, socket}
  }
}

wss.on('listening', () => console.log(`listening ${wss.address().port}`));
