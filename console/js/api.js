// How the console talks to ddbd: the DynamoDB JSON API, signed with SigV4
// as an SDK signs it, and ddbd's own /_ddbd/ endpoints.
//
// Settings: the namespace (access key + region; any key works unless ddbd
// runs with --auth verify, when the key's secret is needed too) lives in
// localStorage; an admin token (for a ddbd listening beyond loopback)
// arrives once as ?token= and lives in sessionStorage only.
import { hex, hmac, sha256 } from './sha256.js';

const store = window.localStorage;
const session = window.sessionStorage;

export const settings = {
  get accessKey() { return store.getItem('ddbd.accessKey') || 'local'; },
  get region() { return store.getItem('ddbd.region') || 'us-east-1'; },
  get secret() { return store.getItem('ddbd.secret') || 'local'; },
  get token() { return session.getItem('ddbd.token') || ''; },
  save({ accessKey, region, secret }) {
    if (accessKey !== undefined) store.setItem('ddbd.accessKey', accessKey);
    if (region !== undefined) store.setItem('ddbd.region', region);
    if (secret !== undefined) store.setItem('ddbd.secret', secret);
  },
};

// A token given as ?token= is kept for the tab's session and taken out of
// the address bar (so it is not bookmarked or shared by accident).
export function takeTokenFromUrl() {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (token === null) return;
  session.setItem('ddbd.token', token);
  url.searchParams.delete('token');
  window.history.replaceState(null, '', url.pathname + url.search + url.hash);
}

// An error as DynamoDB returned it: type (after '#'), message, the raw body.
export class DdbError extends Error {
  constructor(type, message, status, body) {
    super(message || type);
    this.type = type;
    this.status = status;
    this.body = body;
  }
}

function amzDate(d) {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

// The Authorization header for a POST / with this body (SigV4, service dynamodb).
function sign(target, body, date) {
  const t = amzDate(date);
  const day = t.slice(0, 8);
  const { accessKey, region, secret } = settings;
  const host = window.location.host;
  const headers = `content-type:application/x-amz-json-1.0\nhost:${host}\nx-amz-date:${t}\nx-amz-target:${target}\n`;
  const signed = 'content-type;host;x-amz-date;x-amz-target';
  const canonical = `POST\n/\n\n${headers}\n${signed}\n${hex(sha256(body))}`;
  const scope = `${day}/${region}/dynamodb/aws4_request`;
  const toSign = `AWS4-HMAC-SHA256\n${t}\n${scope}\n${hex(sha256(canonical))}`;
  let key = hmac('AWS4' + secret, day);
  key = hmac(key, region);
  key = hmac(key, 'dynamodb');
  key = hmac(key, 'aws4_request');
  const signature = hex(hmac(key, toSign));
  return {
    'X-Amz-Date': t,
    Authorization: `AWS4-HMAC-SHA256 Credential=${accessKey}/${scope}, SignedHeaders=${signed}, Signature=${signature}`,
  };
}

// Counts calls for the status bar; the server view has ddbd's own counters.
export const activity = { calls: 0, lastMs: 0 };

// ddb('PutItem', {...}) -> the parsed reply; throws DdbError.
export async function ddb(op, params, { streams = false } = {}) {
  const target = (streams ? 'DynamoDBStreams_20120810.' : 'DynamoDB_20120810.') + op;
  const body = JSON.stringify(params || {});
  const started = performance.now();
  const res = await fetch('/', {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.0',
      'X-Amz-Target': target,
      ...sign(target, body, new Date()),
    },
    body,
  });
  const text = await res.text();
  activity.calls++;
  activity.lastMs = performance.now() - started;
  let json = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    throw new DdbError('InvalidResponse', text.slice(0, 200), res.status, text);
  }
  if (!res.ok) {
    const type = String(json.__type || 'Error').split('#').pop();
    throw new DdbError(type, json.message || json.Message || '', res.status, text);
  }
  return json;
}

// admin('/_ddbd/clock', {method: 'POST', body: {...}}) -> parsed JSON; throws
// an Error with the endpoint's {"error": ...} text.
export async function admin(path, { method = 'GET', body } = {}) {
  const headers = {};
  if (settings.token) headers['X-Ddbd-Admin-Token'] = settings.token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = { error: text };
  }
  if (!res.ok) throw new DdbError('AdminError', json.error || `HTTP ${res.status}`, res.status, text);
  return json;
}

// An EventSource URL for an admin path, with the token as a query
// parameter (EventSource cannot send headers).
export function eventUrl(path, params) {
  const q = new URLSearchParams(params);
  if (settings.token) q.set('token', settings.token);
  return `${path}?${q}`;
}

// Every page of a paged call: pages(ListTables, 'ExclusiveStartTableName', 'LastEvaluatedTableName').
export async function* pages(op, params, startKey, lastKey) {
  let start;
  do {
    const p = { ...params };
    if (start !== undefined) p[startKey] = start;
    const r = await ddb(op, p);
    yield r;
    start = r[lastKey];
  } while (start !== undefined);
}
