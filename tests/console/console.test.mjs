// The console, tested as a user would use it: a real ddbd, Debian's
// chromium driven by playwright-core, boto3 writing from outside.
//
// One ddbd and one browser page for the whole walk (each step builds on
// the one before, as a person's session would): create a table through
// the form, put an item through the editor (and see DynamoDB's own error
// for a duplicate), find it with the query builder, edit it, watch the
// stream tail show a MODIFY written by boto3 within a second, move
// ddbd's clock and see a TTL expiry, watch a trigger's lag drop, run
// PartiQL, read the server view; then --auth verify signing, and the
// admin token's hand-over. Every step ends with no console errors and no
// failed requests. Screenshots go to build/console-shots/ (and, with
// DDBD_CONSOLE_DOCS=1, to docs/console/ for the README).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  startDdbd, launchBrowser, watchPage, screenshot, startBoto3, startFunction, adminJson,
} from './harness.mjs';

const TABLE = 'Orders';
// The HTTP errors the walk provokes on purpose (DynamoDB's answers, shown to the user).
const EXPECTED = ['ConditionalCheckFailedException', 'UnknownOperationException'];

let ddbd, browser, page, problems, boto, fn;
const url = (hash) => `${ddbd.endpoint}/_ddbd/console/#${hash}`;

before(async () => {
  ddbd = await startDdbd(['--ttl-sweep-seconds', '0']);
  browser = await launchBrowser();
  page = browser.context.pages()[0] || await browser.context.newPage();
  problems = watchPage(page, (r, body) => r.status() === 400 && EXPECTED.some((t) => body.includes(t)));
  boto = await startBoto3(ddbd.endpoint);
  fn = await startFunction();
});

after(async () => {
  boto?.stop();
  await fn?.close();
  await browser?.close();
  const code = await ddbd?.stop();
  assert.equal(code, 0, `ddbd exited ${code}: ${ddbd?.log()}`);
});

function clean() {
  assert.deepEqual(problems.splice(0), [], 'console errors or failed requests');
}

test('the console is served: an empty namespace lists no tables', async () => {
  await page.goto(`${ddbd.endpoint}/_ddbd/console`);
  await page.getByText('No tables in this namespace yet.').waitFor();
  assert.equal(new URL(page.url()).pathname, '/_ddbd/console/');
  clean();
});

test('create a table through the form (key, index, stream, TTL)', async () => {
  await page.click('#create-table');
  const d = page.locator('dialog');
  await d.getByLabel('Table name').fill(TABLE);
  await d.locator('input[name=pkName]').fill('customer');
  await d.locator('input[name=skName]').fill('orderId');
  await d.getByRole('button', { name: 'Add index' }).click();
  await d.getByLabel('Index name').fill('byStatus');
  await d.getByLabel('Index partition key', { exact: true }).fill('status');
  await d.locator('select[name=stream]').selectOption('NEW_AND_OLD_IMAGES');
  await d.locator('input[name=ttl]').fill('expiresAt');
  await d.getByRole('button', { name: 'Create' }).click();
  await page.locator('h1', { hasText: TABLE }).waitFor();
  await page.locator('dd', { hasText: 'NEW_AND_OLD_IMAGES' }).waitFor();
  await page.locator('dd', { hasText: 'on expiresAt' }).waitFor();
  await page.locator('td', { hasText: 'byStatus' }).waitFor();
  const described = await boto.call('describe_table', { TableName: TABLE });
  assert.deepEqual(described.Table.KeySchema.map((k) => k.AttributeName), ['customer', 'orderId']);
  clean();
});

