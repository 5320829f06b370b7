#!/usr/bin/env python3
"""BusyBox's applets on lichen and on Linux, check by check.

tests/applets/*.checks hold the checks ("### NAME" and a script, see
tests/applets/run.sh). This boots each system once, on its own copy of
the FAT32 root disk (lichen: disk.manifest; Linux: run-command.py
--linux with lichen.root=/dev/vda; a tmpfs on /tmp for both), running

  sh /boot/applets/run.sh /boot/applets/A.checks ...

(the checks reach /boot through run-command.py --add), with both boots
at once. run.sh prints "== NAME", the script's output and "-> status N"
for every check; a check passes when lichen's output and status are
Linux's. Debian's Linux kernel is the reference rather than qemu-aarch64
on the host because checks exec programs (env, timeout, nohup, find
-exec, xargs), which qemu-user cannot do without binfmt_misc; it is the
same BusyBox and the same root, and it boots in about 5 s.

A check in the known-failures file (lines "NAME  bug: what lichen gets
wrong") that differs is reported as "expected to differ" and does not
fail the test; one that passes is reported so its line can go. Lines
lichen's servers print on the console (linuxemu:, vfs:, ..., DEBUG) are
taken out of the outputs and shown apart. A console silent for --stall
seconds is a stopped system: the check it stopped in fails, and lichen
boots again from the next one (run.sh's FROM=NAME), --restarts times at
most.

usage: applets_test.py --run-command SCRIPT --qemu QEMU --kernel IMAGE
         --initrd ARCHIVE --disk ROOT_IMG --linux DIR --checks FILE...
         [--known FILE] [--only NAME] [--timeout S] [--stall S]
         [--restarts N] [--keep DIR]
"""
import argparse
import concurrent.futures
import difflib
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HEADER = re.compile(r"^== (.*)\n", re.M)
STATUS = re.compile(r"-> status (\S+)\n\Z")
SERVER_LINE = re.compile(r"^((linuxemu|vfs|fat32|tmpfs|devtmpfs|virtio-blk|init|lichen): |DEBUG )"
                         r".*\n", re.M)


def check_names(path):
    with open(path) as f:
        return [l[4:].strip() for l in f if l.startswith("### ")]


def read_known(path):
    """NAME -> reason, from lines "NAME  bug: ..." (# comments)."""
    known = {}
    if path:
        with open(path) as f:
            for line in f:
                line = line.split("#", 1)[0].strip() if line.lstrip().startswith("#") \
                    else line.strip()
                if line:
                    name, _, why = line.partition(" ")
                    known[name] = why.strip()
    return known


def parse(text):
    """{NAME: (output, status)} from run.sh's output, and whether it ended."""
    results = {}
    heads = list(HEADER.finditer(text))
    for i, m in enumerate(heads):
        body = text[m.end():heads[i + 1].start() if i + 1 < len(heads) else len(text)]
        s = STATUS.search(body)
        if s:
            results[m.group(1)] = (body[:s.start()], s.group(1))
        elif m.group(1) != "end":
            results[m.group(1)] = (body, "none (the run stopped here)")
    return results, "end" in [m.group(1) for m in heads]


