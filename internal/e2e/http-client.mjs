// A Node client of the realtime HTTP fallbacks, with Node's own fetch.
// Usage: node http-client.mjs poll|sse BASE_URL [OPTIONS_JSON MODULE]
//   MODULE: a module written by "wsreplay export --to msw" (an index.mjs
//   too), whose handlers answer under MSW's setupServer, configured with
//   OPTIONS_JSON; BASE_URL then need not be served by anyone.
//
//   poll  asks BASE/poll?since=N&_=<cache-buster> five times, each after the
//         answer before (as a long-polling frontend does), and prints each
//         answer: its time from the first request, status, X-Batch and body.
//   sse   reads BASE/events as an EventSource does (parsing the stream,
//         reconnecting after the server's retry with Last-Event-ID), until
//         the event with id 5, and prints each event with its connection,
//         time from that connection's opening (its headers) and time since
//         the first request (since).
import { performance } from 'node:perf_hooks';

const [mode, base, optionsJSON, modulePath] = process.argv.slice(2);
if (modulePath) {
  // MSW's sse() wants a global EventSource where a handler is made, which
  // Node 20 lacks; it uses it only for server.connect().
  globalThis.EventSource ??= class EventSource {};
  const { setupServer } = await import('msw/node');
  const path = await import('node:path');
  const { pathToFileURL } = await import('node:url');
  const mod = await import(pathToFileURL(path.resolve(modulePath)).href);
  mod.configure(JSON.parse(optionsJSON || '{}'));
  setupServer(...mod.handlers).listen({ onUnhandledRequest: 'bypass' });
}

async function poll() {
  const out = [];
  let since = 0;
  const t0 = performance.now();
  for (let i = 0; i < 5; i++) {
    const res = await fetch(`${base}/poll?since=${since}&_=${Date.now()}${i}`);
    const body = await res.text();
    out.push({ at: Math.round(performance.now() - t0), status: res.status, batch: res.headers.get('x-batch'), body });
    if (body) since = JSON.parse(body).at(-1);
  }
  return out;
}

// readEvents parses one stream, calling onEvent for each event, as the
// HTML standard's EventSource does; it returns the retry it was given.
async function readEvents(res, state, onEvent) {
  const decoder = new TextDecoder();
  let buf = '', data = [], type = '', hasData = false;
  for await (const chunk of res.body) {
    buf += decoder.decode(chunk, { stream: true });
    let i;
    while ((i = buf.search(/\r\n|\r|\n/)) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + (buf.startsWith('\r\n', i) ? 2 : 1));
      if (line === '') {
        if (hasData) onEvent({ type: type || 'message', id: state.lastId, data: data.join('\n') });
        data = []; type = ''; hasData = false;
        continue;
      }
      if (line.startsWith(':')) continue;
      const c = line.indexOf(':');
      const field = c < 0 ? line : line.slice(0, c);
      let value = c < 0 ? '' : line.slice(c + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') { data.push(value); hasData = true; }
      else if (field === 'event') type = value;
      else if (field === 'id') state.lastId = value;
      else if (field === 'retry' && /^\d+$/.test(value)) state.retry = Number(value);
    }
  }
}

async function sse() {
  const out = [];
  const state = { lastId: '', retry: 3000 };
  const start = performance.now(); // since: ms from here, before the first request
  for (let conn = 0; conn < 5; conn++) {
    const ac = new AbortController();
    const headers = { accept: 'text/event-stream' };
    if (state.lastId) headers['last-event-id'] = state.lastId;
    const res = await fetch(`${base}/events`, { headers, signal: ac.signal });
    const t0 = performance.now(); // the stream is open: its headers have come
    let done = false;
    try {
      await readEvents(res, state, (ev) => {
        out.push({ conn, at: Math.round(performance.now() - t0), since: Math.round(performance.now() - start), ...ev });
        if (ev.id === '5') { done = true; ac.abort(); }
      });
    } catch (e) {
      if (!done) out.push({ conn, error: String(e.name) });
    }
    if (done) return { lastEventId: state.lastId, retry: state.retry, events: out };
    await new Promise((r) => setTimeout(r, state.retry));
  }
  return { error: 'no event with id 5 after 5 connections', events: out };
}

// The first fetch of a process sets up its HTTP client, which takes longer
// than the timings measured: done once before them.
await fetch(`${base}/warmup`).then((r) => r.text()).catch(() => {});
console.log(JSON.stringify(mode === 'poll' ? await poll() : await sse()));
