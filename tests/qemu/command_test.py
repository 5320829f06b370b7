#!/usr/bin/env python3
"""Run scripts/run-command.py (what run-qemu.sh -c runs) and check it.

Passes when the command's stdout is exactly --output (Python escapes:
'hi\\n') and run-command.py exits with --status. --stage PATH=FILE
copies FILE to PATH in a directory passed as --add, so that --add's
overriding and adding are tested too. Everything after -- goes to
run-command.py as it is (its -c or --run, then -- and QEMU).

usage: command_test.py --run-command SCRIPT --output TEXT --status N
         [--stage PATH=FILE]... -- RUN_COMMAND_ARGS...
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--run-command", required=True)
    p.add_argument("--output", required=True)
    p.add_argument("--status", type=int, required=True)
    p.add_argument("--stage", action="append", default=[])
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("args", nargs="+")
    a = p.parse_args()
    want = a.output.encode().decode("unicode_escape").encode()

    with tempfile.TemporaryDirectory(prefix="lichen-command-test-") as tmp:
        add = []
        for s in a.stage:
            path, src = s.split("=", 1)
            dst = os.path.join(tmp, path)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy(src, dst)
        if a.stage:
            add = ["--add", tmp]
        cmd = [sys.executable, a.run_command, f"--timeout={a.timeout:g}"] + add + a.args
        print("+", " ".join(cmd), flush=True)
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    print(r.stdout.decode(errors="replace"), end="")
    failures = []
    if r.stdout != want:
        failures.append(f"stdout {r.stdout!r}, expected {want!r}")
    if r.returncode != a.status:
        failures.append(f"exit status {r.returncode}, expected {a.status}")
    for f in failures:
        print("FAIL:", f)
    if not failures:
        print(f"ok: the expected output and exit status {a.status}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
