#!/usr/bin/env python3
"""/dev's block devices (docs/devtmpfs.md) with BusyBox on lichen.

Boots disk.manifest with three virtio disks: vda a copy of the root
disk (FAT32, mounted on /), vdb 256 sectors of random bytes, vdc 64
sectors of random bytes attached readonly=on. A BusyBox script on the
root disk prints one `BDEV ...` line per check (nodes' numbers, modes
and owners; md5s of reads at sector and odd byte offsets; the end of
the disk found by tail's SEEK_END; a write at an odd offset read back;
-ENOSPC past the end; a read-only disk's write refused); the lines must
be what the host computes from the images. After power-off vdb must
hold the bytes written at their offset and nothing else changed, vdc
nothing at all.

usage: bdev_test.py --qemu QEMU --kernel IMAGE --initrd ARCHIVE --disk ROOT_IMG
"""
import argparse
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile

SCRIPT = r"""
p() { echo "BDEV $*"; }
for d in vda vdb vdc; do
  p node $(stat -c '%n %F %t %T %a %u %g %s' /dev/$d)
  p ls $(ls -l /dev/$d | awk '{print $1, $5, $6, $NF}')
done
ls /dev/ram0 >/dev/null 2>&1; p ram0 $?
p vda-sector0 $(dd if=/dev/vda bs=512 count=1 2>/dev/null | md5sum | cut -d' ' -f1)
p vdb-odd $(dd if=/dev/vdb bs=1 skip=1001 count=37 2>/dev/null | md5sum | cut -d' ' -f1)
p vdb-span $(dd if=/dev/vdb bs=700 skip=3 count=5 2>/dev/null | md5sum | cut -d' ' -f1)
p vdb-all $(dd if=/dev/vdb bs=4096 2>/dev/null | md5sum | cut -d' ' -f1)
p vdb-bytes $(wc -c < /dev/vdb)
p vdb-tail $(tail -c 100 /dev/vdb | md5sum | cut -d' ' -f1)
p vdc-all $(md5sum < /dev/vdc | cut -d' ' -f1)
p blockdev $(blockdev --getsize64 /dev/vdb) $(blockdev --getsz /dev/vdb) $(blockdev --getss /dev/vdb) $(blockdev --getro /dev/vdb) $(blockdev --getro /dev/vdc)
blockdev --flushbufs /dev/vdb; p flushbufs $?
blockdev --getsize64 /dev/null 2>/dev/null; p not-a-disk $?
p mounts $(tr '\n' ';' < /proc/mounts)
df >/dev/null; p df $?
p statfs $(stat -f -c %t / /tmp /dev /proc)
p past-end $(dd if=/dev/vdb bs=512 skip=256 count=1 2>/dev/null | wc -c)
printf 'hello-lichen' | dd of=/dev/vdb bs=1 seek=777 conv=notrunc,fsync 2>/dev/null
p write $?
p readback $(dd if=/dev/vdb bs=1 skip=777 count=12 2>/dev/null)
dd if=/dev/zero of=/dev/vdb bs=512 seek=256 count=1 conv=notrunc 2>/dev/null
p enospc $?
p enospc-msg $(dd if=/dev/zero of=/dev/vdb bs=512 seek=256 count=1 conv=notrunc 2>&1 | grep -c 'No space left')
printf 'x' | dd of=/dev/vdc conv=notrunc 2>/dev/null
p rofs $?
p rofs-msg $(printf 'x' | dd of=/dev/vdc conv=notrunc 2>&1 | grep -c 'Operation not permitted')
sync
p done
"""

WRITE_AT, WRITE = 777, b"hello-lichen"


def md5(b):
    return hashlib.md5(b).hexdigest()


