// Triggers: each with its state, checkpoint, lag, last result and error and
// recent deliveries (GET /_ddbd/triggers, refreshed every 2 s while shown);
// pause and resume (POST the trigger again with Enabled, which keeps its
// checkpoint); create from a form; delete.
import { admin } from './api.js';
import {
  h, clear, field, select, header, button, toast, errorBox, confirmDialog, dialog, fmtNum,
} from './ui.js';

const REFRESH_MS = 2000;
// What GET shows beyond the settings: not sent back when redefining.
const STATUS_KEYS = ['Origin', 'State', 'EventSourceArn', 'Checkpoint', 'Lag', 'InFlight', 'LastProcessingResult', 'LastError',
  'LastDeliveryTime', 'RecordsDelivered', 'RecordsDropped', 'Invocations', 'RecentDeliveries'];

export function render(main) {
  const body = h('div', { id: 'triggers' });
  main.append(header('Triggers', button('Create trigger', () => create(load), { class: 'primary', id: 'create-trigger' })), body);
  const load = async () => {
    try {
      const r = await admin('/_ddbd/triggers');
      const open = new Set([...body.querySelectorAll('details[open]')].map((d) => d.dataset.uuid));
      clear(body, r.Triggers.length ? r.Triggers.map((t) => card(t, load, open.has(t.UUID)))
        : h('p', { class: 'empty' }, 'No triggers. A trigger delivers a table\'s stream records to a local HTTP function, as Lambda would.'));
    } catch (e) {
      clear(body, errorBox(e));
    }
  };
  load();
  const timer = setInterval(load, REFRESH_MS);
  return () => clearInterval(timer);
}

function card(t, reload, open) {
  const enabled = t.Enabled !== false;
  const toggle = async () => {
    const cfg = Object.fromEntries(Object.entries(t).filter(([k, v]) => !STATUS_KEYS.includes(k) && v !== null));
    cfg.Enabled = !enabled;
    try {
      await admin('/_ddbd/triggers', { method: 'POST', body: cfg });
      toast(`Trigger ${enabled ? 'paused' : 'resumed'}`);
      reload();
    } catch (e) {
      toast(e.message, 'error');
    }
  };
  const remove = async () => {
    if (!(await confirmDialog('Delete this trigger?', `${t.TableName} → ${t.Url}`))) return;
    try {
      await admin(`/_ddbd/triggers/${t.UUID}`, { method: 'DELETE' });
      reload();
    } catch (e) {
      toast(e.message, 'error');
    }
  };
  const facts = [['State', t.State], ['Checkpoint', t.Checkpoint || '—'], ['Lag', fmtNum(t.Lag)],
    ['Last result', t.LastProcessingResult], ['Last error', t.LastError || '—'],
    ['Delivered', fmtNum(t.RecordsDelivered)], ['Dropped', fmtNum(t.RecordsDropped)], ['Batch size', t.BatchSize]];
  return h('section', { class: `trigger state-${String(t.State).toLowerCase()}`, 'aria-label': `Trigger on ${t.TableName}`, dataset: { uuid: t.UUID } },
    h('div', { class: 'view-head' }, h('h2', {}, `${t.TableName} → ${t.Url}`),
      h('div', { class: 'actions' }, button(enabled ? 'Pause' : 'Resume', toggle, { class: 'trigger-toggle' }),
        button('Delete', remove, { class: 'danger small' }))),
    h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', { dataset: { fact: k.toLowerCase().replace(' ', '-') } }, String(v ?? ''))])),
    h('details', { dataset: { uuid: t.UUID }, open }, h('summary', {}, `Recent deliveries (${(t.RecentDeliveries || []).length})`),
      (t.RecentDeliveries || []).length ? h('table', {}, h('thead', {}, h('tr', {}, ['time', 'records', 'sequence numbers', 'result', 'ms'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, t.RecentDeliveries.map((d) => h('tr', { class: d.Ok ? 'ok' : 'failed' },
          h('td', {}, new Date(d.Time * 1000).toISOString().slice(11, 23)), h('td', { class: 'num' }, d.Records),
          h('td', {}, `${d.FirstSequenceNumber}…${d.LastSequenceNumber.slice(-6)}`),
          h('td', {}, d.Error || (d.Status ? `HTTP ${d.Status}` : '')), h('td', { class: 'num' }, d.DurationMs)))))
        : h('p', { class: 'sub' }, 'None yet.')));
}

async function create(reload) {
  const table = h('input', { required: true, autocomplete: 'off', id: 'trigger-table' });
  const url = h('input', { required: true, type: 'url', autocomplete: 'off', placeholder: 'http://127.0.0.1:3000/', id: 'trigger-url' });
  const batch = h('input', { type: 'number', min: 1, max: 10000, value: 100, id: 'trigger-batch' });
  const start = select(['TRIM_HORIZON', 'LATEST'], 'TRIM_HORIZON', { id: 'trigger-start' });
  const ns = h('input', { autocomplete: 'off', placeholder: 'any namespace', value: `${localStorage.getItem('ddbd.accessKey') || 'local'}/${localStorage.getItem('ddbd.region') || 'us-east-1'}`, id: 'trigger-ns' });
  const problem = h('div', { class: 'form-error', role: 'alert' });
  const submit = async (e) => {
    if (!e.target.form.reportValidity()) { e.preventDefault(); return; }
    e.preventDefault();
    const cfg = { TableName: table.value.trim(), Url: url.value.trim(), BatchSize: Number(batch.value), StartingPosition: start.value };
    if (ns.value.trim()) cfg.Namespace = ns.value.trim();
    try {
      await admin('/_ddbd/triggers', { method: 'POST', body: cfg });
      e.target.closest('dialog').close('created');
      toast('Trigger created');
      reload();
    } catch (err) {
      clear(problem, errorBox(err));
    }
  };
  await dialog('Create trigger', h('div', {}, field('Table', table), field('Function URL', url), field('Batch size', batch),
    field('Starting position', start), field('Namespace (ACCESSKEY/region)', ns), problem),
  [{ label: 'Cancel', value: null }, { label: 'Create', value: 'create', primary: true, validate: true, onclick: submit }]);
}
