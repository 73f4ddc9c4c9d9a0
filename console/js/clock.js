// ddbd's clock and TTL: the time ddbd sees (it ticks here between reads),
// advance / freeze / set, a sweep now, and the items of a table due to
// expire soon (a Scan with a filter on the TTL attribute, a page at a time).
import { admin, ddb } from './api.js';
import { h, clear, field, select, header, button, toast, errorBox, fmtTime } from './ui.js';

export function render(main) {
  let clock = null;
  let fetchedAt = 0;
  const now = h('output', { class: 'clock', id: 'clock-now', 'aria-live': 'off' });
  const state = h('span', { class: 'sub', id: 'clock-state' });
  const sweepOut = h('output', { id: 'sweep-result', 'aria-live': 'polite' });
  const current = () => (clock.frozen ? clock.now_ms : clock.now_ms + (Date.now() - fetchedAt));
  const tick = () => {
    if (!clock) return;
    now.textContent = fmtTime(current());
    now.dataset.ms = String(current());
    state.textContent = clock.frozen ? 'frozen' : 'running';
  };
  const load = async (r) => {
    clock = r || await admin('/_ddbd/clock');
    fetchedAt = Date.now();
    tick();
  };
  const move = async (body) => {
    try {
      await load(await admin('/_ddbd/clock', { method: 'POST', body }));
    } catch (e) {
      toast(e.message, 'error');
    }
  };
  // the due-soon list reads ddbd's time: it waits for the first read of the clock
  const loaded = load();
  loaded.catch((e) => main.append(errorBox(e)));
  const ddbdNow = async () => { await loaded.catch(() => {}); return clock ? current() : Date.now(); };
  const setAt = h('input', { type: 'datetime-local', step: 1, id: 'clock-set' });
  const adv = h('input', { type: 'number', value: 3600, id: 'clock-advance-seconds' });
  main.append(header('Clock & TTL'),
    h('section', { class: 'card', 'aria-label': 'ddbd clock' }, h('h2', {}, 'ddbd time (UTC)'), now, ' ', state,
      h('div', { class: 'toolbar' },
        button('+1 min', () => move({ advance_seconds: 60 })), button('+1 hour', () => move({ advance_seconds: 3600 })),
        button('+1 day', () => move({ advance_seconds: 86400 })),
        field('Seconds', adv), button('Advance', () => move({ advance_seconds: Number(adv.value) }), { id: 'clock-advance' }),
        button('Freeze', () => move({ frozen: true }), { id: 'clock-freeze' }), button('Run', () => move({ frozen: false }), { id: 'clock-run' })),
      h('div', { class: 'toolbar' }, field('Set to (UTC)', setAt),
        button('Set', () => setAt.value && move({ set: `${setAt.value.length === 16 ? `${setAt.value}:00` : setAt.value}Z` }), { id: 'clock-set-button' }),
        button('Back to real time', () => move({ set_ms: Date.now(), frozen: false })))),
    h('section', { class: 'card', 'aria-label': 'TTL sweep' }, h('h2', {}, 'TTL'),
      h('p', { class: 'sub' }, 'Expired items are deleted by a background sweep (ddbd --ttl-sweep-seconds); run one now:'),
      button('Sweep now', async () => {
        try {
          const r = await admin('/_ddbd/ttl/sweep', { method: 'POST' });
          sweepOut.textContent = `${r.expired} item(s) expired, ${r.trimmed} stream record(s) trimmed`;
        } catch (e) {
          sweepOut.textContent = e.message;
        }
      }, { class: 'primary', id: 'sweep-now' }), ' ', sweepOut),
    dueSoon(ddbdNow));
  const timer = setInterval(tick, 1000);
  return () => clearInterval(timer);
}

// Items of a TTL table expiring within a window of ddbd's time.
function dueSoon(ddbdNow) {
  const table = h('select', { id: 'due-table', 'aria-label': 'Table' });
  const windowSel = select([['3600', 'next hour'], ['86400', 'next day'], ['604800', 'next week']], '86400', { id: 'due-window', 'aria-label': 'Window' });
  const out = h('div', { id: 'due-items' });
  let ttls = {};
  const init = async () => {
    const r = await ddb('ListTables', { Limit: 100 });
    const t = await Promise.all(r.TableNames.map((n) => ddb('DescribeTimeToLive', { TableName: n }).then((x) => [n, x.TimeToLiveDescription]).catch(() => [n, null])));
    ttls = Object.fromEntries(t.filter(([, d]) => d && ['ENABLED', 'ENABLING'].includes(d.TimeToLiveStatus)).map(([n, d]) => [n, d.AttributeName]));
    clear(table, Object.keys(ttls).length ? Object.keys(ttls).map((n) => h('option', { value: n }, `${n} (${ttls[n]})`)) : h('option', { value: '' }, 'no table has TTL enabled'));
  };
  let start;
  let found = [];
  const scan = async (more) => {
    if (!table.value) return;
    if (!more) { start = undefined; found = []; }
    const nowS = Math.floor((await ddbdNow()) / 1000);
    const req = {
      TableName: table.value, Limit: 1000, FilterExpression: '#t BETWEEN :lo AND :hi',
      ExpressionAttributeNames: { '#t': ttls[table.value] },
      ExpressionAttributeValues: { ':lo': { N: String(nowS - 5 * 365 * 86400) }, ':hi': { N: String(nowS + Number(windowSel.value)) } },
    };
    if (start) req.ExclusiveStartKey = start;
    try {
      const r = await ddb('Scan', req);
      start = r.LastEvaluatedKey;
      found = found.concat(r.Items).sort((a, b) => Number(a[ttls[table.value]].N) - Number(b[ttls[table.value]].N));
      const attr = ttls[table.value];
      clear(out, found.length ? h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'expires (UTC)'), h('th', { scope: 'col' }, 'in'), h('th', { scope: 'col' }, 'item'))),
        h('tbody', {}, found.slice(0, 200).map((it) => {
          const at = Number(it[attr].N);
          return h('tr', { class: at <= nowS ? 'expired' : '' }, h('td', {}, fmtTime(at * 1000)),
            h('td', {}, at <= nowS ? 'due now' : `${Math.round((at - nowS) / 60)} min`), h('td', { class: 'mono' }, JSON.stringify(it)));
        }))) : h('p', { class: 'empty' }, 'Nothing due in this window (of the items read so far).'),
      start ? button('Read more of the table', () => scan(true), { id: 'due-more' }) : null);
    } catch (e) {
      clear(out, errorBox(e));
    }
  };
  init().then(() => scan(false));
  table.addEventListener('change', () => scan(false));
  windowSel.addEventListener('change', () => scan(false));
  return h('section', { class: 'card', 'aria-label': 'Items due to expire' }, h('h2', {}, 'Items due to expire'),
    h('div', { class: 'toolbar' }, field('Table', table), field('Within', windowSel), button('Refresh', () => scan(false), { id: 'due-refresh' })), out);
}
