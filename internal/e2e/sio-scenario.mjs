// The Socket.IO scenario that sio-browser.mjs plays in Chromium and
// export-sio-msw.mjs plays in Node, against sio-app-server.mjs or a mock of
// its recording: one function, so the two play the very same client.

// playScenario connects io's (socket.io-client's) main namespace and
// /admin to url and plays the scenario, pushing what each receives into out
// ({ main, admin, transports, upgrades, disconnects }; error and final as
// it goes), then calls finish() (300 ms after disconnecting, or at once on
// a connect_error). linger: the ms it stays connected after "farewell";
// noise: how many unrecorded emits to send first; transports: the client's
// transports (null: the default).
// It is self-contained (sio-browser.mjs puts its source into a page).
export function playScenario(io, url, out, { linger, noise, transports }, finish) {
  const hex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
  const show = (v) => (v instanceof ArrayBuffer ? { buffer: hex(v) } : ArrayBuffer.isView(v) ? { buffer: hex(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength)) } :
    Array.isArray(v) ? v.map(show) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, show(x)])) : v);
  const opts = { reconnection: false, auth: { token: 'secret-token' } };
  if (transports) opts.transports = transports;
  const main = io(url, opts), admin = io(url + '/admin', opts);
  main.io.on('open', () => {
    out.transports.push(main.io.engine.transport.name);
    main.io.engine.once('upgrade', (t) => out.upgrades.push(t.name));
  });
  main.on('connect', () => {
    for (let i = 0; i < noise; i++) main.emit('noise', i, () => out.main.push(['ack noise (unrecorded!)', i]));
    main.emit('join', 'lobby', (a) => out.main.push(['ack join', show(a)]));
  });
  main.on('disconnect', (r) => out.disconnects.push(r));
  for (const name of ['welcome', 'roomcast', 'late', 'farewell']) main.on(name, (p) => {
    out.main.push([name, show(p)]);
    if (name === 'late') main.emit('bye');
    if (name === 'farewell') setTimeout(() => {
      if (!main.connected) out.error = 'disconnected while lingering';
      out.final = main.io.engine.transport.name;
      main.disconnect(); admin.disconnect(); setTimeout(finish, 300);
    }, linger);
  });
  main.on('blob', (p) => {
    out.main.push(['blob', show(p)]);
    main.emit('ask', 21, (a) => { out.main.push(['ack ask', show(a)]);
      main.emit('file', 'a.txt', (b) => { out.main.push(['ack file', show(b)]); main.emit('wait', 1500); }); });
  });
  admin.on('stats', (p) => { out.admin.push(['stats', show(p)]); admin.emit('kick', 'bo', (a) => out.admin.push(['ack kick', show(a)])); });
  main.on('connect_error', (e) => { out.error = 'connect_error ' + e.message; finish(); });
}
