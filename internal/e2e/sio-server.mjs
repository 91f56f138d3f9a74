// A socket.io server for wsreplay's interoperability tests. On connect it
// emits "welcome", answers "join" with "joined" and three "tick" events, and
// answers "bye" with "farewell". Prints "listening PORT".
// Usage: node sio-server.mjs
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const httpServer = createServer();
const io = new Server(httpServer, { transports: ['websocket'] });
io.on('connection', (socket) => {
  socket.emit('welcome', { server: 'sio', at: 'start' });
  socket.on('join', (room) => {
    socket.emit('joined', { room, members: ['ana', 'bo'] });
    for (let i = 1; i <= 3; i++) socket.emit('tick', { n: i, price: 100 + i / 4 });
  });
  socket.on('bye', () => socket.emit('farewell', 'see you ✓'));
});
httpServer.listen(0, '127.0.0.1', () => console.log(`listening ${httpServer.address().port}`));
