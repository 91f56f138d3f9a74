// Drives the timeline page of "wsreplay serve" in Chromium, beside a
// frontend page (its own origin, reconnecting after every close) that the
// server replays the session "feed" to: m1, m2, ... 200 ms apart. Then
// opens the timeline of a 1,000,000-message session on a second server,
// and the exported HTML timeline from file:// with the network blocked.
// Prints what it saw as JSON; timeline_test.go judges it.
// Usage: node timeline.mjs BASE CONTROL BIG_CONTROL EXPORT.html SCREENSHOT_DIR|-
// (BASE: the replay port, where the frontend connects; CONTROL and
// BIG_CONTROL: the control listeners of the two servers.)
import { launch, servePage } from './chromium.mjs';

const [base, control, bigControl, exportPath, shots] = process.argv.slice(2);
const wsURL = base.replace(/^http/, 'ws') + '/feed';
const R = {};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const front = await servePage(`<!doctype html><meta charset="utf-8"><title>frontend</title><script>
window.log = [];
function connect() {
  const ws = new WebSocket(${JSON.stringify(wsURL)});
  ws.onmessage = (m) => log.push({ t: performance.now(), data: m.data });
  ws.onclose = (c) => { log.push({ t: performance.now(), close: c.code, reason: c.reason, wasClean: c.wasClean }); setTimeout(connect, 300); };
}
connect();
</script>`);
const { browser, close } = await launch();
const api = async (path, opts) => (await fetch(control + '/_wsreplay/api/' + path, opts)).json();
const texts = (log) => log.filter((e) => e.data !== undefined).map((e) => e.data);
let fp, tl;
const frontLog = () => fp.evaluate(() => window.log);
const state = () => tl.textContent('#state');
const waitState = (re) => tl.waitForFunction((src) => new RegExp(src).test(document.querySelector('#state').textContent), re.source, { timeout: 10000 });
const key = async (k) => { await tl.focus('#list'); await tl.keyboard.press(k); };
const errors = [];

