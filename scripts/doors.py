#!/usr/bin/env python3
"""Checks that the code of one part of tern includes only the headers it may.

Each library under lib/ declares its doors in its meson.build: `api`
headers (any module above it may include them) and `wiring` headers (only
the composition root lib/stack, the tests and the benchmarks may). A
module's own headers are always allowed. Run by the build (a custom target
per part), so a forbidden #include fails `ninja` with a message naming the
file, the line and the doors that were open.

usage: doors.py --part NAME --allow H[,H...] [--own DIR] --stamp FILE FILES...
  --own DIR   the module's directory name under lib/ (its own headers pass)
"""
import argparse
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def check_file(path, own, allowed):
    errors = []
    here = os.path.dirname(path)
    with open(path, encoding='utf-8', errors='replace') as f:
        for lineno, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            inc = m.group(1)
            if '/' not in inc and os.path.exists(os.path.join(here, inc)):
                continue  # the same directory: the module's own header
            if own and inc.startswith(own + '/'):
                continue
            if inc in allowed:
                continue
            errors.append(f'{path}:{lineno}: #include "{inc}" is not a door open to this part')
    return errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--part', required=True)
    ap.add_argument('--allow', default='')
    ap.add_argument('--own', default='')
    ap.add_argument('--stamp', required=True)
    ap.add_argument('files', nargs='*')
    a = ap.parse_args()
    allowed = set(x for x in a.allow.split(',') if x)
    files = []
    for f in a.files:
        if os.path.isdir(f):
            files += [os.path.join(f, n) for n in sorted(os.listdir(f))
                      if n.endswith(('.c', '.h'))]
        else:
            files.append(f)
    errors = []
    for f in files:
        errors += check_file(f, a.own, allowed)
    if errors:
        print(f'doors: {a.part}: includes past its doors (see the meson.build of each '
              f'library for its api and wiring headers):', file=sys.stderr)
        for e in errors:
            print('  ' + e, file=sys.stderr)
        print(f'  open to {a.part}: ' + ', '.join(sorted(allowed)), file=sys.stderr)
        return 1
    with open(a.stamp, 'w') as f:
        f.write('ok\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
