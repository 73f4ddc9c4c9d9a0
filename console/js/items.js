// Items: Scan or Query on a table or an index, a page at a time; the
// query builder; results as a table (columns from the attributes seen),
// DynamoDB JSON or plain JSON; the item editor (put, delete, duplicate).
import { ddb } from './api.js';
import { checkItem, itemFromPlain, itemToPlain, keyOf, plainIsLossy, show } from './dynamo.js';
import {
  h, clear, field, select, header, button, toast, errorBox, confirmDialog, dialog,
} from './ui.js';

const SORT_OPS = [['', 'any'], ['=', '='], ['<', '<'], ['<=', '<='], ['>', '>'], ['>=', '>='], ['between', 'between'], ['begins_with', 'begins with']];
const FILTER_OPS = ['=', '<>', '<', '<=', '>', '>=', 'begins_with', 'contains', 'exists', 'not exists'];

async function tableNames() {
  const r = await ddb('ListTables', { Limit: 100 });
  return r.TableNames;
}

export async function render(main, { arg, query }) {
  const names = await tableNames();
  const picker = h('input', { list: 'table-names', value: arg || '', autocomplete: 'off', placeholder: 'table name', id: 'items-table' });
  const list = h('datalist', { id: 'table-names' }, names.map((n) => h('option', { value: n })));
  const go = (e) => {
    e.preventDefault();
    if (picker.value) window.location.hash = `#/items/${encodeURIComponent(picker.value)}`;
  };
  main.append(header('Items', h('form', { class: 'inline', onsubmit: go }, field('Table', picker), list, h('button', {}, 'Open'))));
  if (!arg) {
    main.append(h('p', { class: 'empty' }, names.length ? 'Pick a table.' : 'No tables in this namespace yet.'));
    return;
  }
  const desc = (await ddb('DescribeTable', { TableName: arg })).Table;
  const browser = new Browser(main, desc, query);
  await browser.run();
}

// The key schema of the table or the chosen index.
function keysOf(desc, indexName) {
  if (!indexName) return desc.KeySchema;
  const all = [...(desc.GlobalSecondaryIndexes || []), ...(desc.LocalSecondaryIndexes || [])];
  return all.find((i) => i.IndexName === indexName)?.KeySchema || desc.KeySchema;
}

const attrTypes = (desc) => Object.fromEntries((desc.AttributeDefinitions || []).map((a) => [a.AttributeName, a.AttributeType]));

// A typed value from the builder's text: key types come from the table, others from the type picker.
function typed(type, text) {
  if (type === 'N') return { N: text.trim() };
  if (type === 'B') return { B: text.trim() };
  if (type === 'BOOL') return { BOOL: text.trim() === 'true' };
  if (type === 'NULL') return { NULL: true };
  return { S: text };
}

