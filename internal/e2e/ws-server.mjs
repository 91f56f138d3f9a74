// A WebSocket backend built on Node's ws, for wsreplay's interoperability
// tests. Usage: node ws-server.mjs MODE PORT
//
// Modes:
//   content     echoes the client's first message, then sends non-ASCII text,
//               an empty message, 3 MB of text and 3 MB of binary; when the
//               client says "done", closes with 4001.
//   clean       sends three messages, then closes with 4002 "maintenance".
//   drop        sends two messages, then drops the TCP connection (no close frame).
//   die         sends two messages, then the whole process exits (a crash).
//   restarted   sends two messages, then closes with 1000 "done".
//
// Prints "listening PORT" once it accepts connections.
import { WebSocketServer } from 'ws';
import crypto from 'node:crypto';

const [mode, port] = process.argv.slice(2);
const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: Number(port || 0),
  maxPayload: 64 << 20,
  handleProtocols: (protocols) => (protocols.has('chat.v1') ? 'chat.v1' : false),
});

// bigText is 3 MB of deterministic printable text; bigBinary 3 MB of bytes.
const bigText = crypto.createHash('sha256').update('wsreplay').digest('hex').repeat(3 * 1024 * 1024 / 64);
const bigBinary = Buffer.alloc(3 * 1024 * 1024);
for (let i = 0; i < bigBinary.length; i++) bigBinary[i] = (i * 31 + 7) & 0xff;

wss.on('connection', (ws) => {
  switch (mode) {
    case 'content':
      ws.once('message', (data, isBinary) => {
        ws.send(data, { binary: isBinary });
        ws.send('héllo wörld ✓ 👋 — 日本語');
        ws.send('');
        ws.send(bigText);
        ws.send(bigBinary);
        ws.send(JSON.stringify({ type: 'last' }));
        ws.on('message', (d) => {
          if (d.toString() === 'done') ws.close(4001, 'node says bye');
        });
      });
      break;
    case 'clean':
      ['one', 'two', 'three'].forEach((m, i) => setTimeout(() => ws.send(JSON.stringify({ n: i, m })), 20 * (i + 1)));
      setTimeout(() => ws.close(4002, 'maintenance'), 100);
      break;
    case 'drop':
      ws.send('a1');
      setTimeout(() => ws.send('a2'), 20);
      setTimeout(() => ws.terminate(), 60);
      break;
    case 'die':
      ws.send('a1');
      setTimeout(() => ws.send('a2'), 20);
      setTimeout(() => process.exit(0), 80);
      break;
    case 'restarted':
      ws.send('b1');
      setTimeout(() => ws.send('b2'), 20);
      setTimeout(() => ws.close(1000, 'done'), 60);
      break;
    default:
      console.error(`unknown mode ${mode}`);
      process.exit(2);
  }
});
wss.on('listening', () => console.log(`listening ${wss.address().port}`));
