// Vector indexes and SearchVectors, with npm's AWS SDK (Debian's botocore knows neither).
// Run by tests/wire/test_node.py against the ddbd at DDBD_ENDPOINT.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  DynamoDBClient, CreateTableCommand, DeleteTableCommand, DescribeTableCommand, PutItemCommand, UpdateItemCommand,
  DeleteItemCommand, UpdateTableCommand, SearchVectorsCommand, TransactWriteItemsCommand, BatchWriteItemCommand,
} from "@aws-sdk/client-dynamodb";

const ddb = new DynamoDBClient({
  endpoint: process.env.DDBD_ENDPOINT, region: "us-east-1", maxAttempts: 1,
  credentials: { accessKeyId: process.env.DDBD_ACCESS_KEY || "vectortests", secretAccessKey: "x" },
});
let seq = 0;
const name = (p) => `${p}-${process.pid}-${seq++}`;
const L = (xs) => ({ L: xs.map((x) => ({ N: String(x) })) });
const S = (s) => ({ S: s });
const fails = async (p, type, msg) => {
  await assert.rejects(p, (e) => {
    assert.equal(e.name, type, e.message);
    if (msg instanceof RegExp) assert.match(e.message, msg);
    else if (msg) assert.equal(e.message, msg);
    return true;
  });
};

// A seeded generator: the same vectors every run.
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

async function vectorTable({ dims = 3, fn = "COSINE", schema, projection = { ProjectionType: "ALL" }, defs = [] } = {}) {
  const t = name("vec");
  const index = { IndexName: "emb", VectorAttribute: { AttributeName: "v" }, Dimensions: dims, DistanceFunction: fn, Projection: projection };
  if (schema) index.SearchSchema = schema;
  await ddb.send(new CreateTableCommand({
    TableName: t, BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, ...defs], VectorIndexes: [index],
  }));
  return t;
}

const search = (t, vector, extra = {}) => ddb.send(new SearchVectorsCommand({
  TableName: t, IndexName: "emb", SearchVector: vector.map((x) => ({ N: String(x) })), TopK: 10, ...extra,
}));

// The scores AWS defines, from the 32-bit floats the index keeps.
function score(fn, a, b) {
  const fa = a.map(Math.fround), fb = b.map(Math.fround);
  let dot = 0, na = 0, nb = 0, sq = 0;
  for (let i = 0; i < fa.length; i++) {
    dot += fa[i] * fb[i]; na += fa[i] * fa[i]; nb += fb[i] * fb[i]; sq += (fa[i] - fb[i]) ** 2;
  }
  if (fn === "EUCLIDEAN") return Math.sqrt(sq);
  if (fn === "DOT_PRODUCT") return dot;
  return na === 0 || nb === 0 ? 1 : 1 - dot / (Math.sqrt(na) * Math.fround(Math.sqrt(nb))); // the index keeps each norm as a float
}

for (const fn of ["COSINE", "EUCLIDEAN", "DOT_PRODUCT"]) {
  test(`SearchVectors equals a brute-force sort of every distance (${fn})`, async () => {
    const dims = 16, n = 300, next = rng(fn.length * 7919);
    const t = await vectorTable({ dims, fn });
    const vecs = [];
    for (let i = 0; i < n; i += 25) {
      const reqs = [];
      for (let j = i; j < i + 25; j++) {
        const v = Array.from({ length: dims }, () => Number(next().toFixed(6)));
        vecs.push(v);
        reqs.push({ PutRequest: { Item: { pk: S(`i${j}`), v: L(v) } } });
      }
      await ddb.send(new BatchWriteItemCommand({ RequestItems: { [t]: reqs } }));
    }
    for (let qn = 0; qn < 8; qn++) {
      const q = Array.from({ length: dims }, () => Number(next().toFixed(6)));
      const want = vecs.map((v, i) => ({ id: `i${i}`, s: score(fn, q, v) }))
        .sort((a, b) => (fn === "DOT_PRODUCT" ? b.s - a.s : a.s - b.s)).slice(0, 10);
      const got = (await search(t, q)).SearchResults;
      assert.equal(got.length, 10);
      assert.deepEqual(got.map((r) => r.Item.pk.S), want.map((w) => w.id));
      for (let i = 0; i < 10; i++) assert.ok(Math.abs(got[i].Score - want[i].s) < 1e-5, `${got[i].Score} vs ${want[i].s}`);
    }
    await ddb.send(new DeleteTableCommand({ TableName: t }));
  });
}