test('put an item through the editor; a duplicate gets DynamoDB\'s own error', async () => {
  await page.goto(url(`/items/${TABLE}`));
  await page.click('#new-item');
  const item = { customer: { S: 'alice' }, orderId: { S: 'o-1' }, status: { S: 'new' }, total: { N: '42' } };
  await page.fill('#item-json', '{"customer": {"S": "alice"}, "orderId": {"X": 1}}');
  await page.locator('#item-problems li', { hasText: 'orderId: give exactly one of' }).waitFor();
  assert.equal(await page.isDisabled('#item-save'), true, 'an invalid item cannot be saved');
  await page.fill('#item-json', JSON.stringify(item, null, 2));
  await page.click('#item-save');
  await page.getByText('Item created').waitFor();
  await page.locator('table.items td', { hasText: 'o-1' }).waitFor();
  const got = await boto.call('get_item', { TableName: TABLE, Key: { customer: { S: 'alice' }, orderId: { S: 'o-1' } } });
  assert.deepEqual(got.Item, item);

  await page.click('#new-item');
  await page.fill('#item-json', JSON.stringify(item));
  await page.click('#item-save');
  await page.locator('#item-result', { hasText: 'ConditionalCheckFailedException: The conditional request failed' }).waitFor();
  await page.locator('dialog').getByRole('button', { name: 'Cancel' }).click();
  clean();
});

test('find the item with the query builder, then edit it', async () => {
  await boto.call('put_item', { TableName: TABLE, Item: { customer: { S: 'bob' }, orderId: { S: 'o-9' }, status: { S: 'new' } } });
  await page.selectOption('select[name=mode]', 'query');
  await page.fill('input[name=pk]', 'alice');
  await page.selectOption('select[name=skOp]', '=');
  await page.fill('input[name=sk]', 'o-1');
  await page.click('#run-query');
  await page.locator('.pager', { hasText: '1 item(s)' }).waitFor();
  assert.equal(await page.locator('table.items tbody tr').count(), 1);
  await page.locator('table.items tbody tr', { hasText: 'o-1' }).click();
  const text = await page.inputValue('#item-json');
  await page.fill('#item-json', text.replace('"42"', '"43"'));
  await page.click('#item-save');
  await page.getByText('Item saved').waitFor();
  await page.locator('table.items td', { hasText: '43' }).waitFor();
  await page.click('button[data-view=plain]');
  await page.locator('pre.json', { hasText: '"total": 43' }).waitFor();
  await screenshot(page, 'items');
  clean();
});

test('the stream tail shows a MODIFY written by boto3 within a second', async () => {
  await page.goto(url(`/stream/${TABLE}`));
  await page.locator('#stream-status[data-state=live]').waitFor();
  const started = Date.now();
  await boto.call('update_item', {
    TableName: TABLE, Key: { customer: { S: 'alice' }, orderId: { S: 'o-1' } },
    UpdateExpression: 'SET #t = :t', ExpressionAttributeNames: { '#t': 'total' }, ExpressionAttributeValues: { ':t': { N: '44' } },
  });
  const rec = page.locator('li.record[data-event=MODIFY]').first();
  await rec.waitFor({ timeout: 1000 });
  const elapsed = Date.now() - started;
  console.log(`stream tail: MODIFY shown ${elapsed} ms after the boto3 write was sent`);
  assert.ok(elapsed < 1000, `MODIFY took ${elapsed} ms`);
  assert.match(await rec.innerText(), /total: 43 → 44/);
  await rec.locator('summary').click();
  await rec.locator('table.diff tr.changed', { hasText: 'total' }).waitFor();

  // pause holds records back; resume shows them; the filter hides other keys
  await page.click('#stream-pause');
  await boto.call('put_item', { TableName: TABLE, Item: { customer: { S: 'bob' }, orderId: { S: 'o-10' } } });
  await page.locator('#stream-status', { hasText: 'paused · 1 waiting' }).waitFor();
  assert.equal(await page.locator('li.record[data-event=INSERT]').count(), 0);
  await page.click('#stream-pause');
  await page.locator('li.record[data-event=INSERT]').waitFor();
  await page.fill('#stream-filter', 'alice');
  await page.locator('li.record[data-event=INSERT]').waitFor({ state: 'hidden' });
  assert.equal(await page.locator('li.record[data-event=MODIFY]').isVisible(), true);
  await page.fill('#stream-filter', '');
  await screenshot(page, 'stream');
  clean();
});

