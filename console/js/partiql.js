// PartiQL: ExecuteStatement with paging (NextToken), results as a table or
// JSON, and a history of statements kept in this browser.
import { ddb } from './api.js';
import { itemToPlain, show } from './dynamo.js';
import { h, clear, field, header, button, errorBox } from './ui.js';

const HISTORY = 'ddbd.partiqlHistory';
const history = () => JSON.parse(localStorage.getItem(HISTORY) || '[]');

function remember(stmt) {
  const list = [stmt, ...history().filter((s) => s !== stmt)].slice(0, 50);
  localStorage.setItem(HISTORY, JSON.stringify(list));
}

export function render(main) {
  const text = h('textarea', { class: 'editor', rows: 6, spellcheck: 'false', id: 'partiql-statement',
    placeholder: 'SELECT * FROM "Events" WHERE streamId = \'order-1\'' });
  const plain = h('input', { type: 'checkbox', id: 'partiql-plain' });
  const out = h('div', { class: 'results', 'aria-live': 'polite', id: 'partiql-results' });
  const hist = h('ol', { class: 'history', 'aria-label': 'Statement history' });
  let token = null;
  let items = [];
  const showHistory = () => clear(hist, history().map((s) => h('li', {}, button(s, () => { text.value = s; text.focus(); }, { class: 'link' }))));
  const showItems = (extra) => {
    const cols = [...new Set(items.flatMap((i) => Object.keys(i)))];
    const body = plain.checked || !cols.length
      ? h('pre', { class: 'json' }, JSON.stringify(plain.checked ? items.map(itemToPlain) : items, null, 2))
      : h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, items.map((it) => h('tr', {}, cols.map((c) => h('td', {}, show(it[c]))))))));
    clear(out, h('p', { class: 'sub' }, `${items.length} item(s)`, extra), body,
      token ? button('Load more', () => run(true), { id: 'partiql-more' }) : null);
  };
  const run = async (more = false) => {
    const stmt = text.value.trim();
    if (!stmt) return;
    if (!more) { items = []; token = null; remember(stmt); showHistory(); }
    const req = { Statement: stmt };
    if (more && token) req.NextToken = token;
    const started = performance.now();
    try {
      const r = await ddb('ExecuteStatement', req);
      items = items.concat(r.Items || []);
      token = r.NextToken || null;
      showItems(` · ${Math.round(performance.now() - started)} ms`);
    } catch (e) {
      clear(out, errorBox(e));
    }
  };
  text.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); } });
  plain.addEventListener('change', () => showItems(''));
  main.append(header('PartiQL'),
    h('div', { class: 'split' },
      h('div', {}, field('Statement (Ctrl+Enter runs)', text),
        h('div', { class: 'toolbar' }, button('Run', () => run(), { class: 'primary', id: 'partiql-run' }), field('Plain JSON', plain)), out),
      h('aside', {}, h('h2', {}, 'History'), hist)));
  showHistory();
  text.focus();
}
