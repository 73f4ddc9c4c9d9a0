#!/usr/bin/env node
// gen-model-rules.js - writes src/api/model_rules.c, the table behind ddbd's
// first stage of request validation (src/api/validate.c): for every
// operation of DynamoDB and DynamoDB Streams, the input's members, which are
// required, and each value's length, range, pattern and enum constraints, as
// AWS's front end checks them before DynamoDB itself looks at a request.
//
//   node scripts/gen-model-rules.js          # regenerate src/api/model_rules.c and model_shapes.c
//   node scripts/gen-model-rules.js --check  # what meson test runs: both match the model
//
// Sources, in this order (each fact in the output comes from one of them):
//  1. The newest npm @aws-sdk/client-dynamodb and @aws-sdk/client-dynamodb-streams
//     (DDBD_SDK_DIR: the node_modules folder holding them; default tests/node/node_modules):
//     the operations, every structure's members in the model's order, which
//     are required (the schemas' required count), list and map shapes, and the
//     enums (dist-types: a member typed with an enum type, that enum's values).
//     The SDK does not carry length, range or pattern traits, so:
//  2. Debian's botocore model (python3-botocore, 2023:
//     /usr/lib/python3/dist-packages/botocore/data/dynamodb*/2012-08-10/service-2.json,
//     DDBD_BOTOCORE_DIR to override): min, max and pattern of every member and
//     shape it knows, looked up by structure and member name; its enum order
//     for enums it has (the order values were declared in, see enumOrder).
//  3. AWS's API reference (docs.aws.amazon.com/amazondynamodb/latest/APIReference/),
//     for members newer than that botocore and for shapes AWS has changed since:
//     DOC_CONSTRAINTS below, each with the page it comes from.
//  4. AWS's recorded answers where the front end is not what the model says
//     (AWS_RULES below, each with where it was recorded).
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const sdkDir = process.env.DDBD_SDK_DIR || path.join(root, 'tests/node/node_modules');
const bcDir = process.env.DDBD_BOTOCORE_DIR || '/usr/lib/python3/dist-packages/botocore/data';

// ---- 3. constraints from the API reference --------------------------------------------
// Key: "Structure.Member" (the member's value), "Shape" (a list/map shape by its SDK name),
// "Map.key" (a map's key). Value: {min, max, pattern}.
const DOC_CONSTRAINTS = {
    // API_PutItem, API_GetItem, API_DescribeTable, ... "TableName ... You can also provide the
    // Amazon Resource Name (ARN) of the table in this parameter. Length Constraints: Minimum
    // length of 1. Maximum length of 1024." Applied to every member whose SDK documentation
    // says it takes a table's ARN (tableArnMember below).
    TableArn: {min: 1, max: 1024},
    // API_CreateTable, API_UpdateTable, API_GlobalSecondaryIndex: OnDemandThroughput,
    // WarmThroughput (2024): no length or range constraints are listed for their members.
    // API_CreateTable: ResourcePolicy, "Type: String" (no constraints listed).
    // API_PutResourcePolicy / API_GetResourcePolicy / API_DeleteResourcePolicy:
    // ResourceArn "Length Constraints: Minimum length of 1. Maximum length of 1283."
    'PutResourcePolicyInput.ResourceArn': {min: 1, max: 1283},
    'GetResourcePolicyInput.ResourceArn': {min: 1, max: 1283},
    'DeleteResourcePolicyInput.ResourceArn': {min: 1, max: 1283},
    // API_PutResourcePolicy: ExpectedRevisionId "Length Constraints: Minimum length of 1.
    // Maximum length of 255."
    'PutResourcePolicyInput.ExpectedRevisionId': {min: 1, max: 255},
    'DeleteResourcePolicyInput.ExpectedRevisionId': {min: 1, max: 255},
    // API_PointInTimeRecoverySpecification: RecoveryPeriodInDays "Valid Range: Minimum value
    // of 1. Maximum value of 35."
    'PointInTimeRecoverySpecification.RecoveryPeriodInDays': {min: 1, max: 35},
    // API_UpdateKinesisStreamingDestination: TableName (ARN accepted: TableArn above),
    // StreamArn "Length Constraints: Minimum length of 37. Maximum length of 1024."
    'UpdateKinesisStreamingDestinationInput.StreamArn': {min: 37, max: 1024},
    // API_BatchGetItem, API_BatchWriteItem: RequestItems "Key Length Constraints: Minimum length
    // of 1. Maximum length of 1024." (table names or ARNs; the 2023 model had TableName's).
    'BatchGetRequestMap.key': {min: 1, max: 1024},
    'BatchWriteItemRequestMap.key': {min: 1, max: 1024},
    // API_GlobalSecondaryIndex (multi-attribute keys, 2025): KeySchema "Array Members: Minimum
    // number of 1 item." - no maximum any more (up to four HASH and four RANGE attributes, whose
    // rules DynamoDB checks itself); a GSI added by UpdateTable takes the same key schemas. The
    // table's own KeySchema keeps 1..2.
    'GlobalSecondaryIndex.KeySchema': {min: 1, max: undefined},
    'CreateGlobalSecondaryIndexAction.KeySchema': {min: 1, max: undefined},
};

