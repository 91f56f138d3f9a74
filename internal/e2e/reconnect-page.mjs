// The reconnect loop of the pages of browser.mjs and faults-browser.mjs,
// one function: they put its source into their pages.

// reconnectLoop opens new WebSocket(url) and, 100 ms after every close,
// opens it again, as real frontends do, until connections connections have
// opened and closed (or 200 attempts were made); then it calls done().
// on.open(), on.message(m, t) and on.close(c, t) are called for each
// connection that opened (close only for those), t being the milliseconds
// since it opened; binaryType, if given, is set on each WebSocket.
// It is self-contained: its source runs in a page.
export function reconnectLoop(url, connections, binaryType, on, done) {
  let opened = 0, attempts = 0;
  const connect = () => {
    attempts++;
    const ws = new WebSocket(url);
    if (binaryType) ws.binaryType = binaryType;
    let isOpen = false, t0 = 0;
    const t = () => Math.round(performance.now() - t0);
    ws.onopen = () => { isOpen = true; opened++; t0 = performance.now(); on.open(); };
    ws.onmessage = (m) => on.message(m, t());
    ws.onclose = (c) => {
      if (isOpen) on.close(c, t());
      if ((opened >= connections && isOpen) || attempts > 200) { done(); return; }
      setTimeout(connect, 100);
    };
  };
  connect();
}
