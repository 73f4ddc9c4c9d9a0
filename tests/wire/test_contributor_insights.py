"""Contributor Insights settings: UpdateContributorInsights, DescribeContributorInsights,
ListContributorInsights, for tables and GSIs (npm's SDK: ContributorInsightsMode is newer
than Debian's botocore).

Status only: there is no CloudWatch behind ddbd. Expected behaviour and texts are AWS's as
the ack-api-quirks lab recorded them: rule names, modes, ENABLING in the answer, DISABLED
entries left out of List, ResourceNotFoundException for an LSI or unknown index.
"""
import re

import pytest

import helpers
import node_sdk

pytestmark = pytest.mark.ddbd_only


@pytest.fixture
def gsi_table(make_table):
    return make_table(range=("sk", "S"), extra_attrs={"g": "S"},
                      GlobalSecondaryIndexes=[{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                               "Projection": {"ProjectionType": "ALL"}}],
                      LocalSecondaryIndexes=[{"IndexName": "bySk", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                                                 {"AttributeName": "g", "KeyType": "RANGE"}],
                                              "Projection": {"ProjectionType": "KEYS_ONLY"}}])


def test_enable_describe_disable(endpoint, gsi_table):
    t = gsi_table
    r = node_sdk.calls(endpoint, [
        ("DescribeContributorInsights", {"TableName": t}),
        ("UpdateContributorInsights", {"TableName": t, "ContributorInsightsAction": "ENABLE"}),
        ("DescribeContributorInsights", {"TableName": t}),
        ("UpdateContributorInsights", {"TableName": t, "ContributorInsightsAction": "ENABLE"}),
        ("UpdateContributorInsights", {"TableName": t, "ContributorInsightsAction": "ENABLE",
                                       "ContributorInsightsMode": "THROTTLED_KEYS"}),
        ("DescribeContributorInsights", {"TableName": t}),
        ("UpdateContributorInsights", {"TableName": t, "ContributorInsightsAction": "DISABLE"}),
        ("DescribeContributorInsights", {"TableName": t}),
    ])
    assert all(x[0] == "ok" for x in r), r
    never, enabling, enabled, again, mode_change, throttled, disabling, disabled = [x[1] for x in r]
    assert never == {"TableName": t, "ContributorInsightsStatus": "DISABLED"}
    assert enabling == {"TableName": t, "ContributorInsightsStatus": "ENABLING",
                        "ContributorInsightsMode": "ACCESSED_AND_THROTTLED_KEYS"}
    assert enabled["ContributorInsightsStatus"] == "ENABLED"
    assert enabled["ContributorInsightsMode"] == "ACCESSED_AND_THROTTLED_KEYS"
    rules = enabled["ContributorInsightsRuleList"]
    assert [re.sub(r"-\d{13}$", "", x) for x in rules] == [
        f"DynamoDBContributorInsights-{k}-{t}" for k in ("PKC", "SKC", "PKT", "SKT")]
    stamp = rules[0].rsplit("-", 1)[1]
    assert "LastUpdateDateTime" in enabled
    assert again["ContributorInsightsStatus"] == "ENABLED"  # same mode: nothing to do
    assert mode_change["ContributorInsightsStatus"] == "ENABLING"
    assert throttled["ContributorInsightsMode"] == "THROTTLED_KEYS"
    assert throttled["ContributorInsightsRuleList"] == [f"DynamoDBContributorInsights-{k}-{t}-{stamp}" for k in ("PKT", "SKT")]
    assert disabling == {"TableName": t, "ContributorInsightsStatus": "DISABLING",
                         "ContributorInsightsMode": "THROTTLED_KEYS"}
    assert disabled["ContributorInsightsStatus"] == "DISABLED"
    assert "ContributorInsightsRuleList" not in disabled and "ContributorInsightsMode" not in disabled


