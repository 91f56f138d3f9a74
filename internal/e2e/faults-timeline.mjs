// Opens the timeline of SESSION on the control listener CONTROL in
// Chromium, chooses the replay REPLAY (ended ones are not chosen by
// themselves) and prints the rows marked by a message fault: their
// number, mark and title.
// Usage: node faults-timeline.mjs CONTROL SESSION REPLAY
import { launch } from './chromium.mjs';

const [control, session, replay] = process.argv.slice(2);
const { browser, close } = await launch();
let result;
try {
  const tab = await browser.newPage();
  await tab.goto(`${control}/_wsreplay/s/${encodeURIComponent(session)}`);
  await tab.waitForFunction((id) => [...document.querySelectorAll('#replay option')].some((o) => o.value === id), replay, { timeout: 30000, polling: 50 });
  await tab.selectOption('#replay', replay);
  await tab.waitForSelector('.row.faulted', { timeout: 30000 });
  result = await tab.evaluate(() => [...document.querySelectorAll('.row.faulted')].map((el) => ({
    seq: el.querySelector('.seq').textContent.trim(), mark: el.querySelector('.flt').textContent, title: el.title,
  })));
} finally {
  await close();
}
console.log(JSON.stringify(result));
