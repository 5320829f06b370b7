#!/usr/bin/env python3
"""Run a Linux test program on lichen and on the host's Linux; compare.

The same static aarch64 binary runs under qemu-aarch64 (user mode: the
host's real Linux kernel answers its system calls) with argv[0] = NAME,
and on lichen through linuxemu (lichen.init=linuxemu linuxemu.run=NAME).
It passes when the program's output (stdout and stderr, in order; lines
linuxemu itself prints are left out) and its exit status are the same. A hung guest fails after --timeout.

usage: linux_diff.py --qemu-system QEMU --qemu-user QEMU_AARCH64
         --kernel IMAGE --initrd ARCHIVE --program FILE --name NAME
         [--args 'ARGS'] [--smp N] [--timeout S]
"""
import argparse
import atexit
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--qemu-system", required=True)
    p.add_argument("--qemu-user", required=True)
    p.add_argument("--kernel", required=True)
    p.add_argument("--initrd", required=True)
    p.add_argument("--program", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--args", default="", help="arguments after argv[0], split on spaces")
    p.add_argument("--smp", default="2")
    p.add_argument("--vfs", action="store_true",
                   help="boot through init and linux.manifest: files through vfs")
    p.add_argument("--disk", help="a copy of this root disk image is lichen's root "
                   "(disk.manifest: FAT32 on /, tmpfs on /tmp, the program at /boot/NAME)")
    p.add_argument("--timeout", type=float, default=30)
    a = p.parse_args()

    args = a.args.split()
    linux = subprocess.run([a.qemu_user, "-0", a.name, a.program] + args,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=a.timeout)
    want_out = linux.stdout.decode(errors="replace")
    want_status = linux.returncode

    boot = "lichen.init=linuxemu "
    if a.vfs:
        boot = "lichen.init=init lichen.manifest=linux.manifest "
    disk = []
    if a.disk:
        tmp = tempfile.mkdtemp(prefix="lichen-diff-")
        atexit.register(shutil.rmtree, tmp, ignore_errors=True)
        img = os.path.join(tmp, "root.img")
        shutil.copyfile(a.disk, img)
        disk = ["-global", "virtio-mmio.force-legacy=false",
                "-drive", f"file={img},if=none,format=raw,id=vda",
                "-device", "virtio-blk-device,drive=vda"]
        boot = "lichen.init=init lichen.manifest=disk.manifest "
    run = f"/boot/{a.name}" if a.disk else a.name
    cmd = [a.qemu_system, "-M", "virt", "-cpu", "cortex-a72", "-smp", a.smp,
           "-m", "256M", "-nographic", "-nic", "none", "-no-reboot",
           "-kernel", a.kernel, "-initrd", a.initrd] + disk + [
           "-append", " ".join([boot + f"linuxemu.run={run}"]
                               + [f"linuxemu.arg={w}" for w in args])]
    print("+", " ".join(cmd), flush=True)
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=a.timeout)
    except subprocess.TimeoutExpired:
        print(f"FAIL: lichen still running after {a.timeout:g}s")
        return 1
    out = r.stdout.decode(errors="replace").replace("\r\n", "\n")
    print(out)
    m = re.search(r"^lichen: boot complete at [0-9]+ ms\n(.*?)"
                  r"^lichen: powering off \(status (-?[0-9]+)\)", out,
                  re.MULTILINE | re.DOTALL)
    if m is None:
        print("FAIL: no program output between boot and power-off")
        return 1
    got_out, got_status = m.group(1), int(m.group(2))
    # linuxemu's own notes (e.g. how many calls it answered -ENOSYS) and
    # devtmpfs's start line (it takes the console after the kernel's "boot
    # complete") share the console; they are not the program's output. The
    # program's "\n" is "\r\n" on the serial line (the terminal's ONLCR,
    # as Linux's console), made "\n" again above.
    got_out = "".join(line for line in got_out.splitlines(keepends=True)
                      if not line.startswith(("linuxemu: ", "virtio-blk: "))
                      and line != "devtmpfs: console on the PL011, tty line discipline\n")
    failures = []
    if got_out != want_out:
        diff = difflib.unified_diff(want_out.splitlines(keepends=True),
                                    got_out.splitlines(keepends=True), "Linux", "lichen")
        failures.append("output differs:\n" + "".join(diff))
    if got_status != want_status:
        failures.append(f"exit status: Linux {want_status}, lichen {got_status}")
    for f in failures:
        print("FAIL:", f)
    if not failures:
        print(f"{a.name}: the same output and exit status ({want_status}) as on Linux")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