test('move ddbd\'s clock and see a TTL expiry', async () => {
  const now = (await adminJson(ddbd.endpoint, '/_ddbd/clock')).now_ms;
  const expires = Math.floor(now / 1000) + 3600;
  await boto.call('put_item', { TableName: TABLE, Item: { customer: { S: 'carol' }, orderId: { S: 'o-2' }, expiresAt: { N: String(expires) } } });
  await page.goto(url('/clock'));
  await page.locator('#due-items td', { hasText: 'carol' }).waitFor();
  await page.locator('#due-items td', { hasText: /^(59|60) min$/ }).waitFor();
  await screenshot(page, 'clock');
  await page.getByRole('button', { name: '+1 day' }).click();
  await page.waitForFunction((t) => Number(document.getElementById('clock-now').dataset.ms) >= t, now + 86400 * 1000);
  await page.click('#sweep-now');
  await page.locator('#sweep-result', { hasText: '1 item(s) expired' }).waitFor();
  const got = await boto.call('get_item', { TableName: TABLE, Key: { customer: { S: 'carol' }, orderId: { S: 'o-2' } } });
  assert.equal(got.Item, undefined, 'the expired item is gone');
  await page.click('#due-refresh');
  await page.locator('#due-items', { hasText: 'Nothing due' }).waitFor();
  await page.click('#clock-freeze');
  await page.locator('#clock-state', { hasText: 'frozen' }).waitFor();
  await page.click('#clock-run');
  await page.locator('#clock-state', { hasText: 'running' }).waitFor();
  clean();
});

test('a trigger: create it, pause it, see its lag grow, resume and see the lag drop', async () => {
  await page.goto(url('/triggers'));
  await page.click('#create-trigger');
  await page.fill('#trigger-table', TABLE);
  await page.fill('#trigger-url', fn.url);
  await page.locator('dialog').getByRole('button', { name: 'Create' }).click();
  const card = page.locator('section.trigger');
  await card.locator('dd[data-fact=state]', { hasText: 'Enabled' }).waitFor();
  await card.locator('dd[data-fact=lag]', { hasText: /^0$/ }).waitFor({ timeout: 10000 });
  await card.locator('dd[data-fact=last-result]', { hasText: 'OK' }).waitFor();
  await card.getByRole('button', { name: 'Pause' }).click();
  await card.locator('dd[data-fact=state]', { hasText: 'Disabled' }).waitFor();
  for (let i = 0; i < 5; i++) {
    await boto.call('put_item', { TableName: TABLE, Item: { customer: { S: 'dave' }, orderId: { S: `o-${i}` } } });
  }
  await card.locator('dd[data-fact=lag]', { hasText: /^5$/ }).waitFor({ timeout: 10000 });
  await screenshot(page, 'triggers');
  const delivered = fn.records.length;
  await card.getByRole('button', { name: 'Resume' }).click();
  await card.locator('dd[data-fact=lag]', { hasText: /^0$/ }).waitFor({ timeout: 10000 });
  assert.equal(fn.records.length, delivered + 5, 'the 5 held records were delivered on resume');
  await card.locator('summary', { hasText: 'Recent deliveries' }).click();
  await card.locator('details tr.ok').first().waitFor();
  clean();
});

test('PartiQL: run a statement, see the items and the history', async () => {
  await page.goto(url('/partiql'));
  const stmt = `SELECT * FROM "${TABLE}" WHERE customer = 'alice'`;
  await page.fill('#partiql-statement', stmt);
  await page.press('#partiql-statement', 'Control+Enter');
  await page.locator('#partiql-results td', { hasText: 'o-1' }).waitFor();
  await page.locator('.history button', { hasText: stmt }).waitFor();
  await screenshot(page, 'partiql');
  clean();
});

