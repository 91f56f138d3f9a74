// wsreplay session list: keeps the page current without a reload. It
// listens to the control API's events stream, and when a replay starts,
// changes state or ends, or a session is found, reads this page again and
// puts its lists in place of the old ones (the server renders them, one
// template for both); a replay's position is updated in its row as it
// moves. Plain JavaScript, no build step, no dependency.
'use strict';
(() => {
  const API = document.body.dataset.api;
  let timer = null, reading = false, again = false;

  // reloadSoon reads the page again after ms (150 by default), once for a
  // burst of events.
  function reloadSoon(ms) {
    clearTimeout(timer);
    timer = setTimeout(reload, typeof ms === 'number' ? ms : 150);
  }
  async function reload() {
    timer = null;
    if (reading) { again = true; return; }
    reading = true;
    try {
      const r = await fetch(location.href, { credentials: 'same-origin', cache: 'no-store' });
      if (!r.ok) return;
      const doc = new DOMParser().parseFromString(await r.text(), 'text/html');
      const fresh = doc.getElementById('lists'), old = document.getElementById('lists');
      if (fresh && old) old.replaceWith(document.adoptNode(fresh));
    } catch (e) {
      // The server went away: the events stream says so by reconnecting.
    } finally {
      reading = false;
      if (again) { again = false; reloadSoon(); }
    }
  }
  // showPosition puts a replay's position in its row, or reads the page
  // again when the row is not there yet.
  function showPosition(v) {
    const row = [...document.querySelectorAll('#replays tr[data-replay]')].find((tr) => tr.dataset.replay === v.id);
    const cell = row && row.querySelector('.pos');
    if (!cell) { reloadSoon(); return; }
    cell.textContent = v.pos.seq + (v.total != null ? '/' + v.total : '');
  }

  const es = new EventSource(API + 'events');
  // hello: the stream (re)started; what happened since the page was
  // written (or the stream broke) is read anew.
  es.addEventListener('hello', () => reloadSoon());
  for (const name of ['replay.opened', 'replay.state', 'replay.ended']) es.addEventListener(name, () => reloadSoon());
  // Indexing finds sessions in bursts: one read a second at most.
  es.addEventListener('session.added', () => { if (!timer) reloadSoon(1000); });
  es.addEventListener('replay.position', (e) => showPosition(JSON.parse(e.data)));
  window.wsreplayList = { events: es }; // for tests and the curious
})();
