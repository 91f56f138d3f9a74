// wsreplay timeline: one session's messages in a virtualized list, an
// overview of the whole session, and the controls of its live replays.
// Plain JavaScript, no build step, no dependency: served by the replay
// server (data from its control API, live state from its events stream), or
// embedded with its data in a read-only HTML file by "wsreplay convert".
'use strict';
(() => {
  const $ = (s) => document.querySelector(s);
  const ROW_H = 22; // px, as .row in timeline.css
  const PAGE = 200; // rows fetched at a time
  const MAX_PX = 8e6; // the list's height is scaled beyond this
  const SESSION = document.body.dataset.session;
  const API = document.body.dataset.api;

  // ---- formatting ----
  const fmtOff = (ns) => {
    const ms = Math.floor(ns / 1e6), s = Math.floor(ms / 1000);
    const m = Math.floor(s / 60);
    return (m ? m + ':' + String(s % 60).padStart(2, '0') : String(s)) + '.' + String(ms % 1000).padStart(3, '0');
  };
  const fmtGap = (ns) => (ns == null ? '' : ns < 1e6 ? '+' + Math.round(ns / 1e3) + 'µs' : ns < 1e9 ? '+' + Math.round(ns / 1e6) + 'ms' : '+' + (ns / 1e9).toFixed(1) + 's');
  const fmtSize = (n) => (n < 1024 ? n + ' B' : n < 1 << 20 ? (n / 1024).toFixed(1) + ' KiB' : (n / (1 << 20)).toFixed(1) + ' MiB');
  const fmtDur = (ns) => { const s = ns / 1e9; return s < 60 ? s.toFixed(1) + 's' : Math.floor(s / 60) + 'm' + Math.round(s % 60) + 's'; };
  const b64bytes = (b) => Uint8Array.from(atob(b), (c) => c.charCodeAt(0));

  // ---- data sources: the control API, or the data embedded offline ----
  async function getJSON(url, opts) {
    const r = await fetch(url, opts);
    const j = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(j.error || r.status + ' ' + r.statusText);
    return j;
  }
  function query(o) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(o)) if (v !== '' && v != null && v !== false) p.set(k, v);
    return p.toString();
  }
  function liveSource() {
    const base = API + 'sessions/' + encodeURIComponent(SESSION);
    const filt = (f) => ({ dir: f.dir, q: f.q, regex: f.regex ? 1 : '' });
    return {
      live: true,
      info: () => getJSON(base),
      rows: (from, limit, f) => getJSON(base + '/messages?' + query({ from, limit, ...filt(f) })).then((j) => j.messages),
      message: (seq) => getJSON(base + '/messages/' + seq),
      seqAt: (ns) => getJSON(base + '/messages?' + query({ at: Math.max(0, Math.round(ns)), limit: 1 })).then((j) => j.from),
      async search(f) {
        const hits = [], offsets = [];
        for (let from = 1; from;) {
          const j = await getJSON(base + '/search?' + query({ from, ...filt(f) }));
          hits.push(...j.hits); offsets.push(...j.offsets_ns);
          from = j.next;
        }
        return { hits, offsets };
      },
    };
  }
  function offlineSource(data) {
    const msgs = data.messages; // [offset_ns, "s"|"r", "t"|"b", text or base64, proto (if any)]
    const row = (i) => {
      const [off, d, k, p, proto, carried] = msgs[i];
      const size = k === 't' ? new TextEncoder().encode(p).length : Math.floor(p.length * 3 / 4) - (p.endsWith('==') ? 2 : p.endsWith('=') ? 1 : 0);
      return { seq: i + 1, offset_ns: off, gap_ns: i ? off - msgs[i - 1][0] : 0, dir: d === 's' ? 'send' : 'receive',
        kind: k === 't' ? 'text' : 'binary', size, preview: k === 't' ? p.slice(0, 160) : '', proto: proto || undefined, ...carried };
    };
    const matcher = (f) => {
      let re = null;
      if (f.q) re = f.regex ? new RegExp(f.q) : null;
      return (i) => {
        const m = msgs[i];
        if (f.dir && (m[1] === 's' ? 'send' : 'receive') !== f.dir) return false;
        if (!f.q) return true;
        return re ? re.test(m[3]) : m[3].includes(f.q);
      };
    };
    return {
      live: false,
      info: async () => data.info,
      async rows(from, limit, f) {
        const ok = matcher(f), out = [];
        for (let i = from - 1; i < msgs.length && out.length < limit; i++) if (ok(i)) out.push(row(i));
        return out;
      },
      async message(seq) {
        const r = row(seq - 1), p = msgs[seq - 1][3];
        return r.kind === 'text' ? { ...r, text: p } : { ...r, binary: p };
      },
      async seqAt(ns) { let i = 0; while (i < msgs.length && msgs[i][0] < ns) i++; return i + 1; },
      async search(f) {
        const ok = matcher(f), hits = [], offsets = [];
        for (let i = 0; i < msgs.length; i++) if (ok(i)) { hits.push(i + 1); offsets.push(msgs[i][0]); }
        return { hits, offsets };
      },
    };
  }
  const dataEl = document.getElementById('wsreplay-data');
  const src = dataEl ? offlineSource(JSON.parse(dataEl.textContent)) : liveSource();

  // ---- state ----
  const st = {
    info: null, total: 0, duration: 1,
    filter: { dir: '', q: '', regex: false },
    hits: null, hitOffsets: null, hitSet: null, // the filtered view, when a filter is on
    pages: new Map(), // page number -> {rows} | {loading}
    selected: 0, // seq
    replays: new Map(), // id -> replay view
    current: '', // the replay the controls steer
    range: null, // [from_ns, to_ns] marked on the overview
  };
  const viewCount = () => (st.hits ? st.hits.length : st.total);
  const seqOf = (i) => (st.hits ? st.hits[i] : i + 1);
  const indexOf = (seq) => {
    if (!st.hits) return seq - 1;
    let lo = 0, hi = st.hits.length; // first hit >= seq
    while (lo < hi) { const mid = (lo + hi) >> 1; if (st.hits[mid] < seq) lo = mid + 1; else hi = mid; }
    return lo;
  };
  const msg = (t) => { $('#msg').textContent = t || ''; };

  // ---- the virtualized list ----
  const list = $('#list'), rowsEl = $('#rows'), spacer = $('#spacer');
  const pool = [];
  function layout() {
    spacer.style.height = Math.min(viewCount() * ROW_H, MAX_PX) + 'px';
    render();
  }
  function visibleRows() { return Math.ceil(list.clientHeight / ROW_H) + 1; }
  // Past MAX_PX the scroll range stands for the rows in proportion: its
  // end shows the last rows that fit whole.
  const lastFirst = () => Math.max(1, viewCount() - Math.floor(list.clientHeight / ROW_H));
  function firstIndex() {
    if (viewCount() * ROW_H <= MAX_PX) return Math.floor(list.scrollTop / ROW_H);
    const maxTop = Math.max(1, MAX_PX - list.clientHeight);
    return Math.min(lastFirst(), Math.round((list.scrollTop / maxTop) * lastFirst()));
  }
  function scrollToIndex(i, center) {
    if (center) i = Math.max(0, i - Math.floor(visibleRows() / 2));
    if (viewCount() * ROW_H <= MAX_PX) { list.scrollTop = i * ROW_H; return; }
    list.scrollTop = (Math.min(i, lastFirst()) / lastFirst()) * (MAX_PX - list.clientHeight);
  }
  function ensureVisible(i) {
    const first = firstIndex(), vis = visibleRows() - 2;
    if (i < first || i >= first + vis) scrollToIndex(i, true);
  }
  function pageRows(p) {
    let pg = st.pages.get(p);
    if (pg) return pg.rows;
    pg = { rows: null };
    st.pages.set(p, pg);
    if (st.pages.size > 60) st.pages.delete(st.pages.keys().next().value); // oldest first
    const from = seqOf(p * PAGE);
    src.rows(from, PAGE, st.filter).then((rows) => { pg.rows = rows; render(); }, (e) => { st.pages.delete(p); msg(e.message); });
    return null;
  }
  const CELLS = ['mark', 'seq', 'off', 'gap', 'dir', 'kind', 'size', 'inj', 'flt', 'via', 'preview'];
  function rowNode() {
    const el = document.createElement('div');
    el.className = 'row';
    el.cells = {};
    for (const c of CELLS) el.appendChild((el.cells[c] = document.createElement('span'))).className = c;
    el.addEventListener('click', () => select(Number(el.dataset.seq)));
    el.addEventListener('dblclick', () => seekToSeq(Number(el.dataset.seq)));
    return el;
  }
  function render() {
    const n = viewCount(), first = firstIndex(), vis = Math.max(0, Math.min(visibleRows(), n - first));
    while (pool.length < vis) rowsEl.appendChild((pool[pool.length] = rowNode()));
    while (pool.length > vis) rowsEl.removeChild(pool.pop());
    const full = n * ROW_H <= MAX_PX;
    rowsEl.style.top = (full ? first * ROW_H : list.scrollTop) + 'px';
    for (let k = 0; k < vis; k++) fillRow(pool[k], first + k);
    $('#count').textContent = st.hits ? st.hits.length.toLocaleString() + ' of ' + st.total.toLocaleString() + ' messages' : st.total.toLocaleString() + ' messages';
  }
  function fillRow(el, i) {
    const p = Math.floor(i / PAGE), rows = i < viewCount() ? pageRows(p) : null;
    const r = rows && rows[i - p * PAGE];
    const c = el.cells;
    if (!r) {
      el.className = 'row loading'; el.dataset.seq = seqOf(i);
      for (const k of CELLS) c[k].textContent = '';
      c.seq.textContent = '#' + seqOf(i);
      c.preview.textContent = '…';
      return;
    }
    el.dataset.seq = r.seq;
    c.seq.textContent = '#' + r.seq;
    c.off.textContent = fmtOff(r.offset_ns);
    c.gap.textContent = r.seq === 1 ? '' : fmtGap(r.gap_ns);
    c.dir.textContent = r.dir === 'send' ? '↑' : '↓';
    c.dir.title = r.dir === 'send' ? 'from the client' : 'to the client';
    c.kind.textContent = r.kind === 'text' ? 'T' : 'B';
    c.size.textContent = fmtSize(r.size);
    c.via.textContent = viaText(r);
    c.preview.textContent = rowText(r);
    classify(el, r);
  }
  // viaText is how a message travelled, as a row shows it before its
  // payload: an event's type, id and retry; a poll's request line or
  // response status; the transport of a Socket.IO message.
  function viaText(r) {
    const e = r.sse, h = r.http, parts = [];
    if (e) {
      if (!e.no_data) parts.push('event ' + (e.event || 'message'));
      if (e.id != null) parts.push('id ' + JSON.stringify(e.id));
      if (e.retry_ms) parts.push('retry ' + e.retry_ms + 'ms');
    } else if (h) {
      if (h.method) parts.push(h.method + ' ' + (h.url || ''));
      if (h.status) parts.push(String(h.status) + (h.content_type ? ' ' + h.content_type : ''));
    }
    if (r.transport) parts.push(r.transport);
    return parts.join(' · ');
  }
  // rowText is what a row shows of its payload: the protocol's reading of
  // it when the server gives one (graphql's type, operation and id; an
  // MQTT packet; a Socket.IO event), else the payload's start.
  function rowText(r) {
    const p = r.proto;
    if (p && p.summary) return p.summary + (p.from_seq ? '  (from #' + p.from_seq + ')' : '');
    if (r.sse && r.sse.no_data) return '(no data: an EventSource dispatches no event, it keeps the id and retry)';
    if (r.http && r.http.method && !r.size) return '(no body)';
    return r.kind === 'text' ? r.preview : '(binary)';
  }
  function classify(el, r) {
    const rp = st.replays.get(st.current);
    let cls = 'row ' + r.dir;
    if (r.proto) cls += ' described' + (r.proto.heartbeat ? ' heartbeat' : '') + (r.proto.part ? ' part' : '');
    if (r.sse || r.http || r.transport) cls += ' carried';
    if (r.sse && r.sse.no_data || r.http && r.http.method && !r.size) cls += ' nodata';
    if (rp && rp.pos && r.seq <= rp.pos.seq) cls += ' passed';
    if (rp && rp.next && r.seq === rp.next.seq) cls += ' next';
    if (r.seq === st.selected) cls += ' selected';
    if (st.hitSet && st.filter.q && st.hitSet.has(r.seq)) cls += ' hit';
    const inj = rp && rp.injections ? rp.injections.filter((x) => x.after === r.seq) : [];
    if (inj.length) { cls += ' injected'; el.cells.inj.textContent = '+' + inj.length + ' injected'; el.title = 'injected after it: ' + inj.map((x) => x.preview).join(', '); }
    else { el.cells.inj.textContent = ''; el.title = ''; }
    el.setAttribute('aria-selected', r.seq === st.selected ? 'true' : 'false');
    el.className = cls + faultMark(el, r, rp);
  }
  // faultMark marks a row a message fault acted on in the replay rp, and
  // returns its class.
  function faultMark(el, r, rp) {
    const fs = rp && rp.faults && rp.faults.applied ? rp.faults.applied.filter((f) => f.seq === r.seq) : [];
    el.cells.flt.textContent = fs.map((f) => f.action).join(' ');
    if (!fs.length) return '';
    el.title = (el.title ? el.title + '; ' : '') + 'fault: ' + fs.map((f) => f.fault).join(', ');
    return ' faulted';
  }
  list.addEventListener('scroll', () => render(), { passive: true });
  window.addEventListener('resize', () => { layout(); drawOverview(); });

  // ---- the detail pane ----
  let detail = null, tab = 'tree';
  async function select(seq) {
    if (!seq) return;
    st.selected = seq;
    render();
    try {
      detail = await src.message(seq);
      if (detail.seq === st.selected) showDetail();
    } catch (e) { msg(e.message); }
  }
  function payloadBytes(d) { return d.text != null ? new TextEncoder().encode(d.text) : b64bytes(d.binary || ''); }
  function showDetail() {
    const d = detail;
    $('#meta').textContent = '#' + d.seq + ' · ' + fmtOff(d.offset_ns) + ' · ' + (d.dir === 'send' ? '↑ from the client' : '↓ to the client') + ' · ' + d.kind + ' · ' + fmtSize(d.size);
    showMeaning(d);
    const body = $('#dbody');
    body.textContent = '';
    document.querySelectorAll('#detail .tabs button[data-tab]').forEach((b) => b.classList.toggle('on', b.dataset.tab === tab));
    const json = tab === 'tree' && d.text != null ? jsonOf(d.text) : undefined;
    if (json !== undefined) { body.appendChild(jsonTree(json, { n: 0 })); return; }
    const pre = document.createElement('pre');
    pre.textContent = tab === 'hex' || d.text == null ? hexDump(payloadBytes(d)) : d.text;
    body.appendChild(pre);
  }
  // jsonOf returns the JSON a payload is or holds after a short protocol
  // prefix (a Socket.IO packet's 42/nsp,17 before its array of event and
  // arguments), undefined when there is none.
  function jsonOf(text) {
    try { return JSON.parse(text); } catch (e) { /* a prefix, maybe */ }
    const m = /^[^[{"]{1,64}?([[{][\s\S]*)$/.exec(text);
    if (!m) return undefined;
    try { return JSON.parse(m[1]); } catch (e) { return undefined; }
  }
  // showMeaning lists, above the payload, what the message means in its
  // session's protocol and how it travelled; nothing when neither is known.
  function showMeaning(d) {
    const el = $('#proto'), p = d.proto || {}, e = d.sse || {}, h = d.http || {};
    el.textContent = '';
    const fields = [['kind', p.kind], ['channel', p.channel], ['name', p.name], ['id', p.id],
      ['heartbeat', p.heartbeat ? 'yes' : ''], ['messages', p.count ? String(p.count) : ''],
      ['begins in', p.from_seq ? '#' + p.from_seq : ''], ['summary', p.summary],
      ['event', d.sse && !e.no_data ? e.event || 'message' : ''], ['event id', e.id != null ? JSON.stringify(e.id) : ''],
      ['retry', e.retry_ms ? e.retry_ms + ' ms' : ''], ['no data', e.no_data ? 'an EventSource dispatches no event for it' : ''],
      ['method', h.method], ['url', h.url], ['status', h.status ? String(h.status) : ''], ['content type', h.content_type],
      ['transport', d.transport]];
    el.hidden = !fields.some(([, v]) => v);
    for (const [k, v] of fields) {
      if (!v) continue;
      const line = el.appendChild(document.createElement('div'));
      line.dataset.field = k;
      line.appendChild(document.createElement('span')).textContent = k;
      line.appendChild(document.createElement('code')).textContent = v;
    }
  }
  function jsonTree(v, budget) {
    const span = (cls, t) => { const s = document.createElement('span'); s.className = cls; s.textContent = t; return s; };
    if (++budget.n > 5000) return span('z', '…');
    if (v === null) return span('z', 'null');
    if (typeof v !== 'object') return span(typeof v === 'string' ? 's' : typeof v === 'number' ? 'n' : 'b', JSON.stringify(v));
    const det = document.createElement('details');
    det.open = budget.n < 200;
    const keys = Object.keys(v);
    det.appendChild(document.createElement('summary')).textContent = Array.isArray(v) ? '[' + keys.length + ']' : '{' + keys.length + '}';
    for (const k of keys) {
      const line = document.createElement('div');
      line.appendChild(span('k', (Array.isArray(v) ? k : JSON.stringify(k)) + ': '));
      line.appendChild(jsonTree(v[k], budget));
      det.appendChild(line);
    }
    const root = document.createElement('div');
    root.className = 'tree';
    root.appendChild(det);
    return root;
  }
  function hexDump(b) {
    const lines = [], n = Math.min(b.length, 64 * 1024);
    for (let i = 0; i < n; i += 16) {
      const chunk = b.subarray(i, Math.min(i + 16, n));
      const hex = Array.from(chunk, (x) => x.toString(16).padStart(2, '0')).join(' ');
      const asc = Array.from(chunk, (x) => (x >= 32 && x < 127 ? String.fromCharCode(x) : '.')).join('');
      lines.push(i.toString(16).padStart(8, '0') + '  ' + hex.padEnd(48) + ' ' + asc);
    }
    if (b.length > n) lines.push('… ' + (b.length - n) + ' more bytes');
    return lines.join('\n');
  }
  document.querySelectorAll('#detail .tabs button[data-tab]').forEach((b) => b.addEventListener('click', () => { tab = b.dataset.tab; if (detail) showDetail(); }));
  $('#copy').addEventListener('click', () => {
    if (!detail) return;
    const t = detail.text != null ? detail.text : detail.binary;
    (navigator.clipboard ? navigator.clipboard.writeText(t) : Promise.reject(new Error('no clipboard'))).then(() => msg('copied'), () => msg('copy refused by the browser'));
  });

  // ---- the overview: density each way, ending, search hits, playheads ----
  const ov = $('#ov');
  function drawOverview() {
    if (!st.info) return;
    const dpr = window.devicePixelRatio || 1, w = ov.clientWidth, h = ov.clientHeight;
    ov.width = w * dpr; ov.height = h * dpr;
    const g = ov.getContext('2d');
    g.scale(dpr, dpr);
    g.clearRect(0, 0, w, h);
    const hist = st.info.histogram, mid = h / 2, x = (ns) => (ns / st.duration) * w;
    if (hist) {
      const peak = Math.max(1, ...hist.receive, ...hist.send);
      const bw = Math.max(1, x(hist.bin_ns));
      for (let i = 0; i < hist.receive.length; i++) {
        const px = x(i * hist.bin_ns);
        if (px > w) break;
        g.fillStyle = '#3b82f6'; g.fillRect(px, mid - (Math.sqrt(hist.receive[i] / peak) * (mid - 4)), bw, Math.sqrt(hist.receive[i] / peak) * (mid - 4));
        g.fillStyle = '#f97316'; g.fillRect(px, mid, bw, Math.sqrt(hist.send[i] / peak) * (mid - 4));
      }
    }
    g.fillStyle = '#ccc'; g.fillRect(0, mid, w, 1);
    if (st.range) { g.fillStyle = 'rgba(59,130,246,.15)'; g.fillRect(x(st.range[0]), 0, x(st.range[1]) - x(st.range[0]), h); }
    if (st.hitOffsets && st.filter.q) {
      g.fillStyle = '#ca8a04';
      for (const o of st.hitOffsets.length > 20000 ? st.hitOffsets.filter((_, i) => i % Math.ceil(st.hitOffsets.length / 20000) === 0) : st.hitOffsets) g.fillRect(x(o), 0, 1, 6);
    }
    const f = st.info.figures;
    if (f && f.ending !== 'open') { g.fillStyle = f.ending.endsWith('drop') ? '#dc2626' : '#16a34a'; g.fillRect(w - 3, 0, 3, h); }
    for (const rp of st.replays.values()) {
      if (rp.session !== SESSION) continue;
      if (rp.state === 'ended') { // where it ended, and how (a fault, a close, the client leaving)
        g.fillStyle = /drop|hang|close/.test(rp.ended || '') ? '#dc2626' : '#9ca3af';
        g.fillRect(x(rp.pos.offset_ns), h - 10, 2, 10);
        continue;
      }
      g.fillStyle = rp.id === st.current ? '#111' : '#888';
      g.fillRect(x(rp.pos.offset_ns) - 1, 0, 2, h);
      g.fillText(rp.id, Math.min(w - 20, x(rp.pos.offset_ns) + 3), 10);
    }
  }
  let dragFrom = null;
  ov.addEventListener('mousedown', (e) => { dragFrom = e.offsetX; });
  ov.addEventListener('mouseup', async (e) => {
    if (dragFrom == null || !st.info) return;
    const ns = (px) => (Math.max(0, Math.min(px, ov.clientWidth)) / ov.clientWidth) * st.duration;
    const a = ns(Math.min(dragFrom, e.offsetX)), b = ns(Math.max(dragFrom, e.offsetX));
    const click = Math.abs(e.offsetX - dragFrom) < 4;
    dragFrom = null;
    st.range = click ? null : [a, b];
    const seq = await src.seqAt(a);
    drawOverview();
    ensureVisible(indexOf(seq));
    render();
    if (click && current()) command('seek', { percent: Math.min(100, (a / st.duration) * 100) }, true);
  });

  // ---- live replays: the events stream and the controls ----
  const current = () => { const rp = st.replays.get(st.current); return rp && rp.state !== 'ended' ? rp : null; };
  // live returns the replay the controls steer, or says there is none.
  const live = () => current() || (msg('no client connected: the controls act on a live replay'), null);
  function updateReplay(rp) {
    const known = st.replays.get(rp.id);
    if (known && known.rev > rp.rev) return; // an older view, overtaken
    st.replays.set(rp.id, rp);
    if (rp.session === SESSION && rp.state !== 'ended' && !current()) st.current = rp.id;
    refreshControls();
  }
  function refreshControls() {
    const sel = $('#replay'), mine = [...st.replays.values()].filter((r) => r.session === SESSION);
    sel.textContent = '';
    if (!mine.length) sel.appendChild(new Option('none live', ''));
    for (const r of mine) {
      const o = sel.appendChild(new Option(r.id + (r.state === 'ended' ? ' (ended)' : ''), r.id, false, r.id === st.current));
      o.title = 'client ' + r.remote;
    }
    sel.disabled = !mine.length;
    const rp = st.replays.get(st.current);
    showState(rp);
    enableControls(!!current());
    if (rp && rp.state !== 'ended') { const sp = $('#speed'); if (document.activeElement !== sp) sp.value = String(rp.speed); }
    if (rp && $('#follow').checked && rp.next && rp.state !== 'ended') ensureVisible(indexOf(rp.next.seq));
    render();
    drawOverview();
  }
  // showState says, in words, where the replay the controls steer is; or,
  // with none live, why the controls are off.
  function showState(rp) {
    const s = $('#state'), text = $('#stateText'), next = $('#gotoNext'), more = $('#stateMore');
    next.hidden = true;
    more.textContent = '';
    if (!rp) {
      s.className = 'idle';
      text.textContent = 'no client connected — controls act on a live replay';
    } else if (rp.state === 'ended') {
      s.className = 'ended';
      text.textContent = rp.id + ' ended' + (rp.ended ? ' (' + rp.ended + ')' : '') + ' at message ' + rp.pos.seq + ' of ' + (rp.total ?? '?') +
        ' — controls act on a live replay: reconnect the client';
    } else {
      s.className = rp.state;
      text.textContent = rp.id + ' ' + rp.state + ' · message ' + rp.pos.seq.toLocaleString() + ' of ' + (rp.total == null ? '?' : rp.total.toLocaleString()) +
        (rp.next ? ' · ' : ' · nothing left to send');
      if (rp.next) {
        next.hidden = false;
        next.textContent = (rp.next.dir === 'send' ? 'next, from the client: #' : 'next to send: #') + rp.next.seq;
      }
      more.textContent = ' · speed ' + rp.speed + '×' + (rp.injected ? ' · ' + rp.injected + ' injected' : '');
    }
    s.title = s.textContent;
  }
  // enableControls turns the replay's controls on or off: with no live
  // replay they are disabled (the state says why), not silently inert.
  function enableControls(on) {
    for (const el of document.querySelectorAll('#toolbar .ctl')) el.disabled = !on;
    if (!on) showEndMenu(false);
    else if (/^no client connected/.test($('#msg').textContent)) msg('');
  }
  function showEndMenu(open) {
    $('#endMenu').hidden = !open;
    $('#endBtn').setAttribute('aria-expanded', String(open));
  }
  $('#endBtn').addEventListener('click', () => {
    const open = $('#endMenu').hidden;
    showEndMenu(open);
    if (open) $('#drop').focus();
  });
  $('#endMenu').addEventListener('keydown', (e) => { if (e.key === 'Escape') { showEndMenu(false); $('#endBtn').focus(); } });
  document.addEventListener('click', (e) => { if (!e.target.closest('.end-group')) showEndMenu(false); });
  const gotoNext = () => { const rp = live(); if (rp && rp.next) { ensureVisible(indexOf(rp.next.seq)); select(rp.next.seq); } };
  $('#gotoNext').addEventListener('click', gotoNext);
  $('#replay').addEventListener('change', (e) => { st.current = e.target.value; refreshControls(); });
  async function command(action, body, quiet) {
    const rp = live();
    if (!rp) return null;
    try {
      const v = await getJSON(API + 'replays/' + rp.id + '/' + action, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body || {}) });
      updateReplay(v);
      msg('');
      return v;
    } catch (e) { if (!quiet || !/backward/.test(e.message)) msg(action + ': ' + e.message); return null; }
  }
  // seekTo seeks forward, or restarts the replay for a seek backward.
  async function seekTo(body) {
    const rp = live();
    if (!rp) return;
    const back = body.seq != null ? body.seq <= rp.pos.seq : body.offset_ns < rp.pos.offset_ns;
    await command('seek', back ? { ...body, restart: true } : body);
  }
  const seekToSeq = (seq) => seekTo({ seq });
  const togglePlay = () => { const rp = live(); if (rp) command(rp.state === 'paused' ? 'resume' : 'pause'); };
  const stepOne = () => command('step', { count: 1 });
  const jump = (sec) => { const rp = live(); if (rp) seekTo({ offset_ns: Math.max(0, Math.min(st.duration, rp.pos.offset_ns + sec * 1e9)) }); };
  $('#play').addEventListener('click', togglePlay);
  $('#step').addEventListener('click', stepOne);
  $('#back5').addEventListener('click', () => jump(-5));
  $('#fwd5').addEventListener('click', () => jump(5));
  $('#seekSel').addEventListener('click', () => st.selected && seekToSeq(st.selected));
  $('#speed').addEventListener('change', (e) => command('speed', { speed: e.target.value === 'max' ? 'max' : Number(e.target.value) }));
  const inject = () => { const body = injectBody(); if (body) command('inject', body); };
  $('#inject').addEventListener('click', inject);
  $('#injectText').addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); inject(); } });

  // ---- inject by meaning ----
  // injectForm puts, where the session's injections have an event form
  // (info.inject: Socket.IO, event streams, a protocol whose profile writes
  // events), a select "event" / "raw" and the event's fields before the
  // inject box: the name, and an event stream's id; the box then holds the
  // arguments (JSON) or the data. injectBody reads them as the API takes
  // them; raw sends the box as text.
  function injectForm(info) {
    if (info.inject !== 'event') return;
    const sse = info.kind === 'sse', box = $('#injectText'), field = (id, placeholder, size) => {
      const el = document.createElement('input');
      Object.assign(el, { id, placeholder, size, className: 'ctl', disabled: box.disabled });
      el.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); inject(); } });
      return el;
    };
    const raw = sse ? 'data' : info.kind === 'socketio' ? 'packet: 42["tick",1]' : 'message as it is';
    const mode = document.createElement('select');
    Object.assign(mode, { id: 'injectMode', className: 'ctl', disabled: box.disabled, title: 'event: by its meaning; raw: ' + (sse ? 'the data of an unnamed event' : 'the ' + raw.replace(/:.*/, '')) });
    mode.append(new Option('event', 'event', true, true), new Option('raw', 'raw'));
    const fields = [field('injectName', 'event', 7)];
    if (sse) fields.push(field('injectId', 'id', 3));
    box.before(mode, ...fields);
    const sync = () => {
      const ev = mode.value === 'event';
      for (const f of fields) f.hidden = !ev;
      box.placeholder = ev ? (sse ? 'data' : 'args as JSON: [1,{"a":2}]') : raw;
    };
    mode.addEventListener('change', sync);
    sync();
  }
  function injectBody() {
    const text = $('#injectText').value, mode = $('#injectMode');
    if (!mode || mode.value === 'raw') return { text };
    const name = $('#injectName').value;
    if (st.info.kind === 'sse') {
      const body = { data: text };
      if (name) body.event = name;
      if ($('#injectId').value) body.id = $('#injectId').value;
      return body;
    }
    let args = [];
    try { if (text.trim()) args = JSON.parse(text); } catch (e) { msg('inject: the arguments are not JSON: ' + e.message); return null; }
    return { event: name, args: Array.isArray(args) ? args : [args] };
  }
  const end = (action, body) => { showEndMenu(false); command(action, body); };
  $('#drop').addEventListener('click', () => end('drop'));
  $('#hang').addEventListener('click', () => end('hang'));
  $('#close').addEventListener('click', () => end('close', { code: Number($('#closeCode').value), reason: $('#closeReason').value }));
  faultControl();
  // faultControl wires the faults menu: its inputs set the replay's faults
  // (POST replays/{id}/faults, package fault's syntax), replacing its own.
  function faultControl() {
    const body = () => {
      const b = {}, lat = $('#faultLatency').value.trim(), bw = $('#faultBandwidth').value.trim(), rule = $('#faultRule').value.trim();
      if (lat) b.latency = lat;
      if (bw) b.bandwidth = bw;
      if (rule) b.messages = [rule];
      return b;
    };
    const menu = (open) => { $('#faultMenu').hidden = !open; $('#faultBtn').setAttribute('aria-expanded', String(open)); };
    $('#faultBtn').addEventListener('click', () => { menu($('#faultMenu').hidden); if (!$('#faultMenu').hidden) $('#faultLatency').focus(); });
    $('#faultMenu').addEventListener('keydown', (e) => { if (e.key === 'Escape') { menu(false); $('#faultBtn').focus(); } });
    document.addEventListener('click', (e) => { if (!e.target.closest('.fault-group')) menu(false); });
    $('#faultApply').addEventListener('click', () => { menu(false); command('faults', body()); });
    $('#faultStall').addEventListener('click', () => { menu(false); command('faults', { ...body(), stall: '5s' }); });
  }
  function listen() {
    const es = new EventSource(API + 'events');
    es.addEventListener('hello', (e) => { for (const rp of JSON.parse(e.data).replays) updateReplay(rp); });
    for (const name of ['replay.opened', 'replay.state', 'replay.position', 'replay.client', 'replay.injected', 'replay.fault', 'replay.ended']) {
      es.addEventListener(name, (e) => updateReplay(JSON.parse(e.data)));
    }
  }

  // ---- filters: the list filters as you type; Enter goes to the next match ----
  let filterGen = 0; // the latest filter asked for: older answers are dropped
  async function applyFilter() {
    const gen = ++filterGen;
    st.filter = { dir: $('#dir').value, q: $('#q').value, regex: $('#regex').checked };
    st.pages.clear();
    if (!st.filter.dir && !st.filter.q) { st.hits = st.hitOffsets = st.hitSet = null; msg(''); layout(); drawOverview(); return; }
    let r = null;
    try {
      if (st.filter.regex) new RegExp(st.filter.q); // a clear error before asking
      msg('searching…');
      r = await src.search(st.filter);
    } catch (e) { if (gen === filterGen) msg(e.message); return; }
    if (gen !== filterGen) return;
    st.hits = r.hits; st.hitOffsets = r.offsets; st.hitSet = new Set(r.hits);
    msg(r.hits.length ? '' : 'no match');
    list.scrollTop = 0;
    layout();
    drawOverview();
  }
  let typing = null, pending = null;
  // filterSoon applies the filter once typing pauses.
  function filterSoon() {
    clearTimeout(typing);
    typing = setTimeout(() => { typing = null; pending = applyFilter(); }, 250);
  }
  // nextMatch selects the first match after the selected message (from the
  // top after the last), the filter applied first if typing was pending.
  async function nextMatch() {
    if (typing) { clearTimeout(typing); typing = null; pending = applyFilter(); }
    await pending;
    if (!st.hits || !st.hits.length) return;
    const i = st.selected ? indexOf(st.selected + 1) : 0;
    const at = i < st.hits.length ? i : 0;
    ensureVisible(at);
    select(st.hits[at]);
  }
  $('#q').addEventListener('input', filterSoon);
  $('#q').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); nextMatch(); }
    if (e.key === 'Escape') { e.preventDefault(); list.focus(); }
  });
  $('#dir').addEventListener('change', () => { pending = applyFilter(); });
  $('#regex').addEventListener('change', () => { if ($('#q').value) pending = applyFilter(); });
  $('#clear').addEventListener('click', () => { $('#q').value = ''; $('#dir').value = ''; pending = applyFilter(); });

  // ---- keys ----
  const help = $('#help');
  $('#helpLink').addEventListener('click', (e) => { e.preventDefault(); help.classList.toggle('on'); });
  help.addEventListener('click', () => help.classList.remove('on'));
  function moveSelection(d) {
    const i = Math.max(0, Math.min(viewCount() - 1, (st.selected ? indexOf(st.selected) : firstIndex() - d) + d));
    ensureVisible(i);
    select(seqOf(i));
  }
  document.addEventListener('keydown', (e) => {
    // Typing goes to the field; Space and Enter on a button press it.
    const field = e.target.closest && (e.target.closest('input, select, textarea') || e.target.closest('button') && (e.key === ' ' || e.key === 'Enter'));
    if (field || e.ctrlKey || e.metaKey || e.altKey) return;
    const keys = {
      ' ': togglePlay, '.': stepOne, ArrowLeft: () => jump(-5), ArrowRight: () => jump(5),
      Enter: () => st.selected && seekToSeq(st.selected), '/': () => $('#q').focus(), '?': () => help.classList.toggle('on'),
      Escape: () => help.classList.remove('on'), ArrowDown: () => moveSelection(1), ArrowUp: () => moveSelection(-1),
      j: () => moveSelection(1), k: () => moveSelection(-1), n: gotoNext,
    };
    const fn = keys[e.key];
    if (!fn) return;
    e.preventDefault();
    if (!src.live && [' ', '.', 'ArrowLeft', 'ArrowRight', 'Enter', 'n'].includes(e.key)) return;
    fn();
  });

  // ---- start ----
  // start shows the first rows at once, and the whole session once its
  // figures come (the server indexes a session on its first visit).
  async function start() {
    try {
      // The rows first: asked together, the index's build would slow them.
      const first = await src.rows(1, PAGE, st.filter);
      st.pages.set(0, { rows: first });
      st.total = first.length;
      msg(first.length === PAGE ? 'indexing the session…' : '');
      layout();
      window.wsreplayFirstRows = performance.now();
      st.info = await src.info();
    } catch (e) { msg(e.message); return; }
    msg('');
    st.pages.clear();
    const f = st.info.figures || {};
    st.total = f.messages || 0;
    st.duration = Math.max(1, f.duration_ns || 1);
    $('#figures').textContent = (st.info.url || '/') + ' · ' + fmtDur(f.duration_ns || 0) + ' · ' + (f.sent || 0).toLocaleString() + ' ↑ ' +
      (f.received || 0).toLocaleString() + ' ↓ · ' + fmtSize(f.bytes || 0) + ' · ' + (f.ending || 'open') +
      (st.info.protocol ? ' · ' + st.info.protocol : '');
    layout();
    drawOverview();
    list.focus();
    if (src.live) { injectForm(st.info); listen(); }
    window.wsreplayTimeline = { st, scrollToIndex, render, viewCount }; // for tests and the curious
  }
  start();
})();
