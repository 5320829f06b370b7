#!/usr/bin/env python3
"""Summarise a meson test run from its testlog.json.

Prints each Check suite's own summary line (from the unit tests' output),
then one final line "N passed, M failed" from meson's results. Exits 1 if
anything failed or if no test ran.
"""
import json
import re
import sys

PASS = {"OK", "EXPECTEDFAIL"}
CHECK_LINE = re.compile(r"^\d+%: Checks: \d+, Failures: \d+, Errors: \d+$")


def main():
    passed = failed = skipped = 0
    with open(sys.argv[1]) as f:
        results = [json.loads(line) for line in f if line.strip()]
    summaries = []
    for r in results:
        if r["result"] in PASS:
            passed += 1
        elif r["result"] == "SKIP":
            skipped += 1
        else:
            failed += 1
        for line in (r.get("stdout") or "").splitlines():
            if CHECK_LINE.match(line.strip()):
                summaries.append(f"  {r['name'].split(' / ')[-1]:12} {line.strip()}")
    if summaries:
        print("Check suites:")
        print("\n".join(summaries))
    tail = f", {skipped} skipped" if skipped else ""
    print(f"{passed} passed, {failed} failed{tail}")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