// ---- 4. AWS's front end where it differs from the model --------------------------------
const AWS_RULES = {
    // A missing or empty map reported before anything else, in the operation's words
    // (recorded in the conformance suite: tier3/error-messages/batch*Item.test.ts).
    requiredMapMessage: {
        'BatchGetItemInput.RequestItems': 'The requestItems parameter is required for BatchGetItem',
        'BatchWriteItemInput.RequestItems': 'The requestItems parameter is required for BatchWriteItem',
    },
    // A missing required member worded by the operation (tier3/error-messages/createTable).
    requiredMessage: {
        'CreateTableInput.TableName': "The parameter 'TableName' is required but was not present in the request",
        // AWS's answers recorded by dynalite's tests (test/tagResource.js, untagResource.js,
        // listTagsOfResource.js, updateTimeToLive.js): the operation's own words, alone.
        'TagResourceInput.ResourceArn': 'Invalid TableArn',
        'UntagResourceInput.ResourceArn': 'Invalid TableArn',
        'ListTagsOfResourceInput.ResourceArn': 'Invalid TableArn',
        'UpdateTimeToLiveInput.TimeToLiveSpecification': 'TimeToLiveSpecification cannot be null',
    },
    // Model constraints AWS's front end does not apply, leaving them to the operation, which
    // words them itself (ExpressionAttributeNames' values: "ExpressionAttributeNames contains
    // invalid value: Attribute name is too large, must be less than 65536 bytes for key #a").
    handlerChecked: ['ExpressionAttributeNameMap.value', 'TimeToLiveSpecification.AttributeName',
        'TimeToLiveSpecification.Enabled'],
    // Required where the newest model no longer says so but AWS's answers do (dynalite's
    // test/createTable.js: "Value null at 'keySchema' failed to satisfy constraint: Member must
    // not be null", the same for attributeDefinitions).
    required: ['CreateTableInput.KeySchema', 'CreateTableInput.AttributeDefinitions'],
    // Constraints AWS leaves to the operation itself, which words them "Value at 'Path'",
    // without the value and with the model's member names, after the model's constraints pass
    // (tier3/error-messages/query.test.ts "Limit of 0", batchGetItem.test.ts "> 100 keys").
    serviceChecked: ['QueryInput.Limit', 'KeysAndAttributes.Keys'],
    // The order AWS lists violations of different members in, where it is not the model's
    // (AWS's answers recorded by dynalite's tests, test/createTable.js: attributeDefinitions,
    // tableName, provisionedThroughput, keySchema; writeCapacityUnits before readCapacityUnits;
    // an index's projection, indexName, keySchema; test/batchGetItem.js: returnConsumedCapacity
    // before requestItems). Members not named keep the model's order, after these.
    memberOrder: {
        CreateTableInput: ['AttributeDefinitions', 'TableName', 'BillingMode', 'ProvisionedThroughput', 'KeySchema'],
        ProvisionedThroughput: ['WriteCapacityUnits', 'ReadCapacityUnits'],
        LocalSecondaryIndex: ['Projection', 'IndexName', 'KeySchema'],
        GlobalSecondaryIndex: ['Projection', 'IndexName', 'KeySchema'],
        BatchGetItemInput: ['ReturnConsumedCapacity', 'RequestItems'],
        BatchWriteItemInput: ['ReturnConsumedCapacity', 'ReturnItemCollectionMetrics', 'RequestItems'],
    },
};

