#!/usr/bin/env python3
"""Boot lichen with virtio-blk disks made for the test, then check them.

Each --disk NAME:SECTORS[:ro] is a raw image whose every 512-byte sector
holds its own number, 64 times as a little-endian uint64 (what blktest
reads). The disks go to QEMU in order (the first is vda), after
`-global virtio-mmio.force-legacy=false` unless --legacy. boot_test.py
boots and matches the console (its own arguments follow `--`); then,
after the guest powered off, every image must hold the pattern still,
except what --written NAME:FIRST:COUNT says blktest wrote there (the
sector number ORed with WRITTEN_MARK, as tests/native/blktest.c writes).

usage: blk_test.py --boot-test boot_test.py [--disk NAME:SECTORS[:ro]]...
         [--written NAME:FIRST:COUNT]... [--legacy] -- BOOT_TEST_ARGS...
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile

WRITTEN_MARK = 0x5752495454454e00	# "WRITTEN" | sector: blktest.c


def sector(n, mark=0):
    return struct.pack("<Q", mark | n) * 64


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--boot-test", required=True)
    p.add_argument("--disk", action="append", default=[])
    p.add_argument("--written", action="append", default=[])
    p.add_argument("--legacy", action="store_true",
                   help="leave QEMU's virtio-mmio transports legacy (version 1)")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    a = p.parse_args()
    if a.rest and a.rest[0] == "--":
        a.rest = a.rest[1:]
    return a


def make_disks(a, tmp):
    """The images and the QEMU arguments that attach them."""
    disks, qemu = [], [] if a.legacy else ["-global", "virtio-mmio.force-legacy=false"]
    for spec in a.disk:
        name, n, *flags = spec.split(":")
        path = os.path.join(tmp, name + ".img")
        with open(path, "wb") as f:
            for s in range(int(n)):
                f.write(sector(s))
        ro = ",readonly=on" if "ro" in flags else ""
        qemu += ["-drive", f"file={path},if=none,format=raw,id={name}{ro}",
                 "-device", f"virtio-blk-device,drive={name}"]
        disks.append((name, path, int(n)))
    return disks, qemu


def check_disks(a, disks):
    written = {}
    for spec in a.written:
        name, first, count = spec.split(":")
        written.setdefault(name, set()).update(
            range(int(first), int(first) + int(count)))
    failures = []
    for name, path, n in disks:
        data = open(path, "rb").read()
        if len(data) != n * 512:
            failures.append(f"{name}: {len(data)} bytes, not {n * 512}")
            continue
        bad = [s for s in range(n) if data[s * 512:(s + 1) * 512] != sector(
            s, WRITTEN_MARK if s in written.get(name, ()) else 0)]
        if bad:
            failures.append(f"{name}: {len(bad)} sectors not as expected, "
                            f"first {bad[:8]}")
        else:
            print(f"{name}: all {n} sectors as expected "
                  f"({len(written.get(name, ()))} written by the guest)")
    return failures


def main():
    a = parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        disks, qemu = make_disks(a, tmp)
        cmd = [sys.executable, a.boot_test] + a.rest + [
            f"--qemu-arg={w}" for w in qemu]
        r = subprocess.run(cmd)
        failures = check_disks(a, disks)
    for f in failures:
        print("FAIL:", f)
    return 1 if r.returncode != 0 or failures else 0


if __name__ == "__main__":
    sys.exit(main())
