"""Kinesis Data Streams destinations: Enable/Disable/Update/DescribeKinesisStreamingDestination
(npm's SDK: Update and the precision settings are newer than Debian's botocore).

Stored and described, not delivered. AWS's rules and texts as the ack-api-quirks lab recorded
them: one live destination at a time while DISABLED ones linger, re-enabling reuses the entry,
ApproximateCreationDateTimePrecision absent until set and reset by a disable, ENABLING /
DISABLING / UPDATING in the answers.
"""
import pytest

import helpers
import node_sdk

pytestmark = pytest.mark.ddbd_only

K1 = "arn:aws:kinesis:us-east-1:000000000000:stream/ddbd-k1"
K2 = "arn:aws:kinesis:us-east-1:000000000000:stream/ddbd-k2"
STATE = "Table is not in a valid state to enable Kinesis Streaming Destination: "


def dests(endpoint, t):
    return node_sdk.call(endpoint, "DescribeKinesisStreamingDestination", {"TableName": t})["KinesisDataStreamDestinations"]


def test_lifecycle(endpoint, hash_table):
    t = hash_table
    r = node_sdk.calls(endpoint, [
        ("DescribeKinesisStreamingDestination", {"TableName": t}),
        ("EnableKinesisStreamingDestination", {"TableName": t, "StreamArn": K1}),
        ("DescribeKinesisStreamingDestination", {"TableName": t}),
        ("EnableKinesisStreamingDestination", {"TableName": t, "StreamArn": K2}),
        ("UpdateKinesisStreamingDestination", {"TableName": t, "StreamArn": K1,
                                               "UpdateKinesisStreamingConfiguration": {"ApproximateCreationDateTimePrecision": "MILLISECOND"}}),
        ("UpdateKinesisStreamingDestination", {"TableName": t, "StreamArn": K1,
                                               "UpdateKinesisStreamingConfiguration": {"ApproximateCreationDateTimePrecision": "MICROSECOND"}}),
        ("DescribeKinesisStreamingDestination", {"TableName": t}),
        ("DisableKinesisStreamingDestination", {"TableName": t, "StreamArn": K1}),
        ("DescribeKinesisStreamingDestination", {"TableName": t}),
        ("DisableKinesisStreamingDestination", {"TableName": t, "StreamArn": K1}),
        ("EnableKinesisStreamingDestination", {"TableName": t, "StreamArn": K2,
                                               "EnableKinesisStreamingConfiguration": {"ApproximateCreationDateTimePrecision": "MICROSECOND"}}),
        ("EnableKinesisStreamingDestination", {"TableName": t, "StreamArn": K1}),
        ("DisableKinesisStreamingDestination", {"TableName": t, "StreamArn": K2}),
        ("EnableKinesisStreamingDestination", {"TableName": t, "StreamArn": K1}),
        ("DescribeKinesisStreamingDestination", {"TableName": t}),
    ])
    assert r[0] == ("ok", {"TableName": t, "KinesisDataStreamDestinations": []})
    assert r[1] == ("ok", {"TableName": t, "StreamArn": K1, "DestinationStatus": "ENABLING"})
    assert r[2][1]["KinesisDataStreamDestinations"] == [{"StreamArn": K1, "DestinationStatus": "ACTIVE"}]
    busy = ("error", "ValidationException",
            STATE + "EnableKinesisStreamingDestination must be DISABLED or ENABLE_FAILED to perform ENABLE operation.")
    assert r[3] == busy
    tid = node_sdk.call(endpoint, "DescribeTable", {"TableName": t})["Table"]["TableId"]
    # absent precision is MILLISECOND in effect
    assert r[4] == ("error", "ValidationException",
                    f"Invalid Request: Precision is already set to the desired value of MILLISECOND for tableId: {tid}, kdsArn: {K1}")
    assert r[5] == ("ok", {"TableName": t, "StreamArn": K1, "DestinationStatus": "UPDATING",
                           "UpdateKinesisStreamingConfiguration": {"ApproximateCreationDateTimePrecision": "MICROSECOND"}})
    assert r[6][1]["KinesisDataStreamDestinations"] == [
        {"StreamArn": K1, "DestinationStatus": "ACTIVE", "ApproximateCreationDateTimePrecision": "MICROSECOND"}]
    assert r[7] == ("ok", {"TableName": t, "StreamArn": K1, "DestinationStatus": "DISABLING"})
    assert r[8][1]["KinesisDataStreamDestinations"] == [{"StreamArn": K1, "DestinationStatus": "DISABLED"}]
    not_active = ("error", "ValidationException",
                  STATE + "KinesisStreamingDestination must be ACTIVE to perform DISABLE operation.")
    assert r[9] == not_active
    assert r[10] == ("ok", {"TableName": t, "StreamArn": K2, "DestinationStatus": "ENABLING",
                            "EnableKinesisStreamingConfiguration": {"ApproximateCreationDateTimePrecision": "MICROSECOND"}})
    assert r[11] == busy
    assert r[12][0] == "ok"
    assert r[13][0] == "ok"
    # newest first; re-enabling K1 reused its entry (and its precision was reset by the disable)
    assert r[14][1]["KinesisDataStreamDestinations"] == [
        {"StreamArn": K2, "DestinationStatus": "DISABLED"}, {"StreamArn": K1, "DestinationStatus": "ACTIVE"}]


