"""The daemon's process: pid file (held locked), daemonising, signals.

A pid file counts only while the process that wrote it holds its lock, so
a stale file (crash, reboot) never reports "running" and never blocks a
start.
"""

import errno
import fcntl
import os
import signal
import time


class PidFile(object):
    def __init__(self, path):
        self.path = path
        self.handle = None

    def acquire(self):
        """Lock and write our pid; the pid of the holder if another runs."""
        folder = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(folder, exist_ok=True)
        handle = open(self.path, 'a+')
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            handle.seek(0)
            text = handle.read().strip()
            handle.close()
            return int(text) if text.isdigit() else -1
        handle.seek(0)
        handle.truncate()
        handle.write('%d\n' % os.getpid())
        handle.flush()
        self.handle = handle
        return None

    def release(self):
        if self.handle is None:
            return
        try:
            os.unlink(self.path)
        except OSError:
            pass
        self.handle.close()
        self.handle = None


def running_pid(path):
    """(pid of the live scheduler or None, True when the file is stale)."""
    try:
        handle = open(path)
    except OSError:
        return None, False
    with handle:
        text = handle.read().strip()
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return (int(text) if text.isdigit() else -1), False
        return None, True


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def wait_until(predicate, seconds, step=0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def terminate(pid, seconds):
    """SIGTERM and wait; True once the process is gone."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    return wait_until(lambda: not alive(pid), seconds)


def daemonize():
    """Detach: double fork and a new session. False in the calling
    process (whose first child is reaped), True in the daemon."""
    child = os.fork()
    if child > 0:
        os.waitpid(child, 0)
        return False
    os.setsid()
    if os.fork() > 0:
        os._exit(0)
    os.chdir('/')
    null = os.open(os.devnull, os.O_RDWR)
    for descriptor in (0, 1, 2):
        os.dup2(null, descriptor)
    os.close(null)
    return True
