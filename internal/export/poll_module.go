package export

import "fmt"

// writePoll writes the module of a poll session.
func writePoll(target Target, s *Session, opts *Options) (*Files, error) {
	xs := pollExchanges(s)
	if len(xs) == 0 {
		return nil, fmt.Errorf("session %s has no answered request: nothing to mock", s.ID)
	}
	code := pollPlaywrightAPI
	if target == MSW {
		code = pollMSWAPI
	}
	return writeHTTPKind(target, s, opts, "exchanges", pollDataDoc, pollArray(xs, false), pollArray(xs, true), code+pollAnswering+pollBytes(target))
}

// pollAnswering holds the answers back to their recorded pace, for either
// target's API.
const pollAnswering = `
/**
 * Returns answer(request), which resolves to the recorded exchange of the
 * k-th request it is called with, when it is due (its recorded offset from
 * the first request, scaled by speed); undefined past the recording.
 */
function answering(options) {
  const speed = speedOf(options);
  let asked = 0;
  let first;
  return async (request) => {
    const k = asked++;
    if (k >= exchanges.length) return undefined;
    options.onRequest?.(request);
    first ??= performance.now();
    const due = speed === "max" ? 0 : first + exchanges[k].at / speed;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    return exchanges[k];
  };
}
`

func pollBytes(target Target) string {
	if target == Playwright {
		return payloadNode
	}
	return payloadWeb
}

const pollDataDoc = `/**
 * The recorded exchanges, in order: the k-th request gets the k-th
 * response. at: milliseconds from the first request to this response;
 * method and url: the recorded request (for the reader: requests are
 * matched by order, never by query, whose cache-busters differ); status,
 * headers and body (text, or binary as base64) of the response.
 */
`

const pollPlaywrightUsage = `In a Playwright test, before the page starts polling:

  import replay from "./MODULE";

  test("replays the recorded polling", async ({ page }) => {
    await replay(page, { speed: "max" });
    await page.goto("/");
  });

replay(page, options) routes the requests of page (or of a BrowserContext)
whose URL matches options.url (a string, glob or RegExp; default: the
recorded path on any host): the k-th gets the k-th recorded response, held
until its recorded offset from the first request (at once if that has
passed). Requests past the recording fall back to the routes installed
before this one (route.fallback()). It resolves once the route is in place.
`

const pollMSWUsage = `With MSW (2.x), in Node or in the browser:

  import { setupServer } from "msw/node";
  import { handlers, configure } from "./MODULE";

  configure({ speed: "max" });
  const server = setupServer(...handlers);
  server.listen();

handlers answers the requests whose URL matches the recorded path on any
host (configure({ url }) sets another string or RegExp: call it before the
handlers are passed to setupServer or setupWorker): the k-th gets the k-th
recorded response, held until its recorded offset from the first request
(at once if that has passed). Requests past the recording go on to the
next handler (or the network).
`

const pollOptions = `
Options: speed (a number, or "max" or 0 for no waiting; default 1) scales the
recorded offsets; onRequest(request) is called with each request answered.`

// pollPlaywrightAPI answers with page.route.
const pollPlaywrightAPI = `/**
 * Routes the requests of page (a Page or a BrowserContext) that match
 * options.url to the recorded responses, in order; resolves once the route
 * is in place.
 */
export default async function replay(page, options = {}) {
  const url = options.url ?? ((u) => u.pathname === session.path);
  const answer = answering(options);
  await page.route(url, async (route) => {
    const x = await answer(route.request());
    if (x === undefined) return route.fallback();
    const origin = route.request().headers()["origin"];
    await route.fulfill({
      status: x.status,
      headers: { ...(origin ? { "access-control-allow-origin": origin } : {}), ...x.headers },
      body: x.body ?? payload({ binary: x.binary }),
    });
  });
}
`

// pollMSWAPI answers with MSW's http handlers.
var pollMSWAPI = `let settings = {};

` + httpRecordedURL + `
` + mswConfigure("http.all()") + `
function handler(url) {
  let answer;
  return http.all(url, async ({ request }) => {
    answer ??= answering(settings);
    const x = await answer(request);
    if (x === undefined) return undefined; // past the recording: the next handler
    const body = x.body ?? payload({ binary: x.binary });
    return new HttpResponse(x.status === 204 || x.status === 304 ? null : body, { status: x.status, headers: x.headers });
  });
}

/** The request handlers to pass to setupServer or setupWorker. */
export const handlers = [handler(recordedURL)];
`
