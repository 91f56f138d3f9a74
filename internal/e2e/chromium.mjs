// What the Chromium tests share: a page served from its own origin on
// loopback, and Debian's Chromium started as this machine needs it
// (headless, no sandbox as root, none of the background networking that a
// closed network refuses), with a fresh profile.
import { chromium } from 'playwright-core';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// servePage serves html on 127.0.0.1 and returns its URL and close().
// files maps other paths to files served as JavaScript (a library's
// browser bundle, from node_modules: no CDN).
export async function servePage(html, files = {}) {
  const server = http.createServer((req, res) => {
    const file = files[new URL(req.url, 'http://x').pathname];
    if (file) {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      res.end(fs.readFileSync(file));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}

// launch starts Chromium ($CHROMIUM, else /usr/bin/chromium) and returns its
// BrowserContext and close(), which also removes the profile.
export async function launch() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wsreplay-chromium-'));
  const browser = await chromium.launchPersistentContext(dataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// runPage serves html (and files, as servePage) on its own origin, opens it
// in a fresh Chromium, and returns what read() evaluates to in the page once
// until() is true there (checked every polling ms, for up to a minute).
// before(tab), if given, runs on the new tab before it loads the page (to
// route its requests). The browser and the server are closed on return.
export async function runPage(html, { files, before, until, read, polling = 50 }) {
  const server = await servePage(html, files);
  const { browser, close } = await launch();
  try {
    const tab = await browser.newPage();
    if (before) await before(tab);
    await tab.goto(server.url);
    await tab.waitForFunction(until, null, { timeout: 60000, polling });
    return await tab.evaluate(read);
  } finally {
    await close();
    server.close();
  }
}
