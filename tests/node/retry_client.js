// retry_client.js ENDPOINT TABLE - a real AWS SDK (npm's @aws-sdk/client-dynamodb) with its
// default retry strategy against faults on demand (POST /_ddbd/faults): for each fault in turn it sets
// the fault for a few requests, sends one operation, and records whether the SDK retried to success
// ($metadata.attempts) or gave up with which error. Prints the results as one JSON line.
'use strict';
const path = require('path');
const http = require('http');
const mods = process.env.DDBD_NODE_MODULES || path.join(__dirname, 'node_modules');
const {DynamoDBClient, PutItemCommand, GetItemCommand} = require(path.join(mods, '@aws-sdk/client-dynamodb'));

function admin(endpoint, method, p, body) {
    const u = new URL(p, endpoint);
    return new Promise((resolve, reject) => {
        const req = http.request(u, {method, headers: {'Content-Type': 'application/json'}}, (res) => {
            let data = '';
            res.on('data', (c) => { data += c; });
            res.on('end', () => resolve({status: res.statusCode, body: data ? JSON.parse(data) : null}));
        });
        req.on('error', reject);
        if (body) req.write(JSON.stringify(body));
        req.end();
    });
}

async function main() {
    const [endpoint, table] = process.argv.slice(2);
    const client = new DynamoDBClient({
        endpoint, region: 'us-east-1', maxAttempts: 4,
        credentials: {accessKeyId: 'ddbdtestkey', secretAccessKey: 'ddbdtestsecret'},
    });
    const out = [];
    const faults = [
        {Error: 'ProvisionedThroughputExceededException', Count: 2},
        {Error: 'ThrottlingException', Count: 2},
        {Error: 'RequestLimitExceeded', Count: 2},
        {Error: 'InternalServerError', Count: 2},
        {Drop: true, Count: 2},
        {Error: 'ThrottlingException', Count: 10},
    ];
    for (const [i, f] of faults.entries()) {
        const set = await admin(endpoint, 'POST', '/_ddbd/faults', {...f, TableName: table, Operation: 'PutItem'});
        const r = {fault: f, status: set.status};
        try {
            const res = await client.send(new PutItemCommand({TableName: table, Item: {pk: {S: `js-${i}`}}}));
            r.attempts = res.$metadata.attempts;
            const got = await client.send(new GetItemCommand({TableName: table, Key: {pk: {S: `js-${i}`}}, ConsistentRead: true}));
            r.stored = !!got.Item;
        } catch (e) {
            r.error = e.name;
            r.attempts = e.$metadata && e.$metadata.attempts;
        }
        await admin(endpoint, 'DELETE', '/_ddbd/faults');
        out.push(r);
    }
    process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => { process.stdout.write(JSON.stringify({crash: String(e && e.stack || e)}) + '\n'); process.exit(1); });
