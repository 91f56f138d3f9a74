// Drives Debian's Chromium with playwright-core against a replay server
// whose recording is hostile: may a replayed answer run script with the
// authority of the server's control API, or leave a service worker behind?
// Usage:
//
//   node origin.mjs attack BASE
//       A page of another origin on loopback opens BASE/poll/html (a
//       recorded text/html answer whose script reads the API, changes
//       PUT /next and registers BASE/poll/js as a service worker, and
//       reports to its opener) and BASE/poll/js (a recorded JavaScript
//       answer) with window.open. Then the server's own page (BASE/)
//       tries to register BASE/poll/js itself. Prints what the popups
//       reported, their answers' status and type, the registration's
//       outcome and the workers registered on BASE's origin.
//   node origin.mjs stale PORT WSREPLAY RECORDING
//       Another server on 127.0.0.1:PORT registers a service worker with
//       scope / (as a dev server's PWA does), and stops; then
//       "WSREPLAY serve --listen 127.0.0.1:PORT RECORDING" starts there and
//       the browser opens its page. Prints the workers registered before
//       and after.
//   node origin.mjs owner PORT WSREPLAY RECORDING
//       As stale, but the other server's worker answers every request
//       itself (so no header of wsreplay's ever reaches the browser), and
//       its answer is what it could do to wsreplay's control from the
//       origin: read the sessions, PUT /next, fetch the timeline list.
//       Prints that, and /next as the control listener then answers it.
import { launch, servePage } from './chromium.mjs';
import http from 'node:http';
import { spawn } from 'node:child_process';

const [mode, ...args] = process.argv.slice(2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const registrations = (tab) => tab.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).map((r) => r.scope));

async function attack(base) {
  const foreign = await servePage(`<!doctype html><meta charset="utf-8"><title>foreign</title><script>
window.reports = [];
addEventListener('message', (m) => window.reports.push(m.data));
</script>`);
  const { browser, close } = await launch();
  const out = { reports: [], answers: {}, errors: [] };
  browser.on('response', (r) => {
    const p = new URL(r.url()).pathname;
    if (p.startsWith('/poll/') && r.request().isNavigationRequest()) {
      out.answers[p] = { status: r.status(), type: r.headers()['content-type'] || '', csp: r.headers()['content-security-policy'] || '' };
    }
  });
  try {
    const tab = await browser.newPage();
    await tab.goto(foreign.url);
    for (const p of ['/poll/html', '/poll/js']) {
      const [popup] = await Promise.all([
        browser.waitForEvent('page'),
        tab.evaluate((u) => { window.open(u); }, base + p),
      ]);
      // A download (a type the browser does not show) closes its popup.
      await popup.waitForLoadState('load').catch(() => {});
    }
    // The popup's script reports within a second when it runs; waited for
    // thrice that on a busy machine.
    await sleep(3000);
    out.reports = await tab.evaluate(() => window.reports);
    const own = await browser.newPage();
    await own.goto(base + '/');
    out.register = await own.evaluate(async () => {
      try {
        const r = await navigator.serviceWorker.register('/poll/js', { scope: '/poll/' });
        return 'registered ' + r.scope;
      } catch (e) {
        return 'refused: ' + e.name;
      }
    });
    out.registrations = await registrations(own);
  } catch (e) {
    out.errors.push(String(e));
  } finally {
    await close();
    foreign.close();
  }
  return out;
}

// A worker such as a dev server's PWA leaves: it passes every fetch on to
// the network (Workbox's NetworkFirst, in short).
const worker = `self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
self.addEventListener('fetch', (e) => e.respondWith(fetch(e.request)));`;

