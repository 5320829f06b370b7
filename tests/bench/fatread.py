#!/usr/bin/env python3
"""Reading a 16 MiB file from the FAT32 root: lichen against Linux.

A benchmark: it reports numbers and fails only when something does not
work (a boot, a read, a checksum), never on speed. Steps:

  1. readfile (tests/bench/readfile.c) is built static with musl; a copy of
     the built root disk (BUILD/image/root.img) gets /big, SIZE MiB of
     random bytes, with /readfile and /bench.sh (fatread-guest.sh), by
     mcopy. Every boot gets a fresh copy of that image.
  2. lichen boots on it (disk.manifest: virtio-blk, fat32, vfs, linuxemu)
     and runs `sh /bench.sh WARM`: readfile reads /big once cold and WARM
     times more in 64 KiB read(2)s, timed with CLOCK_MONOTONIC in the
     guest; sha256sum checks the bytes.
  3. Linux: Debian's arm64 kernel (the package linux-image-arm64 depends
     on, fetched once with apt-get download into BUILD/bench/, unpacked
     with dpkg-deb -x) boots under the same QEMU flags with an initramfs
     of the host's static BusyBox (busybox-static:arm64), the kernel's
     virtio_mmio, virtio_blk, fat, vfat and nls modules and
     fatread-linux-init.sh, which mounts /dev/vda read-only on /mnt and
     runs the same bench.sh on it.
  4. RUNS boots of each, alternating; per boot the cold read and the
     median of the warm ones; printed as MB/s (10^6 bytes/s), the median
     over the boots, and the ratio lichen / Linux.

The guest's clock is checked against the host's: the span between the
two "clock" lines, guest time over the host time at which they arrived
on the console (a warning past 10%: then the numbers are not wall time).

usage: fatread.py [--build DIR] [--runs N] [--warm N] [--size MIB]
                  [--no-linux] [--linux-deb FILE] [--icount] [-v]
"""
import argparse
import hashlib
import os
import re
import selectors
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.realpath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
MODULES = ["virtio_mmio", "virtio_blk", "fat", "vfat", "nls_cp437", "nls_ascii",
           "nls_utf8"]
MODULE_DIRS = {"virtio_mmio": "drivers/virtio", "virtio_blk": "drivers/block",
               "fat": "fs/fat", "vfat": "fs/fat"}
READ = re.compile(r"^read (\d+) bytes in (\d+) ns$")
CLOCK = re.compile(r"^clock (\d+)$")
SUM = re.compile(r"^([0-9a-f]{64})  \S*/big$")
LICHEN_END = re.compile(r"lichen: powering off \(status (-?\d+)\)")
LINUX_END = re.compile(r"fatread: status (\d+)")


def die(msg):
    print(f"fatread: {msg}", file=sys.stderr)
    sys.exit(1)


def run_tool(cmd, **kw):
    r = subprocess.run(cmd, **kw)
    if r.returncode != 0:
        die(f"{' '.join(cmd)}: exit status {r.returncode}")
    return r


def qemu_base(a):
    """The flags both systems boot with (run-qemu.sh --disk's)."""
    cmd = [a.qemu, "-M", "virt", "-cpu", "cortex-a72", "-smp", str(a.smp),
           "-m", a.mem, "-nographic", "-nic", "none", "-no-reboot",
           "-global", "virtio-mmio.force-legacy=false"]
    if a.icount:
        cmd += ["-icount", "shift=0"]
    return cmd


def disk_flags(img):
    return ["-drive", f"file={img},if=none,format=raw,id=vda",
            "-device", "virtio-blk-device,drive=vda"]


# -- the disk ----------------------------------------------------------------