test("scores as each distance function defines them", async () => {
  for (const [fn, want] of [["COSINE", [0, 1, 2]], ["EUCLIDEAN", [0, Math.SQRT2, 2]], ["DOT_PRODUCT", [1, 0, -1]]]) {
    const t = await vectorTable({ fn });
    await ddb.send(new PutItemCommand({ TableName: t, Item: { pk: S("same"), v: L([1, 0, 0]) } }));
    await ddb.send(new PutItemCommand({ TableName: t, Item: { pk: S("right"), v: L([0, 1, 0]) } }));
    await ddb.send(new PutItemCommand({ TableName: t, Item: { pk: S("opposite"), v: L([-1, 0, 0]) } }));
    const got = (await search(t, [1, 0, 0])).SearchResults;
    assert.deepEqual(got.map((r) => r.Item.pk.S), ["same", "right", "opposite"], fn);
    got.forEach((r, i) => assert.ok(Math.abs(r.Score - want[i]) < 1e-6, `${fn} ${r.Score}`));
    await ddb.send(new DeleteTableCommand({ TableName: t }));
  }
});

test("equal scores come back in one deterministic order", async () => {
  const t = await vectorTable({ fn: "EUCLIDEAN" });
  for (let i = 0; i < 20; i++) await ddb.send(new PutItemCommand({ TableName: t, Item: { pk: S(`tie${i}`), v: L([1, 1, 1]) } }));
  const first = (await search(t, [0, 0, 0])).SearchResults.map((r) => r.Item.pk.S);
  assert.equal(first.length, 10);
  for (let k = 0; k < 3; k++) assert.deepEqual((await search(t, [0, 0, 0])).SearchResults.map((r) => r.Item.pk.S), first);
  const top3 = (await search(t, [0, 0, 0], { TopK: 3 })).SearchResults.map((r) => r.Item.pk.S);
  assert.deepEqual(top3, first.slice(0, 3)); // a smaller TopK is a prefix of a larger one
});

