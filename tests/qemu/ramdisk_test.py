#!/usr/bin/env python3
"""Boot lichen with ramdisks (servers/ramdisk) whose images the boot archive holds.

The run's archive is --initrd ARCHIVE with files added (scripts/mkrunfs.sh):
each --pattern PATH:SECTORS is a disk image whose every 512-byte sector
holds its own number, 64 times as a little-endian uint64 (blk_test.py's
pattern, what tests/native/blktest.c reads); each --stage PATH=FILE is
FILE at PATH. Then one of:

  --boot-test boot_test.py -- BOOT_TEST_ARGS...
      boot_test.py boots that archive and matches the console (blktest
      on ramdisks: ramdisk-test.manifest). A ramdisk's writes end with
      the machine, so blktest's reading back is the check of them.

  --qemu-system Q --qemu-user QU --kernel K --workload SCRIPT
      ramdisk.manifest: FAT32 on blk/ram0 as lichen's root. BusyBox sh
      runs SCRIPT /work there (from /boot), then prints the md5sum of
      every file it left. The same runs on the host's Linux under
      qemu-aarch64 in a temporary directory; the output and the exit
      status must be the same.

usage: ramdisk_test.py --mkrunfs mkrunfs.sh --initrd ARCHIVE
         [--pattern PATH:SECTORS]... [--stage PATH=FILE]... MODE...
"""
import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile

from blk_test import sector

# The workload, then every file's bytes as md5sum sees them.
CHECK_SH = """sh "$1" "$2" || exit
cd "$2" && find . -type f | sort | while read -r f; do md5sum "$f"; done
"""


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--mkrunfs", required=True)
    p.add_argument("--initrd", required=True)
    p.add_argument("--pattern", action="append", default=[])
    p.add_argument("--stage", action="append", default=[])
    p.add_argument("--boot-test")
    p.add_argument("--qemu-system")
    p.add_argument("--qemu-user")
    p.add_argument("--kernel")
    p.add_argument("--busybox", default="/bin/busybox")
    p.add_argument("--workload")
    p.add_argument("--smp", default="2")
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    a = p.parse_args()
    if a.rest and a.rest[0] == "--":
        a.rest = a.rest[1:]
    return a


def place(stage, path):
    dst = os.path.join(stage, path)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    return dst


def run_archive(a, tmp):
    """The boot archive with the patterns and staged files added."""
    stage = os.path.join(tmp, "stage")
    os.mkdir(stage)
    for spec in a.pattern:
        path, n = spec.rsplit(":", 1)
        with open(place(stage, path), "wb") as f:
            for s in range(int(n)):
                f.write(sector(s))
    for spec in a.stage:
        path, src = spec.split("=", 1)
        shutil.copy(src, place(stage, path))
    out = os.path.join(tmp, "run.cpio")
    subprocess.run([a.mkrunfs, out, a.initrd, "--add", stage], check=True)
    return out


def lichen(a, initrd, run, args):
    """Output and status of run ARGS on lichen's ramdisk root, or a failure."""
    boot = ["lichen.quiet=1", "lichen.init=init", "lichen.manifest=ramdisk.manifest",
            f"linuxemu.run={run}"] + [f"linuxemu.arg={w}" for w in args]
    cmd = [a.qemu_system, "-M", "virt", "-cpu", "cortex-a72", "-smp", a.smp,
           "-m", "256M", "-nographic", "-nic", "none", "-no-reboot",
           "-kernel", a.kernel, "-initrd", initrd, "-append", " ".join(boot)]
    print("+", " ".join(cmd), flush=True)
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=a.timeout)
    except subprocess.TimeoutExpired:
        return None, f"lichen still running after {a.timeout:g}s"
    out = r.stdout.decode(errors="replace").replace("\r\n", "\n")
    # lichen.quiet=1: no boot report; the program's output comes first.
    m = re.search(r"\A(.*?)^lichen: powering off \(status (-?[0-9]+)\)", out,
                  re.MULTILINE | re.DOTALL)
    if m is None:
        return None, "no clean power-off:\n" + out[-3000:]
    got = "".join(line for line in m.group(1).splitlines(keepends=True)
                  if not line.startswith(("linuxemu: ", "ramdisk: ", "lichen: ")))
    return (got, int(m.group(2))), None


def compare(a, initrd, tmp):
    check = os.path.join(tmp, "check.sh")		# main() wrote it
    host = os.path.join(tmp, "host")
    os.mkdir(host)
    linux = subprocess.run([a.qemu_user, a.busybox, "sh", check, a.workload,
                            os.path.join(host, "work")], cwd=host,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=a.timeout)
    run, args = "/bin/sh", ["/boot/check.sh", "/boot/workload.sh", "/work"]
    want = (linux.stdout.decode(errors="replace"), linux.returncode)
    got, err = lichen(a, initrd, run, args)
    if err is not None:
        return [err]
    failures = []
    if got[0] != want[0]:
        diff = difflib.unified_diff(want[0].splitlines(keepends=True),
                                    got[0].splitlines(keepends=True), "Linux", "lichen")
        failures.append("output differs:\n" + "".join(diff))
    if got[1] != want[1]:
        failures.append(f"exit status: Linux {want[1]}, lichen {got[1]}")
    if not failures:
        print(f"the same output ({len(want[0].splitlines())} lines) and exit status "
              f"({want[1]}) as on Linux")
    return failures


def main():
    a = parse_args()
    with tempfile.TemporaryDirectory(prefix="lichen-ramdisk-") as tmp:
        if a.workload:
            a.stage += [f"workload.sh={a.workload}"]
            check = os.path.join(tmp, "check.sh")
            with open(check, "w") as f:
                f.write(CHECK_SH)
            a.stage += [f"check.sh={check}"]
        initrd = run_archive(a, tmp)
        if a.boot_test:
            r = subprocess.run([sys.executable, a.boot_test] + a.rest +
                               ["--initrd", initrd])
            return r.returncode
        failures = compare(a, initrd, tmp)
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
