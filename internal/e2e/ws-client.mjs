// A Node ws client for wsreplay's interoperability tests: connects to URL,
// sends "hello ✓", and when it gets {"type":"last"} sends "done". Prints
// what it saw as JSON: the subprotocol, every message (type, length,
// sha256), and the close code and reason.
// Usage: node ws-client.mjs URL
import WebSocket from 'ws';
import crypto from 'node:crypto';

const ws = new WebSocket(process.argv[2], ['chat.v1'], { maxPayload: 64 << 20 });
const seen = { protocol: null, messages: [], close: null };
ws.on('open', () => {
  seen.protocol = ws.protocol;
  ws.send('hello ✓');
});
ws.on('message', (data, isBinary) => {
  const buf = Buffer.from(data);
  seen.messages.push({
    binary: isBinary,
    length: buf.length,
    sha256: crypto.createHash('sha256').update(buf).digest('hex'),
    preview: isBinary ? null : buf.toString('utf8').slice(0, 40),
  });
  if (!isBinary && buf.toString() === '{"type":"last"}') ws.send('done');
});
ws.on('close', (code, reason) => {
  seen.close = { code, reason: reason.toString() };
  console.log(JSON.stringify(seen));
  process.exit(0);
});
ws.on('error', (err) => {
  seen.error = String(err);
});
setTimeout(() => {
  seen.error = 'timeout';
  console.log(JSON.stringify(seen));
  process.exit(1);
}, 30000);
