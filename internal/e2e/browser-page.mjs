// Opens URL (a browser-app-server.mjs page) in headless Chromium with
// playwright-core and prints what the page received (window.out).
// Usage: node browser-page.mjs URL
import { launch } from './chromium.mjs';

const [url] = process.argv.slice(2);
const { browser, close } = await launch();
let result;
try {
  const tab = await browser.newPage();
  await tab.goto(url);
  try {
    await tab.waitForFunction(() => window.done, null, { timeout: 60000, polling: 50 });
    result = await tab.evaluate(() => window.out);
  } catch (e) {
    result = { ...(await tab.evaluate(() => window.out).catch(() => ({}))), error: String(e.message) };
  }
  await new Promise((r) => setTimeout(r, 300));
} finally {
  await close();
}
console.log(JSON.stringify(result));
