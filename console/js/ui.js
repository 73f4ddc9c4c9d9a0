// Small DOM helpers: element building, notices, dialogs, tables, formats.
// No inline styles or handlers anywhere (the Content-Security-Policy
// forbids them): classes and addEventListener only.

// h('button', {class: 'x', onclick: fn, 'aria-label': 'Delete'}, 'text', child...)
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = Boolean(v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let fieldSeq = 0;
// A labelled form field: field('Table name', input) -> <div><label for>..</label>input</div>
export function field(label, input, hint) {
  if (!input.id) input.id = `f${++fieldSeq}`;
  return h('div', { class: 'field' }, h('label', { for: input.id }, label), input, hint ? h('small', {}, hint) : null);
}

export function select(options, value, attrs = {}) {
  return h('select', attrs, options.map((o) => {
    const [v, label] = Array.isArray(o) ? o : [o, o];
    return h('option', { value: v, selected: v === value }, label);
  }));
}

// A notice at the top of the page (aria-live), gone after a while.
export function toast(message, kind = 'info') {
  const box = document.getElementById('toasts');
  const el = h('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message);
  box.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 3000);
}

// An error block as DynamoDB returned it (type and message).
export function errorBox(e) {
  return h('div', { class: 'error', role: 'alert' },
    h('strong', {}, e.type || 'Error'), ': ', e.message || String(e));
}

// A modal dialog: dialog(title, body, [{label, value, primary}]) -> Promise of the value chosen (null on Esc).
export function dialog(title, body, buttons = [{ label: 'Close', value: null }], { wide = false } = {}) {
  return new Promise((resolve) => {
    const d = h('dialog', { class: wide ? 'wide' : '', 'aria-label': title });
    const form = h('form', { method: 'dialog' },
      h('h2', {}, title), body,
      h('div', { class: 'buttons' }, buttons.map((b) => h('button', {
        value: b.value ?? '', class: b.primary ? 'primary' : b.danger ? 'danger' : '',
        type: b.validate ? 'submit' : 'submit', formnovalidate: !b.validate,
        onclick: b.onclick,
      }, b.label))));
    d.append(form);
    d.addEventListener('close', () => {
      d.remove();
      resolve(d.returnValue === '' ? null : d.returnValue);
    });
    document.body.append(d);
    d.showModal();
  });
}

export async function confirmDialog(title, text, { confirm = 'Delete', typed } = {}) {
  const input = typed ? h('input', { autocomplete: 'off', 'aria-label': `Type ${typed} to confirm` }) : null;
  const ok = h('button', { value: 'yes', class: 'danger', disabled: Boolean(typed) }, confirm);
  if (input) input.addEventListener('input', () => { ok.disabled = input.value !== typed; });
  return new Promise((resolve) => {
    const d = h('dialog', { 'aria-label': title },
      h('form', { method: 'dialog' }, h('h2', {}, title), h('p', {}, text),
        input ? field(`Type “${typed}” to confirm`, input) : null,
        h('div', { class: 'buttons' }, h('button', { value: 'no' }, 'Cancel'), ok)));
    d.addEventListener('close', () => { d.remove(); resolve(d.returnValue === 'yes'); });
    document.body.append(d);
    d.showModal();
    (input || ok).focus();
  });
}

// A table from rows: columns [{label, get(row) -> node|string, class}], onRow(row) makes rows clickable.
export function dataTable(columns, rows, { onRow, caption, empty = 'Nothing here yet.' } = {}) {
  if (!rows.length) return h('p', { class: 'empty' }, empty);
  return h('div', { class: 'table-wrap' }, h('table', {},
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.class }, c.label)))),
    h('tbody', {}, rows.map((r) => {
      const tr = h('tr', {}, columns.map((c) => h('td', { class: c.class }, c.get(r))));
      if (onRow) {
        tr.tabIndex = 0;
        tr.classList.add('clickable');
        tr.addEventListener('click', () => onRow(r));
        tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') onRow(r); });
      }
      return tr;
    }))));
}

export function fmtBytes(n) {
  if (n === undefined || n === null) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = Number(n);
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${i ? v.toFixed(1) : v} ${units[i]}`;
}

export const fmtNum = (n) => (n === undefined || n === null ? '' : Number(n).toLocaleString('en-US'));

export function fmtTime(ms) {
  if (!ms && ms !== 0) return '';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function fmtDuration(s) {
  s = Math.floor(s);
  const d = Math.floor(s / 86400), hh = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  return [d ? `${d}d` : '', hh ? `${hh}h` : '', m ? `${m}m` : '', `${s % 60}s`].filter(Boolean).join(' ');
}

// A section heading with actions on the right.
export function header(title, ...actions) {
  return h('div', { class: 'view-head' }, h('h1', {}, title), h('div', { class: 'actions' }, actions));
}

export function button(label, onclick, attrs = {}) {
  return h('button', { type: 'button', onclick, ...attrs }, label);
}