test('the server view: version, counters, a live chart, recent errors', async () => {
  await page.goto(url('/server'));
  await page.locator('#server-ops td', { hasText: 'PutItem' }).waitFor();
  await page.locator('#server-errors td', { hasText: 'ConditionalCheckFailedException' }).waitFor();
  for (let i = 0; i < 25; i++) { // some traffic for the chart, as an application would make
    await boto.call('get_item', { TableName: TABLE, Key: { customer: { S: 'alice' }, orderId: { S: 'o-1' } } });
    await new Promise((r) => setTimeout(r, 100));
  }
  await page.locator('#server-ops tr', { hasText: 'GetItem' }).locator('td.num').first().filter({ hasNotText: /^0\.0$/ }).waitFor();
  assert.equal(await page.locator('#server-chart svg polyline').count(), 1);
  await screenshot(page, 'server');
  clean();
});

test('the tables list; delete a table with confirmation; narrow and dark', async () => {
  await boto.call('create_table', {
    TableName: 'Scratch', BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  });
  await page.goto(url('/tables'));
  const row = page.locator('tr', { hasText: 'Scratch' });
  await row.waitFor();
  await page.locator('tr', { hasText: TABLE }).locator('td', { hasText: 'NEW_AND_OLD_IMAGES' }).waitFor();
  await screenshot(page, 'tables');
  await row.getByRole('button', { name: 'Delete Scratch' }).click();
  const confirm = page.locator('dialog');
  assert.equal(await confirm.getByRole('button', { name: 'Delete' }).isDisabled(), true);
  await confirm.getByRole('textbox').fill('Scratch');
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await page.getByText('Table Scratch deleted').waitFor();
  await row.waitFor({ state: 'detached' });
  const tables = await boto.call('list_tables', {});
  assert.deepEqual(tables.TableNames, [TABLE]);

  await page.setViewportSize({ width: 420, height: 800 });
  await page.goto(url(`/items/${TABLE}`));
  await page.locator('table.items').waitFor();
  await screenshot(page, 'items-narrow');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(url(`/tables/${TABLE}`));
  await page.locator('h1', { hasText: TABLE }).waitFor();
  await screenshot(page, 'table-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  clean();
});

test('the admin token: taken from ?token= once, sent on every /_ddbd/ call', async () => {
  const seen = [];
  const listener = (r) => { if (r.url().includes('/_ddbd/clock')) seen.push(r.headers()['x-ddbd-admin-token']); };
  page.on('request', listener);
  await page.goto(`${ddbd.endpoint}/_ddbd/console/?token=t0ken#/clock`);
  await page.locator('#clock-state', { hasText: 'running' }).waitFor();
  assert.equal(new URL(page.url()).search, '', 'the token leaves the address bar');
  assert.deepEqual([...new Set(seen)], ['t0ken']);
  page.off('request', listener);
  clean();
});

test('with --auth verify the console signs with the key and secret given', async () => {
  const verified = await startDdbd(['--auth', 'verify', '--credentials', 'AKIDCONSOLE:s3cret']);
  const p = await browser.context.newPage();
  // the defaults' key is unknown to this ddbd, then a wrong secret: both refused, as AWS refuses them
  const issues = watchPage(p, (r, body) => /UnrecognizedClientException|InvalidSignatureException/.test(body));
  try {
    await p.goto(`${verified.endpoint}/_ddbd/console/#/tables`);
    await p.fill('#ns-key', 'AKIDCONSOLE');
    await p.fill('#ns-secret', 'wrong');
    await p.click('#namespace button');
    await p.locator('.error', { hasText: 'InvalidSignatureException' }).waitFor();
    await p.fill('#ns-secret', 's3cret');
    await p.click('#namespace button');
    await p.getByText('No tables in this namespace yet.').waitFor();
    assert.deepEqual(issues, []);
    // back to the defaults for anything after
    await p.fill('#ns-key', 'local');
    await p.fill('#ns-secret', 'local');
    await p.click('#namespace button');
  } finally {
    await p.close();
    assert.equal(await verified.stop(), 0);
  }
});
