"""Resource-based policies: PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy and
CreateTable's ResourcePolicy, through npm's AWS SDK (Debian's botocore predates them).

Expected texts are AWS's answers as recorded against DynamoDB (moto's AWS-verified tests and
the ack-api-quirks lab's probes): PolicyNotFoundException wording, the canonical form Get returns,
RevisionIds as increasing epoch milliseconds, the ARN and document validation messages.
Policies are stored and described, never enforced (ddbd has no identities).
"""
import json

import pytest

import helpers
import node_sdk

pytestmark = pytest.mark.ddbd_only

ACCOUNT = helpers.account_of()
REGION = helpers.DEFAULT_REGION
NOT_FOUND = "Resource-based policy not found for the provided ResourceArn: "
INVALID = "One or more parameter values were invalid: "


def table_arn(name, region=REGION):
    return f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{name}"


def policy(arn, action="dynamodb:GetItem", **extra):
    st = {"Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": [action], "Resource": [arn]}
    st.update(extra)
    return json.dumps({"Version": "2012-10-17", "Statement": [st]})


def put(endpoint, arn, doc, **kw):
    return node_sdk.call(endpoint, "PutResourcePolicy", {"ResourceArn": arn, "Policy": doc, **kw})["RevisionId"]


def test_put_get_delete_round_trip(endpoint, hash_table):
    arn = table_arn(hash_table)
    assert node_sdk.error_of(endpoint, "GetResourcePolicy", {"ResourceArn": arn}) == (
        "PolicyNotFoundException", NOT_FOUND + arn)
    rev = put(endpoint, arn, policy(arn))
    assert len(rev) == 13 and rev.isdigit()  # the change time in epoch ms, as AWS's
    got = node_sdk.call(endpoint, "GetResourcePolicy", {"ResourceArn": arn})
    assert got["RevisionId"] == rev
    # DynamoDB's canonical form: minified, one-element lists unwrapped, an account id as its root ARN
    assert got["Policy"] == (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},'
        f'"Action":"dynamodb:GetItem","Resource":"{arn}"}}]}}')
    assert node_sdk.call(endpoint, "DeleteResourcePolicy", {"ResourceArn": arn}) == {"RevisionId": rev}
    assert node_sdk.error_of(endpoint, "GetResourcePolicy", {"ResourceArn": arn})[0] == "PolicyNotFoundException"
    # deleting again is no error and answers no RevisionId
    assert node_sdk.call(endpoint, "DeleteResourcePolicy", {"ResourceArn": arn}) == {}


