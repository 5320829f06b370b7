#!/usr/bin/env python3
"""Pass only if a C file fails to compile for the reason it was written for.

usage: expect-compile-fail.py COMPILER... -- ARGS... FILE

Runs `COMPILER... ARGS... FILE` (give -fsyntax-only in ARGS) and exits 0
only if all of these hold:
  - the compiler exits non-zero;
  - it reports at least one error, and every error says "incompatible
    type(s)", so a missing header or a typo is not mistaken for the expected
    rejection;
  - each line of FILE carrying the comment /* expect-error */ got an
    error, and no other line did.
Otherwise it prints the compiler's output and why, and exits 1.
"""
import os
import re
import subprocess
import sys

ANSI = re.compile(r'\x1b\[[0-9;]*[mK]')
DIAG = re.compile(r'^(?P<file>[^:\n]+):(?P<line>\d+):(?:\d+:)? '
                  r'(?:fatal )?error: (?P<msg>.*)$')
WANTED = re.compile(r'incompatible types?')
MARKER = '/* expect-error */'


def split_command(argv):
    if '--' not in argv:
        sys.exit(__doc__)
    i = argv.index('--')
    compiler, args = argv[:i], argv[i + 1:]
    if not compiler or not args:
        sys.exit(__doc__)
    return compiler, args


def marked_lines(path):
    with open(path, encoding='utf-8') as f:
        return {n for n, text in enumerate(f, 1) if MARKER in text}


def problems(result, path):
    """Returns what is wrong with the compiler's answer, if anything."""
    if result.returncode == 0:
        return ['the compiler accepted the file']
    output = ANSI.sub('', result.stdout + result.stderr)
    errors = [m for m in map(DIAG.match, output.splitlines()) if m]
    if not errors:
        return ['the compiler failed without reporting an error']
    found, lines = [], set()
    for e in errors:
        if not WANTED.search(e['msg']):
            found.append('unexpected error: ' + e.group(0))
        elif os.path.realpath(e['file']) != os.path.realpath(path):
            found.append('error outside the file: ' + e.group(0))
        else:
            lines.add(int(e['line']))
    expected = marked_lines(path)
    for n in sorted(expected - lines):
        found.append(f'line {n} is marked {MARKER} but was accepted')
    for n in sorted(lines - expected):
        found.append(f'line {n} was rejected but is not marked {MARKER}')
    return found


def main():
    compiler, args = split_command(sys.argv[1:])
    path = args[-1]
    result = subprocess.run(compiler + args, capture_output=True, text=True)
    wrong = problems(result, path)
    if wrong:
        sys.stdout.write(result.stdout + result.stderr)
        for w in wrong:
            print('expect-compile-fail: ' + w)
        return 1
    print(f'expect-compile-fail: {path} rejected as expected')
    return 0


if __name__ == '__main__':
    sys.exit(main())
