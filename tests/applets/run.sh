#!/bin/sh
# tests/applets/run.sh CHECKS...: the applet checks (tests/qemu/applets_test.py
# runs this once on lichen and once on Linux, on the FAT32 root disk with
# a tmpfs on /tmp, and compares the two outputs check by check).
#
# A CHECKS file is a list of checks: a line "### NAME" starts one, the
# lines up to the next "### " are its script; lines before the first are
# comments. Each script runs as `sh -c SCRIPT` in a directory of its own,
# /tmp/applets/NAME, with stdin /dev/null, stdout and stderr into one
# file (not the console: no tty, so no colours or columns). Then this
# prints
#   == NAME
#   its output
#   -> status N
# No timeout here (it would cost a fork and an exec a check): a check
# that hangs is stopped by applets_test.py, which boots again from the
# next one. ONLY=NAME in the environment runs that check alone; FROM=NAME
# starts at NAME.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TZ=UTC LC_ALL=C
unset ENV CDPATH
umask 022
base=/tmp/applets
mkdir -p "$base" || exit 1

run_check() {	# NAME SCRIPT
	dir=$base/$1
	mkdir -p "$dir" && cd "$dir" || { echo "== $1"; echo "-> status no-dir"; return; }
	sh -c "$2" > "$base/.out" 2>&1 < /dev/null
	status=$?
	cd /
	echo "== $1"
	cat "$base/.out"
	echo "-> status $status"
}

wanted() {	# NAME: run it?
	[ "$FROM" = "$1" ] && FROM=
	[ -z "$FROM" ] && [ -z "$ONLY" -o "$ONLY" = "$1" ]
}

for file in "$@"; do
	name= script=
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		'### '*)
			[ -n "$name" ] && wanted "$name" && run_check "$name" "$script"
			name=${line#'### '} script= ;;
		*)
			script="$script$line
" ;;
		esac
	done < "$file"
	[ -n "$name" ] && wanted "$name" && run_check "$name" "$script"
done
echo "== end"