def test_canonical_form_of_loose_documents(endpoint, hash_table):
    arn = table_arn(hash_table)
    doc = json.dumps({"Statement": {"Sid": "S1", "Effect": "allow", "Resource": arn,
                                    "Action": ["dynamodb:Query", "dynamodb:GetItem"],
                                    "Condition": {"StringEquals": {"aws:PrincipalAccount": ["123456789012"]}},
                                    "Principal": {"AWS": ["123456789012", "arn:aws:iam::123456789012:root"]}}},
                     indent=4)
    put(endpoint, arn, doc)
    got = json.loads(node_sdk.call(endpoint, "GetResourcePolicy", {"ResourceArn": arn})["Policy"])
    # no Version: IAM's default shows; the statement object became a list, keys in AWS's order
    assert list(got) == ["Version", "Statement"] and got["Version"] == "2008-10-17"
    st = got["Statement"][0]
    assert list(st) == ["Sid", "Effect", "Principal", "Action", "Resource", "Condition"]
    assert st["Effect"] == "Allow"
    assert st["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}  # duplicates collapsed
    assert st["Action"] == ["dynamodb:Query", "dynamodb:GetItem"]  # longer lists kept as sent
    assert st["Condition"] == {"StringEquals": {"aws:PrincipalAccount": "123456789012"}}


def test_revision_ids_and_idempotent_puts(endpoint, hash_table):
    arn = table_arn(hash_table)
    first = put(endpoint, arn, policy(arn))
    # the same document, however it is formatted, changes nothing
    assert put(endpoint, arn, json.dumps(json.loads(policy(arn)), indent=2)) == first
    second = put(endpoint, arn, policy(arn, action="dynamodb:PutItem"))
    assert second != first and int(second) > int(first)
    # ExpectedRevisionId: the current one is accepted, an old one is refused with AWS's text
    third = put(endpoint, arn, policy(arn, action="dynamodb:Query"), ExpectedRevisionId=second)
    assert int(third) > int(second)
    assert node_sdk.error_of(endpoint, "PutResourcePolicy", {
        "ResourceArn": arn, "Policy": policy(arn), "ExpectedRevisionId": first}) == (
        "PolicyNotFoundException",
        f"{NOT_FOUND}Requested update for policy with revision id {first}, but the policy associated to target "
        f"table {hash_table} has revision id {third}.")
    assert node_sdk.error_of(endpoint, "PutResourcePolicy", {
        "ResourceArn": arn, "Policy": policy(arn), "ExpectedRevisionId": "NO_POLICY"}) == (
        "PolicyNotFoundException",
        f"{NOT_FOUND}Requested policy update expecting none to be present for table {hash_table}, but a policy "
        f"exists with revision id {third}.")
    assert node_sdk.error_of(endpoint, "DeleteResourcePolicy", {"ResourceArn": arn, "ExpectedRevisionId": "unknown"}) == (
        "PolicyNotFoundException",
        f"{NOT_FOUND}Requested update for policy with revision id unknown, but the policy associated to target "
        f"table {hash_table} has revision id {third}.")
    assert node_sdk.call(endpoint, "GetResourcePolicy", {"ResourceArn": arn})["RevisionId"] == third
    assert node_sdk.call(endpoint, "DeleteResourcePolicy", {"ResourceArn": arn, "ExpectedRevisionId": third}) == {
        "RevisionId": third}
    # NO_POLICY on a table without one: attached
    rev = put(endpoint, arn, policy(arn), ExpectedRevisionId="NO_POLICY")
    assert node_sdk.call(endpoint, "GetResourcePolicy", {"ResourceArn": arn})["RevisionId"] == rev


@pytest.mark.parametrize("doc, message", [
    ("{not json", INVALID + "Invalid policy document: This policy contains invalid Json"),
    ("", None),  # empty: the SDK refuses it client-side or the server says invalid Json
    ('{"Version":"2012-10-17","Statement":[]}', INVALID + "Invalid policy document: Could not parse the policy: Statement is empty!"),
    ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"dynamodb:GetItem"}]}',
     INVALID + "Invalid policy document: Missing required field Resource"),
    ('{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"dynamodb:GetItem","Resource":"*"},'
     '{"Sid":"A","Effect":"Deny","Principal":{"AWS":"123456789012"},"Action":"dynamodb:PutItem","Resource":"*"}]}',
     INVALID + "Invalid policy document: The Statement Ids in the policy are not unique"),
    ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"dynamodb:GetItem","Resource":"*"}]}',
     "Resource-based policy grants unbounded access in one or more elements. Please revise the policy to ensure "
     "least-privilege form of access"),
    ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"dynamodb:GetItem","Resource":"*"}]}',
     "Resource-based policy grants unbounded access in one or more elements. Please revise the policy to ensure "
     "least-privilege form of access"),
])
def test_invalid_documents(endpoint, hash_table, doc, message):
    arn = table_arn(hash_table)
    name, text = node_sdk.error_of(endpoint, "PutResourcePolicy", {"ResourceArn": arn, "Policy": doc})
    assert name == "ValidationException"
    if message:
        assert text == message
    # nothing was attached
    assert node_sdk.error_of(endpoint, "GetResourcePolicy", {"ResourceArn": arn})[0] == "PolicyNotFoundException"


def test_size_limit_counts_whitespace(endpoint, hash_table):
    arn = table_arn(hash_table)
    doc = policy(arn)
    padded = doc[:-1] + " " * (20480 - len(doc)) + "}"
    assert len(padded.encode()) == 20480
    put(endpoint, arn, padded)  # at the limit: accepted, and stored minified
    assert len(node_sdk.call(endpoint, "GetResourcePolicy", {"ResourceArn": arn})["Policy"]) < 400
    over = doc[:-1] + " " * (20481 - len(doc)) + "}"
    assert node_sdk.error_of(endpoint, "PutResourcePolicy", {"ResourceArn": arn, "Policy": over}) == (
        "ValidationException", INVALID + "Maximum policy size of 20480 bytes exceeded")