// AWS lists an enum's values in the order of a 32-bucket hash table keyed by Java's
// String.hashCode (bucket = hashCode & 31, buckets ascending, a later-declared value before an
// earlier one in the same bucket). This reproduces every order AWS is recorded answering:
// Select, ComparisonOperator, ConditionalOperator, AttributeAction, AttributeType, KeyType,
// ReturnValue, ReturnConsumedCapacity, BillingMode, ProjectionType (conformance suite tier3;
// dynalite's tests; checked below, the generator refuses to run if one stops matching).
function javaHash(s) {
    let h = 0;
    for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
    return h >>> 0;
}
function enumOrder(declared) {
    const buckets = new Map();
    for (const v of declared) {
        const b = javaHash(v) & 31;
        if (!buckets.has(b)) buckets.set(b, []);
        buckets.get(b).unshift(v);
    }
    return [...buckets.keys()].sort((a, b) => a - b).flatMap((b) => buckets.get(b));
}
const RECORDED_ENUM_ORDERS = [
    [['ALL_ATTRIBUTES', 'ALL_PROJECTED_ATTRIBUTES', 'SPECIFIC_ATTRIBUTES', 'COUNT'],
        'SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES'],
    [['EQ', 'NE', 'IN', 'LE', 'LT', 'GE', 'GT', 'BETWEEN', 'NOT_NULL', 'NULL', 'CONTAINS', 'NOT_CONTAINS',
        'BEGINS_WITH'], 'IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS'],
    [['AND', 'OR'], 'OR, AND'],
    [['ADD', 'PUT', 'DELETE'], 'ADD, DELETE, PUT'],
    [['S', 'N', 'B'], 'B, N, S'],
    [['HASH', 'RANGE'], 'HASH, RANGE'],
    [['NONE', 'ALL_OLD', 'UPDATED_OLD', 'ALL_NEW', 'UPDATED_NEW'], 'ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW'],
    [['INDEXES', 'TOTAL', 'NONE'], 'INDEXES, TOTAL, NONE'],
    [['PROVISIONED', 'PAY_PER_REQUEST'], 'PROVISIONED, PAY_PER_REQUEST'],
    [['ALL', 'KEYS_ONLY', 'INCLUDE'], 'ALL, INCLUDE, KEYS_ONLY'],
];
for (const [declared, want] of RECORDED_ENUM_ORDERS)
    if (enumOrder(declared).join(', ') !== want) throw new Error(`enum order rule broken for ${want}`);