test("HASH partitions, INLINE_FILTER equality, projection and capacity", async () => {
  const t = await vectorTable({
    schema: [{ AttributeName: "cat", SearchSchemaElementType: "HASH" }, { AttributeName: "color", SearchSchemaElementType: "INLINE_FILTER" }],
    defs: [{ AttributeName: "cat", AttributeType: "S" }, { AttributeName: "color", AttributeType: "S" }],
    projection: { ProjectionType: "INCLUDE", NonKeyAttributes: ["title"] },
  });
  const put = (pk, cat, color, v) => ddb.send(new PutItemCommand({ TableName: t, ReturnConsumedCapacity: "INDEXES",
    Item: { pk: S(pk), v: L(v), title: S(pk.toUpperCase()), unprojected: S("x"), ...(cat ? { cat: S(cat) } : {}), ...(color ? { color: S(color) } : {}) } }));
  const w = await put("a", "shoes", "red", [1, 0, 0]);
  assert.equal(w.ConsumedCapacity.VectorIndexes.emb.VectorWriteRequestBytes, 1024);
  assert.equal(w.ConsumedCapacity.CapacityUnits, 1); // vector bytes are not capacity units
  await put("b", "shoes", "blue", [0.9, 0.1, 0]);
  await put("c", "hats", "red", [1, 0, 0]);
  await put("d", null, "red", [1, 0, 0]); // no HASH attribute: not in the index
  const vals = { ":c": S("shoes") };
  const r = await search(t, [1, 0, 0], { SearchConditionExpression: "cat = :c", ExpressionAttributeValues: vals, ReturnConsumedCapacity: "TOTAL" });
  assert.deepEqual(r.SearchResults.map((x) => x.Item.pk.S), ["a", "b"]);
  assert.deepEqual(Object.keys(r.SearchResults[0].Item).sort(), ["cat", "color", "pk", "title", "v"]);
  assert.equal(r.ConsumedCapacity.VectorSearchRequestBytes, 1024);
  const f = await search(t, [1, 0, 0], { SearchConditionExpression: "cat = :c AND color = :k", ExpressionAttributeValues: { ...vals, ":k": S("blue") },
    ProjectionExpression: "pk, title" });
  assert.deepEqual(f.SearchResults.map((x) => x.Item), [{ pk: S("b"), title: S("B") }]);
  await fails(search(t, [1, 0, 0], { SearchConditionExpression: "cat = :c", ExpressionAttributeValues: vals, ProjectionExpression: "unprojected" }),
    "ValidationException", /does not project \[unprojected\]/);
  await fails(search(t, [1, 0, 0]), "ValidationException", "SearchConditionExpression must be provided when SearchSchema has a HASH key");
  await fails(search(t, [1, 0, 0], { SearchConditionExpression: "cat > :c", ExpressionAttributeValues: vals }),
    "ValidationException", "Invalid comparator used in SearchConditionExpression");
  await fails(search(t, [1, 0, 0], { SearchConditionExpression: "cat = :c", ExpressionAttributeValues: vals, TopK: 0 }),
    "ValidationException", "Provided TopK value is out of valid range");
  await fails(search(t, [1, 0, 0], { SearchConditionExpression: "cat = :c", ExpressionAttributeValues: vals, TopK: 101 }),
    "ValidationException", "Provided TopK value is out of valid range");
  await fails(search(t, [1, 0], { SearchConditionExpression: "cat = :c", ExpressionAttributeValues: vals }), "ValidationException", /dimensions/);
  await fails(search(t, [1, 0, 0], { SearchConditionExpression: "cat = :c", ExpressionAttributeValues: { ":c": { N: "1" } } }),
    "ValidationException", "One or more parameter values were invalid: Condition parameter type does not match schema type");
  await fails(ddb.send(new SearchVectorsCommand({ TableName: t, IndexName: "nope", SearchVector: [{ N: "1" }], TopK: 1 })),
    "ValidationException", "The table does not have the specified index: nope");
});

