#!/usr/bin/env bash
# compare.sh: the Linux system-call benchmarks (tests/bench/linuxbench.c)
# on lichen and on Debian's Linux (run-qemu.sh --linux), the same binary,
# root and QEMU flags, under plain QEMU and under -icount shift=0; prints
# the median of each benchmark over the runs and the ratio lichen / Linux
# (of times: above 1, lichen is slower), one table per mode.
#
# usage: tests/bench/compare.sh [-n RUNS] [--smp N] [--mem SIZE] [-t MS]
#          [--modes 'plain icount'] [--disk] [--timeout S] [--raw FILE]
#          [--no-build] [BENCH...]
#   -n RUNS     boots of each system in each mode (default 3), alternating
#   --smp N     CPUs (default 2: this host has 2 cores), --mem (256M)
#   -t MS       the shortest timed loop, in guest ms (linuxbench -t, 100)
#   --modes M   plain, icount or both (default)
#   --disk      the FAT32 root disk as the root instead of the boot archive:
#               /bench is copied onto the built root.img (mcopy), and each
#               boot gets a fresh copy of that (lichen: disk.manifest, its
#               fat32 server; Linux: its vfat)
#   --raw FILE  keep every result line there ("MODE SYSTEM RUN NAME VALUE UNIT")
#   --no-build  measure what is built (no bootstrap, configure, ninja)
#   BENCH...    only these benchmarks (linuxbench -l lists them); "boot"
#               is always measured
# The build directory is LICHEN_BUILD (default build-bench); it is
# configured and built first (ninja; --no-build: not), and the Linux
# kernel fetched into it once (scripts/linux-kernel.sh). Each boot runs
#   /bench/linuxbench boot; /bench/linuxbench -t MS [BENCH...]
# with /bench (linuxbench, nop, small, big) added to the root by --add
# (--disk: copied onto the disk).
# A benchmark that fails, or a boot that dies, is reported as such
# (FAIL, with the reason) and the others still are; exit status 0 unless
# nothing could be measured.
set -euo pipefail
cd "$(dirname "$0")/../.."
export LICHEN_BUILD=${LICHEN_BUILD:-build-bench}
build=$LICHEN_BUILD

runs=3 smp=2 mem=256M target=100 modes="plain icount" disk=0 timeout=600 raw= build_it=1
benches=()
while [ $# -gt 0 ]; do
	case "$1" in
	-n) runs=$2; shift ;;
	--smp) smp=$2; shift ;;
	--mem) mem=$2; shift ;;
	-t) target=$2; shift ;;
	--modes) modes=$2; shift ;;
	--disk) disk=1 ;;
	--timeout) timeout=$2; shift ;;
	--raw) raw=$2; shift ;;
	--no-build) build_it=0 ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "compare.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	*) benches+=("$1") ;;
	esac
	shift
done

if [ "$build_it" = 1 ]; then
	./scripts/bootstrap.sh --linux "$build" >&2
	./scripts/configure.sh "$build" >&2
	ninja -C "$build" >&2
else
	./scripts/linux-kernel.sh "$build" >&2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/bench"
cp "$build/tests/bench/linuxbench" "$build/tests/bench/nop" "$work/root/bench/"
printf 'a small file for linuxbench\n' > "$work/root/bench/small"
head -c 1048576 /dev/urandom > "$work/root/bench/big"
if [ "$disk" = 1 ]; then	# the disk root: /bench on it (--add goes to /boot)
	cp "$build/image/root.img" "$work/root.img"
	MTOOLS_SKIP_CHECK=1 mcopy -s -i "$work/root.img" "$work/root/bench" ::/
fi
results=$work/results
: > "$results"

command="/bench/linuxbench boot; /bench/linuxbench -t $target ${benches[*]}"
echo "compare.sh: $runs boots of each in each mode ($modes), -smp $smp -m $mem," \
	"root: $([ "$disk" = 1 ] && echo FAT32 disk || echo boot archive)," \
	"$(cut -d' ' -f1 "$build/linux/version"); host $(nproc) CPUs, load" \
	"$(cut -d' ' -f1 /proc/loadavg)" >&2
