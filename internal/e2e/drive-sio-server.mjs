// A Socket.IO 4 application for wsreplay drive's tests: on connection it
// emits "session" with an id it chooses; "join" with that id and a room
// is acked with the room's greeting; "ask" n is acked with its double;
// "bye" gets a "farewell". Short ping parameters (300 ms, 1 s).
// Usage: node drive-sio-server.mjs. Prints "listening PORT".
// DRIVE_CHANGE switches a regression on: rename (the greeting's field is
// "text", not "greeting"), missing (no farewell), slow (the ack of "ask"
// 600 ms late).
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import crypto from 'node:crypto';

const change = process.env.DRIVE_CHANGE ?? '';
const httpServer = createServer();
const io = new Server(httpServer, { pingInterval: 300, pingTimeout: 1000 });
io.on('connection', (socket) => {
  const session = `s-${crypto.randomUUID()}`;
  socket.emit('session', { id: session });
  socket.on('join', ({ session: s, room }, ack) => {
    if (s !== session) return ack({ error: 'unknown session' });
    socket.join(room);
    ack(change === 'rename' ? { room, text: `welcome to ${room}` } : { room, greeting: `welcome to ${room}` });
  });
  socket.on('ask', (n, ack) => setTimeout(() => ack({ answer: n * 2 }), change === 'slow' ? 600 : 0));
  socket.on('bye', () => {
    if (change !== 'missing') socket.emit('farewell', 'see you');
  });
});
httpServer.listen(0, '127.0.0.1', () => console.log(`listening ${httpServer.address().port}`));
