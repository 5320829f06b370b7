#!/usr/bin/env python3
"""Types into BusyBox's interactive shell on lichen's terminal.

Boots as ./run-qemu.sh --disk does without -c (disk.manifest with
linuxemu.run=/bin/sh: devtmpfs on /dev, the shell's fds 0-2 the
console, its controlling terminal) on a copy of the root disk, with
QEMU's serial on this script's pipes, and checks, step by step:

  - a typed command runs and its output comes back (with the echo);
  - line editing: an erase (DEL), and the up arrow recalling the last
    line (ash's raw-mode line editor through TCGETS/TCSETS);
  - ^C ends a foreground `sleep 100` and the prompt comes back;
  - ^Z stops a `sleep 100` ("Stopped"), `jobs` lists it, `fg` resumes
    it in the foreground and ^C ends it;
  - vi edits a file on the FAT32 disk (insert, ESC, :wq) and cat shows it;
  - ps lists a background `sleep 50` the shell started; top draws its
    table (/proc) and `q` quits it;
  - `exit` powers off with status 0.

Each wait has its own limit; the whole run --timeout seconds.
"""
import argparse
import os
import re
import selectors
import shutil
import subprocess
import sys
import tempfile
import time

PROMPT = rb"P> (\x1b\[6n)?$"	# ash asks where the cursor is (ESC [6n)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--qemu", required=True)
    p.add_argument("--kernel", required=True)
    p.add_argument("--initrd", required=True)
    p.add_argument("--disk", required=True, help="the root disk image (copied)")
    p.add_argument("--timeout", type=float, default=50)
    a = p.parse_args()
    tmp = tempfile.mkdtemp()
    disk = os.path.join(tmp, "root.img")
    shutil.copyfile(a.disk, disk)
    cmd = [a.qemu, "-M", "virt", "-cpu", "cortex-a72", "-smp", "2", "-m", "256M",
           "-display", "none", "-monitor", "none", "-serial", "stdio",
           "-nic", "none", "-no-reboot", "-kernel", a.kernel, "-initrd", a.initrd,
           "-global", "virtio-mmio.force-legacy=false",
           "-drive", f"file={disk},if=none,format=raw,id=vda",
           "-device", "virtio-blk-device,drive=vda",
           "-append", "lichen.quiet=1 lichen.init=init lichen.manifest=disk.manifest "
           "linuxemu.run=/bin/sh"]
    print("+", " ".join(cmd), flush=True)
    q = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    sel = selectors.DefaultSelector()
    sel.register(q.stdout, selectors.EVENT_READ)
    out = b""
    mark = 0			# where the current step's output starts
    deadline = time.monotonic() + a.timeout
    failures = []

    def wait_for(pattern, limit=10.0):
        nonlocal out
        rx = re.compile(pattern, re.S)
        end = min(deadline, time.monotonic() + limit)
        while not rx.search(out, mark):
            left = end - time.monotonic()
            if left <= 0:
                failures.append(f"missing: {pattern!r}")
                return False
            for _ in sel.select(min(left, 0.5)):
                chunk = os.read(q.stdout.fileno(), 4096)
                if not chunk:
                    failures.append(f"missing: {pattern!r} (QEMU exited)")
                    return False
                out += chunk
        return True

    def typ(data, settle=0.3):
        nonlocal mark
        mark = len(out)
        time.sleep(settle)	# the shell's read is posted by then
        q.stdin.write(data)
        q.stdin.flush()

    steps = [
        # (what to type, what must come back after it)
        (None, rb"[#$] (\x1b\[6n)?$"),
        (b"PS1='P> '\r", PROMPT),
        (b"echo hel''lo\r", rb"echo hel''lo\r\nhello\r\n" + PROMPT),
        (b"echo abx\x7fc\r", rb"abc\r\n" + PROMPT),
        (b"\x1b[A", rb"echo abc"),
        (b"\r", rb"abc\r\n" + PROMPT),
        (b"sleep 100\r", rb"sleep 100\r\n"),
        (b"\x03", rb"\^C.*" + PROMPT),
        (b"echo status $?\r", rb"status 130\r\n" + PROMPT),
        (b"sleep 100\r", rb"sleep 100\r\n"),
        (b"\x1a", rb"\^Z.*Stopped.*sleep 100.*" + PROMPT),
        (b"jobs\r", rb"\[1\]\+ +Stopped +sleep 100\r\n" + PROMPT),
        (b"fg\r", rb"fg\r\nsleep 100\r\n"),
        (b"\x03", rb"\^C.*" + PROMPT),
        (b"jobs; echo none\r", rb"none\r\n" + PROMPT),
        # vi asks the terminal where the cursor is and waits a little for
        # an answer: type only once it has drawn its status line.
        (b"vi /vitest.txt\r", rb"- /vitest.txt"),
        (b"ihello from vi\x1b", rb"hello from vi"),
        (b":wq\r", PROMPT),
        (b"cat /vitest.txt\r", rb"cat /vitest.txt\r\nhello from vi\r\n" + PROMPT),
        # ps finds what the shell started; top draws its table and q quits it.
        (b"sleep 50 & ps\r", rb"sleep 50\r\n.*" + PROMPT),
        (b"kill %1; wait\r", PROMPT),
        (b"top\r", rb"Load average:.*PID +PPID +USER"),
        (b"q", PROMPT),
        (b"exit\r", rb"lichen: powering off \(status 0\)"),
    ]
    for keys, pattern in steps:
        if keys is not None:
            typ(keys, 1.0 if keys in (b"\x03", b"\x1a", b"ihello from vi\x1b") else 0.3)
        if not wait_for(pattern):
            break
    if q.poll() is None:
        q.kill()
    q.wait()
    shutil.rmtree(tmp, ignore_errors=True)
    text = out.decode(errors="replace")
    sys.stdout.write(text.replace("\r\n", "\n"))
    if re.search(r"panic|unexpected exception", text):
        failures.append("a panic in the output")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