// Patterns the model uses, each checked by a matcher in src/api/validate_pattern.c. A
// pattern not listed here stops the generator: add its matcher first.
const PATTERNS = {
    '[a-zA-Z0-9_.-]+': 'MR_PAT_NAME',
    '\\p{Print}+': 'MR_PAT_PRINT',
    '[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\r\\n\\t]*': 'MR_PAT_XML_CHARS',
    '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}': 'MR_PAT_UUID',
    '^[a-z0-9A-Z]+[\\.\\-\\w]*[a-z0-9A-Z]+$': 'MR_PAT_BUCKET',
    '[,;:|\\t ]': 'MR_PAT_CSV_DELIMITER',
    '^[^\\$]+$': 'MR_PAT_NO_DOLLAR',
    '[0-9]{12}': 'MR_PAT_ACCOUNT',
    '[A-Za-z0-9][A-Za-z0-9\\-\\_\\.]{0,126}[A-Za-z0-9]': 'MR_PAT_EXPORT_NAME',
    '[\\x20-\\x21\\x23-\\x2B\\x2D-\\x7E]*': 'MR_PAT_CSV_HEADER',
    '([0-9a-f]{16})+': 'MR_PAT_HEX16',
};

// ---- reading the sources ---------------------------------------------------------------
function load(pkg) {
    return require(path.join(sdkDir, pkg));
}
const services = [
    {prefix: 'DynamoDB_20120810', pkg: '@aws-sdk/client-dynamodb', bc: 'dynamodb'},
    {prefix: 'DynamoDBStreams_20120810', pkg: '@aws-sdk/client-dynamodb-streams', bc: 'dynamodbstreams'},
];
for (const s of services) {
    s.sdk = load(s.pkg);
    s.version = require(path.join(sdkDir, s.pkg, 'package.json')).version;
    s.model = JSON.parse(fs.readFileSync(path.join(bcDir, s.bc, '2012-08-10/service-2.json'), 'utf8'));
    s.types = readTypes(path.join(sdkDir, s.pkg, 'dist-types/models'));
}

// From the SDK's .d.ts: interface member -> its type name, whether its documentation says it
// takes a table's ARN; enum type -> its values.
function readTypes(dir) {
    const members = {}, enums = {}, arnMembers = new Set();
    for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.d.ts'))) {
        const text = fs.readFileSync(path.join(dir, f), 'utf8');
        let iface = null, doc = '';
        for (const line of text.split('\n')) {
            let m;
            if ((m = line.match(/^export interface (\w+)/))) iface = m[1];
            else if (/^}/.test(line)) iface = null;
            else if (/^\s+\/\*\*/.test(line)) doc = '';
            if (/^\s+\*/.test(line)) doc += line;
            if (iface && (m = line.match(/^ {4}(\w+)\??: (\w+)(\[\])? \| undefined;/))) {
                members[iface + '.' + m[1]] = m[2];
                if (/(Amazon Resource Name \(ARN\)|ARN) of the table in this parameter/.test(doc.replace(/\s*\*\s*/g, ' ')))
                    arnMembers.add(iface + '.' + m[1]);
            }
        }
        const re = /export declare const (\w+): \{([^}]*)\};/g;
        let m;
        while ((m = re.exec(text))) enums[m[1]] = [...m[2].matchAll(/readonly \w+: "([^"]*)"/g)].map((x) => x[1]);
    }
    return {members, enums, arnMembers};
}

// ---- building the table ----------------------------------------------------------------
const KIND = {0: 'MR_STRING', 1: 'MR_NUMBER', 2: 'MR_BOOLEAN', 4: 'MR_TIMESTAMP', 5: 'MR_TIMESTAMP',
    6: 'MR_TIMESTAMP', 7: 'MR_TIMESTAMP', 15: 'MR_OPAQUE', 21: 'MR_BLOB'};
const shapes = []; // {key, kind, name, min, max, pattern, enumValues, members, item, key}
const shapeIndex = new Map();
const enumPool = [];
const memberPool = [];

