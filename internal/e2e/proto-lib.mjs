// The part every proto-*.mjs client application of wsreplay's protocol
// tests shares: its arguments, its transcript, and the variations the test
// asks of it (slower than recorded, a pause, lingering past the end).
//
// Usage of every such script: node proto-NAME.mjs URL [NAME=VALUE ...]
//   late=MS      wait MS more before each request than the recording did
//   pause=MS     before request number pauseat= (default 2), pause the replay
//                through the control API at control=URL (.../_wsreplay/api)
//                for MS, the client idle and connected, then resume it
//   linger=MS    stay connected MS after the last step, before leaving
//   deadline=MS  give up after MS (default 30000): print an error line, exit 1
//
// The transcript goes to stdout: one JSON line per application-level event
// (data received, replies, callbacks), in the order the application saw
// them, with no random value in it. The last line is {"end":"ok","beats":N}
// (N: heartbeats answered, which may differ between runs) or
// {"error":"..."} and exit status 1.
export const url = process.argv[2];
export const arg = Object.fromEntries(process.argv.slice(3).map((a) => a.split(/=(.*)/s, 2)));

const late = Number(arg.late ?? 0);
const pause = Number(arg.pause ?? 0);
const pauseAt = Number(arg.pauseat ?? 2);
const lingerMs = Number(arg.linger ?? 0);
let requests = 0;
let beats = 0;
let ended = false;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// log adds one event to the transcript.
export function log(event) {
  if (!ended) process.stdout.write(JSON.stringify(event) + '\n');
}

// beat counts a heartbeat answered (a pong, a heartbeat reply, a keep-alive).
export function beat() {
  beats++;
}

// request is awaited before each request the application makes: it is
// where the client is made slower than recorded, and where the replay is
// paused.
export async function request() {
  requests++;
  if (pause > 0 && requests === pauseAt) await pauseReplay(pause);
  if (late > 0) await sleep(late);
}

// linger is awaited after the last step, before the client leaves.
export async function linger() {
  if (lingerMs > 0) await sleep(lingerMs);
}

// finish ends the transcript and the process: ok, or with the error.
export function finish(error) {
  if (ended) return;
  log(error ? { error: String(error?.message ?? error) } : { end: 'ok', beats });
  ended = true;
  // Let a close frame or the last write leave before the process ends.
  setTimeout(() => process.exit(error ? 1 : 0), 100);
}

async function api(method, path) {
  const resp = await fetch(arg.control + path, { method });
  if (!resp.ok) throw new Error(`${method} ${path}: ${resp.status} ${await resp.text()}`);
  return resp.json();
}

// pauseReplay pauses the one live replay of the server at control= for ms.
async function pauseReplay(ms) {
  const { replays } = await api('GET', '/replays');
  const live = replays.filter((r) => r.state !== 'ended');
  if (live.length !== 1) throw new Error(`pause: ${live.length} live replays, want 1: ${JSON.stringify(replays)}`);
  await api('POST', `/replays/${live[0].id}/pause`);
  await sleep(ms);
  await api('POST', `/replays/${live[0].id}/resume`);
}

const deadline = Number(arg.deadline ?? 30000);
setTimeout(() => finish(new Error(`deadline: not done after ${deadline} ms`)), deadline);
process.on('unhandledRejection', (err) => finish(err));
process.on('uncaughtException', (err) => finish(err));
