#!/bin/sh
# build-pie.sh OUT SRC: a static PIE against musl (aarch64). musl-gcc's
# specs file gives -static-pie an interpreter, so this links by hand:
# rcrt1.o is musl's self-relocating start.
set -e
musl=/usr/lib/aarch64-linux-musl
gcc=aarch64-linux-gnu-gcc
obj="$1.o"
$gcc -nostdinc -isystem /usr/include/aarch64-linux-musl -isystem "$($gcc -print-file-name=include)" \
	-fPIE -O2 -Wall -Werror -c "$2" -o "$obj"
$gcc -static-pie -nostdlib -o "$1" "$musl/rcrt1.o" "$musl/crti.o" "$obj" -L"$musl" -lc \
	"$($gcc -print-libgcc-file-name)" "$musl/crtn.o"
rm -f "$obj"
