// sdk_call.js - runs DynamoDB calls through a real AWS SDK (npm's
// @aws-sdk/client-dynamodb, or client-dynamodb-streams) for the wire tests
// whose operations or members Debian's botocore (2023) does not know.
//
//   echo '{"endpoint": "...", "region": "us-east-1", "calls": [{"op": "PutResourcePolicy", "input": {...}}]}' \
//       | node tests/node/sdk_call.js
//
// Prints one JSON line: a list with, per call, {"ok": output} or
// {"error": name, "message": text}. Calls run in order; an error does not
// stop the rest. "service": "streams" in a call uses the Streams client.
// In inputs, {"$date": epoch seconds} becomes a Date; in outputs, Dates
// become {"$date": epoch seconds} and binaries {"$bytes": base64}.
'use strict';
const path = require('path');
const mods = process.env.DDBD_NODE_MODULES || path.join(__dirname, 'node_modules');
const ddb = require(path.join(mods, '@aws-sdk/client-dynamodb'));
const streams = require(path.join(mods, '@aws-sdk/client-dynamodb-streams'));

function revive(v) {
    if (Array.isArray(v)) return v.map(revive);
    if (v && typeof v === 'object') {
        if (Object.keys(v).length === 1 && typeof v.$date === 'number') return new Date(v.$date * 1000);
        const out = {};
        for (const [k, x] of Object.entries(v)) out[k] = revive(x);
        return out;
    }
    return v;
}

function plain(v) {
    if (v instanceof Date) return {$date: v.getTime() / 1000};
    if (v instanceof Uint8Array) return {$bytes: Buffer.from(v).toString('base64')};
    if (Array.isArray(v)) return v.map(plain);
    if (v && typeof v === 'object') {
        const out = {};
        for (const [k, x] of Object.entries(v)) if (k !== '$metadata') out[k] = plain(x);
        return out;
    }
    return v;
}

async function main() {
    let text = '';
    for await (const chunk of process.stdin) text += chunk;
    const req = JSON.parse(text);
    const config = {
        endpoint: req.endpoint, region: req.region || 'us-east-1', maxAttempts: 1,
        credentials: {accessKeyId: req.accessKeyId || 'ddbdtestkey', secretAccessKey: 'ddbdtestsecret'},
    };
    const clients = {dynamodb: [new ddb.DynamoDBClient(config), ddb], streams: [new streams.DynamoDBStreamsClient(config), streams]};
    const results = [];
    for (const call of req.calls) {
        const [client, mod] = clients[call.service || 'dynamodb'];
        const Command = mod[call.op + 'Command'];
        if (!Command) {
            results.push({error: 'NoSuchCommand', message: call.op});
            continue;
        }
        try {
            const out = await client.send(new Command(revive(call.input || {})));
            results.push({ok: plain(out)});
        } catch (e) {
            results.push({error: e.name, message: e.message});
        }
    }
    process.stdout.write(JSON.stringify(results) + '\n');
}
main().catch((e) => {
    process.stdout.write(JSON.stringify([{error: 'ClientFailure', message: String(e && e.stack || e)}]) + '\n');
    process.exit(1);
});