function deref(x) {
    return typeof x === 'function' ? x() : x;
}
function lowerFirst(s) {
    return s[0].toLowerCase() + s.slice(1);
}
function bcShape(svc, name) {
    return name && svc.model.shapes[name];
}
function bcMember(svc, struct, member) {
    const s = bcShape(svc, struct);
    return s && s.members && s.members[member] ? bcShape(svc, s.members[member].shape) : undefined;
}
function bcMemberName(svc, struct, member) {
    const s = bcShape(svc, struct);
    return s && s.members && s.members[member] ? s.members[member].shape : undefined;
}
function constraintsOf(b) {
    const c = {};
    if (b && b.min !== undefined) c.min = b.min;
    if (b && b.max !== undefined) c.max = b.max;
    if (b && b.pattern !== undefined) c.pattern = b.pattern;
    return c;
}
function numberKind(svc, b) {
    if (!b) return 'MR_LONG';
    return {integer: 'MR_INTEGER', long: 'MR_LONG', double: 'MR_DOUBLE', float: 'MR_DOUBLE'}[b.type] || 'MR_LONG';
}

function internShape(desc) {
    const key = JSON.stringify(desc);
    if (shapeIndex.has(key)) return shapeIndex.get(key);
    const i = shapes.length;
    shapes.push(desc);
    shapeIndex.set(key, i);
    return i;
}

// A simple (non-aggregate) value: its kind and constraints.
function simpleShape(svc, schema, b, extra, enumType) {
    const code = typeof schema === 'number' ? schema : schema[4];
    let kind = KIND[code] || 'MR_OPAQUE';
    if (kind === 'MR_NUMBER') kind = numberKind(svc, b);
    const c = Object.assign(constraintsOf(b), extra || {});
    let values = null;
    if (enumType && svc.types.enums[enumType]) {
        // declared order: botocore's where it has the enum, else the SDK's
        const declared = (b && b.enum) || svc.types.enums[enumType];
        const extraVals = svc.types.enums[enumType].filter((v) => !declared.includes(v));
        values = enumOrder(declared.concat(extraVals));
    }
    if (c.pattern !== undefined && !PATTERNS[c.pattern]) throw new Error(`no matcher for pattern ${c.pattern}`);
    return internShape({kind, name: null, min: c.min, max: c.max, pattern: c.pattern, enumValues: values});
}

const structs = new Map(); // SDK schema name -> shape index (for recursion)

function shapeOf(svc, schema, ctx) {
    schema = deref(schema);
    // [schema, {member traits}]: a member with traits of its own (HTTP bindings, unused here)
    if (Array.isArray(schema) && schema.length === 2 && typeof schema[1] === 'object') schema = deref(schema[0]);
    if (typeof schema === 'number') {
        if (schema & 64) return listOrMap(svc, 'MR_LIST', null, schema & 63, null, ctx);
        if (schema & 128) return listOrMap(svc, 'MR_MAP', null, schema & 127, null, ctx);
        return simpleShape(svc, schema, ctx.bc, ctx.extra, ctx.enumType);
    }
    if (!Array.isArray(schema)) throw new Error(`unknown schema ${String(schema)}`);
    const [kind, , name] = schema;
    if (kind === 4 || name === 'AttributeValue') return internShape({kind: 'MR_OPAQUE', name}); // values: the handlers'
    if (kind === 0) return simpleShape(svc, schema, ctx.bc, ctx.extra, ctx.enumType);
    if (kind === 1) return listOrMap(svc, 'MR_LIST', name, schema[4], null, ctx);
    if (kind === 2) return listOrMap(svc, 'MR_MAP', name, schema[5], schema[4], ctx);
    if (kind === 3) return structShape(svc, schema);
    throw new Error(`unknown schema kind ${kind} (${name})`);
}

