#!/usr/bin/python3
"""Compare per-test outcomes of the wire suite run against DynamoDB Local and against ddbd.

usage: compat/diff.py LOCAL.xml DDBD.xml

Reads the two JUnit XML files pytest wrote (junit_family xunit1, with the aws_differs property that
tests/wire/conftest.py records). Prints:
  * every test whose outcome differs between the two runs (aws_differs tests excepted, where
    DynamoDB Local is expected to xfail and ddbd to pass),
  * every aws_differs test with both outcomes and the recorded reason,
  * every ddbd failure with its first message line.
Exit status: 0 only if ddbd passed everything it ran (no failure, no error, no unexpected pass);
1 otherwise; 2 when a results file is missing or unreadable.
"""
import sys
import xml.etree.ElementTree as ET


def outcomes(path):
    """test id -> (outcome, message, aws_differs reason or None)."""
    root = ET.parse(path).getroot()
    result = {}
    for case in root.iter("testcase"):
        tid = f"{case.get('classname', '')}::{case.get('name', '')}"
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed" if child.tag == "failure" else "error"
                message = child.get("message") or (child.text or "")
                if "[XPASS(strict)]" in message:
                    outcome = "xpassed"
                break
            if child.tag == "skipped":
                outcome = "xfailed" if child.get("type") == "pytest.xfail" else "skipped"
                message = child.get("message") or ""
                break
        result[tid] = (outcome, message.strip().splitlines()[0] if message.strip() else "", props.get("aws_differs"))
    return result


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        local = outcomes(argv[1])
    except (OSError, ET.ParseError) as e:
        print(f"cannot read DynamoDB Local results {argv[1]}: {e}", file=sys.stderr)
        local = {}
    missing = False
    try:
        ddbd = outcomes(argv[2])
    except (OSError, ET.ParseError) as e:
        print(f"cannot read ddbd results {argv[2]}: {e}", file=sys.stderr)
        ddbd, missing = {}, True

    def counts(res):
        c = {}
        for o, _, _ in res.values():
            c[o] = c.get(o, 0) + 1
        return ", ".join(f"{v} {k}" for k, v in sorted(c.items())) or "nothing"

    print(f"DynamoDB Local: {len(local)} tests: {counts(local)}")
    print(f"ddbd:           {len(ddbd)} tests: {counts(ddbd)}")

    ids = sorted(set(local) | set(ddbd))
    differs = []
    aws = []
    for tid in ids:
        lo = local.get(tid, ("absent", "", None))
        do = ddbd.get(tid, ("absent", "", None))
        reason = lo[2] or do[2]
        if reason:
            aws.append((tid, lo[0], do[0], reason))
            if lo[0] == "xfailed" and do[0] == "passed":
                continue
        if lo[0] != do[0]:
            differs.append((tid, lo, do))

    print()
    print(f"== Outcome differs between DynamoDB Local and ddbd ({len(differs)}) ==")
    for tid, lo, do in differs:
        print(f"  {tid}")
        print(f"      local: {lo[0]}{(': ' + lo[1][:200]) if lo[1] and lo[0] != 'passed' else ''}")
        print(f"      ddbd:  {do[0]}{(': ' + do[1][:200]) if do[1] and do[0] != 'passed' else ''}")

    print()
    print(f"== aws_differs: DynamoDB Local known to differ from AWS; ddbd must match AWS ({len(aws)}) ==")
    for tid, lo, do, reason in aws:
        mark = "ok " if do == "passed" else "BAD"
        print(f"  [{mark}] {tid}  (local: {lo}, ddbd: {do})")
        print(f"        {reason}")

    local_bad = [(t, o) for t, (o, _, r) in local.items() if o in ("failed", "error", "xpassed")]
    if local_bad:
        print()
        print(f"== Failing against DynamoDB Local: test or reference problem ({len(local_bad)}) ==")
        for t, o in sorted(local_bad):
            print(f"  {o}: {t}")

    if missing:
        print()
        print("== no ddbd results ==")
        return 2
    bad = sorted((t, o, m) for t, (o, m, _) in ddbd.items() if o in ("failed", "error", "xpassed", "xfailed"))
    print()
    if bad:
        print(f"== ddbd FAILED {len(bad)} test(s) ==")
        for t, o, m in bad:
            print(f"  {o}: {t}")
            if m:
                print(f"        {m[:300]}")
        return 1
    if not ddbd:
        print("== ddbd ran no tests ==")
        return 1
    print("== ddbd passed everything ==")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
