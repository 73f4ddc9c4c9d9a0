"""Fills a ddbd for the console's scale check (scale.mjs): TABLES tables, one
of them ("Big") with ITEMS items of ~200 bytes over 1,000 partitions, a GSI,
a stream and TTL. argv: ENDPOINT TABLES ITEMS."""
import sys
import time

import boto3


def main():
    endpoint, ntables, nitems = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="local", aws_secret_access_key="local")
    started = time.time()
    ddb.create_table(
        TableName="Big", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "status")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": "byStatus", "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    ddb.update_time_to_live(TableName="Big", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiresAt"})
    for t in range(1, ntables):
        ddb.create_table(TableName=f"table-{t:03d}", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    now = int(time.time())
    batch = []
    for i in range(nitems):
        batch.append({"PutRequest": {"Item": {
            "pk": {"S": f"customer-{i % 1000:04d}"}, "sk": {"S": f"order-{i:07d}"},
            "status": {"S": ("new", "paid", "shipped")[i % 3]}, "total": {"N": str(i % 997)},
            "note": {"S": "x" * 120}, "expiresAt": {"N": str(now + 60 * (i % 10000))}}}})
        if len(batch) == 25:
            ddb.batch_write_item(RequestItems={"Big": batch})
            batch = []
    if batch:
        ddb.batch_write_item(RequestItems={"Big": batch})
    print(f"loaded {ntables} tables and {nitems} items in {time.time() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main()