def expected(vda, vdb, vdc):
    out = []
    for name, n in (("vda", None), ("vdb", 256), ("vdc", 64)):
        minor = {"vda": 0, "vdb": 16, "vdc": 32}[name]
        out.append(f"node /dev/{name} block special file fe {minor:x} 660 0 6 0")
        out.append(f"ls brw-rw---- 254, {minor} /dev/{name}")
    out.append("ram0 1")
    out.append("vda-sector0 " + md5(vda[:512]))
    out.append("vdb-odd " + md5(vdb[1001:1038]))
    out.append("vdb-span " + md5(vdb[2100:5600]))
    out.append("vdb-all " + md5(vdb))
    out.append(f"vdb-bytes {len(vdb)}")
    out.append("vdb-tail " + md5(vdb[-100:]))
    out.append("vdc-all " + md5(vdc))
    out.append(f"blockdev {len(vdb)} {len(vdb) // 512} 512 0 1")
    out += ["flushbufs 0", "not-a-disk 1"]
    out.append("mounts /dev/vda / fat32 rw 0 0;bootfs /boot bootfs rw 0 0;tmpfs /tmp tmpfs rw 0 0;"
               "devtmpfs /dev devtmpfs rw 0 0;proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0;")
    out += ["df 0", "statfs 4d44 1021994 1021994 9fa0"]
    out.append("past-end 0")
    out.append("write 0")
    out.append("readback " + WRITE.decode())
    out += ["enospc 1", "enospc-msg 1", "rofs 1", "rofs-msg 1", "done"]
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--qemu", required=True)
    p.add_argument("--kernel", required=True)
    p.add_argument("--initrd", required=True)
    p.add_argument("--disk", required=True, help="the built root disk")
    p.add_argument("--timeout", type=float, default=50)
    a = p.parse_args()
    tmp = tempfile.mkdtemp(prefix="lichen-bdev-")
    try:
        vda = os.path.join(tmp, "vda.img")
        shutil.copyfile(a.disk, vda)
        script = os.path.join(tmp, "bdev.sh")
        with open(script, "w") as f:
            f.write(SCRIPT)
        subprocess.run(["mcopy", "-i", vda, script, "::/bdev.sh"], check=True,
                       env=dict(os.environ, MTOOLS_SKIP_CHECK="1"))
        vda0 = open(vda, "rb").read(512)
        rng = random.Random(8)
        vdb_bytes = bytes(rng.randrange(256) for _ in range(256 * 512))
        vdc_bytes = bytes(rng.randrange(256) for _ in range(64 * 512))
        imgs = {"vdb": vdb_bytes, "vdc": vdc_bytes}
        for name, data in imgs.items():
            with open(os.path.join(tmp, name + ".img"), "wb") as f:
                f.write(data)
        cmd = [a.qemu, "-M", "virt", "-cpu", "cortex-a72", "-smp", "2", "-m", "256M",
               "-nographic", "-nic", "none", "-no-reboot",
               "-kernel", a.kernel, "-initrd", a.initrd,
               "-global", "virtio-mmio.force-legacy=false"]
        for name, ro in (("vda", ""), ("vdb", ""), ("vdc", ",readonly=on")):
            cmd += ["-drive", f"file={os.path.join(tmp, name + '.img')},if=none,"
                    f"format=raw,id={name}{ro}", "-device", f"virtio-blk-device,drive={name}"]
        cmd += ["-append", "lichen.quiet=1 lichen.init=init lichen.manifest=disk.manifest "
                "linuxemu.run=/bin/sh linuxemu.arg=/bdev.sh"]
        print("+", " ".join(cmd), flush=True)
        try:
            r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=a.timeout)
        except subprocess.TimeoutExpired as e:
            print(f"FAIL: lichen still running after {a.timeout:.0f}s")
            print((e.stdout or b"").decode(errors="replace")[-3000:])
            return 1
        console = r.stdout.decode(errors="replace").replace("\r\n", "\n")
        got = [l[5:] for l in console.splitlines() if l.startswith("BDEV ")]
        want = expected(vda0, vdb_bytes, vdc_bytes)
        problems = []
        for i, w in enumerate(want):
            g = got[i] if i < len(got) else "(nothing)"
            if g != w:
                problems.append(f"line {i}: want {w!r}, got {g!r}")
        if len(got) > len(want):
            problems.append(f"extra lines: {got[len(want):]}")
        if "lichen: powering off (status 0)" not in console:
            problems.append("no clean power-off with status 0")
        vdb_after = open(os.path.join(tmp, "vdb.img"), "rb").read()
        vdb_want = vdb_bytes[:WRITE_AT] + WRITE + vdb_bytes[WRITE_AT + len(WRITE):]
        if vdb_after != vdb_want:
            diff = [i for i in range(min(len(vdb_after), len(vdb_want)))
                    if vdb_after[i] != vdb_want[i]]
            problems.append(f"vdb.img after power-off: {len(diff)} bytes differ, "
                            f"first at {diff[:8]} (length {len(vdb_after)})")
        if open(os.path.join(tmp, "vdc.img"), "rb").read() != vdc_bytes:
            problems.append("vdc.img (read-only) changed")
        if problems:
            print(console[-4000:])
            for pr in problems:
                print("FAIL:", pr)
            return 1
        print(f"all {len(want)} lines as expected; vdb holds the write, vdc unchanged")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
