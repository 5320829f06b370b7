# The disk workload (tests/qemu/disk_test.py): run by BusyBox sh as
# `sh workload.sh BASE`, on lichen's FAT32 root and on the host's Linux;
# the trees under BASE and the output must come out the same. Hundreds of
# files in nested directories, created, appended, renamed, truncated and
# deleted; long and mixed-case names; then sync.
base=$1
mkdir -p "$base" && cd "$base" || exit 1
i=0
while [ $i -lt 300 ]; do
	d=dir$((i % 12))/Sub$((i % 5))
	mkdir -p "$d"
	echo "file $i in $d" > "$d/file$i.txt"
	i=$((i + 1))
done
# append to every third, a longer tail to every seventh
i=0
while [ $i -lt 300 ]; do
	d=dir$((i % 12))/Sub$((i % 5))
	[ $((i % 3)) -eq 0 ] && echo "appended $i" >> "$d/file$i.txt"
	[ $((i % 7)) -eq 0 ] && seq 1 $((i * 3)) >> "$d/file$i.txt"
	i=$((i + 1))
done
# rename some across directories, with long names
i=0
while [ $i -lt 300 ]; do
	d=dir$((i % 12))/Sub$((i % 5))
	if [ $((i % 10)) -eq 1 ]; then
		mv "$d/file$i.txt" "dir$(((i + 1) % 12))/A rather long Name for file number $i.data"
	fi
	i=$((i + 1))
done
# truncate some, delete others, remove a whole subtree
i=0
while [ $i -lt 300 ]; do
	d=dir$((i % 12))/Sub$((i % 5))
	f=$d/file$i.txt
	if [ -e "$f" ]; then
		[ $((i % 11)) -eq 0 ] && truncate -s 5 "$f"
		[ $((i % 13)) -eq 0 ] && truncate -s 20000 "$f"
		[ $((i % 4)) -eq 2 ] && rm "$f"
	fi
	i=$((i + 1))
done
rm -r dir11/Sub3
mv dir10 "Directory Ten"
mkdir -p deep/a/b/c/d/e/f/g/h
echo bottom > deep/a/b/c/d/e/f/g/h/leaf
dd if=/dev/zero of=big.bin bs=4096 count=256 2>/dev/null
echo tail >> big.bin
sync
# what the tree is now, as both sides must see it
find . | sort | wc -l
find . -type f | sort | while read -r f; do
	echo "$f $(wc -c < "$f")"
done | md5sum
cat deep/a/b/c/d/e/f/g/h/leaf
