#!/usr/bin/env python3
"""Boot lichen under QEMU once and check what the console printed.

Fails when an expected pattern is missing, a forbidden one appears, or the
guest does not power itself off within --timeout seconds (a hung guest is
a failure, never a hang of the test run).

usage: boot_test.py --qemu QEMU --kernel IMAGE [--initrd FILE]
         [--machine virt,...] [--smp N] [--mem SIZE] [--append ARGS] [--init PROG]
         [--fdtput 'ARGS WITH {dtb}']... [--qemu-arg ARG]... [--timeout S]
         [--expect REGEX]... [--reject REGEX]...
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--qemu", required=True)
    p.add_argument("--kernel", required=True)
    p.add_argument("--initrd")
    p.add_argument("--machine", default="virt")
    p.add_argument("--cpu", default="cortex-a72")
    p.add_argument("--smp", default="1")
    p.add_argument("--mem", default="128M")
    p.add_argument("--append", default="")
    p.add_argument("--init", default="none",
                   help="the first program (lichen.init=); 'none' (the "
                        "default) powers off after the boot report")
    p.add_argument("--fdtput", action="append", default=[],
                   help="boot with QEMU's own device tree edited by "
                        "`fdtput ARGS` ({dtb} stands for the file)")
    p.add_argument("--qemu-arg", action="append", default=[],
                   help="one more QEMU argument (e.g. --qemu-arg=-drive "
                        "--qemu-arg=file=...); blk_test.py adds disks so")
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("--expect", action="append", default=[])
    p.add_argument("--reject", action="append", default=[])
    return p.parse_args()


def qemu_base(a):
    return [a.qemu, "-M", a.machine, "-cpu", a.cpu, "-smp", a.smp,
            "-m", a.mem, "-nographic", "-nic", "none", "-no-reboot"]


def make_dtb(a, tmp):
    """QEMU's device tree for this machine, edited by each --fdtput."""
    dtb = os.path.join(tmp, "test.dtb")
    subprocess.run(qemu_base(a) + ["-M", f"{a.machine},dumpdtb={dtb}"],
                   check=True, capture_output=True)
    for edit in a.fdtput:
        subprocess.run(["fdtput"] + [dtb if w == "{dtb}" else w
                                     for w in edit.split()], check=True)
    return dtb


def main():
    a = parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cmd = qemu_base(a) + ["-kernel", a.kernel]
        if a.initrd:
            cmd += ["-initrd", a.initrd]
        append = f"lichen.init={a.init} {a.append}".strip()
        cmd += ["-append", append]
        if a.fdtput:
            cmd += ["-dtb", make_dtb(a, tmp)]
        cmd += a.qemu_arg
        print("+", " ".join(cmd), flush=True)
        try:
            r = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=a.timeout)
            out, hung = r.stdout.decode(errors="replace"), False
        except subprocess.TimeoutExpired as e:
            out, hung = (e.stdout or b"").decode(errors="replace"), True
    out = out.replace("\r\n", "\n")
    print(out)
    failures = []
    if hung:
        failures.append(f"guest still running after {a.timeout:g}s: it hung")
    elif r.returncode != 0:
        failures.append(f"QEMU exited with status {r.returncode}: "
                        + r.stderr.decode(errors="replace").strip())
    for pat in a.expect:
        if not re.search(pat, out, re.MULTILINE):
            failures.append(f"missing: {pat!r}")
    for pat in a.reject:
        if re.search(pat, out, re.MULTILINE):
            failures.append(f"unexpected: {pat!r}")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
