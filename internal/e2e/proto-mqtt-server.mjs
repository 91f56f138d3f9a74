// An MQTT broker over WebSocket for wsreplay's MQTT test: aedes 1.2 (the
// npm broker) on Node's ws, each connection handed to aedes as a stream
// (ws's createWebSocketStream), as aedes and MQTT.js document it. Like
// websocket-stream, that stream sends each write as a WebSocket message of
// its own, so aedes's packets reach the client cut over several messages.
// Usage: node proto-mqtt-server.mjs. Prints "listening PORT".
import { WebSocketServer, createWebSocketStream } from 'ws';
import { Aedes } from 'aedes';

const broker = await Aedes.createBroker();
const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false),
});
wss.on('connection', (ws, req) => broker.handle(createWebSocketStream(ws), req));
wss.on('listening', () => console.log(`listening ${wss.address().port}`));