class Browser {
  constructor(main, desc, query) {
    this.desc = desc;
    this.types = attrTypes(desc);
    this.starts = [undefined];
    this.page = 0;
    this.view = 'table';
    this.items = [];
    const indexes = [...(desc.GlobalSecondaryIndexes || []), ...(desc.LocalSecondaryIndexes || [])].map((i) => i.IndexName);
    this.f = {
      mode: select([['scan', 'Scan'], ['query', 'Query']], query.get('pk') ? 'query' : 'scan', { name: 'mode' }),
      index: select([['', `table ${desc.TableName}`], ...indexes.map((i) => [i, `index ${i}`])], '', { name: 'index' }),
      pk: h('input', { name: 'pk', autocomplete: 'off', value: query.get('pk') || '' }),
      skOp: select(SORT_OPS, '', { name: 'skOp' }),
      sk: h('input', { name: 'sk', autocomplete: 'off' }),
      sk2: h('input', { name: 'sk2', autocomplete: 'off', 'aria-label': 'and (between)', placeholder: 'and' }),
      projection: h('input', { name: 'projection', autocomplete: 'off', placeholder: 'all attributes' }),
      backward: h('input', { type: 'checkbox', name: 'backward' }),
      limit: h('input', { type: 'number', name: 'limit', min: 1, max: 1000, value: 50 }),
    };
    this.filters = h('div', { class: 'filters' });
    this.out = h('div', { class: 'results', 'aria-live': 'polite' });
    this.pkLabel = h('span');
    this.skLabel = h('span');
    const f = this.f;
    const form = h('form', { class: 'query-builder', 'aria-label': 'Query builder', onsubmit: (e) => { e.preventDefault(); this.reset(); this.run(); } },
      h('div', { class: 'row' }, field('Operation', f.mode), field('On', f.index), field('Page size', f.limit)),
      h('div', { class: 'row query-only' }, field(this.pkLabel, f.pk), field(this.skLabel, f.skOp), field('Sort value', f.sk), f.sk2,
        field('Newest first', f.backward)),
      h('fieldset', {}, h('legend', {}, 'Filter'), this.filters, button('Add condition', () => this.addFilter(), { class: 'small' })),
      h('div', { class: 'row' }, field('Projection (comma-separated attributes)', f.projection),
        h('button', { class: 'primary', id: 'run-query' }, 'Run')));
    const views = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Show results as' },
      [['table', 'Table'], ['ddb', 'DynamoDB JSON'], ['plain', 'Plain JSON']].map(([v, label]) => button(label, () => { this.view = v; this.show(); }, { 'aria-pressed': String(v === this.view), dataset: { view: v } })));
    this.viewButtons = views;
    main.append(h('p', { class: 'sub' }, h('a', { href: `#/tables/${encodeURIComponent(desc.TableName)}` }, desc.TableName), ` · key ${desc.KeySchema.map((k) => k.AttributeName).join(', ')}`),
      form, h('div', { class: 'toolbar' }, views, button('New item', () => this.edit(null), { class: 'primary', id: 'new-item' })), this.out);
    f.mode.addEventListener('change', () => this.syncMode());
    f.index.addEventListener('change', () => this.syncMode());
    f.skOp.addEventListener('change', () => this.syncMode());
    this.syncMode();
  }

  syncMode() {
    const q = this.f.mode.value === 'query';
    for (const el of this.out.parentElement?.querySelectorAll('.query-only') || []) el.hidden = !q;
    const ks = keysOf(this.desc, this.f.index.value);
    this.pkLabel.textContent = `${ks[0].AttributeName} =`;
    const sk = ks.find((k) => k.KeyType === 'RANGE');
    this.skLabel.textContent = sk ? `${sk.AttributeName}` : 'no sort key';
    this.f.skOp.disabled = !sk;
    this.f.sk.disabled = !sk || !this.f.skOp.value;
    this.f.sk2.hidden = this.f.skOp.value !== 'between';
    this.f.backward.disabled = !q;
  }

  addFilter() {
    const attr = h('input', { autocomplete: 'off', 'aria-label': 'Attribute', placeholder: 'attribute', required: true });
    const op = select(FILTER_OPS, '=', { 'aria-label': 'Comparison' });
    const type = select(['S', 'N', 'BOOL', 'NULL'], 'S', { 'aria-label': 'Value type' });
    const value = h('input', { autocomplete: 'off', 'aria-label': 'Value', placeholder: 'value' });
    const row = h('div', { class: 'filter-row' }, attr, op, type, value, button('Remove', () => row.remove(), { class: 'small', 'aria-label': 'Remove condition' }));
    row.read = () => ({ attr: attr.value.trim(), op: op.value, type: type.value, value: value.value });
    this.filters.append(row);
    attr.focus();
  }

  reset() {
    this.starts = [undefined];
    this.page = 0;
  }

  // The Scan or Query request the form describes (placeholders for every name and value).
  request() {
    const f = this.f;
    const names = {};
    const values = {};
    let n = 0;
    const name = (a) => { const k = `#a${n++}`; names[k] = a; return k; };
    const value = (v) => { const k = `:v${n++}`; values[k] = v; return k; };
    const req = { TableName: this.desc.TableName, Limit: Number(f.limit.value) || 50 };
    if (f.index.value) req.IndexName = f.index.value;
    const query = f.mode.value === 'query';
    if (query) {
      const ks = keysOf(this.desc, f.index.value);
      const pk = ks[0].AttributeName;
      let kc = `${name(pk)} = ${value(typed(this.types[pk], f.pk.value))}`;
      const sk = ks.find((k) => k.KeyType === 'RANGE')?.AttributeName;
      const op = f.skOp.value;
      if (sk && op) {
        const t = this.types[sk];
        if (op === 'between') kc += ` AND ${name(sk)} BETWEEN ${value(typed(t, f.sk.value))} AND ${value(typed(t, f.sk2.value))}`;
        else if (op === 'begins_with') kc += ` AND begins_with(${name(sk)}, ${value(typed(t, f.sk.value))})`;
        else kc += ` AND ${name(sk)} ${op} ${value(typed(t, f.sk.value))}`;
      }
      req.KeyConditionExpression = kc;
      if (f.backward.checked) req.ScanIndexForward = false;
    }
    const conds = [...this.filters.children].map((r) => r.read()).filter((c) => c.attr).map((c) => {
      const a = name(c.attr);
      if (c.op === 'exists') return `attribute_exists(${a})`;
      if (c.op === 'not exists') return `attribute_not_exists(${a})`;
      const v = value(typed(c.type, c.value));
      if (c.op === 'begins_with' || c.op === 'contains') return `${c.op}(${a}, ${v})`;
      return `${a} ${c.op} ${v}`;
    });
    if (conds.length) req.FilterExpression = conds.join(' AND ');
    const proj = f.projection.value.split(',').map((s) => s.trim()).filter(Boolean);
    if (proj.length) req.ProjectionExpression = proj.map(name).join(', ');
    if (Object.keys(names).length) req.ExpressionAttributeNames = names;
    if (Object.keys(values).length) req.ExpressionAttributeValues = values;
    return req;
  }

  async run() {
    const req = this.request();
    if (this.starts[this.page]) req.ExclusiveStartKey = this.starts[this.page];
    clear(this.out, h('p', { class: 'loading' }, 'Loading…'));
    const started = performance.now();
    try {
      const r = await ddb(this.f.mode.value === 'query' ? 'Query' : 'Scan', req);
      this.ms = Math.round(performance.now() - started);
      this.items = r.Items || [];
      this.scanned = r.ScannedCount;
      this.starts[this.page + 1] = r.LastEvaluatedKey;
      this.show();
    } catch (e) {
      clear(this.out, errorBox(e));
    }
  }

  show() {
    for (const b of this.viewButtons.children) b.setAttribute('aria-pressed', String(b.dataset.view === this.view));
    const pager = h('div', { class: 'pager' },
      button('← Previous', () => { this.page--; this.run(); }, { disabled: this.page === 0 }),
      h('span', {}, `Page ${this.page + 1} · ${this.items.length} item(s), ${this.scanned} read · ${this.ms} ms`),
      button('Next →', () => { this.page++; this.run(); }, { disabled: !this.starts[this.page + 1], id: 'next-page' }));
    let body;
    if (this.view === 'table') body = this.tableView();
    else {
      const data = this.view === 'ddb' ? this.items : this.items.map(itemToPlain);
      body = h('pre', { class: 'json', tabindex: 0, 'aria-label': 'Results as JSON' }, JSON.stringify(data, null, 2));
    }
    clear(this.out, body, pager);
    this.out.querySelector('.timing-marker')?.remove();
    this.out.dataset.ms = this.ms;
  }

  tableView() {
    if (!this.items.length) return h('p', { class: 'empty' }, 'No items on this page.');
    const keys = this.desc.KeySchema.map((k) => k.AttributeName);
    const seen = new Set(keys);
    for (const it of this.items) for (const k of Object.keys(it)) seen.add(k);
    const cols = [...seen];
    return h('div', { class: 'table-wrap' }, h('table', { class: 'items' },
      h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col', class: keys.includes(c) ? 'key' : '' }, c)))),
      h('tbody', {}, this.items.map((it) => {
        const tr = h('tr', { tabindex: 0, class: 'clickable' }, cols.map((c) => h('td', { title: it[c] ? Object.keys(it[c])[0] : '' }, show(it[c]))));
        tr.addEventListener('click', () => this.edit(it));
        tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') this.edit(it); });
        return tr;
      }))));
  }

  // The editor: item null for a new one; dup true to save a copy (must not exist yet).
  async edit(item, dup = false) {
    const ks = this.desc.KeySchema;
    const isNew = !item || dup;
    const template = item || Object.fromEntries(ks.map((k) => [k.AttributeName, { [this.types[k.AttributeName] || 'S']: '' }]));
    let format = 'ddb';
    const text = h('textarea', { class: 'editor', rows: 18, spellcheck: 'false', 'aria-label': 'Item JSON', id: 'item-json' });
    text.value = JSON.stringify(template, null, 2);
    const problems = h('ul', { class: 'problems', 'aria-live': 'polite', id: 'item-problems' });
    const result = h('div', { class: 'form-error', role: 'alert', id: 'item-result' });
    const lossy = item && plainIsLossy(item);
    const fmt = select([['ddb', 'DynamoDB JSON'], ['plain', 'Plain JSON']], 'ddb', { id: 'item-format', disabled: lossy });
    const parse = () => {
      const v = JSON.parse(text.value);
      return format === 'ddb' ? v : itemFromPlain(v);
    };
    const validate = () => {
      let errs;
      try {
        errs = checkItem(parse(), ks, this.types);
      } catch (e) {
        errs = [`not valid JSON: ${e.message}`];
      }
      clear(problems, errs.map((p) => h('li', {}, p)));
      save.disabled = errs.length > 0;
      return errs.length === 0;
    };
    fmt.addEventListener('change', () => {
      try {
        const cur = parse();
        format = fmt.value;
        text.value = JSON.stringify(format === 'ddb' ? cur : itemToPlain(cur), null, 2);
      } catch {
        fmt.value = format;
      }
      validate();
    });
    text.addEventListener('input', validate);
    const save = button(isNew ? 'Create' : 'Save', async () => {
      if (!validate()) return;
      const newItem = parse();
      const req = { TableName: this.desc.TableName, Item: newItem };
      if (isNew) { // never overwrite by accident: DynamoDB's own error if the key exists
        req.ConditionExpression = 'attribute_not_exists(#pk)';
        req.ExpressionAttributeNames = { '#pk': ks[0].AttributeName };
      }
      try {
        await ddb('PutItem', req);
        d.close();
        toast(isNew ? 'Item created' : 'Item saved');
        this.run();
      } catch (e) {
        clear(result, errorBox(e));
      }
    }, { class: 'primary', id: 'item-save' });
    const buttons = h('div', { class: 'buttons' },
      button('Cancel', () => d.close()),
      item && !dup ? button('Duplicate', () => { d.close(); this.edit(item, true); }, { id: 'item-duplicate' }) : null,
      item && !dup ? button('Delete', async () => {
        if (!(await confirmDialog('Delete this item?', JSON.stringify(keyOf(item, ks))))) return;
        try {
          await ddb('DeleteItem', { TableName: this.desc.TableName, Key: keyOf(item, ks) });
          d.close();
          toast('Item deleted');
          this.run();
        } catch (e) {
          clear(result, errorBox(e));
        }
      }, { class: 'danger', id: 'item-delete' }) : null,
      save);
    const d = h('dialog', { class: 'wide', 'aria-label': 'Item editor' },
      h('h2', {}, isNew ? (dup ? 'Duplicate item' : 'New item') : 'Edit item'),
      field('Format', fmt, lossy ? 'This item has sets, binary or long numbers: edit it as DynamoDB JSON.' : 'Ctrl+Enter saves'),
      field('Item', text), problems, result, buttons);
    text.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) save.click(); });
    d.addEventListener('close', () => d.remove());
    document.body.append(d);
    d.showModal();
    validate();
    text.focus();
  }
}

export { Browser };
