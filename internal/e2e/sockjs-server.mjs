// A SockJS backend built on sockjs-node (sockjs 0.3), for wsreplay's
// interoperability tests. Usage: node sockjs-server.mjs PORT
//
// Endpoint /echo: when a client says "hello", it answers "welcome" and
// three JSON messages {"n":1..3}; when the client says "done", it closes
// the SockJS session with 3000 "bye". Heartbeats every 25 s, as by default.
//
// Prints "listening PORT" once it accepts connections.
import http from 'node:http';
import sockjs from 'sockjs';

const echo = sockjs.createServer({ prefix: '/echo', log: () => {} });
echo.on('connection', (conn) => {
  conn.on('data', (msg) => {
    if (msg === 'hello') {
      conn.write('welcome');
      [1, 2, 3].forEach((n) => setTimeout(() => conn.write(JSON.stringify({ n })), 20 * n));
    } else if (msg === 'done') {
      conn.close(3000, 'bye');
    }
  });
});
const server = http.createServer();
echo.installHandlers(server);
server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => console.log(`listening ${server.address().port}`));
