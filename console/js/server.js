// The server: version, flags, data directory size, uptime, requests per
// second by operation with a small live chart (from GET /_ddbd/stats each
// second: rates are the differences between two reads), recent errors.
import { admin } from './api.js';
import { h, clear, header, fmtBytes, fmtNum, fmtDuration, fmtTime, errorBox, dataTable } from './ui.js';

const EVERY_MS = 1000;
const POINTS = 60;
const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

// A line chart of req/s over the last POINTS seconds.
function chart(samples) {
  const w = 600, hgt = 120;
  const max = Math.max(1, ...samples);
  const pts = samples.map((v, i) => `${(i * w) / (POINTS - 1)},${hgt - (v / max) * (hgt - 10)}`).join(' ');
  const label = h('span', { class: 'sub' }, `peak ${max.toFixed(1)} req/s, now ${samples[samples.length - 1].toFixed(1)} req/s`);
  return [label, svg('svg', { viewBox: `0 0 ${w} ${hgt}`, preserveAspectRatio: 'none', class: 'chart', role: 'img', 'aria-label': `Requests per second over the last minute, peak ${max.toFixed(1)}` },
    svg('line', { x1: 0, y1: hgt - 0.5, x2: w, y2: hgt - 0.5, class: 'axis' }),
    svg('polyline', { points: pts, class: 'line' }))];
}

export function render(main) {
  const info = h('div', { id: 'server-info' });
  const chartBox = h('div', { class: 'chart-box', id: 'server-chart' });
  const ops = h('div', { id: 'server-ops' });
  const errors = h('div', { id: 'server-errors' });
  main.append(header('Server'), info, h('h2', {}, 'Requests per second'), chartBox, ops, h('h2', {}, 'Recent errors'), errors);
  const totals = new Array(POINTS).fill(0);
  let prev = null;
  const tick = async () => {
    let s;
    try {
      s = await admin('/_ddbd/stats');
    } catch (e) {
      clear(info, errorBox(e));
      return;
    }
    const dt = prev ? Math.max(0.001, s.uptime_seconds - prev.uptime_seconds) : 0;
    const rate = (now, before) => (prev ? (now - (before || 0)) / dt : 0);
    totals.push(rate(s.requests, prev?.requests));
    totals.shift();
    const f = s.flags;
    clear(info, h('dl', { class: 'facts' }, [
      ['Version', s.version], ['Listening', `${f.host}:${f.port}`], ['Uptime', fmtDuration(s.uptime_seconds)],
      ['Data directory', `${s.data_dir}${f.in_memory ? ' (in memory)' : ''}`],
      ['Data size', `${fmtBytes(s.data_dir_disk_bytes)} on disk (${fmtBytes(s.data_dir_bytes)} in files)`],
      ['Namespaces', f.shared_db ? 'shared (--shared-db)' : 'per access key and region'], ['Signatures', f.auth], ['CORS', f.cors],
      ['Command line', ['ddbd', ...s.args].join(' ')], ['Requests', `${fmtNum(s.requests)} (${fmtNum(s.errors)} errors)`],
    ].map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
    clear(chartBox, chart(totals));
    const rows = Object.entries(s.operations).map(([op, c]) => ({ op, ...c, rate: rate(c.requests, prev?.operations?.[op]?.requests) }))
      .sort((a, b) => b.rate - a.rate || b.requests - a.requests);
    clear(ops, dataTable([
      { label: 'Operation', get: (r) => r.op }, { label: 'req/s', class: 'num', get: (r) => r.rate.toFixed(1) },
      { label: 'Requests', class: 'num', get: (r) => fmtNum(r.requests) }, { label: 'Errors', class: 'num', get: (r) => fmtNum(r.errors) },
    ], rows, { empty: 'No DynamoDB requests yet.' }));
    clear(errors, dataTable([
      { label: 'Time (ddbd)', get: (e) => fmtTime(e.time_ms) }, { label: 'Operation', get: (e) => e.operation },
      { label: 'Error', get: (e) => e.type }, { label: 'Message', get: (e) => e.message },
    ], s.recent_errors, { empty: 'No errors.' }));
    prev = s;
  };
  tick();
  const timer = setInterval(tick, EVERY_MS);
  return () => clearInterval(timer);
}
