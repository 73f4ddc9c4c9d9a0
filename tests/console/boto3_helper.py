"""The console tests' boto3 client: writes made "from outside", as an
application would make them while someone watches the console.

Reads one JSON command per line on stdin, {"op": "put_item", "args": {...}}
(any boto3 DynamoDB client method, snake_case), calls it and answers one
JSON line: {"ok": true, "result": ...} or {"ok": false, "error": "..."}.
argv: ENDPOINT ACCESS_KEY REGION."""
import json
import sys

import boto3
from botocore.config import Config


def main():
    endpoint, key, region = sys.argv[1:4]
    ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name=region, aws_access_key_id=key,
                       aws_secret_access_key="local", config=Config(retries={"max_attempts": 1}))
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        cmd = json.loads(line)
        try:
            result = getattr(ddb, cmd["op"])(**cmd.get("args", {}))
            result.pop("ResponseMetadata", None)
            print(json.dumps({"ok": True, "result": result}, default=str), flush=True)
        except Exception as e:  # the test reads the error text
            print(json.dumps({"ok": False, "error": str(e)}), flush=True)


if __name__ == "__main__":
    main()
