"""Runs one action command and writes its exit status to a file.

Usage: python shim.py RC_FILE -- COMMAND [ARG...]

The daemon starts this (standard library only, run by path) as the leader
of a new session and process group; the command runs inside that group.
Because the exit status lands in a file and the output in files the daemon
opened, a restarted scheduler can pick up a run its predecessor started
instead of running the job a second time.

The shim outlives SIGTERM/SIGINT/SIGHUP sent to its group so that it can
record how the command ended (-15 when an abort terminated it); SIGKILL
ends both, and then no status file appears.
"""

import os
import signal
import subprocess
import sys


def _write_status(path, code):
    temporary = path + '.tmp'
    with open(temporary, 'w') as handle:
        handle.write('%d\n' % code)
    os.replace(temporary, path)


def main(argv):
    if len(argv) < 3 or argv[1] != '--':
        sys.stderr.write('usage: shim.py RC_FILE -- COMMAND [ARG...]\n')
        return 2
    rc_file, command = argv[0], argv[2:]
    # Caught (not ignored) signals are reset to their defaults in the child
    # by exec, so only the shim survives them, to record the child's end.
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, lambda *_: None)
    try:
        child = subprocess.Popen(command)
    except OSError as error:
        sys.stderr.write('cannot start %s: %s\n' % (command[0], error))
        _write_status(rc_file, 127)
        return 0
    while True:
        try:
            code = child.wait()
            break
        except InterruptedError:
            continue
    _write_status(rc_file, code)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
