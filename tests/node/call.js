// call.js - runs DynamoDB calls with the AWS SDK for JavaScript v3 (npm's
// @aws-sdk/client-dynamodb) for the wire tests (tests/wire/node_sdk.py).
// stdin: {"endpoint", "region", "accessKey", "calls": [[operation, input],
// ...]}; stdout: one result per call, {"ok": output} or {"error": name,
// "message": ...}. In inputs, {"$date": epoch seconds} becomes a Date; in
// outputs, Dates become {"$date": epoch seconds}.
"use strict";
const path = require("path");
const mods = process.env.DDBD_NODE_MODULES || path.join(__dirname, "node_modules");
const ddb = require(path.join(mods, "@aws-sdk/client-dynamodb"));

function revive(v) {
  if (Array.isArray(v)) return v.map(revive);
  if (v && typeof v === "object") {
    if (Object.keys(v).length === 1 && typeof v.$date === "number") return new Date(v.$date * 1000);
    const out = {};
    for (const [k, x] of Object.entries(v)) out[k] = revive(x);
    return out;
  }
  return v;
}

function plain(v) {
  if (v instanceof Date) return { $date: v.getTime() / 1000 };
  if (v instanceof Uint8Array) return { $bytes: Buffer.from(v).toString("base64") };
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object") {
    const out = {};
    for (const [k, x] of Object.entries(v)) if (k !== "$metadata") out[k] = plain(x);
    return out;
  }
  return v;
}

async function main() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  const req = JSON.parse(Buffer.concat(chunks).toString());
  const client = new ddb.DynamoDBClient({
    endpoint: req.endpoint,
    region: req.region,
    credentials: { accessKeyId: req.accessKey, secretAccessKey: "secret" },
    maxAttempts: 1,
  });
  const results = [];
  for (const [op, input] of req.calls) {
    const Command = ddb[op + "Command"];
    if (!Command) {
      results.push({ error: "NoSuchCommand", message: op });
      continue;
    }
    try {
      results.push({ ok: plain(await client.send(new Command(revive(input)))) });
    } catch (e) {
      results.push({ error: e.name, message: e.message });
    }
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