test("writes keep the index: bad vectors refused, updates, deletes, transactions", async () => {
  const t = await vectorTable({ fn: "EUCLIDEAN" });
  await fails(ddb.send(new PutItemCommand({ TableName: t, Item: { pk: S("x"), v: L([1, 2]) } })), "ValidationException", /dimensions/);
  await fails(ddb.send(new PutItemCommand({ TableName: t, Item: { pk: S("x"), v: S("1,2,3") } })), "ValidationException", /Type mismatch for vector attribute v/);
  await fails(ddb.send(new PutItemCommand({ TableName: t, Item: { pk: S("x"), v: { L: [{ N: "1" }, { S: "2" }, { N: "3" }] } } })),
    "ValidationException", /Element 1 of vector attribute v/);
  await fails(ddb.send(new PutItemCommand({ TableName: t, Item: { pk: S("x"), v: L([1, "1E+100", 3]) } })), "ValidationException", /32-bit float/);
  await ddb.send(new PutItemCommand({ TableName: t, Item: { pk: S("novec"), other: S("1") } })); // no vector: not indexed
  await ddb.send(new PutItemCommand({ TableName: t, Item: { pk: S("a"), v: L([0, 0, 0]) } }));
  await ddb.send(new PutItemCommand({ TableName: t, Item: { pk: S("b"), v: L([5, 5, 5]) } }));
  const ids = async () => (await search(t, [0, 0, 0])).SearchResults.map((r) => r.Item.pk.S);
  assert.deepEqual(await ids(), ["a", "b"]);
  await ddb.send(new UpdateItemCommand({ TableName: t, Key: { pk: S("a") }, UpdateExpression: "SET v = :v", ExpressionAttributeValues: { ":v": L([9, 9, 9]) } }));
  assert.deepEqual(await ids(), ["b", "a"]);
  await ddb.send(new UpdateItemCommand({ TableName: t, Key: { pk: S("b") }, UpdateExpression: "REMOVE v" }));
  assert.deepEqual(await ids(), ["a"]);
  await ddb.send(new TransactWriteItemsCommand({ TransactItems: [
    { Put: { TableName: t, Item: { pk: S("c"), v: L([1, 1, 1]) } } },
    { Delete: { TableName: t, Key: { pk: S("a") } } },
  ] }));
  assert.deepEqual(await ids(), ["c"]);
  await fails(ddb.send(new TransactWriteItemsCommand({ TransactItems: [
    { Put: { TableName: t, Item: { pk: S("d"), v: L([0, 0, 0]) } } },
    { ConditionCheck: { TableName: t, Key: { pk: S("zz") }, ConditionExpression: "attribute_exists(pk)" } },
  ] })), "TransactionCanceledException");
  assert.deepEqual(await ids(), ["c"]); // a cancelled transaction leaves no entry
  await ddb.send(new DeleteItemCommand({ TableName: t, Key: { pk: S("c") } }));
  assert.deepEqual(await ids(), []);
  const d = (await ddb.send(new DescribeTableCommand({ TableName: t }))).Table.VectorIndexes[0];
  assert.equal(d.ItemCount, 0);
});