def make_disk(a, tmp):
    """The root disk with /big, /readfile, /bench.sh; big's sha256."""
    readfile = os.path.join(tmp, "readfile")
    run_tool([a.musl_cc, "-static", "-O2", "-Wall", "-Werror", "-o", readfile,
              os.path.join(HERE, "readfile.c")])
    big = os.path.join(tmp, "big")
    h = hashlib.sha256()
    with open(big, "wb") as f:
        for _ in range(a.size):
            chunk = os.urandom(1 << 20)
            h.update(chunk)
            f.write(chunk)
    img = os.path.join(tmp, "disk.img")
    shutil.copyfile(os.path.join(a.build, "image", "root.img"), img)
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    for src, dst in [(big, "::/big"), (readfile, "::/readfile"),
                     (os.path.join(HERE, "fatread-guest.sh"), "::/bench.sh")]:
        run_tool(["mcopy", "-i", img, src, dst], env=env)
    os.unlink(big)
    return img, h.hexdigest()


# -- Debian's kernel and the initramfs ---------------------------------------

def linux_deb(a, cache):
    """Debian's arm64 kernel package: --linux-deb, or fetched once.

    The package linux-image-arm64 depends on now; if apt cannot say (no
    lists: offline), the newest one fetched before.
    """
    if a.linux_deb:
        return os.path.abspath(a.linux_deb)
    r = subprocess.run(["apt-cache", "depends", "linux-image-arm64:arm64"],
                       capture_output=True, text=True)
    m = re.search(r"Depends: (linux-image-[0-9][^:\s]*-arm64)", r.stdout)
    if not m:
        old = sorted(f for f in os.listdir(cache)
                     if re.fullmatch(r"linux-image-[0-9].*-arm64_.*_arm64\.deb", f))
        if old:
            return os.path.join(cache, old[-1])
        die("apt-cache knows no linux-image-arm64:arm64 and none was fetched "
            f"before into {cache} (is the arm64 dpkg architecture added and "
            "apt-get update run? scripts/bootstrap.sh; or give --linux-deb, "
            "or --no-linux)")
    pkg = m.group(1)
    have = [f for f in os.listdir(cache) if f.startswith(pkg + "_") and f.endswith(".deb")]
    if have:
        return os.path.join(cache, sorted(have)[-1])
    print(f"fatread: apt-get download {pkg}:arm64 into {cache}", file=sys.stderr)
    run_tool(["apt-get", "download", "-q", f"{pkg}:arm64"], cwd=cache,
             stdout=subprocess.DEVNULL)
    have = [f for f in os.listdir(cache) if f.startswith(pkg + "_") and f.endswith(".deb")]
    if not have:
        die(f"apt-get download {pkg}:arm64 left no .deb in {cache}")
    return os.path.join(cache, sorted(have)[-1])


def linux_boot_files(a, cache):
    """(vmlinuz, initramfs) for Debian's kernel, made once per package."""
    deb = linux_deb(a, cache)
    name = os.path.basename(deb)[:-len(".deb")]
    root = os.path.join(cache, name)
    initramfs = os.path.join(cache, name + ".initramfs.cpio")
    init = os.path.join(HERE, "fatread-linux-init.sh")
    if not os.path.isdir(root):
        run_tool(["dpkg-deb", "-x", deb, root + ".tmp"])
        os.rename(root + ".tmp", root)
    kernels = [f for f in os.listdir(os.path.join(root, "boot")) if f.startswith("vmlinuz-")]
    if len(kernels) != 1:
        die(f"{deb}: not one boot/vmlinuz-*: {kernels}")
    version = kernels[0][len("vmlinuz-"):]
    vmlinuz = os.path.join(root, "boot", kernels[0])
    if (os.path.exists(initramfs) and
            os.path.getmtime(initramfs) >= max(os.path.getmtime(init),
                                               os.path.getmtime(a.busybox))):
        return vmlinuz, initramfs, version
    with tempfile.TemporaryDirectory(prefix="fatread-initramfs-") as d:
        for sub in ["bin", "dev", "proc", "sys", "mnt", "lib/modules"]:
            os.makedirs(os.path.join(d, sub))
        shutil.copy(a.busybox, os.path.join(d, "bin", "busybox"))
        shutil.copy(init, os.path.join(d, "init"))
        os.chmod(os.path.join(d, "init"), 0o755)
        kdir = os.path.join(root, "lib", "modules", version, "kernel")
        for m in MODULES:
            ko = os.path.join(kdir, MODULE_DIRS.get(m, "fs/nls"), m + ".ko")
            if not os.path.exists(ko):
                die(f"{deb}: no {os.path.relpath(ko, root)}")
            shutil.copy(ko, os.path.join(d, "lib", "modules"))
        files = subprocess.run("find . | LC_ALL=C sort", shell=True, cwd=d,
                               capture_output=True, check=True).stdout
        with open(initramfs + ".tmp", "wb") as out:
            subprocess.run(["cpio", "--quiet", "-o", "-H", "newc", "-R", "0:0"],
                           input=files, stdout=out, cwd=d, check=True)
        os.rename(initramfs + ".tmp", initramfs)
    return vmlinuz, initramfs, version