try {
  tl = await browser.newPage();
  tl.on('pageerror', (e) => errors.push(e.message));
  await tl.setViewportSize({ width: 1280, height: 720 });
  await tl.goto(control + '/_wsreplay/s/feed');
  await tl.waitForSelector('.row:not(.loading)');
  fp = await browser.newPage();
  const t0 = Date.now();
  await fp.goto(front.url);
  await waitState(/^r1 /);
  R.appearMs = Date.now() - t0;
  await fp.waitForFunction(() => window.log.length >= 3);

  // Space pauses: nothing for a second, and the API says paused.
  await key(' ');
  await waitState(/r1 paused/);
  await sleep(100);
  const n0 = texts(await frontLog()).length;
  await sleep(1000);
  R.deliveredWhilePaused = texts(await frontLog()).length - n0;
  R.apiState = (await api('replays/r1')).state;

  // "." delivers exactly the next message.
  let before = texts(await frontLog());
  await key('.');
  await sleep(1000);
  R.lastBeforeStep = before.at(-1);
  R.stepped = texts(await frontLog()).slice(before.length);

  // Enter on a later row: the skipped messages, in order, still paused.
  const pos = (await api('replays/r1')).pos.seq;
  R.seekTarget = pos + 5;
  await tl.evaluate((i) => window.wsreplayTimeline.scrollToIndex(i, true), R.seekTarget - 1);
  await tl.click(`.row[data-seq="${R.seekTarget}"]`);
  before = texts(await frontLog());
  await key('Enter');
  await sleep(1200);
  R.seeked = texts(await frontLog()).slice(before.length);
  R.stateAfterSeek = (await api('replays/r1')).state;

  // Speed 4: gaps of 200 ms become 50 ms.
  await tl.selectOption('#speed', '4');
  await tl.waitForFunction(() => /speed 4/.test(document.querySelector('#state').textContent));
  const from = (await frontLog()).length;
  await key(' ');
  await fp.waitForFunction((n) => window.log.length >= n + 9, from);
  await key(' ');
  await waitState(/r1 paused/);
  const run = (await frontLog()).slice(from, from + 9).map((e) => e.t);
  R.gapsAt4 = run.slice(1).map((t, i) => Math.round(t - run[i]));

  // An injected message arrives, and its row is flagged.
  await tl.fill('#injectText', 'injected!');
  await tl.click('#inject');
  await fp.waitForFunction(() => window.log.some((e) => e.data === 'injected!'), null, { timeout: 5000 });
  await tl.waitForSelector('.row.injected', { timeout: 5000 }).catch(async (e) => {
    console.error(await tl.evaluate(() => JSON.stringify({ rp: [...window.wsreplayTimeline.st.replays.values()], rows: [...document.querySelectorAll('.row')].map((r) => r.className + ' ' + r.dataset.seq) })));
    throw e;
  });
  R.injectedRow = await tl.evaluate(() => Number(document.querySelector('.row.injected')?.dataset.seq));
  R.injectedAfter = (await api('replays/r1')).injections.map((x) => x.after);

  // Drop (in the end menu): 1006, not clean. The frontend reconnects: r2.
  await tl.click('#endBtn');
  await tl.click('#drop');
  await fp.waitForFunction(() => window.log.some((e) => e.close), null, { timeout: 5000 });
  R.drop = (await frontLog()).find((e) => e.close);
  await waitState(/^r2 /);
  await tl.click('#endBtn');
  await tl.fill('#closeCode', '4000');
  await tl.fill('#closeReason', 'bye');
  await tl.click('#close');
  await fp.waitForFunction(() => window.log.filter((e) => e.close).length >= 2, null, { timeout: 5000 });
  R.close = (await frontLog()).filter((e) => e.close)[1];

  // A page of another origin cannot steer the replay: its POST is refused
  // (403, and the browser lets it read nothing), and nothing changes.
  await waitState(/^r3 playing/);
  R.crossOriginFetch = await fp.evaluate(async (u) => {
    try {
      const r = await fetch(u, { method: 'POST', body: '{}', headers: { 'Content-Type': 'text/plain' } }); // no preflight: the server itself must refuse
      return 'status ' + r.status;
    } catch (e) { return 'refused: ' + e.message; }
  }, control + '/_wsreplay/api/replays/r3/pause');
  R.crossOriginStatus = (await fetch(control + '/_wsreplay/api/replays/r3/pause', { method: 'POST', headers: { Origin: front.url.replace(/\/$/, '') } })).status;
  R.stateAfterCrossOrigin = (await api('replays/r3')).state;

  // The other keys: → seeks 5 s on (the skipped messages at once), ←
  // 5 s back (a restart: 4000, and the next connection starts there),
  // / goes to the search box, ? shows the help.
  while ((await api('replays/r3')).pos.offset_ns < 1e9) await sleep(100);
  const p0 = (await api('replays/r3')).pos.offset_ns;
  await key('ArrowRight');
  await sleep(500);
  R.afterRight = (await api('replays/r3')).pos.offset_ns - p0;
  await key('ArrowLeft');
  await fp.waitForFunction(() => window.log.filter((e) => e.close).length >= 3, null, { timeout: 5000 });
  R.leftClose = (await frontLog()).filter((e) => e.close)[2];
  await waitState(/^r4 /);
  R.r4Start = (await api('replays/r4')).pos.offset_ns;
  await key('?');
  R.helpShown = await tl.evaluate(() => document.querySelector('#help').classList.contains('on'));
  await key('Escape');
  await key('/');
  R.slashFocus = await tl.evaluate(() => document.activeElement.id);
  await tl.keyboard.type('m1');
  await tl.keyboard.press('Enter');
  await tl.waitForFunction(() => / of /.test(document.querySelector('#count').textContent));
  R.liveSearch = await tl.textContent('#count');
  await tl.selectOption('#dir', 'send');
  await tl.waitForFunction(() => /^0 of /.test(document.querySelector('#count').textContent));
  R.liveSearchSent = await tl.textContent('#count');

  // A graphql-transport-ws session: rows show the operation, not the raw
  // JSON; the client's ping is greyed; the detail names kind, name and id
  // above the JSON tree.
  const gq = await browser.newPage();
  gq.on('pageerror', (e) => errors.push(e.message));
  await gq.goto(control + '/_wsreplay/s/gql');
  await gq.waitForSelector('.row[data-seq="6"]:not(.loading)');
  R.gqlFigures = await gq.textContent('#figures');
  R.gqlSubscribeRow = await gq.textContent('.row[data-seq="3"] .preview');
  R.gqlPingClass = await gq.getAttribute('.row[data-seq="5"]', 'class');
  const color = (seq) => gq.evaluate((n) => getComputedStyle(document.querySelector(`.row[data-seq="${n}"] .preview`)).color, seq);
  R.gqlPingColor = await color(5);
  R.gqlNextColor = await color(4);
  await gq.click('.row[data-seq="3"]');
  await gq.waitForSelector('#proto:not([hidden]) [data-field="id"]');
  R.gqlDetailProto = await gq.evaluate(() => [...document.querySelectorAll('#proto [data-field]')].map((d) => d.textContent.replace(d.firstChild.textContent, d.firstChild.textContent + ' ')).join('; '));
  R.gqlDetailTree = await gq.evaluate(() => {
    const p = document.querySelector('#proto'), tree = document.querySelector('#dbody .tree');
    return !!tree && !!(p.compareDocumentPosition(tree) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
  if (shots !== '-') await gq.screenshot({ path: shots + '/timeline-graphql.png' });
  await gq.close();

  // The 1,000,000-message session: first paint, then its last row.
  const big = await browser.newPage();
  big.on('pageerror', (e) => errors.push(e.message));
  await big.setViewportSize({ width: 1280, height: 720 });
  let t = Date.now();
  await big.goto(bigControl + '/_wsreplay/s/big');
  await big.waitForSelector('.row:not(.loading)', { timeout: 60000 });
  R.bigFirstPaintMs = Date.now() - t;
  R.bigFirstRowsNavMs = Math.round(await big.evaluate(() => window.wsreplayFirstRows));
  await big.waitForFunction(() => /1,000,000/.test(document.querySelector('#count').textContent), null, { timeout: 60000 });
  R.bigIndexedMs = Date.now() - t;
  t = Date.now();
  await big.evaluate(() => { const l = document.querySelector('#list'); l.scrollTop = l.scrollHeight; });
  await big.waitForSelector('.row[data-seq="1000000"]:not(.loading)', { timeout: 60000 });
  R.bigLastRowMs = Date.now() - t;
  R.bigRowNodes = await big.evaluate(() => document.querySelectorAll('.row').length);
  R.bigLastRowWhole = await big.evaluate(() => document.querySelector('.row[data-seq="1000000"]').getBoundingClientRect().bottom <=
    document.querySelector('#list').getBoundingClientRect().bottom + 1);
  R.bigCount = await big.textContent('#count');
  R.bigMaxSeq = await big.evaluate(() => Math.max(...[...document.querySelectorAll('.row')].map((r) => Number(r.dataset.seq))));
  if (shots !== '-') await big.screenshot({ path: shots + '/timeline-1m.png' });
  await big.close();

  // The export, from file:// with the network blocked: search works.
  const off = await browser.newPage();
  off.on('pageerror', (e) => errors.push(e.message));
  let requests = 0;
  await browser.route(/^(https?|wss?):/, (route) => route.abort());
  off.on('request', (req) => { if (!req.url().startsWith('file:')) requests++; });
  await browser.setOffline(true);
  await off.goto('file://' + exportPath);
  await off.waitForSelector('.row:not(.loading)');
  R.exportRowsBefore = await off.textContent('#count');
  await off.fill('#q', 'm7');
  await off.press('#q', 'Enter');
  await off.waitForFunction(() => / of /.test(document.querySelector('#count').textContent));
  R.exportCount = await off.textContent('#count');
  R.exportFirstHit = await off.getAttribute('.row:not(.loading)', 'data-seq');
  R.exportRequests = requests;
} finally {
  R.errors = errors;
  await close();
  front.close();
}
console.log(JSON.stringify(R));
