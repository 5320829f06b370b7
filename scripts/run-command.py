#!/usr/bin/env python3
"""Boot lichen (or Linux), run one Linux command, exit with its status.

run-qemu.sh -c COMMAND and the QEMU tests use this. The per-run root
(scripts/mkrunfs.sh) is the boot archive ARCHIVE with each --add DIR on
top and, for -c, COMMAND's bytes at etc/lichen/command. The kernel is
booted with

  lichen.quiet=1 lichen.init=linuxemu linuxemu.run=/bin/sh
  linuxemu.arg=-c linuxemu.argfile=/etc/lichen/command

(--run PROG --arg A ... instead runs PROG with those arguments, each
without spaces: linuxemu.run=PROG linuxemu.arg=A ...). The console is
streamed to stdout as it comes, CRLF as LF, except the kernel's last
line, "lichen: powering off (status N)": N is this script's exit status,
as the shell reports it (0-255). No such line: 124 if --timeout S
stopped the guest, 125 if it stopped some other way (a panic, QEMU's own
error) or the root could not be built, with the reason on stderr.

--linux DIR boots Debian's Linux kernel instead (QEMU_ARGS' -kernel is
DIR/vmlinuz: scripts/linux-kernel.sh made DIR) on the same root: the
initramfs is the same per-run archive with, appended as a second cpio
archive, scripts/linux-init.sh at /.linux/init and, when ARGS hold
lichen.root= (a disk root), DIR/modules/ at /.linux/modules. The kernel
is booted with

  ARGS console=ttyAMA0 quiet kpti=0 panic=-1 rdinit=/.linux/init

and the init script's last line, "linux: powering off (status N)", is
the status line (--run PROG becomes the command 'exec PROG A...').
With --linux and neither -c nor --run, Linux's init starts an
interactive shell on the console, and QEMU runs on this terminal.

usage: run-command.py --initrd ARCHIVE [--add DIR]... [--append ARGS]
         [--timeout S] [--linux DIR] [-c COMMAND | --run PROG [--arg A]...]
         -- QEMU [QEMU_ARGS...]
QEMU_ARGS name the machine and the kernel; this adds -initrd, -append
and -no-reboot.
"""
import argparse
import os
import re
import selectors
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.realpath(__file__))
LICHEN_MARK = b"lichen: powering off (status "
LINUX_MARK = b"linux: powering off (status "	# scripts/linux-init.sh's
LINUX_ARGS = ["console=ttyAMA0", "quiet", "kpti=0", "panic=-1", "rdinit=/.linux/init"]


class Console:
    """The guest's console as the command's output.

    The power-off line is held back until nothing follows it: only the
    last one is the kernel's (a command may print the same words).
    """

    def __init__(self, out, mark=LICHEN_MARK):
        self.out = out
        self.mark = mark
        self.status_re = re.compile(re.escape(mark) + rb"(-?[0-9]+)\)\n")
        self.pending = b""	# a partial line that may become the mark
        self.held = None	# a complete power-off line, not yet output
        self.status = None

    def emit(self, data):
        if data:
            self.out.write(data)
            self.out.flush()

    def feed(self, data):
        buf = self.pending + data
        self.pending = b""
        if buf.endswith(b"\r"):	# may be the first half of a CRLF
            buf, self.pending = buf[:-1], b"\r"
        buf = buf.replace(b"\r\n", b"\n")
        while buf:
            if self.held is not None:	# more came: it was output after all
                self.emit(self.held)
                self.held = self.status = None
            i = buf.find(self.mark)
            if i < 0:
                keep = partial_mark(buf, self.mark)
                self.emit(buf[:len(buf) - keep])
                self.pending = buf[len(buf) - keep:] + self.pending
                return
            self.emit(buf[:i])
            buf = buf[i:]
            m = self.status_re.match(buf)
            if m:
                self.held, self.status = buf[:m.end()], int(m.group(1))
                buf = buf[m.end():]
            elif b"\n" in buf:		# the words, but not the kernel's line
                n = buf.index(b"\n") + 1
                self.emit(buf[:n])
                buf = buf[n:]
            else:
                self.pending = buf + self.pending
                return

    def finish(self):
        """Output what is left; the status from the last line, or None."""
        self.emit(self.pending)
        self.pending = b""
        return self.status


def partial_mark(buf, mark):
    """How many bytes at buf's end could begin mark."""
    for k in range(min(len(mark) - 1, len(buf)), 0, -1):
        if mark.startswith(buf[-k:]):
            return k
    return 0


