#!/usr/bin/env node
// Runs the browser smoke page (test/runtimes/browser/index.html) in headless Chromium:
//   node scripts/browser-smoke.mjs [/usr/bin/chromium]
// Serves the repository from 127.0.0.1 with the COOP/COEP headers that make the page cross-origin
// isolated (SharedArrayBuffer exists only then), drives Chromium with playwright-core, and prints the
// page's per-test lines and a `THREADKIT_SMOKE_RESULT <json>` line. Exits 1 if any test failed.
// playwright-core comes from node_modules, or from PLAYWRIGHT_CORE_DIR (a folder holding it).
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PAGE = '/test/runtimes/browser/index.html';
const PAGE_TIMEOUT_MS = 60_000;
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
};

async function loadPlaywright() {
  const dir = process.env.PLAYWRIGHT_CORE_DIR;
  if (dir)
    return import(
      pathToFileURL(createRequire(join(resolve(dir), 'noop.js')).resolve('playwright-core')).href
    );
  return import('playwright-core');
}

/** Serves dist/ and test/ only, with cross-origin isolation headers on every response. */
function serve() {
  const server = createServer((req, res) => {
    void (async () => {
      const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      const headers = {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
        'Cache-Control': 'no-store',
      };
      if (path === '/favicon.ico') {
        res.writeHead(204, headers).end();
        return;
      }
      if (!/^\/(dist|test)\//.test(path)) {
        res.writeHead(404, headers).end();
        return;
      }
      try {
        const body = await readFile(join(ROOT, path));
        res.writeHead(200, {
          ...headers,
          'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream',
        });
        res.end(body);
      } catch {
        res.writeHead(404, headers).end();
      }
    })();
  });
  return new Promise((resolveServer) => server.listen(0, '127.0.0.1', () => resolveServer(server)));
}

const executablePath = process.argv[2] ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const playwright = await loadPlaywright();
const chromium = playwright.chromium ?? playwright.default.chromium;
const server = await serve();
const browser = await chromium.launch({ executablePath, args: FLAGS, headless: true });
let result;
try {
  const page = await browser.newPage();
  page.on('console', (msg) => console.log(msg.text()));
  page.on('pageerror', (err) => console.log(`page error: ${err.message}`));
  await page.goto(`http://127.0.0.1:${server.address().port}${PAGE}`);
  await page.waitForFunction(() => window.__threadkitSmoke !== undefined, undefined, {
    timeout: PAGE_TIMEOUT_MS,
  });
  result = await page.evaluate(() => window.__threadkitSmoke);
} finally {
  await browser.close();
  server.close();
}
console.log(`THREADKIT_SMOKE_RESULT ${JSON.stringify(result)}`);
process.exit(result.failed === 0 ? 0 : 1);
