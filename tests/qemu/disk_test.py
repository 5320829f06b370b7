#!/usr/bin/env python3
"""A workload on lichen's FAT32 root disk, judged by Linux and the FAT tools.

Copies the built root disk, puts the workload script on it (mcopy), boots
lichen with it as virtio-blk vda (disk.manifest: virtio-blk, fat32, vfs,
linuxemu) running `sh /workload.sh /work`, and after the power-off checks:
  - fsck.fat -n finds nothing wrong (the volume was unmounted cleanly);
  - the same script run by the same BusyBox under qemu-aarch64 on the
    host's Linux, in a temporary directory, printed the same and left the
    same tree: every directory and file, and every file's bytes, as
    mcopy -s reads them back from the image.
"""
import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile


def tree(root):
    """Relative paths of every directory and file under root."""
    out = set()
    for d, dirs, files in os.walk(root):
        rel = os.path.relpath(d, root)
        for n in dirs:
            out.add(("d", os.path.normpath(os.path.join(rel, n))))
        for n in files:
            out.add(("f", os.path.normpath(os.path.join(rel, n))))
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--qemu-system", required=True)
    p.add_argument("--qemu-user", required=True)
    p.add_argument("--kernel", required=True)
    p.add_argument("--initrd", required=True)
    p.add_argument("--disk", required=True, help="the built root disk")
    p.add_argument("--workload", required=True)
    p.add_argument("--busybox", default="/bin/busybox")
    p.add_argument("--smp", default="2")
    p.add_argument("--timeout", type=float, default=120)
    a = p.parse_args()
    a.workload = os.path.abspath(a.workload)
    tmp = tempfile.mkdtemp(prefix="lichen-disk-")
    try:
        img = os.path.join(tmp, "root.img")
        shutil.copyfile(a.disk, img)
        env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
        subprocess.run(["mcopy", "-i", img, a.workload, "::/workload.sh"], check=True,
                       env=env)

        # Linux: the same BusyBox, the same script, in a directory of ours.
        host = os.path.join(tmp, "host")
        os.mkdir(host)
        linux = subprocess.run([a.qemu_user, a.busybox, "sh", a.workload,
                                os.path.join(host, "work")],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=a.timeout, cwd=host)
        want = linux.stdout.decode(errors="replace")

        cmd = [a.qemu_system, "-M", "virt", "-cpu", "cortex-a72", "-smp", a.smp,
               "-m", "256M", "-nographic", "-nic", "none", "-no-reboot",
               "-kernel", a.kernel, "-initrd", a.initrd,
               "-global", "virtio-mmio.force-legacy=false",
               "-drive", f"file={img},if=none,format=raw,id=vda",
               "-device", "virtio-blk-device,drive=vda",
               "-append", "lichen.quiet=1 lichen.init=init lichen.manifest=disk.manifest "
                          "linuxemu.run=/bin/sh linuxemu.arg=/workload.sh linuxemu.arg=/work"]
        print("+", " ".join(cmd), flush=True)
        try:
            r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=a.timeout)
        except subprocess.TimeoutExpired:
            print(f"FAIL: lichen still running after {a.timeout:.0f}s")
            return 1
        console = r.stdout.decode(errors="replace").replace("\r\n", "\n")
        got = "".join(l + "\n" for l in console.splitlines()
                      if not l.startswith(("linuxemu: ", "lichen: ", "virtio-blk: ")))
        problems = []
        if got != want:
            problems.append(f"output differs:\n--- Linux\n{want}--- lichen\n{got}")
        if "lichen: powering off (status 0)" not in console:
            problems.append("no clean power-off with status 0:\n" + console[-2000:])

        fsck = subprocess.run(["fsck.fat", "-n", img], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
        print(fsck.stdout.decode(errors="replace"), end="")
        if fsck.returncode != 0:
            problems.append(f"fsck.fat -n exited {fsck.returncode}")

        back = os.path.join(tmp, "back")
        os.mkdir(back)
        subprocess.run(["mcopy", "-s", "-n", "-i", img, "::/work", back], check=True, env=env)
        t_want, t_got = tree(os.path.join(host, "work")), tree(os.path.join(back, "work"))
        if t_want != t_got:
            problems.append(f"trees differ: only on Linux {sorted(t_want - t_got)[:10]}, "
                            f"only on lichen {sorted(t_got - t_want)[:10]}")
        files = sorted(p for k, p in t_want & t_got if k == "f")
        bad = [p for p in files if not filecmp.cmp(os.path.join(host, "work", p),
                                                   os.path.join(back, "work", p),
                                                   shallow=False)]
        if bad:
            problems.append(f"{len(bad)} files differ: {bad[:10]}")
        print(f"{len(t_want)} entries on Linux, {len(t_got)} on lichen, "
              f"{len(files) - len(bad)} files byte-equal")
        for m in problems:
            print("FAIL:", m)
        return 1 if problems else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
