// The console tests' harness: a ddbd of their own, Debian's chromium
// driven by playwright-core (never a downloaded browser), a boto3 client
// for writes made from outside the browser, a local HTTP function for
// triggers, and the checks every test ends with (no console errors, no
// failed requests).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../..');
export const shotsDir = process.env.DDBD_CONSOLE_SHOTS || path.join(root, 'build', 'console-shots');
// DDBD_CONSOLE_DOCS=1 also writes the README's screenshots (docs/console/).
export const docsDir = process.env.DDBD_CONSOLE_DOCS ? path.join(root, 'docs', 'console') : null;

export async function startDdbd(args = []) {
  const bin = process.env.DDBD_BIN || path.join(root, 'build', 'ddbd');
  const proc = spawn(bin, ['--in-memory', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ddbd did not start: ${log}`)), 10000);
    proc.stdout.on('data', (d) => {
      const m = /listening on .*:(\d+)/.exec(String(d));
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    proc.on('exit', (code) => reject(new Error(`ddbd exited ${code}: ${log}`)));
  });
  return {
    proc, port, endpoint: `http://127.0.0.1:${port}`, log: () => log,
    // SIGTERM; a clean stop exits 0 (under the sanitizers, a leak would not).
    async stop() {
      if (proc.exitCode !== null) return proc.exitCode;
      const code = new Promise((resolve) => proc.on('exit', (c) => resolve(c)));
      proc.kill('SIGTERM');
      return code;
    },
  };
}

export async function launchBrowser() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ddbd-console-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.DDBD_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

// Everything the page reports that a user would call a failure: console
// errors and warnings, uncaught exceptions, requests that failed, and
// HTTP errors other than those the test expects (allow(url, status)).
export function watchPage(page, allow = () => false) {
  const problems = [];
  page.on('console', (m) => {
    // chromium logs every 4xx/5xx as a console error: the response listener below judges those
    if (m.text().startsWith('Failed to load resource: the server responded with a status of')) return;
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    // leaving the stream view closes its EventSource: the browser reports that as aborted
    if (r.failure()?.errorText === 'net::ERR_ABORTED' && r.url().includes('/_ddbd/streams/tail')) return;
    problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', async (r) => {
    if (r.status() < 400) return;
    let body = '';
    try { body = await r.text(); } catch { /* gone */ }
    if (!allow(r, body)) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()} ${body.slice(0, 200)}`);
  });
  return problems;
}

export async function screenshot(page, name) {
  await page.evaluate(() => document.getElementById('toasts')?.replaceChildren()); // notices are transient
  fs.mkdirSync(shotsDir, { recursive: true });
  await page.screenshot({ path: path.join(shotsDir, `${name}.png`) });
  if (docsDir) {
    fs.mkdirSync(docsDir, { recursive: true });
    await page.screenshot({ path: path.join(docsDir, `${name}.png`) });
  }
}

// boto3 from Debian's python3, one command at a time.
export async function startBoto3(endpoint, key = 'local', region = 'us-east-1') {
  const proc = spawn('/usr/bin/python3', [path.join(here, 'boto3_helper.py'), endpoint, key, region], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: proc.stdout });
  const waiting = [];
  lines.on('line', (l) => waiting.shift()?.(JSON.parse(l)));
  await new Promise((resolve) => waiting.push(resolve)); // {"ready": true}
  return {
    async call(op, args) {
      const reply = new Promise((resolve) => waiting.push(resolve));
      proc.stdin.write(`${JSON.stringify({ op, args })}\n`);
      const r = await reply;
      if (!r.ok) throw new Error(`${op}: ${r.error}`);
      return r.result;
    },
    stop() { proc.stdin.end(); },
  };
}

// A local function for triggers: answers every event with 200 and keeps the records.
export async function startFunction() {
  const records = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      try { records.push(...JSON.parse(body).Records); } catch { /* counted as nothing */ }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"batchItemFailures":[]}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/`, records, close: () => new Promise((r) => server.close(r)) };
}

export async function adminJson(endpoint, p, body) {
  const res = await fetch(endpoint + p, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  return res.json();
}
