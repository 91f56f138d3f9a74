// Drives the timeline page of "wsreplay serve" in Chromium beside a page
// (its own origin) whose EventSource the server replays an event stream to,
// and injects through the timeline's inject box: an event by its meaning
// (name, id, data), then raw data. Prints what the EventSource received and
// what the inject box offered as JSON; inject_test.go judges it.
// Usage: node sse-inject.mjs BASE CONTROL SESSION
import { launch, servePage } from './chromium.mjs';

const [base, control, session] = process.argv.slice(2);
const front = await servePage(`<!doctype html><meta charset="utf-8"><title>frontend</title><script>
window.log = [];
const es = new EventSource(${JSON.stringify(base + '/events')});
const on = (m) => log.push({ type: m.type, id: m.lastEventId, data: m.data });
es.onmessage = on;
es.addEventListener('tick', on);
</script>`);
const { browser, close } = await launch();
const R = { errors: [] };
try {
  const tl = await browser.newPage();
  tl.on('pageerror', (e) => R.errors.push(e.message));
  await tl.goto(control + '/_wsreplay/s/' + session);
  const fp = await browser.newPage();
  await fp.goto(front.url);
  await fp.waitForFunction(() => window.log.length >= 1, null, { timeout: 20000 });
  await tl.waitForFunction(() => /^r1 /.test(document.querySelector('#state').textContent), null, { timeout: 20000 });
  await tl.waitForSelector('#injectMode', { timeout: 10000 });
  R.modes = await tl.$$eval('#injectMode option', (os) => os.map((o) => o.value));
  await tl.fill('#injectName', 'tick');
  await tl.fill('#injectId', '7');
  await tl.fill('#injectText', '{"n":1}');
  await tl.click('#inject');
  await fp.waitForFunction(() => window.log.length >= 2, null, { timeout: 10000 });
  await tl.selectOption('#injectMode', 'raw');
  R.rawHidesFields = await tl.evaluate(() => document.querySelector('#injectName').hidden && document.querySelector('#injectId').hidden);
  await tl.fill('#injectText', 'plain');
  await tl.press('#injectText', 'Enter');
  await fp.waitForFunction(() => window.log.length >= 3, null, { timeout: 10000 });
  R.log = await fp.evaluate(() => window.log);
  R.msg = await tl.textContent('#msg');
} catch (e) {
  R.errors.push(String(e));
} finally {
  await close();
  front.close();
}
console.log(JSON.stringify(R));
