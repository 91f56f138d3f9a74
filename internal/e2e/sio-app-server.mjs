// A Socket.IO server for wsreplay's Engine.IO tests, with short ping
// parameters (300 ms, 1 s: a loaded CI machine must keep up): two namespaces ("/" and "/admin"), a room,
// acks (one answering a Buffer), a binary event, and a delayed event that
// leaves a silence longer than pingInterval + pingTimeout.
// Usage: node sio-app-server.mjs [v2]   (v2: Socket.IO 2, Engine.IO 3)
// Prints "listening PORT".
import { createServer } from 'node:http';

const v2 = process.argv[2] === 'v2';
const httpServer = createServer();
const opts = { pingInterval: 300, pingTimeout: 1000 };
let io;
if (v2) {
  const { default: ioV2 } = await import('socket.io-v2');
  io = ioV2(httpServer, opts);
} else {
  const { Server } = await import('socket.io');
  // Pages on another origin (the Chromium test's) may poll.
  io = new Server(httpServer, { ...opts, cors: { origin: true, credentials: true } });
}

io.on('connection', (socket) => {
  socket.emit('welcome', { server: v2 ? 'sio2' : 'sio4', hasAuth: Boolean(socket.handshake.auth?.token) });
  socket.on('join', (room, ack) => {
    socket.join(room);
    ack({ joined: room });
    io.to(room).emit('roomcast', { room, text: 'hello room ✓' });
    socket.emit('blob', { name: 'bytes', data: Buffer.from([0, 1, 2, 254, 255]) });
  });
  socket.on('ask', (n, ack) => ack({ answer: n * 2 }));
  socket.on('file', (name, ack) => ack(Buffer.from(`contents of ${name}`)));
  socket.on('wait', (ms) => setTimeout(() => socket.emit('late', { after: ms }), ms));
  socket.on('bye', () => socket.emit('farewell', 'see you'));
  // A dying server: the connection cut without a close.
  socket.on('crash', () => {
    const t = socket.conn.transport;
    (t.socket?._socket ?? t.req?.socket ?? t.dataReq?.socket)?.destroy();
  });
});
io.of('/admin').on('connection', (socket) => {
  socket.emit('stats', { users: 2 });
  socket.on('kick', (who, ack) => ack({ kicked: who }));
});
httpServer.listen(0, '127.0.0.1', () => console.log(`listening ${httpServer.address().port}`));
