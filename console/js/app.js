// The console's shell: the namespace bar, the navigation and a tiny
// hash router (#/view/arg?k=v). Each view module exports
// render(main, {arg, query}) and may return a function that stops what it
// started (an EventSource, a timer) when the user leaves the view.
import { settings, takeTokenFromUrl } from './api.js';
import * as tables from './tables.js';
import * as items from './items.js';
import * as partiql from './partiql.js';
import * as stream from './stream.js';
import * as triggers from './triggers.js';
import * as clock from './clock.js';
import * as server from './server.js';
import { errorBox, clear } from './ui.js';

const views = { tables, items, partiql, stream, triggers, clock, server };
let stop = null;

export function parseHash() {
  const raw = window.location.hash.replace(/^#\/?/, '');
  const [path, qs] = raw.split('?');
  const [view, ...rest] = path.split('/');
  return { view: views[view] ? view : 'tables', arg: rest.map(decodeURIComponent).join('/'), query: new URLSearchParams(qs || '') };
}

async function route() {
  if (stop) {
    stop();
    stop = null;
  }
  const { view, arg, query } = parseHash();
  for (const a of document.querySelectorAll('nav.side a')) {
    if (a.dataset.view === view) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const main = document.getElementById('main');
  clear(main);
  document.title = `${view[0].toUpperCase()}${view.slice(1)} · ddbd console`;
  try {
    stop = (await views[view].render(main, { arg, query })) || null;
  } catch (e) {
    main.append(errorBox(e));
  }
}

function setupNamespace() {
  const form = document.getElementById('namespace');
  form.accessKey.value = settings.accessKey;
  form.region.value = settings.region;
  form.secret.value = settings.secret;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    settings.save({
      accessKey: form.accessKey.value.trim() || 'local',
      region: form.region.value.trim() || 'us-east-1',
      secret: form.secret.value || 'local',
    });
    route();
  });
}

// Keyboard: g then a view's first letter moves there (g t, g i, g p, g s, g r, g c, g v).
function setupKeys() {
  let pending = false;
  const keys = { t: 'tables', i: 'items', p: 'partiql', s: 'stream', r: 'triggers', c: 'clock', v: 'server' };
  document.addEventListener('keydown', (e) => {
    if (e.target.closest('input, textarea, select, [contenteditable]') || e.ctrlKey || e.metaKey || e.altKey) return;
    if (pending && keys[e.key]) {
      window.location.hash = `#/${keys[e.key]}`;
      pending = false;
      return;
    }
    pending = e.key === 'g';
  });
}

takeTokenFromUrl();
setupNamespace();
setupKeys();
window.addEventListener('hashchange', route);
route();
