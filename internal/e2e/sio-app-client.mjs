// A Socket.IO client for wsreplay's Engine.IO tests, against
// sio-app-server.mjs (live, through wsreplay record) or its replay. It
// joins "/" and "/admin", emits with acks (the same ones each time, so a
// replay can answer them), asks for the late event, and says bye; it
// prints what each namespace received, in order, and the transports.
// Usage: node sio-app-client.mjs URL [mode=default|polling|websocket] [v=4|2]
//   [linger=MS] [noise=N] [drop=1]
//   mode: default starts polling and upgrades; linger: stay connected this
//   long after "farewell" (past the end of a recording); noise: first emit
//   N events with acks that the recording lacks (so that the client's ack
//   ids differ from the recorded ones); drop: after the first "farewell",
//   ask the server to drop the connection ("crash"), reconnect, and play
//   the scenario again.
const url = process.argv[2];
const arg = Object.fromEntries(process.argv.slice(3).map((a) => a.split('=')));
const mode = arg.mode ?? 'default';
const version = arg.v ?? '4';
const { io } = version === '2' ? { io: (await import('socket.io-client-v2')).default } : await import('socket.io-client');
const linger = Number(arg.linger ?? 0);
const noise = Number(arg.noise ?? 0);
const drops = Number(arg.drop ?? 0);

const opts = { reconnection: drops > 0, reconnectionDelay: 100, reconnectionDelayMax: 200, forceNew: false };
if (mode === 'polling') opts.transports = ['polling'];
if (mode === 'websocket') opts.transports = ['websocket'];
if (version !== '2') opts.auth = { token: 'secret-token' };

const show = (v) => (Buffer.isBuffer(v) || v instanceof ArrayBuffer ? { buffer: Buffer.from(v).toString('hex') } :
  Array.isArray(v) ? v.map(show) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, show(x)])) : v);
const out = { main: [], admin: [], transports: [], upgrades: [], disconnects: [] };
let round = 0;

const main = io(url, opts);
const admin = io(url.replace(/\/?$/, '/admin'), opts);
const engine = () => main.io.engine;

function finish(code, extra) {
  console.log(JSON.stringify({ ...out, ...extra }));
  process.exit(code);
}

// The transport the engine opened on, and its upgrades: measured on the
// engine, since an upgrade may finish before 'connect'.
main.io.on('open', () => {
  out.transports.push(engine().transport.name);
  engine().once('upgrade', (t) => out.upgrades.push(t.name));
});
main.on('connect', () => {
  round++;
  for (let i = 0; i < noise; i++) main.emit('noise', i, () => out.main.push(['ack noise (unrecorded!)', i]));
  main.emit('join', 'lobby', (ack) => out.main.push(['ack join', show(ack)]));
});
main.on('disconnect', (reason) => out.disconnects.push(reason));
for (const name of ['welcome', 'roomcast', 'late', 'farewell']) {
  main.on(name, (p) => {
    out.main.push([name, show(p)]);
    if (name === 'late') main.emit('bye');
    if (name === 'farewell') setTimeout(() => {
      if (!main.connected) finish(1, { error: 'disconnected while lingering' });
      if (round <= drops) return main.emit('crash'); // the server drops us; we reconnect
      out.final = engine().transport.name;
      main.disconnect();
      admin.disconnect();
      setTimeout(() => finish(0), 300); // the close handshake, before the process ends
    }, linger);
  });
}
main.on('blob', (p) => {
  out.main.push(['blob', show(p)]);
  main.emit('ask', 21, (ack) => {
    out.main.push(['ack ask', show(ack)]);
    main.emit('file', 'a.txt', (buf) => {
      out.main.push(['ack file', show(buf)]);
      main.emit('wait', 1500);
    });
  });
});
admin.on('stats', (p) => {
  out.admin.push(['stats', show(p)]);
  admin.emit('kick', 'bo', (ack) => out.admin.push(['ack kick', show(ack)]));
});
main.on('connect_error', (err) => finish(1, { error: `connect_error ${err.message}` }));
setTimeout(() => finish(1, { error: 'timeout' }), 40000);
