// A page in Debian's Chromium running sockjs-client 1.6's browser bundle
// (from node_modules: no CDN) with its default transports against URL (an
// http:// SockJS base such as http://127.0.0.1:8765/echo), from a page of
// its own origin: the application of sockjs-client.mjs, run twice (a
// reload). Prints both runs as JSON, as sockjs-client.mjs does.
// Usage: node sockjs-browser.mjs URL
import { createRequire } from 'node:module';
import { launch, servePage } from './chromium.mjs';

const require = createRequire(import.meta.url);
const bundle = require.resolve('sockjs-client/dist/sockjs.min.js');
const url = process.argv[2];

const page = await servePage(`<!doctype html><meta charset="utf-8"><title>sockjs</title>
<script src="/sockjs.min.js"></script>
<script>
window.run = (url) => new Promise((resolve) => {
  const seen = { transport: null, messages: [], close: null };
  const sock = new SockJS(url);
  const timer = setTimeout(() => { seen.error = 'timeout'; resolve(seen); }, 30000);
  sock.onopen = () => { seen.transport = sock.transport; sock.send('hello'); };
  sock.onmessage = (e) => {
    seen.messages.push(e.data);
    if (e.data === '{"n":3}') sock.send('done');
  };
  sock.onclose = (e) => { clearTimeout(timer); seen.close = { code: e.code, reason: e.reason }; resolve(seen); };
});
</script>`, { '/sockjs.min.js': bundle });
const { browser, close } = await launch();
let out;
try {
  const tab = await browser.newPage();
  const runs = [];
  for (let i = 0; i < 2; i++) {
    await tab.goto(page.url); // the second is a reload
    runs.push(await tab.evaluate((u) => window.run(u), url));
  }
  out = runs;
} catch (e) {
  out = { error: String(e) };
} finally {
  await close();
  page.close();
}
console.log(JSON.stringify(out));
process.exit(0);
