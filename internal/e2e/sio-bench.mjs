// Many default Socket.IO clients (polling, then upgrade) on one replay, for
// internal/bench: each counts the events it gets and the gaps between the
// pings it receives. Prints a JSON summary.
// Usage: node sio-bench.mjs URL CLIENTS SECONDS PING_INTERVAL_MS PING_TIMEOUT_MS
import { io } from 'socket.io-client';

const [url, n, seconds, interval, timeout] = process.argv.slice(2).map((x, i) => (i ? Number(x) : x));
const clients = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
for (let i = 0; i < n; i++) {
  const c = { connected: false, upgraded: false, events: 0, lastPing: 0, gaps: [], disconnects: [] };
  const s = io(url, { forceNew: true, reconnection: false });
  s.io.on('open', () => {
    s.io.engine.on('upgrade', () => { c.upgraded = true; });
    s.io.engine.on('ping', () => {
      const now = performance.now();
      if (c.lastPing) c.gaps.push(now - c.lastPing);
      c.lastPing = now;
    });
  });
  s.on('connect', () => { c.connected = true; });
  s.onAny(() => { c.events++; });
  s.on('disconnect', (r) => c.disconnects.push(r));
  s.on('connect_error', (e) => c.disconnects.push('connect_error ' + e.message));
  c.socket = s;
  clients.push(c);
  if (i % 20 === 19) await sleep(20); // 1,000 clients in about a second
}
await sleep(seconds * 1000);
const gaps = clients.flatMap((c) => c.gaps).sort((a, b) => a - b);
const q = (p) => Math.round(gaps[Math.min(gaps.length - 1, Math.floor(p * gaps.length))] ?? 0);
const summary = {
  clients: n,
  connected: clients.filter((c) => c.connected).length,
  upgraded: clients.filter((c) => c.upgraded).length,
  events: clients.reduce((a, c) => a + c.events, 0),
  pings: gaps.length + clients.filter((c) => c.lastPing).length,
  gap_p50_ms: q(0.5), gap_p99_ms: q(0.99), gap_max_ms: Math.round(gaps[gaps.length - 1] ?? 0),
  late: gaps.filter((g) => g > interval + timeout).length,
  disconnected: clients.filter((c) => c.disconnects.length).length,
  reasons: [...new Set(clients.flatMap((c) => c.disconnects))],
};
for (const c of clients) c.socket.disconnect();
console.log(JSON.stringify(summary));
setTimeout(() => process.exit(0), 500);
