// A socket.io client (websocket transport only) for wsreplay's
// interoperability tests: joins a room, says bye after the third tick, and
// disconnects after "farewell". Prints the events its handlers received.
// Usage: node sio-client.mjs URL
import { io } from 'socket.io-client';

const events = [];
const socket = io(process.argv[2], { transports: ['websocket'], reconnection: false });
socket.on('connect', () => socket.emit('join', 'lobby'));
for (const name of ['welcome', 'joined', 'tick', 'farewell']) {
  socket.on(name, (payload) => {
    events.push({ name, payload });
    if (name === 'tick' && payload.n === 3) socket.emit('bye');
    if (name === 'farewell') {
      socket.disconnect();
      console.log(JSON.stringify(events));
      // Let the close frame go out before the process ends: the test stops
      // the recorder when this exits, and a close it has not seen yet is
      // recorded as the recorder's own shutdown.
      setTimeout(() => process.exit(0), 200);
    }
  });
}
socket.on('connect_error', (err) => {
  console.log(JSON.stringify({ error: String(err), events }));
  process.exit(1);
});
setTimeout(() => {
  console.log(JSON.stringify({ error: 'timeout', events }));
  process.exit(1);
}, 30000);
