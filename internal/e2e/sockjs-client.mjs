// A sockjs-client (1.6) application for wsreplay's interoperability tests:
// opens a SockJS connection to URL (an http:// base such as
// http://127.0.0.1:8765/echo) with the default transports, says "hello",
// says "done" after {"n":3}, and records what it saw until the close;
// then does it all again with a new SockJS object, as a page reload does.
// Prints both runs as JSON: the transport chosen, the messages, and the
// SockJS close code and reason.
// Usage: node sockjs-client.mjs URL [TRANSPORT]; TRANSPORT (websocket,
// xhr-streaming, xhr-polling) forces that transport.
import SockJS from 'sockjs-client';

function run(url, transport) {
  return new Promise((resolve) => {
    const seen = { transport: null, messages: [], close: null };
    const sock = new SockJS(url, null, transport ? { transports: [transport] } : {});
    const timer = setTimeout(() => { seen.error = 'timeout'; resolve(seen); }, 30000);
    sock.onopen = () => {
      seen.transport = sock.transport;
      sock.send('hello');
    };
    sock.onmessage = (e) => {
      seen.messages.push(e.data);
      if (e.data === '{"n":3}') sock.send('done');
    };
    sock.onclose = (e) => {
      clearTimeout(timer);
      seen.close = { code: e.code, reason: e.reason };
      resolve(seen);
    };
  });
}

const [url, transport] = process.argv.slice(2);
const runs = [await run(url, transport), await run(url, transport)];
console.log(JSON.stringify(runs));
process.exit(0);
