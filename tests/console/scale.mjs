// The console against a big data set: 50 tables, 100,000 items in one of
// them. Prints how long the views take to show their first page (wall
// clock in chromium, from navigation to the rows on screen). Not part of
// scripts/test (loading takes a while): node tests/console/scale.mjs
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDdbd, launchBrowser, watchPage } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const TABLES = Number(process.env.SCALE_TABLES || 50);
const ITEMS = Number(process.env.SCALE_ITEMS || 100000);

const ddbd = await startDdbd(['--ttl-sweep-seconds', '0']);
const load = spawnSync('/usr/bin/python3', [path.join(here, 'scale_load.py'), ddbd.endpoint, String(TABLES), String(ITEMS)], { stdio: 'inherit' });
if (load.status !== 0) throw new Error('loading failed');
const browser = await launchBrowser();
const page = browser.context.pages()[0] || await browser.context.newPage();
const problems = watchPage(page);
const base = `${ddbd.endpoint}/_ddbd/console/`;
const results = [];
async function timed(what, go, ready, prepare = async () => {}) {
  const runs = [];
  for (let i = 0; i < 3; i++) {
    await prepare();
    const t0 = Date.now();
    await go();
    await ready();
    runs.push(Date.now() - t0);
  }
  runs.sort((a, b) => a - b);
  results.push({ what, median_ms: runs[1], runs });
}
await page.goto(base);
await page.locator('table').first().waitFor();
await timed('table list, first page (25 tables: ListTables + DescribeTable + DescribeTimeToLive each)',
  () => page.goto(`${base}#/tables?x=${Math.random()}`), () => page.locator('tr', { hasText: 'Big' }).waitFor());
await timed('table list, next page', () => page.click('text=Next →'), () => page.locator('.pager', { hasText: 'Page 2' }).waitFor(),
  async () => { await page.goto(`${base}#/tables?x=${Math.random()}`); await page.locator('tr', { hasText: 'Big' }).waitFor(); });
await timed('items of Big, first page (Scan, 50 items)', () => page.goto(`${base}#/items/Big?x=${Math.random()}`),
  () => page.locator('.pager', { hasText: '50 item(s)' }).waitFor());
let before = '';
await timed('items of Big, next page', () => page.click('#next-page'),
  () => page.waitForFunction((p) => document.querySelector('.pager span')?.textContent !== p, before),
  async () => { before = await page.locator('.pager span').innerText(); });
await timed('query one partition (100 items, page of 50)', async () => {
  await page.goto(`${base}#/items/Big?pk=customer-0042&x=${Math.random()}`);
  await page.locator('#run-query').click();
}, () => page.locator('.pager', { hasText: '50 item(s)' }).waitFor());
await timed('stream view (DescribeTable of 50 tables)', () => page.goto(`${base}#/stream/Big?x=${Math.random()}`),
  () => page.locator('#stream-status[data-state=live]').waitFor());
await timed('items due to expire (Scan with filter, 1,000 items read)', () => page.goto(`${base}#/clock?x=${Math.random()}`),
  () => page.locator('#due-items td').first().waitFor());
for (const r of results) console.log(`${String(r.median_ms).padStart(6)} ms  ${r.what}  (runs ${r.runs.join(', ')})`);
if (problems.length) console.log('problems:', problems);
await browser.close();
await ddbd.stop();