test("CreateTable and UpdateTable: definitions, backfill, delete, DescribeTable", async () => {
  const base = { BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }] };
  const vi = (o = {}) => ({ IndexName: "emb", VectorAttribute: { AttributeName: "v" }, Dimensions: 3, DistanceFunction: "COSINE", Projection: { ProjectionType: "ALL" }, ...o });
  await fails(ddb.send(new CreateTableCommand({ ...base, TableName: name("bad"), VectorIndexes: [vi({ Dimensions: 0 })] })), "ValidationException",
    /Value '0' at 'vectorIndexes.1.member.dimensions' failed to satisfy constraint: Member must have value greater than or equal to 1/);
  await fails(ddb.send(new CreateTableCommand({ ...base, TableName: name("bad"), VectorIndexes: [vi({ Dimensions: 4097 })] })), "ValidationException",
    /Member must have value less than or equal to 4096/);
  await fails(ddb.send(new CreateTableCommand({ ...base, TableName: name("bad"), VectorIndexes: [vi({ DistanceFunction: "MANHATTAN" })] })), "ValidationException",
    /Member must satisfy enum value set: \[DOT_PRODUCT, COSINE, EUCLIDEAN\]/);
  await fails(ddb.send(new CreateTableCommand({ ...base, TableName: name("bad"), VectorIndexes: [vi({ SearchSchema: [{ AttributeName: "cat", SearchSchemaElementType: "HASH" }] })] })),
    "ValidationException", "One element in SearchSchema is not defined in attribute definitions");
  await fails(ddb.send(new CreateTableCommand({ ...base, TableName: name("bad"), BillingMode: "PROVISIONED", ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 }, VectorIndexes: [vi()] })),
    "ValidationException", /on-demand capacity mode/);
  await fails(ddb.send(new CreateTableCommand({ ...base, TableName: name("bad"), VectorIndexes: [vi(), vi({ DistanceFunction: "EUCLIDEAN" })] })),
    "ValidationException", "One or more parameter values were invalid: Duplicate index name: emb");
  await fails(ddb.send(new CreateTableCommand({ ...base, TableName: name("bad"), VectorIndexes: [vi(), vi({ IndexName: "emb2", Dimensions: 4 })] })),
    "ValidationException", /same Dimensions: v/);

  const t = name("upd");
  await ddb.send(new CreateTableCommand({ ...base, TableName: t }));
  for (let i = 0; i < 600; i++) await ddb.send(new PutItemCommand({ TableName: t, Item: { pk: S(`p${i}`), v: L([i, 1, 0]) } }));
  const u = await ddb.send(new UpdateTableCommand({ TableName: t, VectorIndexUpdates: [{ Create: vi({ DistanceFunction: "EUCLIDEAN" }) }] }));
  assert.equal(u.TableDescription.VectorIndexes[0].IndexStatus, "CREATING");
  let d;
  for (let k = 0; k < 200; k++) {
    d = (await ddb.send(new DescribeTableCommand({ TableName: t }))).Table.VectorIndexes[0];
    if (d.IndexStatus === "ACTIVE") break;
    try { // it may turn ACTIVE between the two calls
      await search(t, [0, 1, 0]);
    } catch (e) {
      assert.equal(e.message, "Cannot search backfilling vector index: emb");
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.equal(d.IndexStatus, "ACTIVE");
  assert.equal(d.ItemCount, 600);
  assert.deepEqual([d.IndexName, d.Dimensions, d.DistanceFunction, d.VectorAttribute.AttributeName], ["emb", 3, "EUCLIDEAN", "v"]);
  assert.match(d.IndexArn, new RegExp(`table/${t}/index/emb$`));
  const near = (await search(t, [2, 1, 0], { TopK: 3 })).SearchResults.map((r) => r.Item.pk.S);
  assert.equal(near[0], "p2"); // then p1 and p3, at one distance each: a tie, in entry order
  assert.deepEqual(near.slice(1).sort(), ["p1", "p3"]);
  await ddb.send(new UpdateTableCommand({ TableName: t, VectorIndexUpdates: [{ Delete: { IndexName: "emb" } }] }));
  await fails(search(t, [2, 1, 0]), "ValidationException", "The table does not have the specified index: emb");
  await fails(ddb.send(new UpdateTableCommand({ TableName: t, VectorIndexUpdates: [{ Delete: { IndexName: "nope" } }] })), "ResourceNotFoundException");
  await ddb.send(new DeleteTableCommand({ TableName: t }));
});

