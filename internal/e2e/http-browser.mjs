// Drives Debian's Chromium with playwright-core: a page served from its own
// origin uses the realtime HTTP fallbacks of BASE_URL, as frontends do.
// Usage: node http-browser.mjs poll|sse BASE_URL [OPTIONS_JSON MODULE...]
//   MODULE: modules written by "wsreplay export --to playwright", whose
//   replay(page, OPTIONS) routes the page's requests first, the last one
//   named installed first (so that the first one named answers first).
//
//   poll  a fetch loop: BASE/poll?since=N&_=<cache-buster>, five times, each
//         after the answer before; prints each answer with its time from the
//         first request, status, X-Batch (an exposed header) and body.
//   sse   new EventSource(BASE/events), which reconnects by itself when the
//         stream ends; closed at the event with id 5. Prints each event with
//         its connection (counted by onopen) and its time from that opening,
//         and the errors seen.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runPage } from './chromium.mjs';

const [mode, base, optionsJSON, ...modules] = process.argv.slice(2);
const pollScript = `
(async () => {
  const out = [];
  let since = 0;
  const t0 = performance.now();
  for (let i = 0; i < 5; i++) {
    const res = await fetch(BASE + '/poll?since=' + since + '&_=' + Date.now() + i);
    const body = await res.text();
    out.push({ at: Math.round(performance.now() - t0), status: res.status, batch: res.headers.get('x-batch'), body });
    if (body) since = JSON.parse(body).at(-1);
  }
  window.result = out;
})().catch((e) => { window.result = { error: String(e) }; });`;
const sseScript = `
const out = { events: [], opens: 0, errors: 0 };
let t0 = 0;
const es = new EventSource(BASE + '/events');
const onEvent = (m) => {
  out.events.push({ conn: out.opens - 1, at: Math.round(performance.now() - t0), type: m.type, id: m.lastEventId, data: m.data });
  if (m.lastEventId === '5') { es.close(); window.result = out; }
};
es.onopen = () => { out.opens++; t0 = performance.now(); };
es.onerror = () => { out.errors++; };
es.onmessage = onEvent;
es.addEventListener('tick', onEvent);
es.addEventListener('news', onEvent);
setTimeout(() => { if (!window.result) window.result = { error: 'timed out', ...out }; }, 20000);`;
const page = `<!doctype html><meta charset="utf-8"><title>wsreplay e2e</title><script>
const BASE = ${JSON.stringify(base)};
// The page's first request opens a connection, which takes longer than the
// timings measured: made once before them (its answer is not for this page).
fetch(BASE + '/warmup').catch(() => {}).finally(() => {
${mode === 'poll' ? pollScript : sseScript}
});
</script>`;
const before = async (tab) => {
  for (const m of modules.reverse()) {
    const { default: replay } = await import(pathToFileURL(path.resolve(m)).href);
    await replay(tab, JSON.parse(optionsJSON || '{}'));
  }
};
const result = await runPage(page, { before, until: () => window.result, read: () => window.result, polling: 20 });
console.log(JSON.stringify(result));
