package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"sync"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/remote"
)

// Names under which a Chromium is looked for on PATH, in this order.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"}

// LaunchOptions say how Launch starts the browser. The zero value starts
// the first Chromium found on PATH, with a window, on a fresh temporary
// profile removed when it stops.
type LaunchOptions struct {
	// Exec is the browser's executable; "": the first of chromium,
	// chromium-browser, google-chrome found on PATH.
	Exec string
	// Profile is the user data directory to use and keep; "": a fresh
	// temporary one.
	Profile string
	// Headless runs the browser without a window.
	Headless bool
}

// ErrNoChromium is returned by Launch when no browser is given and none is
// found on PATH.
var ErrNoChromium = errors.New("no Chromium found on PATH (chromium, chromium-browser, google-chrome)")

// FindChromium returns the path of the first Chromium on PATH.
func FindChromium() (string, error) {
	for _, name := range chromiumNames {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// Launch starts a browser (with chromedp's allocator) on about:blank with
// a DevTools port of its own, and returns its DevTools address for Run,
// and stop, which closes the browser and removes a temporary profile.
// exited is closed when the browser process ends, whoever ended it.
func Launch(ctx context.Context, o *LaunchOptions) (addr string, exited <-chan struct{}, stop func(), err error) {
	if o == nil {
		o = &LaunchOptions{}
	}
	path := o.Exec
	if path == "" {
		if path, err = FindChromium(); err != nil {
			return "", nil, nil, err
		}
	}
	if !o.Headless && runtime.GOOS == "linux" && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return "", nil, nil, errors.New("no display for a browser window (DISPLAY is not set)")
	}
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(path), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-timer-throttling", true), chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true), chromedp.Flag("disable-dev-shm-usage", true)}
	if o.Headless {
		opts = append(opts, chromedp.Headless)
	}
	if o.Profile != "" {
		opts = append(opts, chromedp.UserDataDir(o.Profile))
	}
	var mu sync.Mutex
	opts = append(opts, chromedp.WithDialer(func(ctx context.Context, wsURL string) (chromedp.Transport, error) {
		mu.Lock()
		addr = wsURL
		mu.Unlock()
		return remote.DialContext(ctx, wsURL)
	}))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.WithoutCancel(ctx), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	stop = func() { cancelBrowser(); cancelAlloc() }
	if err := chromedp.Do(bctx); err != nil {
		stop()
		return "", nil, nil, fmt.Errorf("start %s: %w", path, err)
	}
	mu.Lock()
	defer mu.Unlock()
	return addr, chromedp.FromContext(bctx).Browser.LostConnection, stop, nil
}

// DebuggerURL returns the browser's DevTools address for a Chromium
// started with --remote-debugging-port: addr as given when it names one
// (ws://127.0.0.1:9222/devtools/browser/<id>), else the one the browser's
// /json/version answers for ws://HOST:PORT or http://HOST:PORT.
func DebuggerURL(ctx context.Context, addr string) (string, error) {
	u, err := url.Parse(addr)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("not a DevTools address: %q (want ws://127.0.0.1:9222)", addr)
	}
	if u.Path != "" && u.Path != "/" {
		return addr, nil
	}
	switch u.Scheme {
	case "ws", "http":
		u.Scheme = "http"
	case "wss", "https":
		u.Scheme = "https"
	default:
		return "", fmt.Errorf("not a DevTools address: %q (want ws://127.0.0.1:9222)", addr)
	}
	u.Path = "/json/version"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("find the browser at %s: %w", addr, err)
	}
	defer resp.Body.Close()
	// The one field of /json/version used here (an HTTP endpoint of the
	// browser, not a protocol message cdproto describes).
	var v struct {
		WebSocketDebuggerURL string `json:"webSocketDebuggerUrl"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 1<<20)).Decode(&v); err != nil || v.WebSocketDebuggerURL == "" {
		return "", fmt.Errorf("find the browser at %s: no DevTools address in its /json/version", addr)
	}
	return v.WebSocketDebuggerURL, nil
}
