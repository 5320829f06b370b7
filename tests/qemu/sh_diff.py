#!/usr/bin/env python3
"""BusyBox shell scripts on lichen and on Linux; compare.

Each check in CHECKS (a file: "### NAME" starts a check, the lines up to
the next are its script) runs as `/bin/busybox sh -c SCRIPT` twice: under
qemu-aarch64 on the host's Linux (the same Debian busybox-static binary),
and on lichen through scripts/run-command.py (run-qemu.sh -c). A check
passes when stdout+stderr and the exit status are the same. Scripts use
the shell and BusyBox's applets only: no files yet (the vfs issue).

usage: sh_diff.py --qemu-user QEMU_AARCH64 --busybox BUSYBOX
         --initrd ARCHIVE --checks FILE [--only NAME] [--timeout S]
         -- QEMU [QEMU_ARGS...]
"""
import argparse
import difflib
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.realpath(__file__))
RUN_COMMAND = os.path.join(HERE, "..", "..", "scripts", "run-command.py")


def read_checks(path):
    checks, name, lines = [], None, []
    with open(path) as f:
        for line in f:
            if line.startswith("### "):
                if name is not None:
                    checks.append((name, "".join(lines).rstrip("\n")))
                name, lines = line[4:].strip(), []
            elif name is not None:
                lines.append(line)
    if name is not None:
        checks.append((name, "".join(lines).rstrip("\n")))
    return checks


def main():
    argv = sys.argv[1:]
    qemu = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    p = argparse.ArgumentParser()
    p.add_argument("--qemu-user", required=True)
    p.add_argument("--busybox", required=True)
    p.add_argument("--initrd", required=True)
    p.add_argument("--checks", required=True)
    p.add_argument("--only")
    p.add_argument("--append", default="", help="more boot arguments for lichen")
    p.add_argument("--timeout", type=float, default=30)
    a = p.parse_args(argv)

    failed = 0
    checks = [c for c in read_checks(a.checks) if a.only in (None, c[0])]
    for name, script in checks:
        linux = subprocess.run([a.qemu_user, a.busybox, "sh", "-c", script],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, timeout=a.timeout,
                               env={"PATH": "/sbin:/usr/sbin:/bin:/usr/bin",
                                    "HOME": "/", "TERM": "linux"})
        lichen = subprocess.run([sys.executable, RUN_COMMAND, "--initrd", a.initrd,
                                 "--timeout", str(a.timeout), "--append", a.append,
                                 "-c", script, "--"] + qemu,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        want = linux.stdout.decode(errors="replace")
        got = lichen.stdout.decode(errors="replace")
        problems = []
        if got != want:
            problems.append("output differs:\n" + "".join(difflib.unified_diff(
                want.splitlines(keepends=True), got.splitlines(keepends=True),
                "Linux", "lichen")))
        if lichen.returncode != linux.returncode:
            problems.append(f"exit status: Linux {linux.returncode}, "
                            f"lichen {lichen.returncode}")
        if problems:
            failed += 1
            print(f"FAIL {name}:\n" + script)
            for pr in problems:
                print("  " + pr.replace("\n", "\n  "))
        else:
            print(f"ok   {name} (status {linux.returncode})")
    print(f"{len(checks) - failed} of {len(checks)} shell checks as on Linux")
    return 1 if failed or not checks else 0


if __name__ == "__main__":
    sys.exit(main())