function listOrMap(svc, kind, name, item, keySchema, ctx) {
    const b = bcShape(svc, name) || ctx.bc;
    const c = Object.assign(constraintsOf(b), (name && DOC_CONSTRAINTS[name]) || {}, ctx.extra || {});
    const itemBc = b && (kind === 'MR_LIST' ? b.member : b.value);
    const modelName = name || ctx.bcName;
    const handler = modelName && AWS_RULES.handlerChecked.includes(modelName + '.value');
    const itemCtx = {bc: itemBc && !handler ? bcShape(svc, itemBc.shape) : undefined, enumType: ctx.itemEnumType};
    const desc = {kind, name, min: c.min, max: c.max};
    desc.item = shapeOf(svc, item, itemCtx);
    if (kind === 'MR_MAP') {
        const kb = b && b.key && bcShape(svc, b.key.shape);
        const doc = name && DOC_CONSTRAINTS[name + '.key'];
        desc.key = simpleShape(svc, 0, doc ? undefined : kb, doc); // the API reference replaces 2023's
    }
    return internShape(desc);
}

function structShape(svc, schema) {
    const [, , name, , names, schemas, nreq] = schema;
    if (structs.has(name)) return structs.get(name);
    const i = shapes.length;
    const desc = {kind: 'MR_STRUCT', name, members: []};
    shapes.push(desc);
    structs.set(name, i);
    const order = AWS_RULES.memberOrder[name] || [];
    const idx = names.map((_, j) => j);
    const rank = (j) => (order.includes(names[j]) ? order.indexOf(names[j]) : order.length + j);
    idx.sort((a, b) => rank(a) - rank(b));
    for (const j of idx) {
        const m = names[j];
        const id = name + '.' + m;
        let extra = DOC_CONSTRAINTS[id];
        const tableRef = svc.types.arnMembers.has(id) && m === 'TableName';
        if (tableRef) extra = DOC_CONSTRAINTS.TableArn;
        let bc = bcMember(svc, name, m);
        if (tableRef) bc = undefined; // the 2023 model predates ARNs here: TableArn's constraints
        const handler = AWS_RULES.handlerChecked.includes(id);
        if (handler) bc = extra = undefined; // the operation checks it, in its own words
        const t = svc.types.members[id];
        const enumType = t && svc.types.enums[t] ? t : null;
        const ctx = {bc, bcName: bcMemberName(svc, name, m), extra, enumType, itemEnumType: enumType};
        const flags = [];
        if ((j < (nreq || 0) && !handler) || AWS_RULES.required.includes(id)) flags.push('MR_REQUIRED');
        if (tableRef) flags.push('MR_TABLE_REF');
        if (AWS_RULES.serviceChecked.includes(id)) flags.push('MR_SERVICE_CHECKED');
        desc.members.push({
            name: m, flags, shape: shapeOf(svc, schemas[j], ctx),
            missing: AWS_RULES.requiredMessage[id] || AWS_RULES.requiredMapMessage[id] || null,
            emptyMap: !!AWS_RULES.requiredMapMessage[id],
        });
        if (AWS_RULES.requiredMapMessage[id]) flags.push('MR_NONEMPTY_FIRST');
    }
    shapes[i] = desc;
    return i;
}

const ops = [];
for (const svc of services) {
    for (const k of Object.keys(svc.sdk)) {
        const v = svc.sdk[k];
        if (!k.endsWith('$') || !Array.isArray(v) || v[0] !== 9) continue;
        ops.push({target: svc.prefix + '.' + v[2], input: shapeOf(svc, v[4], {})});
    }
}
ops.sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));

// ---- writing C ---------------------------------------------------------------------------
function cstr(s) {
    return s === null || s === undefined ? 'NULL' : JSON.stringify(s);
}
function num(v) {
    return v === undefined ? '0' : String(v) + (Math.abs(v) > 2147483647 ? 'LL' : '');
}
const versions = services.map((s) => `${s.pkg} ${s.version}`).join(', ');
function header(what) {
    return [
        `/* ${what} - GENERATED by scripts/gen-model-rules.js: do not edit.`,
        ' *',
        ` * From ${versions}, with constraints from Debian's`,
        " * botocore model (2023) and AWS's API reference, and AWS's own order and wording where",
        ' * recorded (see the generator for each source). Regenerate with',
        ' *   node scripts/gen-model-rules.js',
        ' * (meson test checks that it matches the SDK that tests/node installs). */',
        '#include "api/model_rules.h"',
        '',
    ];
}

