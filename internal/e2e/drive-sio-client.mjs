// The client of drive-sio-server.mjs, with socket.io-client's defaults
// (polling, then the upgrade to a WebSocket): joins a room with the
// session id the server chose, asks twice, says bye, and disconnects after
// the farewell. Prints {"got":[...]}.
// Usage: node drive-sio-client.mjs http://HOST:PORT [polling|websocket]
//   (only that transport, as a client configured so does)
import { io } from 'socket.io-client';

const only = process.argv[3];
const socket = io(process.argv[2], { reconnection: false, ...(only ? { transports: [only] } : {}) });
const got = [];
const finish = (code, extra) => { console.log(JSON.stringify({ got, ...extra })); process.exit(code); };
socket.on('session', ({ id }) => {
  got.push('session');
  socket.emit('join', { session: id, room: 'lobby' }, (ack) => {
    got.push(ack);
    socket.emit('ask', 21, (a) => {
      got.push(a);
      socket.emit('ask', 4, (b) => {
        got.push(b);
        socket.emit('bye');
      });
    });
  });
});
socket.on('farewell', (text) => {
  got.push(text);
  socket.disconnect();
  setTimeout(() => finish(0), 300);
});
socket.on('connect_error', (err) => finish(1, { error: err.message }));
setTimeout(() => finish(1, { error: 'timeout' }), 20000);
