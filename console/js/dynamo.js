// DynamoDB JSON: checking it, turning it into plain JSON and back, showing
// values, and diffing two images.

const TYPES = ['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS'];
const NUMBER = /^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

// Problems with one AttributeValue, as "path: problem" strings.
export function checkValue(v, path, out) {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    out.push(`${path}: an AttributeValue is an object like {"S": "text"}`);
    return out;
  }
  const keys = Object.keys(v);
  if (keys.length !== 1 || !TYPES.includes(keys[0])) {
    out.push(`${path}: give exactly one of ${TYPES.join(', ')}`);
    return out;
  }
  const [t] = keys;
  const x = v[t];
  const isStrArr = (a) => Array.isArray(a) && a.every((s) => typeof s === 'string');
  switch (t) {
    case 'S': if (typeof x !== 'string') out.push(`${path}: S takes a string`); break;
    case 'N': if (typeof x !== 'string' || !NUMBER.test(x)) out.push(`${path}: N takes a number as a string, e.g. "42"`); break;
    case 'B': if (typeof x !== 'string' || !BASE64.test(x)) out.push(`${path}: B takes base64 text`); break;
    case 'BOOL': if (typeof x !== 'boolean') out.push(`${path}: BOOL takes true or false`); break;
    case 'NULL': if (x !== true) out.push(`${path}: NULL takes true`); break;
    case 'SS': case 'BS':
      if (!isStrArr(x) || !x.length) out.push(`${path}: ${t} takes a non-empty list of strings`);
      else if (new Set(x).size !== x.length) out.push(`${path}: ${t} has duplicates`);
      break;
    case 'NS':
      if (!isStrArr(x) || !x.length || !x.every((n) => NUMBER.test(n))) out.push(`${path}: NS takes a non-empty list of number strings`);
      break;
    case 'L':
      if (!Array.isArray(x)) out.push(`${path}: L takes a list`);
      else x.forEach((e, i) => checkValue(e, `${path}[${i}]`, out));
      break;
    case 'M':
      if (x === null || typeof x !== 'object' || Array.isArray(x)) out.push(`${path}: M takes an object`);
      else for (const [k, e] of Object.entries(x)) checkValue(e, `${path}.${k}`, out);
      break;
    default: break;
  }
  return out;
}

// Problems with an item for a table's key schema ([{AttributeName, KeyType}]) and attribute types.
export function checkItem(item, keySchema = [], attrTypes = {}) {
  const out = [];
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return ['the item must be a JSON object'];
  for (const [k, v] of Object.entries(item)) checkValue(v, k, out);
  for (const { AttributeName: name } of keySchema) {
    const v = item[name];
    if (!v) out.push(`${name}: the key attribute is missing`);
    else if (attrTypes[name] && !(attrTypes[name] in v)) out.push(`${name}: the key must be of type ${attrTypes[name]}`);
  }
  return out;
}

// Plain JSON for reading: numbers become numbers when that keeps them
// exact (else strings), sets become lists, binary stays base64 text.
export function toPlain(v) {
  const [t] = Object.keys(v);
  const x = v[t];
  switch (t) {
    case 'S': case 'B': case 'BOOL': return x;
    case 'NULL': return null;
    case 'N': return plainNumber(x);
    case 'SS': case 'BS': return [...x];
    case 'NS': return x.map(plainNumber);
    case 'L': return x.map(toPlain);
    case 'M': return itemToPlain(x);
    default: return x;
  }
}

function plainNumber(s) {
  const n = Number(s);
  return Number.isFinite(n) && String(n) === s ? n : s;
}

export const itemToPlain = (item) => Object.fromEntries(Object.entries(item).map(([k, v]) => [k, toPlain(v)]));

// Plain JSON to DynamoDB JSON (what the plain editor saves).
export function fromPlain(x) {
  if (x === null) return { NULL: true };
  if (typeof x === 'string') return { S: x };
  if (typeof x === 'number') return { N: String(x) };
  if (typeof x === 'boolean') return { BOOL: x };
  if (Array.isArray(x)) return { L: x.map(fromPlain) };
  return { M: itemFromPlain(x) };
}

export const itemFromPlain = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, fromPlain(v)]));

// Whether plain JSON loses something of this item (sets, binary, numbers
// JavaScript cannot hold exactly).
export function plainIsLossy(item) {
  return JSON.stringify(itemFromPlain(itemToPlain(item))) !== JSON.stringify(item);
}

// A short text for a table cell.
export function show(v) {
  if (!v) return '';
  const [t] = Object.keys(v);
  const x = v[t];
  switch (t) {
    case 'S': case 'N': return x;
    case 'B': return `<${x.length} b64>`;
    case 'BOOL': return String(x);
    case 'NULL': return 'null';
    case 'SS': case 'NS': case 'BS': return `{${x.join(', ')}}`;
    default: return JSON.stringify(toPlain(v));
  }
}

export const typeOf = (v) => (v ? Object.keys(v)[0] : '');

// The item's key only.
export const keyOf = (item, keySchema) => Object.fromEntries(keySchema.map(({ AttributeName: k }) => [k, item[k]]));

// Attribute by attribute: [{name, change: 'added'|'removed'|'changed'|'same', old, new}].
export function diff(oldImg = {}, newImg = {}) {
  const names = [...new Set([...Object.keys(oldImg || {}), ...Object.keys(newImg || {})])].sort();
  return names.map((name) => {
    const o = oldImg?.[name];
    const n = newImg?.[name];
    let change = 'same';
    if (!o) change = 'added';
    else if (!n) change = 'removed';
    else if (JSON.stringify(o) !== JSON.stringify(n)) change = 'changed';
    return { name, change, old: o, new: n };
  });
}