def test_errors(endpoint, hash_table):
    t = hash_table
    missing = helpers.unique_name()
    r = node_sdk.calls(endpoint, [
        ("DisableKinesisStreamingDestination", {"TableName": t, "StreamArn": K1}),
        ("UpdateKinesisStreamingDestination", {"TableName": t, "StreamArn": K1,
                                               "UpdateKinesisStreamingConfiguration": {"ApproximateCreationDateTimePrecision": "MICROSECOND"}}),
        ("UpdateKinesisStreamingDestination", {"TableName": t, "StreamArn": K1}),
        ("UpdateKinesisStreamingDestination", {"TableName": t, "StreamArn": K1, "UpdateKinesisStreamingConfiguration": {}}),
        ("DisableKinesisStreamingDestination", {"TableName": t, "StreamArn": K1,
                                                "EnableKinesisStreamingConfiguration": {"ApproximateCreationDateTimePrecision": "MICROSECOND"}}),
        ("EnableKinesisStreamingDestination", {"TableName": missing, "StreamArn": K1}),
        ("DescribeKinesisStreamingDestination", {"TableName": missing}),
        ("EnableKinesisStreamingDestination", {"TableName": t, "StreamArn": K1,
                                               "EnableKinesisStreamingConfiguration": {"ApproximateCreationDateTimePrecision": "NANOSECOND"}}),
        ("UpdateKinesisStreamingDestination", {"TableName": t, "StreamArn": K1,
                                               "UpdateKinesisStreamingConfiguration": {"ApproximateCreationDateTimePrecision": "NANOSECOND"}}),
    ])
    assert r[0] == ("error", "ValidationException",
                    STATE + "KinesisStreamingDestination must be ACTIVE to perform DISABLE operation.")
    assert r[1] == ("error", "ValidationException", f"{STATE}No streaming destination with streamArn: {K1}")
    null_config = ("error", "ValidationException",
                   "Streaming destination cannot be updated with given parameters: UpdateKinesisStreamingConfiguration "
                   "cannot be null or contain only null values")
    assert r[2] == null_config and r[3] == null_config
    assert r[4] == ("error", "ValidationException",
                    "Stream cannot be disabled using EnableKinesisStreamingConfiguration parameters")
    for x in r[5:7]:
        assert x == ("error", "ResourceNotFoundException", f"Requested resource not found: Table: {missing} not found")
    for x, member in zip(r[7:9], ("enable", "update")):
        assert x == ("error", "ValidationException",
                     f"1 validation error detected: Value 'NANOSECOND' at '{member}KinesisStreamingConfiguration."
                     "approximateCreationDateTimePrecision' failed to satisfy constraint: Member must satisfy enum "
                     "value set: [MILLISECOND, MICROSECOND]")
    assert dests(endpoint, t) == []


def test_destinations_are_the_tables(endpoint, ddb, make_table):
    t = make_table()
    node_sdk.call(endpoint, "EnableKinesisStreamingDestination", {"TableName": t, "StreamArn": K1})
    ddb.delete_table(TableName=t)
    helpers.create_table(ddb, t)
    assert dests(endpoint, t) == []