def test_indexes_and_list(endpoint, gsi_table, make_table):
    t = gsi_table
    other = make_table()
    r = node_sdk.calls(endpoint, [
        ("ListContributorInsights", {"TableName": t}),
        ("UpdateContributorInsights", {"TableName": t, "IndexName": "byG", "ContributorInsightsAction": "ENABLE"}),
        ("UpdateContributorInsights", {"TableName": t, "ContributorInsightsAction": "ENABLE"}),
        ("UpdateContributorInsights", {"TableName": other, "ContributorInsightsAction": "ENABLE",
                                       "ContributorInsightsMode": "THROTTLED_KEYS"}),
        ("DescribeContributorInsights", {"TableName": t, "IndexName": "byG"}),
        ("ListContributorInsights", {"TableName": t, "MaxResults": 1}),
    ])
    assert all(x[0] == "ok" for x in r), r
    assert r[0][1]["ContributorInsightsSummaries"] == []  # never configured: not listed
    gsi = r[4][1]
    assert gsi["IndexName"] == "byG" and gsi["ContributorInsightsStatus"] == "ENABLED"
    assert [x.rsplit("-", 1)[0] for x in gsi["ContributorInsightsRuleList"]] == [
        f"DynamoDBContributorInsights-PKC-{t}", f"DynamoDBContributorInsights-PKT-{t}"]  # the GSI has no sort key
    page1 = r[5][1]
    assert page1["ContributorInsightsSummaries"] == [
        {"TableName": t, "ContributorInsightsStatus": "ENABLED", "ContributorInsightsMode": "ACCESSED_AND_THROTTLED_KEYS"}]
    page2 = node_sdk.call(endpoint, "ListContributorInsights", {"TableName": t, "MaxResults": 1,
                                                                "NextToken": page1["NextToken"]})
    assert page2 == {"ContributorInsightsSummaries": [{"TableName": t, "IndexName": "byG", "ContributorInsightsStatus": "ENABLED",
                                                       "ContributorInsightsMode": "ACCESSED_AND_THROTTLED_KEYS"}]}
    everything = node_sdk.call(endpoint, "ListContributorInsights", {})["ContributorInsightsSummaries"]
    mine = [(s["TableName"], s.get("IndexName")) for s in everything if s["TableName"] in (t, other)]
    assert sorted(mine, key=str) == sorted([(t, None), (t, "byG"), (other, None)], key=str)
    # a disabled entry leaves the list
    node_sdk.call(endpoint, "UpdateContributorInsights", {"TableName": t, "ContributorInsightsAction": "DISABLE"})
    after = node_sdk.call(endpoint, "ListContributorInsights", {"TableName": t})["ContributorInsightsSummaries"]
    assert [s.get("IndexName") for s in after] == ["byG"]


def test_errors(endpoint, gsi_table):
    t = gsi_table
    missing = helpers.unique_name()
    r = node_sdk.calls(endpoint, [
        ("DescribeContributorInsights", {"TableName": t, "IndexName": "bySk"}),
        ("UpdateContributorInsights", {"TableName": t, "IndexName": "bySk", "ContributorInsightsAction": "ENABLE"}),
        ("DescribeContributorInsights", {"TableName": t, "IndexName": "nope"}),
        ("UpdateContributorInsights", {"TableName": missing, "ContributorInsightsAction": "ENABLE"}),
        ("DescribeContributorInsights", {"TableName": missing}),
        ("ListContributorInsights", {"TableName": missing}),
        ("UpdateContributorInsights", {"TableName": t, "ContributorInsightsAction": "SWITCH_ON"}),
    ])
    lsi = ("error", "ResourceNotFoundException", f"Requested resource not found: Index: bySk not found for table: {t}")
    assert r[0] == lsi and r[1] == lsi
    assert r[2] == ("error", "ResourceNotFoundException", f"Requested resource not found: Index: nope not found for table: {t}")
    for x in r[3:6]:
        assert x == ("error", "ResourceNotFoundException", f"Requested resource not found: Table: {missing} not found")
    assert r[6][:2] == ("error", "ValidationException") and "enum value set: [ENABLE, DISABLE]" in r[6][2]
