// Runs a module written by "wsreplay export --to playwright" from a
// graphql-ws session in Chromium, driven by playwright-core as
// browser.mjs does: the module's replay(page, options) routes the page's
// WebSockets, then a page served from its own origin loads graphql-ws's
// browser bundle (from node_modules: no CDN), and its real client
// (createClient, fresh UUID operation ids) runs a query, waits
// options.clientDelay ms, then runs a subscription to its end.
// options.timeout (ms, default 15000) ends a run that gets no answer.
// Prints {query, subscription, delays, error}, as export-graphql-msw.mjs
// does.
// Usage: node export-graphql-playwright.mjs MODULE URL [OPTIONS_JSON]
import { runPage } from './chromium.mjs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [modulePath, wsURL, optionsJSON] = process.argv.slice(2);
const options = JSON.parse(optionsJSON || '{}');
const { default: replay } = await import(pathToFileURL(path.resolve(modulePath)).href);
const here = path.dirname(fileURLToPath(import.meta.url));
const page = `<!doctype html><meta charset="utf-8"><title>wsreplay export graphql-ws e2e</title>
<script src="/graphql-ws.js"></script><script>
window.out = { query: [], subscription: [], delays: [] };
window.done = false;
setTimeout(() => { out.error = 'timeout: no complete answer'; done = true; }, ${Number(options.timeout || 15000)});
const client = graphqlWs.createClient({ url: ${JSON.stringify(wsURL)}, lazy: false, retryAttempts: 0 });
const run = (query, results, delays = []) =>
  new Promise((resolve, reject) => {
    const start = performance.now();
    const next = (r) => {
      results.push(r);
      delays.push(Math.round(performance.now() - start));
    };
    client.subscribe({ query }, { next, error: reject, complete: resolve });
  });
(async () => {
  try {
    await run('{ hello }', out.query);
    await new Promise((r) => setTimeout(r, ${Number(options.clientDelay || 0)}));
    await run('subscription { tick }', out.subscription, out.delays);
  } catch (err) {
    out.error = String(err?.message ?? err);
  }
  done = true;
})();
</script>`;
const result = await runPage(page, {
  files: { '/graphql-ws.js': path.join(here, 'node_modules/graphql-ws/umd/graphql-ws.js') },
  before: (tab) => replay(tab, options),
  until: () => window.done,
  read: () => window.out,
});
console.log(JSON.stringify(result));
