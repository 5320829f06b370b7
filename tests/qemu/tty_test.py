#!/usr/bin/env python3
"""Types into lichen's serial line and checks what the console does.

Boots with devtmpfs-typing.manifest (devtmpfs, then `devtmpfstest typing`)
and QEMU's serial on this script's pipes. Each step waits for the guest to
print something, then types: a line with a mistake erased (DEL), which
must echo in canonical mode ("hellp", backspace-space-backspace, "o
world", CR LF) and complete the guest's read; ^C, which the guest must
hear as SIGINT through FS_TTY_WATCH, with "^C" echoed; three bytes in
raw mode, read at once (VMIN 3) and not echoed.
"""
import argparse
import os
import re
import selectors
import subprocess
import sys
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--qemu", required=True)
    p.add_argument("--kernel", required=True)
    p.add_argument("--initrd", required=True)
    p.add_argument("--timeout", type=float, default=30)
    a = p.parse_args()
    cmd = [a.qemu, "-M", "virt", "-cpu", "cortex-a72", "-smp", "2", "-m", "128M",
           "-display", "none", "-monitor", "none", "-serial", "stdio",
           "-nic", "none", "-no-reboot", "-kernel", a.kernel, "-initrd", a.initrd,
           "-append", "lichen.init=init lichen.manifest=devtmpfs-typing.manifest"]
    print("+", " ".join(cmd), flush=True)
    q = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    sel = selectors.DefaultSelector()
    sel.register(q.stdout, selectors.EVENT_READ)
    out = b""
    deadline = time.monotonic() + a.timeout
    failures = []

    def wait_for(pattern):
        nonlocal out
        rx = re.compile(pattern)
        while not rx.search(out):
            left = deadline - time.monotonic()
            if left <= 0 or q.poll() is not None and not sel.select(0):
                failures.append(f"missing: {pattern!r}")
                return False
            for _ in sel.select(min(left, 1.0)):
                chunk = os.read(q.stdout.fileno(), 4096)
                if not chunk:
                    sel.unregister(q.stdout)
                    failures.append(f"missing: {pattern!r} (QEMU exited)")
                    return False
                out += chunk
        return True

    def typ(data):
        q.stdin.write(data)
        q.stdin.flush()

    steps = [
        (rb"devtmpfstest: type a line\r\n", b"hellp\x7fo world\r"),
        (rb"hellp\x08 \x08o world\r\n", None),
        (rb"devtmpfstest: read 12 bytes: 'hello world'\r?\n", b"\x03"),
        (rb"\^C", None),
        (rb"devtmpfstest: signal 2 from the terminal\r?\n", None),
        (rb"devtmpfstest: raw\r?\n", b"abc"),
        (rb"devtmpfstest: raw read 3 bytes: 'abc'\r?\n", None),
        (rb"devtmpfstest: all [0-9]+ checks passed", None),
        (rb"lichen: powering off \(status 0\)", None),
    ]
    for pattern, keys in steps:
        if not wait_for(pattern):
            break
        if keys is not None:
            time.sleep(0.2)   # the guest's read is posted by now, or soon
            typ(keys)
    if q.poll() is None:
        q.kill()
    q.wait()
    text = out.decode(errors="replace")
    sys.stdout.write(text.replace("\r\n", "\n"))
    if re.search(r"FAIL|panic|unexpected exception", text):
        failures.append("a failure in the output")
    m = re.search(rb"devtmpfstest: raw\r?\n(.*?)devtmpfstest: raw read", out, re.S)
    if m and b"abc" in m.group(1):
        failures.append("raw input without ECHO was echoed")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