# -- one boot ----------------------------------------------------------------

def boot(cmd, end, timeout, verbose):
    """Run QEMU; every console line with the host time it arrived at."""
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    sel = selectors.DefaultSelector()
    sel.register(p.stdout, selectors.EVENT_READ)
    start = time.monotonic()
    lines, buf, status = [], b"", None
    while True:
        left = start + timeout - time.monotonic()
        if left <= 0:
            p.kill()
            p.wait()
            return lines, None, f"still running after {timeout:g}s"
        if not sel.select(left):
            continue
        data = os.read(p.stdout.fileno(), 65536)
        now = time.monotonic()
        if not data:
            break
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            text = line.decode(errors="replace").rstrip("\r")
            if verbose:
                print("  | " + text, flush=True)
            lines.append((now, text))
            m = end.search(text)
            if m:
                status = int(m.group(1))
    p.wait()
    if status is None:
        return lines, None, f"no end-of-run line (QEMU exit status {p.returncode})"
    return lines, status, None


def measure(name, cmd, end, a, digest):
    """One boot: {'cold': MB/s, 'warm': MB/s, 'clock': guest/host, 'boot': s}."""
    t0 = time.monotonic()
    lines, status, err = boot(cmd, end, a.timeout, a.verbose)
    why = err or (f"status {status}" if status != 0 else None)
    reads, clocks, sums = [], [], []
    for t, text in lines:
        if m := READ.match(text):
            reads.append((int(m.group(1)), int(m.group(2))))
        elif m := CLOCK.match(text):
            clocks.append((t, int(m.group(1))))
        elif m := SUM.match(text):
            sums.append(m.group(1))
    if not why and len(reads) != 1 + a.warm:
        why = f"{len(reads)} reads, not {1 + a.warm}"
    if not why and any(b != a.size << 20 for b, _ in reads):
        why = f"a read of {[b for b, _ in reads]} bytes, not {a.size << 20}"
    if not why and sums != [digest]:
        why = f"sha256 {sums}, not [{digest}]"
    if not why and len(clocks) != 2:
        why = "no clock lines"
    if why:
        if not a.verbose:
            sys.stdout.write("".join(f"  | {t}\n" for _, t in lines[-30:]))
        die(f"{name}: {why}")
    rate = [b / ns * 1e3 for b, ns in reads]		# bytes/ns * 1e3 = MB/s
    (h0, g0), (h1, g1) = clocks
    return {"cold": rate[0], "warm": statistics.median(rate[1:]) if a.warm else None,
            "clock": (g1 - g0) / 1e9 / (h1 - h0) if h1 > h0 else float("nan"),
            "boot": clocks[0][0] - t0, "reads": rate}


