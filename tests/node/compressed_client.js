// compressed_client.js ENDPOINT TABLE - a real AWS SDK (npm's @aws-sdk/client-dynamodb) sending
// gzip-compressed requests with the SDK's own request-compression middleware
// (@smithy/middleware-compression, what SDKs use for operations with the requestCompression
// trait), signed after compression as the SDK signs. Prints what was sent and read back as JSON.
'use strict';
const path = require('path');
const mods = process.env.DDBD_NODE_MODULES || path.join(__dirname, 'node_modules');
const {DynamoDBClient, PutItemCommand, GetItemCommand} = require(path.join(mods, '@aws-sdk/client-dynamodb'));
const {getCompressionPlugin} = require(path.join(mods, '@smithy/middleware-compression'));

async function main() {
    const [endpoint, table] = process.argv.slice(2);
    const client = new DynamoDBClient({
        endpoint, region: 'us-east-1', maxAttempts: 1,
        credentials: {accessKeyId: 'ddbdtestkey', secretAccessKey: 'ddbdtestsecret'},
    });
    client.middlewareStack.use(getCompressionPlugin({
        bodyLengthChecker: (b) => Buffer.byteLength(b),
        disableRequestCompression: async () => false,
        requestMinCompressionSizeBytes: async () => 0,
    }, {encodings: ['gzip']}));
    const sent = [];
    client.middlewareStack.add((next) => async (args) => {
        sent.push({encoding: args.request.headers['content-encoding'] || null,
            magic: Buffer.from(args.request.body).subarray(0, 2).toString('hex')});
        return next(args);
    }, {step: 'finalizeRequest', name: 'recordSent'});
    await client.send(new PutItemCommand({TableName: table, Item: {pk: {S: 'js'}, v: {S: 'y'.repeat(10000)}}}));
    const got = await client.send(new GetItemCommand({TableName: table, Key: {pk: {S: 'js'}}, ConsistentRead: true}));
    process.stdout.write(JSON.stringify({sent, length: got.Item.v.S.length}) + '\n');
}
main().catch((e) => {
    process.stdout.write(JSON.stringify({error: e.name, message: e.message}) + '\n');
    process.exit(1);
});
