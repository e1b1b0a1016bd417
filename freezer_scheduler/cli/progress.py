"""A one-line progress counter, drawn only on a terminal."""

import time

# Redraw at most this often: a thousand writes to a terminal cost more
# than the uploads they report.
_INTERVAL = 0.1


class Progress(object):
    """``Uploading jobs: 120/1000 (2 failed)``, rewritten in place."""

    def __init__(self, stream, total, label):
        self.stream = stream
        self.total = total
        self.label = label
        isatty = getattr(stream, 'isatty', None)
        self.enabled = total > 1 and bool(isatty and isatty())
        self._drawn = 0.0
        self._width = 0

    def update(self, done, failed):
        if not self.enabled:
            return
        now = time.monotonic()
        if done < self.total and now - self._drawn < _INTERVAL:
            return
        self._drawn = now
        text = '%s: %d/%d' % (self.label, done, self.total)
        if failed:
            text += ' (%d failed)' % failed
        self._width = max(self._width, len(text))
        self.stream.write('\r' + text.ljust(self._width))
        self.stream.flush()

    def finish(self):
        """Erase the line so that the output starts on a clean one."""
        if self.enabled and self._width:
            self.stream.write('\r' + ' ' * self._width + '\r')
            self.stream.flush()