echo "compare.sh: each boot: -c '$command'" >&2
for mode in $modes; do
	flags=(--no-build --smp "$smp" --mem "$mem" --timeout "$timeout")
	[ "$disk" = 1 ] || flags+=(--add "$work/root")
	case "$mode" in
	plain) ;;
	icount) flags+=(--icount) ;;
	*) echo "compare.sh: mode $mode: plain or icount" >&2; exit 2 ;;
	esac
	for ((i = 1; i <= runs; i++)); do
		for sys in lichen linux; do
			f=(); [ "$sys" = linux ] && f=(--linux)
			if [ "$disk" = 1 ]; then
				cp "$work/root.img" "$work/disk.img"
				f+=(--disk "$work/disk.img")
			fi
			out=$work/out.$mode.$sys.$i
			start=$(date +%s.%N)
			st=0
			./run-qemu.sh "${flags[@]}" "${f[@]}" -c "$command" > "$out" 2> "$out.err" || st=$?
			secs=$(echo "$(date +%s.%N) - $start" | bc)
			printf 'compare.sh: %-6s %-6s run %d: status %d, %.1f s\n' \
				"$mode" "$sys" "$i" "$st" "$secs" >&2
			# "NAME VALUE UNIT" and "NAME FAIL REASON" lines; the rest is noise.
			awk -v p="$mode $sys $i" 'NF >= 3 && ($2 == "FAIL" || $2 ~ /^[0-9.]+$/) { print p, $0 }' \
				"$out" >> "$results"
			if [ "$st" != 0 ]; then
				echo "$mode $sys $i _run FAIL status $st: $(tail -n 3 "$out" "$out.err" |
					grep -v '^==>' | tr '\n' ' ')" >> "$results"
			fi
		done
	done
done
[ -n "$raw" ] && cp "$results" "$raw"

python3 - "$results" "$runs" "$modes" <<'EOF'
import statistics
import sys

path, runs, modes = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
rows = [l.split(None, 5) for l in open(path) if l.strip()]
names, val, fails, runfail = [], {}, {}, {}
for mode, sys_, run, name, value, rest in (r + [""] * (6 - len(r)) for r in rows):
    if name == "_run":
        runfail.setdefault((mode, sys_), []).append(f"run {run}: {rest}")
        continue
    if name not in names:
        names.append(name)
    if value == "FAIL":
        fails.setdefault((mode, sys_, name), []).append(rest.strip())
    else:
        val.setdefault((mode, sys_, name), []).append((float(value), rest.strip()))


def cell(mode, sys_, name):
    v = val.get((mode, sys_, name), [])
    if len(v) == 0:
        f = fails.get((mode, sys_, name))
        return None, ("FAIL: " + f[0]) if f else "FAIL: no result"
    med = statistics.median(x for x, _ in v)
    note = "" if len(v) == runs else f" ({len(v)}/{runs})"
    return med, f"{med:,.1f} {v[0][1]}{note}"


measured = 0
for mode in modes:
    title = {"plain": "plain QEMU (wall-clock time, noisy)",
             "icount": "-icount shift=0 (1 ns = 1 instruction)"}[mode]
    print(f"\n{title}: median of {runs} boots each; ratio = lichen / Linux\n")
    print(f"| benchmark | lichen | Linux | lichen / Linux |")
    print(f"|---|---:|---:|---:|")
    for name in names:
        lv, lt = cell(mode, "lichen", name)
        xv, xt = cell(mode, "linux", name)
        ratio = f"{lv / xv:,.2f}" if lv is not None and xv is not None and xv > 0 else "-"
        measured += lv is not None and xv is not None
        print(f"| {name} | {lt} | {xt} | {ratio} |")
    for s in ("lichen", "linux"):
        for f in runfail.get((mode, s), []):
            print(f"\n{s}: boot failed: {f}")
sys.exit(0 if measured else 1)
EOF
