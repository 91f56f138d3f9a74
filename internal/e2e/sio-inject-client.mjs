// A socket.io client (websocket transport only) for wsreplay's inject test:
// prints every event the server emits to it (Buffers as arrays of bytes)
// once the event "done" comes, and how it disconnected if it did first.
// Usage: node sio-inject-client.mjs URL
import { io } from 'socket.io-client';

const events = [];
const socket = io(process.argv[2], { transports: ['websocket'], reconnection: false });
const plain = (v) => (Buffer.isBuffer(v) || v instanceof ArrayBuffer ? { bytes: [...new Uint8Array(v)] } : v);
socket.onAny((name, ...args) => {
  events.push({ name, args: args.map(plain) });
  if (name === 'done') {
    console.log(JSON.stringify({ events }));
    process.exit(0);
  }
});
socket.on('disconnect', (reason) => {
  console.log(JSON.stringify({ error: 'disconnected: ' + reason, events }));
  process.exit(1);
});
socket.on('connect_error', (err) => {
  console.log(JSON.stringify({ error: String(err), events }));
  process.exit(1);
});
setTimeout(() => {
  console.log(JSON.stringify({ error: 'timeout', events }));
  process.exit(1);
}, 30000);
