// The live stream tail: a table's stream records as ddbd pushes them
// (server-sent events from /_ddbd/streams/tail, sent after each commit),
// each with its old/new image diff; pause, filter by key.
import { ddb, eventUrl } from './api.js';
import { diff, show } from './dynamo.js';
import { h, clear, field, header, button, select } from './ui.js';

const MAX_SHOWN = 500;

export async function render(main, { arg }) {
  const r = await ddb('ListTables', { Limit: 100 });
  const described = await Promise.all(r.TableNames.map((n) => ddb('DescribeTable', { TableName: n }).then((d) => d.Table).catch(() => null)));
  const withStream = described.filter((d) => d && d.StreamSpecification?.StreamEnabled);
  const picker = select([['', 'pick a table'], ...withStream.map((d) => [d.TableName, `${d.TableName} (${d.StreamSpecification.StreamViewType})`])], arg || '', { id: 'stream-table' });
  picker.addEventListener('change', () => { window.location.hash = `#/stream/${encodeURIComponent(picker.value)}`; });
  const pause = button('Pause', () => toggle(), { id: 'stream-pause', 'aria-pressed': 'false' });
  const filter = h('input', { id: 'stream-filter', autocomplete: 'off', placeholder: 'key text' });
  const status = h('span', { class: 'status', role: 'status', id: 'stream-status' }, 'not connected');
  const list = h('ol', { class: 'records', id: 'stream-records', 'aria-label': 'Stream records, newest first' });
  main.append(header('Stream', field('Table', picker), field('Filter by key', filter), pause,
    button('Clear', () => clear(list))), h('p', { class: 'sub' }, status), list);
  if (!arg) {
    list.append(h('li', { class: 'empty' }, withStream.length ? 'Pick a table with a stream.' : 'No table in this namespace has a stream: enable one in its settings (StreamSpecification).'));
    return null;
  }
  let paused = false;
  let held = [];
  const toggle = () => {
    paused = !paused;
    pause.textContent = paused ? 'Resume' : 'Pause';
    pause.setAttribute('aria-pressed', String(paused));
    if (!paused) { held.forEach(add); held = []; }
    status.textContent = paused ? 'paused' : 'live';
  };
  const matches = (li) => !filter.value || li.dataset.keys.includes(filter.value);
  filter.addEventListener('input', () => { for (const li of list.children) li.hidden = !matches(li); });
  const add = (rec) => {
    const li = record(rec);
    li.hidden = !matches(li);
    list.prepend(li);
    while (list.children.length > MAX_SHOWN) list.lastChild.remove();
  };
  const es = new EventSource(eventUrl('/_ddbd/streams/tail', { table: arg, key: localStorage.getItem('ddbd.accessKey') || 'local', region: localStorage.getItem('ddbd.region') || 'us-east-1' }));
  es.addEventListener('open', () => { status.textContent = paused ? 'paused' : 'live'; status.dataset.state = 'live'; });
  es.addEventListener('error', () => { status.textContent = 'reconnecting…'; status.dataset.state = 'reconnecting'; });
  es.addEventListener('record', (e) => {
    const rec = JSON.parse(e.data);
    if (paused) { held.push(rec); status.textContent = `paused · ${held.length} waiting`; } else add(rec);
  });
  return () => es.close();
}

function record(rec) {
  const d = rec.dynamodb || {};
  const keys = Object.entries(d.Keys || {}).map(([k, v]) => `${k}=${show(v)}`).join(', ');
  const rows = diff(d.OldImage, d.NewImage).filter((x) => x.change !== 'same' || rec.eventName !== 'MODIFY');
  const when = new Date((d.ApproximateCreationDateTime || 0) * 1000).toISOString().slice(11, 19);
  return h('li', { class: `record ${rec.eventName.toLowerCase()}`, dataset: { keys, seq: d.SequenceNumber, event: rec.eventName } },
    h('details', {},
      h('summary', {}, h('span', { class: 'event' }, rec.eventName), ' ', h('span', { class: 'keys' }, keys),
        rec.eventName === 'MODIFY' ? h('span', { class: 'changes' }, ' ', rows.map((x) => `${x.name}: ${show(x.old)} → ${show(x.new)}`).join('; ')) : null,
        h('span', { class: 'meta' }, ` seq ${d.SequenceNumber} · ${when}${rec.userIdentity ? ' · TTL' : ''}`)),
      rows.length ? h('table', { class: 'diff' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'attribute'), h('th', { scope: 'col' }, 'old'), h('th', { scope: 'col' }, 'new'))),
        h('tbody', {}, rows.map((x) => h('tr', { class: x.change }, h('td', {}, x.name), h('td', { class: 'old' }, show(x.old)), h('td', { class: 'new' }, show(x.new))))))
        : h('p', { class: 'sub' }, `${d.StreamViewType}: keys only`),
      h('pre', { class: 'json' }, JSON.stringify(rec, null, 2))));
}