def boot(a, tmp, which, stage, command):
    """Run command on a copy of the disk; (console text, status, seconds)."""
    img = os.path.join(tmp, which + ".img")
    shutil.copyfile(a.disk, img)
    kernel = os.path.join(a.linux, "vmlinuz") if which == "linux" else a.kernel
    qemu = [a.qemu, "-M", "virt", "-cpu", "cortex-a72", "-smp", a.smp, "-m", "256M",
            "-nographic", "-nic", "none", "-kernel", kernel,
            "-global", "virtio-mmio.force-legacy=false",
            "-drive", f"file={img},if=none,format=raw,id=vda",
            "-device", "virtio-blk-device,drive=vda"]
    cmd = [sys.executable, a.run_command, "--initrd", a.initrd, "--add", stage,
           f"--timeout={a.timeout:g}", "-c", command]
    if which == "linux":
        cmd += ["--linux", a.linux, "--append", "lichen.root=/dev/vda"]
    else:
        cmd += ["--append", "lichen.init=init lichen.manifest=disk.manifest"]
    start = time.monotonic()
    # No check is silent for long (the slowest take a few seconds): a
    # console that says nothing for --stall seconds is a stopped system.
    proc = subprocess.Popen(cmd + ["--"] + qemu, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    out = []
    while True:
        if not sel.select(a.stall):
            out.append(f"\napplets_test.py: nothing on the console for {a.stall:g} s; "
                       "stopped\n".encode())
            os.killpg(proc.pid, signal.SIGTERM)
            break
        data = os.read(proc.stdout.fileno(), 65536)
        if not data:
            break
        out.append(data)
    status = proc.wait()
    return b"".join(out).decode(errors="replace"), status, time.monotonic() - start


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--run-command", required=True)
    p.add_argument("--qemu", required=True)
    p.add_argument("--kernel", required=True)
    p.add_argument("--initrd", required=True)
    p.add_argument("--disk", required=True, help="the built FAT32 root disk")
    p.add_argument("--linux", required=True, help="scripts/linux-kernel.sh's directory")
    p.add_argument("--runner", default=os.path.join(os.path.dirname(__file__), "..",
                                                    "applets", "run.sh"))
    p.add_argument("--checks", nargs="+", required=True)
    p.add_argument("--known", help="the known-failures file")
    p.add_argument("--only", help="run this check alone")
    p.add_argument("--smp", default="2")
    p.add_argument("--timeout", type=float, default=500, help="seconds a boot may take")
    p.add_argument("--stall", type=float, default=30,
                   help="seconds without console output that stop a boot")
    p.add_argument("--restarts", type=int, default=3,
                   help="boots of lichen after one that stopped in a check")
    p.add_argument("--keep", help="save the consoles in this directory")
    a = p.parse_args()

    names = []
    for f in a.checks:
        names += check_names(f)
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        print("FAIL: checks named twice:", " ".join(dups))
        return 1
    if a.only:
        if a.only not in names:
            print(f"FAIL: no check {a.only}")
            return 1
        names = [a.only]
    known = read_known(a.known)
    for n in sorted(set(known) - set(check_names_all(a.checks))):
        print(f"note: known-failures names {n}, which is no check")

    with tempfile.TemporaryDirectory(prefix="lichen-applets-") as tmp:
        stage = os.path.join(tmp, "stage")
        os.makedirs(os.path.join(stage, "applets"))
        shutil.copy(a.runner, os.path.join(stage, "applets", "run.sh"))
        guest = []
        for f in a.checks:
            base = os.path.basename(f)
            shutil.copy(f, os.path.join(stage, "applets", base))
            guest.append("/boot/applets/" + base)

        def command(start):
            env = (f"ONLY={a.only} " if a.only else "") + (f"FROM={start} " if start else "")
            return env + "sh /boot/applets/run.sh " + " ".join(guest)

        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            linux = pool.submit(boot, a, tmp, "linux", stage, command(None))
            got, stopped, consoles, server_lines, start = {}, {}, [], [], None
            for attempt in range(a.restarts + 1):
                text, status, secs = boot(a, tmp, f"lichen{attempt}", stage, command(start))
                print(f"lichen{' from ' + start if start else ''}: {secs:.1f} s, "
                      f"run-command.py status {status}", flush=True)
                consoles.append(text)
                server_lines += [m.group(0) for m in SERVER_LINE.finditer(text)]
                results, ended = parse(SERVER_LINE.sub("", text))
                got.update(results)
                if ended:
                    break
                # The system stopped in the check after the last one it
                # reported (or a report was cut off): go on after it.
                done = [n for n in names if n in results and
                        not results[n][1].startswith("none")]
                i = names.index(done[-1]) + 1 if done else \
                    (names.index(start) if start else 0)
                if i >= len(names):
                    break
                stopped[names[i]] = text[-2000:]
                got.pop(names[i], None)
                if i + 1 >= len(names):
                    break
                start = names[i + 1]
            text, status, secs = linux.result()
            print(f"linux: {secs:.1f} s, run-command.py status {status}")
            want, want_end = parse(text)
    if a.keep:
        os.makedirs(a.keep, exist_ok=True)
        with open(os.path.join(a.keep, "linux.txt"), "w") as f:
            f.write(text)
        for i, c in enumerate(consoles):
            with open(os.path.join(a.keep, f"lichen{i}.txt"), "w") as f:
                f.write(c)
    problems = []
    if not want_end:
        problems.append("Linux's run did not finish:\n" + text[-3000:])

    passed = failed = expected = fixed = 0
    for n in names:
        w, g = want.get(n), got.get(n)
        if w is None:
            problems.append(f"{n}: no result from Linux")
            failed += 1
            continue
        if g == w:
            passed += 1
            if n in known:
                fixed += 1
                print(f"ok   {n} -- listed in known-failures ({known[n]}) but passes now: "
                      "take its line out")
            else:
                print(f"ok   {n}")
            continue
        if n in stopped:
            g = ("", "none: lichen stopped in this check (restarted after it); "
                 "its console's end:\n" + stopped[n])
        g = g or ("", "none (no result: the run stopped before it)")
        diff = "".join(difflib.unified_diff(
            w[0].splitlines(keepends=True), g[0].splitlines(keepends=True),
            "Linux", "lichen"))
        if w[1] != g[1]:
            diff += f"exit status: Linux {w[1]}, lichen {g[1]}\n"
        diff = "    " + diff.rstrip("\n").replace("\n", "\n    ")
        if n in known:
            expected += 1
            print(f"xfail {n}: expected to differ ({known[n]})\n{diff}")
        else:
            failed += 1
            print(f"FAIL {n}\n{diff}")
    if server_lines:
        print("lichen's servers said on the console:\n  " + "  ".join(server_lines[:40]))
    for m in problems:
        print("FAIL:", m)
    print(f"{passed} of {len(names)} applet checks as on Linux, {expected} expected to "
          f"differ (known lichen bugs), {failed} failed" +
          (f"; {fixed} known failures pass now" if fixed else ""))
    return 1 if failed or problems else 0


def check_names_all(files):
    out = []
    for f in files:
        out += check_names(f)
    return out


if __name__ == "__main__":
    sys.exit(main())
