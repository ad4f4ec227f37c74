#!/usr/bin/env python3
"""No function in lib/ is longer than 80 lines (from its name to its closing brace).

usage: fn_length.py DIR [MAX]
Functions are found by the style every file of tern follows: the return
type on its own line, the name at column 0, the body's braces at column 0.
"""
import os
import re
import sys

NAME = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*\(')


def long_functions(path, limit):
    found = []
    lines = open(path, encoding='utf-8', errors='replace').read().split('\n')
    start = name = None
    for i, line in enumerate(lines, 1):
        if NAME.match(line):
            start, name = i, line.split('(')[0]
        elif line == '}' and start is not None:
            if i - start + 1 > limit:
                found.append(f'{path}:{start}: {name}() is {i - start + 1} lines (at most {limit})')
            start = None
    return found


def main():
    root = sys.argv[1]
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 80
    found = []
    for d, _, files in os.walk(root):
        for f in sorted(files):
            if f.endswith('.c'):
                found += long_functions(os.path.join(d, f), limit)
    for f in found:
        print(f, file=sys.stderr)
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
