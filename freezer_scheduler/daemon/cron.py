"""Cron expressions as upstream's schedules write them (APScheduler style).

Fields: year, month, day, week (ISO week), day_of_week (0 = Monday, or
mon..sun), hour, minute, second. Each field takes ``*``, ``*/n``, ``a``,
``a-b``, ``a-b/n``, ``a/n`` and comma lists of those; ``day`` also takes
``last``. A field left out is ``*`` when a less significant field is given
and its minimum otherwise (so ``hour=2`` fires at 02:00:00), except week and
day_of_week, which are always ``*`` when left out.
"""

import calendar
import datetime

ORDER = ('year', 'month', 'day', 'week', 'day_of_week', 'hour', 'minute',
         'second')
RANGES = {'year': (1970, 9999), 'month': (1, 12), 'day': (1, 31),
          'week': (1, 53), 'day_of_week': (0, 6), 'hour': (0, 23),
          'minute': (0, 59), 'second': (0, 59)}
NAMES = {
    'day_of_week': ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
    'month': ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep',
              'oct', 'nov', 'dec'],
}
# How far ahead a search goes before it decides the expression never fires
# (e.g. "day=31, month=2").
HORIZON_YEARS = 8


class Field(object):
    """The values one cron field allows (``last`` resolved per month)."""

    def __init__(self, name, text):
        self.name = name
        self.text = str(text).strip().lower()
        self.values = set()
        self.last_day = False
        low, high = RANGES[name]
        for part in self.text.split(','):
            self._add(part.strip(), low, high)
        if not self.values and not self.last_day:
            raise ValueError('schedule_%s %r allows no value'
                             % (name, text))

    def _number(self, token):
        names = NAMES.get(self.name)
        if names and token in names:
            value = names.index(token)
            return value + 1 if self.name == 'month' else value
        if not token.isdigit():
            raise ValueError('schedule_%s: %r is not a number%s'
                             % (self.name, token,
                                ' or a name' if names else ''))
        return int(token)

    def _add(self, part, low, high):
        if self.name == 'day' and part == 'last':
            self.last_day = True
            return
        step = 1
        if '/' in part:
            part, _, step_text = part.partition('/')
            if not step_text.isdigit() or int(step_text) == 0:
                raise ValueError('schedule_%s: bad step %r'
                                 % (self.name, step_text))
            step = int(step_text)
        if part in ('*', ''):
            first, last = low, high
        elif '-' in part:
            a, _, b = part.partition('-')
            first, last = self._number(a), self._number(b)
        else:
            first = self._number(part)
            last = high if step > 1 else first
        if first < low or last > high or first > last:
            raise ValueError('schedule_%s: %r is outside %d-%d'
                             % (self.name, part, low, high))
        self.values.update(range(first, last + 1, step))

    def allows(self, value, moment=None):
        if value in self.values:
            return True
        if self.last_day and moment is not None:
            return value == calendar.monthrange(moment.year,
                                                moment.month)[1]
        return False

    def __repr__(self):
        return '%s=%s' % (self.name, self.text)


class CronSpec(object):
    def __init__(self, given):
        unknown = set(given) - set(ORDER)
        if unknown:
            raise ValueError('unknown cron field(s): %s'
                             % ', '.join(sorted(unknown)))
        least = max(ORDER.index(name) for name in given)
        self.fields = {}
        for index, name in enumerate(ORDER):
            if name in given:
                text = given[name]
            elif name in ('week', 'day_of_week') or index < least:
                text = '*'
            else:
                text = str(RANGES[name][0])
            self.fields[name] = Field(name, text)

    def _day_ok(self, moment):
        f = self.fields
        return (f['day'].allows(moment.day, moment)
                and f['week'].allows(moment.isocalendar()[1])
                and f['day_of_week'].allows(moment.weekday()))

    def next_after(self, moment):
        """First matching time strictly after ``moment`` (aware), or None."""
        # Cron fields read the local wall clock, as upstream's did.
        t = (moment.astimezone().replace(microsecond=0, tzinfo=None)
             + datetime.timedelta(seconds=1))
        limit = t.year + HORIZON_YEARS
        f = self.fields
        while t.year <= limit:
            if not f['year'].allows(t.year):
                t = datetime.datetime(t.year + 1, 1, 1)
            elif not f['month'].allows(t.month):
                t = (datetime.datetime(t.year, t.month, 1)
                     + datetime.timedelta(days=32)).replace(day=1)
            elif not self._day_ok(t):
                t = datetime.datetime(t.year, t.month, t.day) + \
                    datetime.timedelta(days=1)
            elif not f['hour'].allows(t.hour):
                t = t.replace(minute=0, second=0) + \
                    datetime.timedelta(hours=1)
            elif not f['minute'].allows(t.minute):
                t = t.replace(second=0) + datetime.timedelta(minutes=1)
            elif not f['second'].allows(t.second):
                t = t + datetime.timedelta(seconds=1)
            else:
                return t.astimezone()
        return None

    def __repr__(self):
        return ' '.join(repr(self.fields[name]) for name in ORDER)
