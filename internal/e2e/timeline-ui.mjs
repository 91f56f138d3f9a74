// Reads the timeline and the session list of "wsreplay serve" in Chromium
// as a user sees them: column headers and the overview's legend, the
// toolbar's lines at 1280 and 800 px, the controls off with no client and
// on with one, the next message and the selected one told apart and both
// reached by keys, search as you type, and the list showing a replay that
// starts and ends without a reload. Prints what it saw as JSON;
// timeline_ui_test.go judges it.
// Then reads the rows of an event stream ("events"), a poll ("poll") and a
// Socket.IO session (SIO_SESSION).
// Usage: node timeline-ui.mjs BASE CONTROL SIO_SESSION SCREENSHOT_DIR|-
// (BASE: the replay port; CONTROL: the control listener.)
import { launch, servePage } from './chromium.mjs';

const [base, control, sioSession, shots] = process.argv.slice(2);
const R = {};
const errors = [];
const { browser, close } = await launch();
// The frontend: one WebSocket to the session "feed", no reconnect.
const front = await servePage(`<!doctype html><meta charset="utf-8"><title>frontend</title><script>
window.log = [];
const ws = new WebSocket(${JSON.stringify(base.replace(/^http/, 'ws') + '/feed')});
ws.onmessage = (m) => log.push(m.data);
</script>`);

// toolbarLines counts the lines the toolbar's groups sit on, by their
// boxes' tops.
const toolbarLines = (page) => page.evaluate(() => {
  const tops = [...document.querySelectorAll('#toolbar > *')].filter((el) => el.offsetParent)
    .map((el) => el.getBoundingClientRect().top).sort((a, b) => a - b);
  let lines = 0, last = -1e9;
  for (const t of tops) if (t - last > 4) { lines++; last = t; }
  return { lines, height: Math.round(document.querySelector('#toolbar').getBoundingClientRect().height) };
});
const previewWidth = (page) => page.evaluate(() => Math.round(document.querySelector('.row:not(.loading) .preview').getBoundingClientRect().width));
const ctlStates = (page) => page.evaluate(() => [...document.querySelectorAll('#toolbar .ctl')].map((el) => el.id + ':' + (el.disabled ? 'off' : 'on')));
const listFocusKey = async (page, k) => { await page.focus('#list'); await page.keyboard.press(k); };