// model_rules.c: enum values and structure members
const rules = header('model_rules.c');
rules.push('const char *const mr_enum_values[] = {');
const enumStart = new Map();
for (const s of shapes) {
    if (!s.enumValues) continue;
    const key = s.enumValues.join('\u0000');
    if (!enumStart.has(key)) {
        enumStart.set(key, enumPool.length);
        enumPool.push(...s.enumValues);
        rules.push('    ' + s.enumValues.map(cstr).join(', ') + ',');
    }
    s.enumFirst = enumStart.get(key);
}
rules.push('};', '', 'const mr_member_t mr_members[] = {');
for (const s of shapes) {
    if (s.kind !== 'MR_STRUCT') continue;
    s.memberFirst = memberPool.length;
    rules.push(`    /* ${s.name} */`);
    for (const m of s.members) {
        memberPool.push(m);
        const flags = m.flags.length ? m.flags.join(' | ') : '0';
        rules.push(`    {${cstr(m.name)}, ${cstr(lowerFirst(m.name))}, ${m.shape}, ${flags}, ${cstr(m.missing)}},`);
    }
}
rules.push('};', '', 'const char *const mr_pattern_text[] = {', '    [MR_PAT_NONE] = NULL,');
for (const [p, id] of Object.entries(PATTERNS)) rules.push(`    [${id}] = ${cstr(p)},`);
rules.push('};');

// model_shapes.c: shapes and operations
const shapesOut = header('model_shapes.c');
shapesOut.push('const mr_shape_t mr_shapes[] = {');
shapes.forEach((s, i) => {
    const f = [];
    if (s.min !== undefined) f.push('MR_HAS_MIN');
    if (s.max !== undefined) f.push('MR_HAS_MAX');
    const fields = [
        `.kind = ${s.kind}`,
        s.name ? `.name = ${cstr(s.name)}` : null,
        f.length ? `.flags = ${f.join(' | ')}` : null,
        s.min !== undefined ? `.min = ${num(s.min)}` : null,
        s.max !== undefined ? `.max = ${num(s.max)}` : null,
        s.pattern !== undefined ? `.pattern = ${PATTERNS[s.pattern]}` : null,
        s.enumValues ? `.enum_first = ${s.enumFirst}, .nenum = ${s.enumValues.length}` : null,
        s.kind === 'MR_STRUCT' ? `.member_first = ${s.memberFirst}, .nmembers = ${s.members.length}` : null,
        s.item !== undefined ? `.item = ${s.item}` : null,
        s.key !== undefined ? `.key = ${s.key}` : null,
    ].filter(Boolean);
    shapesOut.push(`    [${i}] = {${fields.join(', ')}},`);
});
shapesOut.push('};', '', 'const mr_op_t mr_ops[] = {');
for (const o of ops) shapesOut.push(`    {${cstr(o.target)}, ${o.input}},`);
shapesOut.push('};', '', 'const size_t mr_nops = sizeof mr_ops / sizeof *mr_ops;');

const outputs = {
    [path.join(root, 'src/api/model_rules.c')]: rules.join('\n') + '\n',
    [path.join(root, 'src/api/model_shapes.c')]: shapesOut.join('\n') + '\n',
};
if (process.argv[2] === '--check') {
    let bad = 0;
    for (const [file, text] of Object.entries(outputs)) {
        if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) {
            process.stderr.write(`${path.relative(root, file)} does not match the model (${versions})\n`);
            bad++;
        }
    }
    if (bad) {
        process.stderr.write('regenerate with: node scripts/gen-model-rules.js\n');
        process.exit(1);
    }
    process.stdout.write(`model tables match ${versions}\n`);
} else {
    for (const [file, text] of Object.entries(outputs)) fs.writeFileSync(file, text);
}