async function stale(port, wsreplay, recording) {
  const out = { before: [], after: [], errors: [] };
  const other = http.createServer((req, res) => {
    if (req.url === '/sw.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(worker);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>another dev server</title>');
  });
  await new Promise((r) => other.listen(Number(port), '127.0.0.1', r));
  const { browser, close } = await launch();
  let serve;
  try {
    const tab = await browser.newPage();
    const origin = `http://127.0.0.1:${port}`;
    await tab.goto(origin + '/');
    await tab.evaluate(async () => {
      await navigator.serviceWorker.register('/sw.js', { scope: '/' });
      await navigator.serviceWorker.ready;
    });
    out.before = await registrations(tab);
    await tab.close();
    other.closeAllConnections();
    await new Promise((r) => other.close(r));
    serve = spawn(wsreplay, ['serve', '--listen', `127.0.0.1:${port}`, recording], { stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise((resolve, reject) => {
      let seen = '';
      serve.stderr.on('data', (d) => {
        seen += d;
        if (seen.includes('listening on')) resolve();
      });
      serve.on('exit', (code) => reject(new Error(`wsreplay serve exited ${code}: ${seen}`)));
    });
    const page = await browser.newPage();
    const res = await page.goto(origin + '/');
    out.status = res.status();
    out.title = await page.title();
    out.after = await registrations(page);
  } catch (e) {
    out.errors.push(String(e));
  } finally {
    await close();
    if (serve) serve.kill();
    other.close();
  }
  return out;
}

// A worker that owns its origin: it answers every request itself, with
// what it could read and change of wsreplay's control from there.
const owner = `self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
self.addEventListener('fetch', (e) => e.respondWith((async () => {
  const r = {};
  try { const a = await fetch('/_wsreplay/api/sessions'); r.sessions = a.status + ' ' + (await a.text()).slice(0, 200); } catch (x) { r.sessions = String(x); }
  try { const p = await fetch('/_wsreplay/api/next', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{"paused":true}' }); r.put = String(p.status); } catch (x) { r.put = String(x); }
  try { const t = await fetch('/_wsreplay/'); r.page = t.status + ' ' + (await t.text()).slice(0, 200); } catch (x) { r.page = String(x); }
  return new Response(JSON.stringify(r), { headers: { 'content-type': 'application/json' } });
})()));`;

// startOther serves a page and the worker script on 127.0.0.1:port, has
// the browser register it with scope /, and stops. It returns the
// registrations seen.
async function startOther(browser, port, script) {
  const other = http.createServer((req, res) => {
    if (req.url === '/sw.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(script);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>another dev server</title>');
  });
  await new Promise((r) => other.listen(Number(port), '127.0.0.1', r));
  try {
    const tab = await browser.newPage();
    await tab.goto(`http://127.0.0.1:${port}/`);
    await tab.evaluate(async () => {
      await navigator.serviceWorker.register('/sw.js', { scope: '/' });
      await navigator.serviceWorker.ready;
    });
    const seen = await registrations(tab);
    await tab.close();
    return seen;
  } finally {
    other.closeAllConnections();
    await new Promise((r) => other.close(r));
  }
}

// startServe starts "wsreplay serve" on 127.0.0.1:port and returns it and
// the control listener's base URL it printed.
async function startServe(wsreplay, port, recording) {
  const serve = spawn(wsreplay, ['serve', '--listen', `127.0.0.1:${port}`, recording], { stdio: ['ignore', 'ignore', 'pipe'] });
  const control = await new Promise((resolve, reject) => {
    let seen = '';
    serve.stderr.on('data', (d) => {
      seen += d;
      const m = seen.match(/timeline and controls on (http:\/\/[^/\s]+)\//);
      if (seen.includes('listening on') && m) resolve(m[1]);
    });
    serve.on('exit', (code) => reject(new Error(`wsreplay serve exited ${code}: ${seen}`)));
  });
  return { serve, control };
}

async function ownedOrigin(port, wsreplay, recording) {
  const out = { before: [], errors: [] };
  const { browser, close } = await launch();
  let serve;
  try {
    out.before = await startOther(browser, port, owner);
    let control;
    ({ serve, control } = await startServe(wsreplay, port, recording));
    const page = await browser.newPage();
    const res = await page.goto(`http://127.0.0.1:${port}/`);
    out.worker = JSON.parse(await res.text());
    out.next = (await (await fetch(control + '/_wsreplay/api/next')).text()).trim();
  } catch (e) {
    out.errors.push(String(e));
  } finally {
    await close();
    if (serve) serve.kill();
  }
  return out;
}

const modes = { attack: () => attack(args[0]), stale: () => stale(...args), owner: () => ownedOrigin(...args) };
const result = await modes[mode]();
console.log(JSON.stringify(result));
