package export

// writeSSE writes the module of a Server-Sent Events session.
func writeSSE(target Target, s *Session, opts *Options) (*Files, error) {
	code := ssePlaywrightAPI
	if target == MSW {
		code = sseMSWAPI
	}
	return writeHTTPKind(target, s, opts, "events", sseDataDoc, sseEvents(s, false), sseEvents(s, true), code)
}

const sseDataDoc = `/**
 * The recorded events, in order. at: milliseconds from the stream's start;
 * event, id (present when the event had one, even empty), retry (ms) and
 * data (its lines joined by "\n"; absent for a block with no data field,
 * which an EventSource does not dispatch but whose id and retry it keeps).
 */
`

const ssePlaywrightUsage = `In a Playwright test, before the page opens its EventSource:

  import replay from "./MODULE";

  test("replays the recorded event stream", async ({ page }) => {
    await replay(page);
    await page.goto("/");
  });

replay(page, options) routes the page's (or a BrowserContext's) first
request whose URL matches options.url (a string, glob or RegExp; default:
the recorded path on any host) to the recorded stream, as one
text/event-stream response; later requests fall back to the routes
installed before this one (route.fallback()), so several sessions'
modules installed from the last recorded to the first answer an
EventSource's reconnections in recorded order. It resolves once the
route is in place.

Timing: route.fulfill() sends a whole body at once, so the page gets
every event as soon as the stream opens, in the recorded order, with its
event, id and retry; the recorded offsets (events[].at) are not kept.
The body then ends, as a server ending its response does: an EventSource
reconnects after its retry time. Where the pace matters, use the MSW
module or "wsreplay serve".
`

const sseMSWUsage = `With MSW (2.10 or later, which has sse()), in Node or in the browser:

  import { setupServer } from "msw/node";
  import { handlers, configure } from "./MODULE";

  configure({ speed: "max" });
  const server = setupServer(...handlers);
  server.listen();

handlers answers the first EventSource request whose URL matches the
recorded path on any host (configure({ url }) sets another string or
RegExp: call it before the handlers are passed to setupServer or
setupWorker) with the recorded events at their recorded offsets from the request, with their
event, id and retry, then the recorded ending: the stream ends (a clean
end), errors (a cut stream), or stays open (the client left, or no
ending). Later requests go on to the next handler: several sessions'
handlers, in recorded order, answer an EventSource's reconnections in
turn. MSW's sse() cannot send an empty id (which resets the last event
id): such an id is left out. It needs a global EventSource where the
handler is made (browsers; Node 22 or later with --experimental-eventsource,
or a stand-in) and answers requests with Accept: text/event-stream only.
`

const sseOptions = `
Options (MSW): speed (a number, or "max" or 0 for no waiting; default 1)
scales the recorded offsets, counted from the request; onRequest(request)
is called with each request the handler answers.`

// ssePlaywrightAPI routes the stream with page.route.
const ssePlaywrightAPI = `/** The text of the event stream, every event in order. */
export function body() {
  return events.map(eventText).join("");
}

/** One event as text/event-stream writes it. */
function eventText(e) {
  let text = "";
  if (e.retry !== undefined) text += "retry: " + e.retry + "\n";
  if (e.id !== undefined) text += "id: " + e.id + "\n";
  if (e.event !== undefined) text += "event: " + e.event + "\n";
  if (e.data !== undefined) for (const line of e.data.split("\n")) text += "data: " + line + "\n";
  return text + "\n";
}

/**
 * Routes the first request of page (a Page or a BrowserContext) that
 * matches options.url to the recorded stream; later ones fall back.
 * Resolves once the route is in place.
 */
export default async function replay(page, options = {}) {
  const url = options.url ?? ((u) => u.pathname === session.path);
  let served = false;
  await page.route(url, async (route) => {
    if (served) return route.fallback();
    served = true;
    options.onRequest?.(route.request());
    const origin = route.request().headers()["origin"];
    await route.fulfill({
      status: 200,
      headers: {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        ...(origin ? { "access-control-allow-origin": origin } : {}),
      },
      body: body(),
    });
  });
}
`

// sseMSWAPI answers the stream with MSW's sse().
var sseMSWAPI = `let settings = {};

` + httpRecordedURL + `
` + mswConfigure("sse()") + `
// The handler answers one stream, its first request's: later requests (an
// EventSource reconnecting) go on to the next handler, which may be the
// next recorded session's.
function handler(url) {
  let served = false;
  return sse(
    ({ request }) => !served && matchRequestUrl(new URL(request.url), url).matches,
    ({ client, request }) => {
      served = true;
      settings.onRequest?.(request);
      play(client, settings);
    },
  );
}

/** The request handlers to pass to setupServer or setupWorker. */
export const handlers = [handler(recordedURL)];

/** Sends the events to one stream at their recorded offsets, then the ending. */
async function play(client, options) {
  const speed = speedOf(options);
  const time = clock(speed);
  const start = performance.now();
  for (const e of events) {
    if (speed !== "max") await time.sleepUntil(time.due(e.at, start, 0));
    if (e.retry !== undefined) client.send({ retry: e.retry });
    if (e.data === undefined && !e.id) continue;
    client.send({ id: e.id || undefined, event: e.event, data: e.data });
  }
  if (ending === null || ending.code === 1001) return; // the client left: it closes
  if (speed !== "max") await time.sleepUntil(time.due(ending.at, start, 0));
  if (ending.clean) client.close();
  else client.error();
}
`

// httpRecordedURL is recordedURL of an MSW module over HTTP (poll, SSE).
const httpRecordedURL = `/** The recorded path on any host, http: or https:. */
const recordedURL = new RegExp(
  "^https?://[^/]+" + session.path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "$",
);
`