def test_resource_arn_forms(endpoint, hash_table):
    arn = table_arn(hash_table)
    cases = [
        (hash_table, "ValidationException", f"{INVALID}ARNs must start with 'arn:': {hash_table}"),
        (arn + "/index/byX", "ValidationException",
         f"{INVALID}Invalid resource arn provided, only table or stream is accepted. Provided resource arn: {arn}/index/byX"),
        (arn + "/backup/01700000000000-abcdef12", "ValidationException",
         f"{INVALID}Provided Arn is not a DynamoDB resource arn: {arn}/backup/01700000000000-abcdef12"),
        (table_arn(hash_table, "eu-west-1"), "ValidationException",
         f"{INVALID}Invalid resource Arn: {table_arn(hash_table, 'eu-west-1')}"),
        (f"arn:aws-cn:dynamodb:{REGION}:{ACCOUNT}:table/{hash_table}", "ValidationException",
         f"{INVALID}Invalid resource Arn: arn:aws-cn:dynamodb:{REGION}:{ACCOUNT}:table/{hash_table}"),
        (f"arn:aws:dynamodb:{REGION}:111122223333:table/{hash_table}", "ValidationException",
         "This action is only supported by accounts that match the resource owner\u2019s account."),
        (arn + "-missing", "ResourceNotFoundException", f"Requested resource not found: Table: {hash_table}-missing not found"),
        (arn + "/stream/2000-01-01T00:00:00.000", "ResourceNotFoundException",
         f"Requested resource not found: Stream: 2000-01-01T00:00:00.000 not found for Table: {hash_table}"),
    ]
    batch = []
    for given, _, _ in cases:
        batch += [("GetResourcePolicy", {"ResourceArn": given}),
                  ("PutResourcePolicy", {"ResourceArn": given, "Policy": policy(arn)}),
                  ("DeleteResourcePolicy", {"ResourceArn": given})]
    results = node_sdk.calls(endpoint, batch)
    for i, (given, name, message) in enumerate(cases):
        for r in results[3 * i:3 * i + 3]:
            assert r == ("error", name, message), given


def test_stream_is_a_policy_slot_of_its_own(endpoint, make_table, ddb):
    name = make_table(stream="NEW_IMAGE")
    arn = table_arn(name)
    stream_arn = helpers.latest_stream_arn(ddb, name)
    doc = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "dynamodb:GetRecords", "Resource": stream_arn}]})
    srev = put(endpoint, stream_arn, doc)
    assert node_sdk.call(endpoint, "GetResourcePolicy", {"ResourceArn": stream_arn})["RevisionId"] == srev
    assert node_sdk.error_of(endpoint, "GetResourcePolicy", {"ResourceArn": arn}) == (
        "PolicyNotFoundException", NOT_FOUND + arn)
    trev = put(endpoint, arn, policy(arn))
    assert node_sdk.call(endpoint, "GetResourcePolicy", {"ResourceArn": stream_arn})["RevisionId"] == srev
    assert node_sdk.call(endpoint, "DeleteResourcePolicy", {"ResourceArn": stream_arn}) == {"RevisionId": srev}
    assert node_sdk.call(endpoint, "GetResourcePolicy", {"ResourceArn": arn})["RevisionId"] == trev


def test_create_table_with_resource_policy(endpoint, ddb):
    name = helpers.unique_name()
    arn = table_arn(name)
    try:
        node_sdk.call(endpoint, "CreateTable", {
            "TableName": name, "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "ResourcePolicy": policy(arn)})
        got = node_sdk.call(endpoint, "GetResourcePolicy", {"ResourceArn": arn})
        assert json.loads(got["Policy"])["Statement"][0]["Action"] == "dynamodb:GetItem"
        assert len(got["RevisionId"]) == 13
    finally:
        helpers.drop_table(ddb, name)
    # a bad policy fails the CreateTable: no table is made
    bad = helpers.unique_name()
    assert node_sdk.error_of(endpoint, "CreateTable", {
        "TableName": bad, "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "ResourcePolicy": "{oops"}) == ("ValidationException", INVALID + "Invalid policy document: This policy contains invalid Json")
    assert bad not in ddb.list_tables()["TableNames"]


def test_policy_goes_with_its_table(endpoint, ddb, make_table):
    name = make_table()
    arn = table_arn(name)
    put(endpoint, arn, policy(arn))
    ddb.delete_table(TableName=name)
    for op in ("GetResourcePolicy", "DeleteResourcePolicy"):
        assert node_sdk.error_of(endpoint, op, {"ResourceArn": arn}) == (
            "ResourceNotFoundException", f"Requested resource not found: Table: {name} not found")
    # a new table of the same name starts without one
    helpers.create_table(ddb, name)
    assert node_sdk.error_of(endpoint, "GetResourcePolicy", {"ResourceArn": arn})[0] == "PolicyNotFoundException"
