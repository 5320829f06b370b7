#!/usr/bin/env python3
"""Reading a 16 MiB file from the FAT32 root: lichen against Linux.

A benchmark: it reports numbers and fails only when something does not
work (a boot, a read, a checksum), never on speed. Steps:

  1. readfile (tests/bench/readfile.c) is built static with musl; a copy of
     the built root disk (BUILD/image/root.img) gets /big, SIZE MiB of
     random bytes, with /readfile and /bench.sh (fatread-guest.sh), by
     mcopy. Every boot gets a fresh copy of that image.
  2. Each system boots on it with `run-qemu.sh --no-build --disk DISK -c
     'sh /bench.sh WARM'` (LICHEN_BUILD=BUILD), the same QEMU flags for
     both: lichen with disk.manifest (virtio-blk, fat32, vfs, linuxemu),
     Linux with --linux (Debian's arm64 kernel, scripts/linux-kernel.sh;
     scripts/linux-init.sh loads its virtio-mmio, virtio-blk and vfat
     modules and makes the disk its root). readfile reads /big once cold
     and WARM times more in 64 KiB read(2)s, timed with CLOCK_MONOTONIC
     in the guest; sha256sum checks the bytes.
  3. RUNS boots of each, alternating; per boot the cold read and the
     median of the warm ones; printed as MB/s (10^6 bytes/s), the median
     over the boots, and the ratio lichen / Linux.

The guest's clock is checked against the host's: the span between the
two "clock" lines, guest time over the host time at which they arrived
on the console (a warning past 10%: then the numbers are not wall time).

usage: fatread.py [--build DIR] [--runs N] [--warm N] [--size MIB]
                  [--no-linux] [--icount] [-v]
"""
import argparse
import hashlib
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.realpath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
READ = re.compile(r"^read (\d+) bytes in (\d+) ns$")
CLOCK = re.compile(r"^clock (\d+)$")
SUM = re.compile(r"^([0-9a-f]{64})  \S*/big$")


def die(msg):
    print(f"fatread: {msg}", file=sys.stderr)
    sys.exit(1)


def run_tool(cmd, **kw):
    r = subprocess.run(cmd, **kw)
    if r.returncode != 0:
        die(f"{' '.join(cmd)}: exit status {r.returncode}")
    return r


def run_qemu(a, system, disk):
    """run-qemu.sh's command line for one boot of system on disk."""
    cmd = [os.path.join(TOP, "run-qemu.sh"), "--no-build", "--smp", str(a.smp),
           "--mem", a.mem, "--timeout", f"{a.timeout:g}", "--disk", disk]
    if a.icount:
        cmd.append("--icount")
    if system == "linux":
        cmd.append("--linux")
    return cmd + ["-c", f"sh /bench.sh {a.warm}"]


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


# -- one boot ----------------------------------------------------------------

def boot(cmd, env, verbose):
    """Run run-qemu.sh; every output line with the host time it arrived at."""
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, env=env)
    lines, buf = [], b""
    while data := os.read(p.stdout.fileno(), 65536):
        now = time.monotonic()
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            text = line.decode(errors="replace").rstrip("\r")
            if verbose:
                print("  | " + text, flush=True)
            lines.append((now, text))
    return lines, p.wait()


def measure(name, cmd, env, a, digest):
    """One boot: {'cold': MB/s, 'warm': MB/s, 'clock': guest/host, 'boot': s}."""
    t0 = time.monotonic()
    lines, status = boot(cmd, env, a.verbose)
    why = f"exit status {status} (124: timeout)" if status != 0 else None
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
    p.add_argument("--musl-cc", default="aarch64-linux-musl-gcc")
    p.add_argument("-v", "--verbose", action="store_true", help="show the consoles")
    a = p.parse_args()
    a.build = os.path.abspath(a.build)
    for f in ["kernel/Image", "image/bootfs.cpio", "image/root.img"]:
        if not os.path.exists(os.path.join(a.build, f)):
            die(f"no {a.build}/{f}: build first (./scripts/configure.sh "
                f"{os.path.relpath(a.build)} && ninja -C {os.path.relpath(a.build)})")
    env = dict(os.environ, LICHEN_BUILD=a.build)
    systems = ["lichen"] if a.no_linux else ["lichen", "linux"]
    version = ""
    if not a.no_linux:
        run_tool([os.path.join(TOP, "scripts", "linux-kernel.sh"), a.build])
        with open(os.path.join(a.build, "linux", "version")) as f:
            version = f.read().split()[0]

    tmp = tempfile.mkdtemp(prefix="lichen-fatread-")
    try:
        img, digest = make_disk(a, tmp)
        print(f"fatread: {a.size} MiB, {a.runs} boots each, 1 cold + {a.warm} warm "
              f"reads of 64 KiB read(2)s; host {os.cpu_count()} CPUs, load "
              f"{os.getloadavg()[0]:.1f}" + ("; Linux " + version if version else ""))
        for name in systems:
            print(f"  {name}: LICHEN_BUILD={os.path.relpath(a.build, TOP)} "
                  + " ".join(shlex.quote(w) for w in run_qemu(a, name, "DISK")))
        results = {name: [] for name in systems}
        for i in range(a.runs):
            for name in systems:
                disk = fresh(img, tmp, name)
                r = measure(name, run_qemu(a, name, disk), env, a, digest)
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