def fresh(img, tmp, name):
    copy = os.path.join(tmp, name + ".img")
    shutil.copyfile(img, copy)
    return copy


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default=os.path.join(TOP, "build-bench"),
                   help="lichen's build directory (default: build-bench)")
    p.add_argument("--runs", type=int, default=3, help="boots of each system (3)")
    p.add_argument("--warm", type=int, default=3, help="reads after the cold one (3)")
    p.add_argument("--size", type=int, default=16, help="MiB in /big (16)")
    p.add_argument("--smp", type=int, default=2)
    p.add_argument("--mem", default="256M")
    p.add_argument("--icount", action="store_true",
                   help="-icount shift=0: guest time counts instructions")
    p.add_argument("--timeout", type=float, default=600, help="seconds per boot")
    p.add_argument("--no-linux", action="store_true", help="lichen alone")
    p.add_argument("--linux-deb", help="Debian's linux-image-*-arm64 .deb to use")
    p.add_argument("--cache", help="where the kernel package and initramfs are "
                   "kept (default: BUILD/bench)")
    p.add_argument("--busybox", default="/bin/busybox",
                   help="static arm64 BusyBox for Linux's initramfs")
    p.add_argument("--qemu", default="qemu-system-aarch64")
    p.add_argument("--musl-cc", default="aarch64-linux-musl-gcc")
    p.add_argument("-v", "--verbose", action="store_true", help="show the consoles")
    a = p.parse_args()
    a.build = os.path.abspath(a.build)
    for f in ["kernel/Image", "image/bootfs.cpio", "image/root.img"]:
        if not os.path.exists(os.path.join(a.build, f)):
            die(f"no {a.build}/{f}: build first (./scripts/configure.sh "
                f"{os.path.relpath(a.build)} && ninja -C {os.path.relpath(a.build)})")
    cache = os.path.abspath(a.cache or os.path.join(a.build, "bench"))
    os.makedirs(cache, exist_ok=True)

    tmp = tempfile.mkdtemp(prefix="lichen-fatread-")
    try:
        img, digest = make_disk(a, tmp)
        systems = [("lichen", qemu_base(a) + [
            "-kernel", os.path.join(a.build, "kernel", "Image"),
            "-initrd", os.path.join(a.build, "image", "bootfs.cpio"),
            "-append", "lichen.quiet=1 lichen.init=init lichen.manifest=disk.manifest "
                       f"linuxemu.run=/bin/sh linuxemu.arg=/bench.sh linuxemu.arg={a.warm}"],
            LICHEN_END)]
        if not a.no_linux:
            vmlinuz, initramfs, version = linux_boot_files(a, cache)
            systems.append(("linux", qemu_base(a) + [
                "-kernel", vmlinuz, "-initrd", initramfs,
                "-append", f"console=ttyAMA0 quiet panic=-1 fatread.warm={a.warm}"],
                LINUX_END))
        print(f"fatread: {a.size} MiB, {a.runs} boots each, 1 cold + {a.warm} warm "
              f"reads of 64 KiB read(2)s; host {os.cpu_count()} CPUs, load "
              f"{os.getloadavg()[0]:.1f}" + ("; Linux " + version if not a.no_linux else ""))
        for name, cmd, _ in systems:
            print(f"  {name}: {' '.join(cmd)} {' '.join(disk_flags('DISK'))}")
        results = {name: [] for name, _, _ in systems}
        for i in range(a.runs):
            for name, cmd, end in systems:
                disk = fresh(img, tmp, name)
                r = measure(name, cmd + disk_flags(disk), end, a, digest)
                os.unlink(disk)
                results[name].append(r)
                print(f"  run {i + 1} {name:6}: " +
                      " ".join(f"{x:8.2f}" for x in r["reads"]) +
                      f" MB/s (cold, warm...); guest/host clock {r['clock']:.3f}; "
                      f"boot {r['boot']:.1f} s", flush=True)
                if not 0.9 <= r["clock"] <= 1.1 and not a.icount:
                    print(f"  warning: {name}'s clock ran {r['clock']:.2f}x the host's",
                          flush=True)
        report(a, results)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def report(a, results):
    med = {n: {k: statistics.median(r[k] for r in rs) for k in ("cold", "warm")}
           for n, rs in results.items() if rs and a.warm}
    unit = "MB/s of guest instruction time" if a.icount else "MB/s"
    print(f"\nmedian of {a.runs} ({unit}, 1 MB = 10^6 bytes):")
    print(f"  {'':8} {'cold':>9} {'warm':>9}")
    for n, m in med.items():
        print(f"  {n:8} {m['cold']:9.2f} {m['warm']:9.2f}")
    if "linux" in med:
        l, L = med["lichen"], med["linux"]
        print(f"  {'ratio':8} {l['cold'] / L['cold']:9.3f} {l['warm'] / L['warm']:9.3f}"
              "   (lichen / Linux)")


if __name__ == "__main__":
    sys.exit(main())