// Searches run over the partition packed in memory and kept for the next search of the same state
// (storage/vector_cache.h): whatever changes the entries must be seen by the next search.
test("a kept partition never outlives its state: writes, index recreated, snapshot restore, reset", async () => {
  const admin = (path, body) => fetch(`${process.env.DDBD_ENDPOINT}/_ddbd/${path}`, {
    method: "POST", body: JSON.stringify(body ?? {}),
    headers: process.env.DDBD_ADMIN_TOKEN ? { Authorization: `Bearer ${process.env.DDBD_ADMIN_TOKEN}` } : {},
  });
  const ns = `vcache${process.pid}`;
  const mine = new DynamoDBClient({ endpoint: process.env.DDBD_ENDPOINT, region: "us-east-1", maxAttempts: 1,
    credentials: { accessKeyId: ns, secretAccessKey: "x" } });
  const t = "kept";
  const make = async (fn) => {
    await mine.send(new CreateTableCommand({
      TableName: t, BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      VectorIndexes: [{ IndexName: "emb", VectorAttribute: { AttributeName: "v" }, Dimensions: 2, DistanceFunction: fn, Projection: { ProjectionType: "ALL" } }],
    }));
  };
  const put = (pk, v) => mine.send(new PutItemCommand({ TableName: t, Item: { pk: S(pk), v: L(v) } }));
  const ids = async () => (await mine.send(new SearchVectorsCommand({
    TableName: t, IndexName: "emb", SearchVector: [{ N: "0" }, { N: "0" }], TopK: 5 }))).SearchResults.map((r) => r.Item.pk.S);

  await make("EUCLIDEAN");
  await put("a", [1, 0]);
  await put("b", [2, 0]);
  assert.deepEqual(await ids(), ["a", "b"]);
  const snap = `vcache-${process.pid}`;
  assert.equal((await admin("snapshots", { name: snap, namespace: `${ns}/us-east-1` })).status, 201);
  await put("c", [0.5, 0]);
  assert.deepEqual(await ids(), ["c", "a", "b"]);
  assert.equal((await admin(`snapshots/${snap}/restore`)).status, 200);
  assert.deepEqual(await ids(), ["a", "b"]); // the snapshot's state, not the packed one before it

  // The index deleted and made again: its backfill is a new state.
  await mine.send(new UpdateTableCommand({ TableName: t, VectorIndexUpdates: [{ Delete: { IndexName: "emb" } }] }));
  await put("d", [3, 0]);
  await mine.send(new UpdateTableCommand({ TableName: t, VectorIndexUpdates: [{ Create: {
    IndexName: "emb", VectorAttribute: { AttributeName: "v" }, Dimensions: 2, DistanceFunction: "DOT_PRODUCT", Projection: { ProjectionType: "ALL" } } }] }));
  for (let k = 0; k < 200; k++) {
    const d = (await mine.send(new DescribeTableCommand({ TableName: t }))).Table.VectorIndexes[0];
    if (d.IndexStatus === "ACTIVE") break;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.deepEqual((await ids()).sort(), ["a", "b", "d"]); // all score 0 against [0, 0]

  // Partitions are packed apart: a write to one leaves the other's pack as it was, and both stay right.
  const parted = `${t}-parts`;
  await mine.send(new CreateTableCommand({
    TableName: parted, BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "cat", AttributeType: "S" }],
    VectorIndexes: [{ IndexName: "emb", VectorAttribute: { AttributeName: "v" }, Dimensions: 2, DistanceFunction: "EUCLIDEAN",
      Projection: { ProjectionType: "ALL" }, SearchSchema: [{ AttributeName: "cat", SearchSchemaElementType: "HASH" }] }],
  }));
  const putIn = (cat, pk, v) => mine.send(new PutItemCommand({ TableName: parted, Item: { pk: S(pk), cat: S(cat), v: L(v) } }));
  const idsIn = async (cat) => (await mine.send(new SearchVectorsCommand({
    TableName: parted, IndexName: "emb", SearchVector: [{ N: "0" }, { N: "0" }], TopK: 5,
    SearchConditionExpression: "cat = :c", ExpressionAttributeValues: { ":c": S(cat) } }))).SearchResults.map((r) => r.Item.pk.S);
  await putIn("x", "x1", [1, 0]);
  await putIn("y", "y1", [2, 0]);
  assert.deepEqual([await idsIn("x"), await idsIn("y")], [["x1"], ["y1"]]);
  await putIn("x", "x2", [0.5, 0]);
  assert.deepEqual([await idsIn("x"), await idsIn("y")], [["x2", "x1"], ["y1"]]);
  await putIn("y", "x1", [0.1, 0]); // moves x1 from partition x to partition y
  assert.deepEqual([await idsIn("x"), await idsIn("y")], [["x2"], ["x1", "y1"]]);

  // Reset: the table made again from scratch may get the same table id and index number.
  assert.equal((await admin("reset", { namespace: `${ns}/us-east-1`, seed: false })).status, 200);
  await make("EUCLIDEAN");
  assert.deepEqual(await ids(), []);
  await put("e", [1, 1]);
  assert.deepEqual(await ids(), ["e"]);
  await fetch(`${process.env.DDBD_ENDPOINT}/_ddbd/snapshots/${snap}`, { method: "DELETE",
    headers: process.env.DDBD_ADMIN_TOKEN ? { Authorization: `Bearer ${process.env.DDBD_ADMIN_TOKEN}` } : {} });
});