def boot_args(a):
    if a.linux:
        return " ".join(([a.append] if a.append else []) + LINUX_ARGS)
    if a.command is not None:
        run = ["linuxemu.run=/bin/sh", "linuxemu.arg=-c",
               "linuxemu.argfile=/etc/lichen/command"]
    else:
        for w in [a.run] + a.arg:
            if not w or any(c.isspace() for c in w):
                sys.exit(f"run-command.py: '{w}': boot arguments cannot hold "
                         "spaces (use -c)")
        run = [f"linuxemu.run={a.run}"] + [f"linuxemu.arg={w}" for w in a.arg]
    # The caller's first: cmdline_get takes the first match, so
    # --append lichen.quiet=0 shows the boot report again.
    return " ".join(([a.append] if a.append else [])
                    + ["lichen.quiet=1", "lichen.init=linuxemu"] + run)


def linux_extras(a, tmp, archive):
    """Append /.linux/ (init script, modules for a disk root) to archive."""
    stage = os.path.join(tmp, "linux")
    os.makedirs(stage)
    items = ["--file", ".linux/init", os.path.join(HERE, "linux-init.sh")]
    if "lichen.root=" in a.append:
        mods = os.path.join(a.linux, "modules")
        for ko in sorted(os.listdir(mods)):
            items += ["--file", ".linux/modules/" + ko, os.path.join(mods, ko)]
    extra = os.path.join(tmp, "linux.cpio")
    if subprocess.run([os.path.join(HERE, "mkcpio.sh"), extra, stage] + items).returncode:
        return False
    with open(archive, "ab") as out, open(extra, "rb") as f:
        shutil.copyfileobj(f, out)
    return True


def run(cmd, timeout, mark=LICHEN_MARK):
    """Run QEMU, stream its console; the exit status as described above."""
    console = Console(sys.stdout.buffer, mark)
    deadline = time.monotonic() + timeout if timeout > 0 else None
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    sel = selectors.DefaultSelector()
    sel.register(p.stdout, selectors.EVENT_READ)
    timed_out = False
    while True:
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            timed_out = True
            break
        if not sel.select(left):
            continue
        data = os.read(p.stdout.fileno(), 65536)
        if not data:
            break
        console.feed(data)
    if timed_out:
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
    qemu_status = p.wait()
    status = console.finish()
    if timed_out:
        print(f"run-command.py: still running after {timeout:g}s; stopped",
              file=sys.stderr)
        return 124
    if status is None:
        print("run-command.py: the guest stopped without "
              f"'lichen: powering off (status N)' (QEMU exit status {qemu_status})",
              file=sys.stderr)
        return 125
    return status & 0xff


def main():
    p = argparse.ArgumentParser(
        description="Boot lichen, run one command, exit with its status.")
    p.add_argument("--initrd", required=True, help="the built boot archive")
    p.add_argument("--add", action="append", default=[], metavar="DIR",
                   help="copy DIR's tree into the root (repeatable)")
    p.add_argument("--append", default="", help="more kernel boot arguments")
    p.add_argument("--timeout", type=float, default=0,
                   help="stop the guest after S seconds (0: never)")
    p.add_argument("--linux", metavar="DIR",
                   help="boot Debian's Linux (DIR: scripts/linux-kernel.sh's)")
    what = p.add_mutually_exclusive_group()
    what.add_argument("-c", "--command", dest="command",
                      help="run with /bin/sh -c")
    what.add_argument("--run", help="the program's archive path")
    p.add_argument("--arg", action="append", default=[],
                   help="with --run: an argument (repeatable)")
    p.add_argument("qemu", nargs="+", help="QEMU and its arguments, after --")
    a = p.parse_args()
    interactive = a.command is None and a.run is None
    if interactive and not a.linux:
        p.error("-c or --run is required (without them: --linux only)")
    if a.linux and a.run is not None:	# linux-init.sh runs a command
        a.command = "exec " + shlex.join([a.run] + a.arg)

    with tempfile.TemporaryDirectory(prefix="lichen-run-") as tmp:
        archive = os.path.join(tmp, "root.cpio")
        mk = [os.path.join(HERE, "mkrunfs.sh"), archive, a.initrd]
        for d in a.add:
            mk += ["--add", d]
        if a.command is not None:
            mk += ["--command", a.command]
        if subprocess.run(mk).returncode != 0:
            return 125			# mkrunfs.sh said why
        if a.linux and not linux_extras(a, tmp, archive):
            return 125
        cmd = a.qemu + ["-no-reboot", "-initrd", archive, "-append", boot_args(a)]
        if interactive:		# Linux's shell on this terminal
            return subprocess.call(cmd)
        return run(cmd, a.timeout, LINUX_MARK if a.linux else LICHEN_MARK)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:	# QEMU had the same SIGINT
        sys.exit(130)
