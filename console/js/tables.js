// Tables: the namespace's tables a page at a time (ListTables, then
// DescribeTable / DescribeTimeToLive for the rows shown), a table's
// details (with PITR and backups where ddbd has them), create and delete.
import { ddb, DdbError } from './api.js';
import {
  h, clear, field, select, dataTable, fmtBytes, fmtNum, header, button, toast, errorBox, confirmDialog, dialog,
} from './ui.js';

const PAGE = 25;

// Runs fn over items, at most n at a time.
export async function mapLimit(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i], i);
      } catch (e) {
        out[i] = { error: e };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

export const keyText = (ks = []) => ks.map((k) => `${k.AttributeName} (${k.KeyType === 'HASH' ? 'partition' : 'sort'})`).join(', ');

export function render(main, { arg }) {
  if (arg) return renderDetails(main, arg);
  return renderList(main);
}

// ---- the list --------------------------------------------------------------

async function renderList(main) {
  const body = h('div', { class: 'list' });
  const starts = [undefined]; // ExclusiveStartTableName of each page seen
  let page = 0;
  main.append(header('Tables', button('Create table', () => createTable(), { class: 'primary', id: 'create-table' })), body);

  const load = async () => {
    clear(body, h('p', { class: 'loading' }, 'Loading…'));
    const params = { Limit: PAGE };
    if (starts[page]) params.ExclusiveStartTableName = starts[page];
    const started = performance.now();
    const r = await ddb('ListTables', params);
    starts[page + 1] = r.LastEvaluatedTableName;
    const rows = await mapLimit(r.TableNames, 8, describeRow);
    const table = dataTable([
      { label: 'Name', get: (t) => h('a', { href: `#/tables/${encodeURIComponent(t.name)}` }, t.name) },
      { label: 'Items', class: 'num', get: (t) => fmtNum(t.desc?.ItemCount) },
      { label: 'Size', class: 'num', get: (t) => fmtBytes(t.desc?.TableSizeBytes) },
      { label: 'Key', get: (t) => keyText(t.desc?.KeySchema) },
      { label: 'Indexes', get: (t) => indexNames(t.desc).join(', ') },
      { label: 'Stream', get: (t) => t.desc?.StreamSpecification?.StreamViewType || '' },
      { label: 'TTL', get: (t) => (t.ttl?.TimeToLiveStatus === 'ENABLED' ? t.ttl.AttributeName : '') },
      { label: 'Status', get: (t) => (t.error ? t.error.type : t.desc?.TableStatus) },
      { label: '', get: (t) => h('span', { class: 'row-actions' },
        h('a', { href: `#/items/${encodeURIComponent(t.name)}`, 'aria-label': `Items of ${t.name}` }, 'Items'),
        button('Delete', (e) => { e.stopPropagation(); deleteTable(t.name, load); }, { class: 'danger small', 'aria-label': `Delete ${t.name}` })) },
    ], rows, { caption: `Tables of ${document.getElementById('ns-key').value} / ${document.getElementById('ns-region').value}`, empty: 'No tables in this namespace yet.' });
    const pager = h('div', { class: 'pager' },
      button('← Previous', () => { page--; load(); }, { disabled: page === 0 }),
      h('span', {}, `Page ${page + 1}`),
      button('Next →', () => { page++; load(); }, { disabled: !r.LastEvaluatedTableName }));
    clear(body, table, pager, h('p', { class: 'timing', 'data-ms': Math.round(performance.now() - started) },
      `${r.TableNames.length} table(s) on this page, in ${Math.round(performance.now() - started)} ms`));
  };
  await load().catch((e) => clear(body, errorBox(e)));
}

async function describeRow(name) {
  const [d, ttl] = await Promise.all([
    ddb('DescribeTable', { TableName: name }),
    ddb('DescribeTimeToLive', { TableName: name }).catch(() => null),
  ]);
  return { name, desc: d.Table, ttl: ttl?.TimeToLiveDescription };
}

const indexNames = (d = {}) => [...(d.GlobalSecondaryIndexes || []), ...(d.LocalSecondaryIndexes || [])].map((i) => i.IndexName);

async function deleteTable(name, after) {
  if (!(await confirmDialog(`Delete table ${name}?`, 'Its items, indexes and stream go with it. This cannot be undone.', { typed: name }))) return;
  try {
    await ddb('DeleteTable', { TableName: name });
    toast(`Table ${name} deleted`);
    if (after) after();
    else window.location.hash = '#/tables';
  } catch (e) {
    toast(`${e.type}: ${e.message}`, 'error');
  }
}

// ---- details ------------------------------------------------------------------

async function renderDetails(main, name) {
  const d = (await ddb('DescribeTable', { TableName: name })).Table;
  const ttl = (await ddb('DescribeTimeToLive', { TableName: name }).catch(() => ({}))).TimeToLiveDescription;
  main.append(header(name,
    h('a', { class: 'button', href: `#/items/${encodeURIComponent(name)}` }, 'Browse items'),
    d.LatestStreamArn && d.StreamSpecification ? h('a', { class: 'button', href: `#/stream/${encodeURIComponent(name)}` }, 'Tail stream') : null,
    button('Delete', () => deleteTable(name), { class: 'danger' })));
  const facts = [
    ['Status', d.TableStatus], ['Items', fmtNum(d.ItemCount)], ['Size', fmtBytes(d.TableSizeBytes)],
    ['Key', keyText(d.KeySchema)],
    ['Attributes', (d.AttributeDefinitions || []).map((a) => `${a.AttributeName}: ${a.AttributeType}`).join(', ')],
    ['Billing', d.BillingModeSummary?.BillingMode || 'PROVISIONED'],
    ['Stream', d.StreamSpecification ? `${d.StreamSpecification.StreamViewType} (${d.LatestStreamLabel})` : 'off'],
    ['TTL', ttl ? `${ttl.TimeToLiveStatus}${ttl.AttributeName ? ` on ${ttl.AttributeName}` : ''}` : ''],
    ['Created', d.CreationDateTime ? new Date(d.CreationDateTime * 1000).toISOString() : ''],
    ['ARN', d.TableArn],
  ];
  main.append(h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
  const idx = [...(d.GlobalSecondaryIndexes || []).map((i) => ({ ...i, kind: 'GSI' })),
    ...(d.LocalSecondaryIndexes || []).map((i) => ({ ...i, kind: 'LSI' }))];
  main.append(h('h2', {}, 'Indexes'), dataTable([
    { label: 'Name', get: (i) => i.IndexName }, { label: 'Kind', get: (i) => i.kind },
    { label: 'Key', get: (i) => keyText(i.KeySchema) }, { label: 'Projection', get: (i) => i.Projection?.ProjectionType },
    { label: 'Items', class: 'num', get: (i) => fmtNum(i.ItemCount) }, { label: 'Status', get: (i) => i.IndexStatus || '' },
  ], idx, { empty: 'No secondary indexes.' }));
  main.append(await backupsPanel(name));
  main.append(h('details', {}, h('summary', {}, 'DescribeTable as returned'), h('pre', { class: 'json' }, JSON.stringify(d, null, 2))));
}

// PITR and backups, where this ddbd has them: an UnknownOperationException hides the panel.
async function backupsPanel(name) {
  try {
    const pitr = await ddb('DescribeContinuousBackups', { TableName: name });
    const backups = await ddb('ListBackups', { TableName: name, Limit: 20 });
    const p = pitr.ContinuousBackupsDescription?.PointInTimeRecoveryDescription || {};
    return h('section', { class: 'backups', 'aria-label': 'Backups' }, h('h2', {}, 'Backups and point-in-time recovery'),
      h('p', {}, `Point-in-time recovery: ${p.PointInTimeRecoveryStatus || 'DISABLED'}`,
        p.EarliestRestorableDateTime ? ` (restorable from ${new Date(p.EarliestRestorableDateTime * 1000).toISOString()})` : ''),
      dataTable([
        { label: 'Backup', get: (b) => b.BackupName }, { label: 'Status', get: (b) => b.BackupStatus },
        { label: 'Created', get: (b) => new Date(b.BackupCreationDateTime * 1000).toISOString() },
        { label: 'Size', class: 'num', get: (b) => fmtBytes(b.BackupSizeBytes) },
      ], backups.BackupSummaries || [], { empty: 'No backups.' }));
  } catch (e) {
    if (e instanceof DdbError && e.type === 'UnknownOperationException') return '';
    return errorBox(e);
  }
}

// ---- create ---------------------------------------------------------------------

const TYPES = [['S', 'String'], ['N', 'Number'], ['B', 'Binary']];

function keyFields(prefix, optional) {
  const name = h('input', { name: `${prefix}Name`, autocomplete: 'off', required: !optional, pattern: '[^\\s]+' });
  const type = select(TYPES, 'S', { name: `${prefix}Type` });
  return { name, type };
}

function gsiRow(container) {
  const name = h('input', { autocomplete: 'off', required: true, 'aria-label': 'Index name', placeholder: 'index name' });
  const pk = h('input', { autocomplete: 'off', required: true, 'aria-label': 'Index partition key', placeholder: 'partition key' });
  const pkType = select(TYPES, 'S', { 'aria-label': 'Index partition key type' });
  const sk = h('input', { autocomplete: 'off', 'aria-label': 'Index sort key (optional)', placeholder: 'sort key (optional)' });
  const skType = select(TYPES, 'S', { 'aria-label': 'Index sort key type' });
  const proj = select(['ALL', 'KEYS_ONLY'], 'ALL', { 'aria-label': 'Index projection' });
  const row = h('div', { class: 'gsi-row' }, name, pk, pkType, sk, skType, proj,
    button('Remove', () => row.remove(), { class: 'small', 'aria-label': 'Remove this index' }));
  row.read = () => ({ name: name.value.trim(), pk: pk.value.trim(), pkType: pkType.value, sk: sk.value.trim(), skType: skType.value, proj: proj.value });
  container.append(row);
}

export async function createTable() {
  const name = h('input', { name: 'TableName', required: true, autocomplete: 'off', minlength: 3, maxlength: 255, pattern: '[a-zA-Z0-9_.\\-]+' });
  const pk = keyFields('pk');
  const sk = keyFields('sk', true);
  const stream = select([['', 'off'], 'NEW_AND_OLD_IMAGES', 'NEW_IMAGE', 'OLD_IMAGE', 'KEYS_ONLY'], '', { name: 'stream' });
  const ttl = h('input', { name: 'ttl', autocomplete: 'off', placeholder: 'e.g. expiresAt' });
  const gsis = h('div', { class: 'gsis' });
  const problem = h('div', { class: 'form-error', role: 'alert' });
  const body = h('div', { class: 'create-form' },
    field('Table name', name),
    h('fieldset', {}, h('legend', {}, 'Partition key'), field('Attribute name', pk.name), field('Type', pk.type)),
    h('fieldset', {}, h('legend', {}, 'Sort key (optional)'), field('Attribute name', sk.name), field('Type', sk.type)),
    h('fieldset', {}, h('legend', {}, 'Global secondary indexes'), gsis,
      button('Add index', () => gsiRow(gsis), { class: 'small' })),
    field('Stream', stream), field('TTL attribute (optional)', ttl), problem);
  const submit = async (e) => {
    const form = e.target.form;
    if (!form.reportValidity()) { e.preventDefault(); return; }
    e.preventDefault();
    const req = buildCreate(name.value.trim(), pk, sk, [...gsis.children].map((r) => r.read()), stream.value);
    try {
      await ddb('CreateTable', req);
      if (ttl.value.trim()) {
        await ddb('UpdateTimeToLive', { TableName: req.TableName, TimeToLiveSpecification: { Enabled: true, AttributeName: ttl.value.trim() } });
      }
      form.closest('dialog').close('created');
      toast(`Table ${req.TableName} created`);
      window.location.hash = `#/tables/${encodeURIComponent(req.TableName)}`;
    } catch (err) {
      clear(problem, errorBox(err));
    }
  };
  await dialog('Create table', body, [
    { label: 'Cancel', value: null },
    { label: 'Create', value: 'create', primary: true, validate: true, onclick: submit },
  ], { wide: true });
}

function buildCreate(table, pk, sk, gsis, stream) {
  const attrs = new Map([[pk.name.value.trim(), pk.type.value]]);
  const ks = [{ AttributeName: pk.name.value.trim(), KeyType: 'HASH' }];
  if (sk.name.value.trim()) {
    attrs.set(sk.name.value.trim(), sk.type.value);
    ks.push({ AttributeName: sk.name.value.trim(), KeyType: 'RANGE' });
  }
  const req = { TableName: table, KeySchema: ks, BillingMode: 'PAY_PER_REQUEST' };
  if (gsis.length) {
    req.GlobalSecondaryIndexes = gsis.map((g) => {
      attrs.set(g.pk, g.pkType);
      const gks = [{ AttributeName: g.pk, KeyType: 'HASH' }];
      if (g.sk) {
        attrs.set(g.sk, g.skType);
        gks.push({ AttributeName: g.sk, KeyType: 'RANGE' });
      }
      return { IndexName: g.name, KeySchema: gks, Projection: { ProjectionType: g.proj } };
    });
  }
  req.AttributeDefinitions = [...attrs].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }));
  if (stream) req.StreamSpecification = { StreamEnabled: true, StreamViewType: stream };
  return req;
}