try {
  // The session list, open before any replay.
  const idx = await browser.newPage();
  idx.on('pageerror', (e) => errors.push('index: ' + e.message));
  await idx.setViewportSize({ width: 1280, height: 720 });
  await idx.goto(control + '/_wsreplay/');
  await idx.evaluate(() => { window.notReloaded = true; });
  R.sioConnect = await idx.evaluate((id) => {
    const row = [...document.querySelectorAll('#sessions tr')].find((tr) => tr.textContent.includes(id));
    return row ? row.cells[1].textContent : '';
  }, sioSession);
  R.indexReplaysBefore = await idx.locator('#replays tr[data-replay]').count();

  // The timeline, no client yet.
  const tl = await browser.newPage();
  tl.on('pageerror', (e) => errors.push('timeline: ' + e.message));
  await tl.setViewportSize({ width: 1280, height: 720 });
  await tl.goto(control + '/_wsreplay/s/feed');
  await tl.waitForSelector('.row:not(.loading)');
  R.headers = await tl.evaluate(() => [...document.querySelectorAll('#cols > span')].map((s) => ({ cls: s.className, text: s.textContent, title: s.title })));
  R.legend = await tl.evaluate(() => [...document.querySelectorAll('#legend .key')].map((s) => s.textContent));
  R.at1280 = await toolbarLines(tl);
  R.preview1280 = await previewWidth(tl);
  R.idleControls = await ctlStates(tl);
  R.idleState = await tl.textContent('#state');
  await listFocusKey(tl, ' ');
  R.idleSpaceMsg = await tl.textContent('#msg');
  await tl.setViewportSize({ width: 800, height: 720 });
  await tl.waitForTimeout(200);
  R.at800 = await toolbarLines(tl);
  R.preview800 = await previewWidth(tl);
  await tl.setViewportSize({ width: 1280, height: 720 });

  // A client connects: the controls come on, the list shows its replay.
  const fp = await browser.newPage();
  await fp.goto(front.url);
  await tl.waitForFunction(() => !document.querySelector('#play').disabled, null, { timeout: 10000 });
  R.liveControls = await ctlStates(tl);
  await fp.waitForFunction(() => window.log.length >= 4, null, { timeout: 10000 });
  await listFocusKey(tl, ' '); // pause
  await tl.waitForFunction(() => /^r1 paused/.test(document.querySelector('#state').textContent), null, { timeout: 10000 });
  R.liveState = await tl.textContent('#state');
  await idx.waitForSelector('#replays tr[data-replay="r1"]', { timeout: 10000 });
  R.indexRowText = await idx.textContent('#replays tr[data-replay="r1"]');
  R.indexNotReloaded = await idx.evaluate(() => window.notReloaded === true);

  // The next row and the selected one: "n" selects the next; ↓ moves the
  // selection off it; their looks differ.
  const nextSeq = await tl.evaluate(() => window.wsreplayTimeline.st.replays.get('r1').next.seq);
  await listFocusKey(tl, 'n');
  await tl.waitForFunction((n) => window.wsreplayTimeline.st.selected === n, nextSeq);
  R.nKeySelectedNext = true;
  await listFocusKey(tl, 'ArrowDown');
  await tl.waitForSelector(`.row.selected[data-seq="${nextSeq + 1}"]`);
  const look = (sel) => tl.evaluate((s) => {
    const el = document.querySelector(s), cs = getComputedStyle(el), mark = getComputedStyle(el.querySelector('.mark'), '::before');
    return { bg: cs.backgroundColor, color: cs.color, shadow: cs.boxShadow, mark: mark.content };
  }, sel);
  R.nextLook = await look(`.row.next[data-seq="${nextSeq}"]`);
  R.selectedLook = await look(`.row.selected[data-seq="${nextSeq + 1}"]`);
  R.plainLook = await look(`.row[data-seq="${nextSeq + 3}"]`);

  // The end menu by keys: Enter opens it on "drop", Escape closes it.
  await tl.focus('#endBtn');
  await tl.keyboard.press('Enter');
  R.endMenuFocus = await tl.evaluate(() => !document.querySelector('#endMenu').hidden && document.activeElement.id);
  await tl.keyboard.press('Escape');
  R.endMenuClosed = await tl.evaluate(() => document.querySelector('#endMenu').hidden && document.activeElement.id);

  // The faults menu by keys: Enter opens it on the latency field; "set"
  // gives the replay that latency; set with nothing clears it again.
  await tl.focus('#faultBtn');
  await tl.keyboard.press('Enter');
  R.faultMenuFocus = await tl.evaluate(() => !document.querySelector('#faultMenu').hidden && document.activeElement.id);
  await tl.keyboard.type('300ms');
  await tl.click('#faultApply');
  const faultsOf = () => tl.evaluate(() => { const rp = window.wsreplayTimeline.st.replays.get('r1'); return (rp && rp.faults && rp.faults.latency) || ''; });
  await tl.waitForFunction(() => { const rp = window.wsreplayTimeline.st.replays.get('r1'); return rp && rp.faults && rp.faults.latency; }, null, { timeout: 5000 });
  R.faultLatency = await faultsOf();
  R.faultMenuClosedAfterSet = await tl.evaluate(() => document.querySelector('#faultMenu').hidden);
  await tl.click('#faultBtn');
  await tl.fill('#faultLatency', '');
  await tl.click('#faultApply');
  await tl.waitForFunction(() => { const rp = window.wsreplayTimeline.st.replays.get('r1'); return rp && !(rp.faults && rp.faults.latency); }, null, { timeout: 5000 });

  // An injection, a selected row: the screenshots.
  await tl.fill('#injectText', 'injected!');
  await tl.click('#inject');
  await tl.waitForSelector('.row.injected', { timeout: 5000 }).catch(async (e) => {
    console.error(await tl.evaluate(() => JSON.stringify({ msg: document.querySelector('#msg').textContent, rp: [...window.wsreplayTimeline.st.replays.values()], rows: [...document.querySelectorAll('.row')].map((r) => r.className + ' ' + r.dataset.seq) })));
    throw e;
  });
  await tl.click(`.row[data-seq="${nextSeq - 2}"]`);
  await tl.waitForTimeout(300);
  R.stateFits1280 = await tl.evaluate(() => { const s = document.querySelector('#state'); return s.scrollWidth <= s.clientWidth + 1; });
  if (shots !== '-') {
    await tl.screenshot({ path: shots + '/timeline.png' });
    await tl.setViewportSize({ width: 800, height: 720 });
    await tl.waitForTimeout(300);
    await tl.screenshot({ path: shots + '/timeline-800.png' });
    await tl.setViewportSize({ width: 1280, height: 720 });
  }
  R.at800Live = await (async () => { await tl.setViewportSize({ width: 800, height: 720 }); await tl.waitForTimeout(200); const v = await toolbarLines(tl); await tl.setViewportSize({ width: 1280, height: 720 }); return v; })();
  R.at1280Live = await toolbarLines(tl);

  // Search as you type: the list filters with no Enter; Enter selects the
  // next match, and the next.
  await listFocusKey(tl, '/');
  await tl.keyboard.type('m1');
  await tl.waitForFunction(() => /^11 of 60 /.test(document.querySelector('#count').textContent), null, { timeout: 5000 });
  R.typedCount = await tl.textContent('#count');
  const sel = () => tl.evaluate(() => window.wsreplayTimeline.st.selected);
  await tl.evaluate(() => { window.wsreplayTimeline.st.selected = 0; });
  await tl.keyboard.press('Enter');
  await tl.waitForFunction(() => window.wsreplayTimeline.st.selected > 0);
  R.enterMatches = [await sel()];
  await tl.keyboard.press('Enter');
  await tl.waitForFunction((n) => window.wsreplayTimeline.st.selected !== n, R.enterMatches[0]);
  R.enterMatches.push(await sel());
  R.searchFocus = await tl.evaluate(() => document.activeElement.id);
  R.placeholder = await tl.getAttribute('#q', 'placeholder');

  // The client leaves: the replay ends, the controls go off with the
  // reason, the list shows it ended, still without a reload.
  await fp.close();
  await tl.waitForFunction(() => document.querySelector('#play').disabled, null, { timeout: 10000 });
  R.endedControls = await ctlStates(tl);
  R.endedState = await tl.textContent('#state');
  await idx.waitForFunction(() => /ended/.test(document.querySelector('#replays tr[data-replay="r1"]')?.textContent || ''), null, { timeout: 10000 });
  R.indexEndedText = await idx.textContent('#replays tr[data-replay="r1"]');
  R.indexNotReloadedAfterEnd = await idx.evaluate(() => window.notReloaded === true);
  if (shots !== '-') await idx.screenshot({ path: shots + '/index.png', fullPage: true });

  // Each kind's rows: an event's type and id, a retry-only block greyed;
  // a poll's request and status; a Socket.IO packet's transport, and the
  // JSON tree of its event's arguments in the detail.
  const kinds = await browser.newPage();
  kinds.on('pageerror', (e) => errors.push('kinds: ' + e.message));
  await kinds.setViewportSize({ width: 1280, height: 720 });
  const rowOf = (n) => kinds.evaluate((seq) => {
    const el = document.querySelector(`.row[data-seq="${seq}"]`);
    return { via: el.querySelector('.via').textContent, preview: el.querySelector('.preview').textContent, cls: el.className,
      color: getComputedStyle(el.querySelector('.preview')).color };
  }, n);
  await kinds.goto(control + '/_wsreplay/s/events');
  await kinds.waitForSelector('.row[data-seq="3"]:not(.loading)');
  R.sse = [await rowOf(1), await rowOf(2), await rowOf(3)];
  await kinds.goto(control + '/_wsreplay/s/poll');
  await kinds.waitForSelector('.row[data-seq="2"]:not(.loading)');
  R.poll = [await rowOf(1), await rowOf(2)];
  await kinds.goto(control + '/_wsreplay/s/' + sioSession);
  await kinds.waitForSelector('.row[data-seq="7"]:not(.loading)');
  R.sio = [await rowOf(3), await rowOf(7)];
  await kinds.focus('#list');
  for (let i = 0; i < 7; i++) await kinds.keyboard.press('ArrowDown');
  await kinds.waitForSelector('#proto [data-field="transport"]');
  R.sioDetail = await kinds.evaluate(() => ({
    selected: window.wsreplayTimeline.st.selected,
    fields: [...document.querySelectorAll('#proto [data-field]')].map((d) => d.dataset.field + '=' + d.lastChild.textContent),
    tree: document.querySelector('#dbody .tree')?.textContent || '',
  }));
} finally {
  R.errors = errors;
  await close();
  front.close();
}
console.log(JSON.stringify(R));
