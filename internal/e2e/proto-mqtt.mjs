// An application on MQTT.js 5.16 (MQTT 3.1.1 over WebSocket), for wsreplay's
// protocol tests, against proto-mqtt-server.mjs (aedes): keepalive 2 s
// (MQTT.js gives up on the connection 3 s after a PINGREQ without a
// PINGRESP), a subscription, a QoS 0 and a QoS 1 publish to it (packet ids
// start at a random number, as MQTT.js chooses them), an unsubscription,
// and end(), which waits for what is in flight. MQTT.js cuts each packet
// over several WebSocket messages.
// The messages the subscription gets are logged where the application
// waits for them: a broker's delivery of the client's own publish answers
// no packet id, so a replay sends it on the recorded clock, before a
// publish that comes later than recorded.
// Usage: node proto-mqtt.mjs URL [late=MS pause=MS control=URL linger=MS]
//   (see proto-lib.mjs).
import mqtt from 'mqtt';
import { url, log, beat, request, linger, finish } from './proto-lib.mjs';

let leaving = false;
const received = [];
let arrived = () => {};

const client = mqtt.connect(url, { keepalive: 2, reconnectPeriod: 0, protocolVersion: 4, connectTimeout: 10000 });
client.on('packetreceive', (p) => {
  if (p.cmd === 'pingresp') beat();
});
client.on('message', (topic, payload, p) => {
  received.push({ message: topic, payload: payload.toString(), qos: p.qos });
  arrived();
});
client.on('error', (err) => finish(err));
client.on('close', () => {
  if (!leaving) finish(new Error('the connection closed before the application left'));
});

// next logs the next message the subscription got, once it has come.
async function next() {
  while (received.length === 0) await new Promise((resolve) => { arrived = resolve; });
  log(received.shift());
}

const call = (fn) => new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));

try {
  await new Promise((resolve) => client.once('connect', (connack) => {
    log({ ev: 'connected', sessionPresent: connack.sessionPresent, returnCode: connack.returnCode });
    resolve();
  }));

  await request();
  const granted = await call((cb) => client.subscribe('room/1', { qos: 1 }, cb));
  log({ subscribed: granted.map((g) => ({ topic: g.topic, qos: g.qos })) });

  await request();
  await call((cb) => client.publish('room/1', 'hello ✓', { qos: 0 }, cb));
  log({ published: 'hello ✓', qos: 0 });
  await next();

  await request();
  await call((cb) => client.publish('room/1', '{"json":true}', { qos: 1 }, cb));
  log({ published: '{"json":true}', qos: 1 });
  await next();

  await request();
  await call((cb) => client.unsubscribe('room/1', cb));
  log({ unsubscribed: 'room/1' });

  await linger();
  await request();
  leaving = true;
  await new Promise((resolve) => client.end(false, {}, resolve));
  log({ ev: 'ended' });
  finish();
} catch (err) {
  finish(err);
}
