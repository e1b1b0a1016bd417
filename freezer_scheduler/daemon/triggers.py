"""When a job fires: the job_schedule timing keys turned into a trigger.

Same mapping as upstream (first match wins): ``schedule_date`` → once;
``schedule_interval`` → every N units (bounded by start/end dates);
``schedule_<cron field>`` → cron; nothing → once, right away. Dates are
ISO 8601; naive ones are local time, ``Z`` and offsets are understood.

A trigger answers one question: the first fire time strictly after a
moment, or None when it will never fire again. Times are aware datetimes.
"""

import datetime
import re

from freezer_scheduler.daemon import cron

CRON_KEYS = ('schedule_year', 'schedule_month', 'schedule_day',
             'schedule_week', 'schedule_day_of_week', 'schedule_hour',
             'schedule_minute', 'schedule_second')
UNITS = {'week': 7 * 86400, 'day': 86400, 'hour': 3600, 'minute': 60,
         'second': 1}
# A one-shot date this far in the past still runs (upstream's misfire
# grace); older, the job ends failed instead of waiting forever.
ONE_SHOT_GRACE = datetime.timedelta(hours=1)


class ScheduleError(ValueError):
    """The schedule cannot be understood; the message says why."""


def now():
    return datetime.datetime.now().astimezone()


def parse_date(value, key):
    if not isinstance(value, str):
        raise ScheduleError('%s must be a string, not %r' % (key, value))
    text = value.strip()
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ScheduleError('%s %r is not an ISO 8601 date and time'
                            % (key, value))
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment


def parse_interval(value):
    """Seconds of an interval such as "2 hours"; "continuous" → 1."""
    if not isinstance(value, str):
        raise ScheduleError('schedule_interval must be a string')
    text = value.strip().lower()
    if text == 'continuous':
        return 1
    match = re.fullmatch(r'(\d+)\s+(week|day|hour|minute|second)s?', text)
    if not match:
        raise ScheduleError(
            'schedule_interval %r is not "continuous" or "<number> '
            'weeks|days|hours|minutes|seconds"' % value)
    seconds = int(match.group(1)) * UNITS[match.group(2)]
    if seconds <= 0:
        raise ScheduleError('schedule_interval %r is not positive' % value)
    return seconds


class Once(object):
    def __init__(self, moment):
        self.moment = moment

    def next_after(self, moment):
        return self.moment if self.moment > moment else None

    def __repr__(self):
        return 'once at %s' % self.moment.isoformat()


class Every(object):
    """Every ``seconds`` from ``first`` on, never after ``end``."""

    def __init__(self, seconds, first, end=None):
        self.seconds = seconds
        self.first = first
        self.end = end

    def next_after(self, moment):
        if moment < self.first:
            found = self.first
        else:
            step = datetime.timedelta(seconds=self.seconds)
            count = int((moment - self.first) / step) + 1
            found = self.first + count * step
        if self.end is not None and found > self.end:
            return None
        return found

    def __repr__(self):
        return 'every %ds from %s' % (self.seconds, self.first.isoformat())


class Cron(object):
    def __init__(self, spec, start=None, end=None):
        self.spec = spec
        self.start = start
        self.end = end

    def next_after(self, moment):
        if self.start is not None and moment < self.start:
            moment = self.start - datetime.timedelta(seconds=1)
        found = self.spec.next_after(moment)
        if found is None or (self.end is not None and found > self.end):
            return None
        return found

    def __repr__(self):
        return 'cron %s' % self.spec


def _bounds(schedule, at):
    """(start, end) of an interval or cron schedule, as upstream reads them."""
    if not schedule.get('schedule_start_date'):
        return None, None
    start = parse_date(schedule['schedule_start_date'],
                       'schedule_start_date')
    end = None
    if schedule.get('schedule_end_date'):
        end = parse_date(schedule['schedule_end_date'], 'schedule_end_date')
        if end < start:
            end = None
    return start, end


def from_schedule(schedule, at=None):
    """The trigger of a job_schedule, planned at ``at`` (default now)."""
    at = at or now()
    schedule = schedule or {}
    if schedule.get('schedule_date'):
        moment = parse_date(schedule['schedule_date'], 'schedule_date')
        if moment < at - ONE_SHOT_GRACE:
            raise ScheduleError('schedule_date %s is more than an hour in '
                                'the past' % schedule['schedule_date'])
        return Once(max(moment, at))
    if schedule.get('schedule_interval'):
        seconds = parse_interval(schedule['schedule_interval'])
        start, end = _bounds(schedule, at)
        if start is None:
            first = at + datetime.timedelta(seconds=seconds)
        else:
            # A start date in the past keeps its phase (upstream restarted
            # the clock at "now + 2 s"): every member of a session then
            # computes the same fire times, and a restart does not drift.
            first = start
        return Every(seconds, first, end)
    fields = {key[len('schedule_'):]: schedule[key] for key in CRON_KEYS
              if schedule.get(key) not in (None, '')}
    if fields:
        try:
            spec = cron.CronSpec(fields)
        except ValueError as error:
            raise ScheduleError(str(error))
        start, end = _bounds(schedule, at)
        return Cron(spec, start, end)
    return Once(at)
