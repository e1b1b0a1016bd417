"""The scheduler's main loop: register, poll, plan, fire, write back.

Every job this client owns is a ``Job`` with a local state (stopped,
scheduled, running). Each poll hands in fresh documents; the rules that
upstream got wrong are kept here on purpose:

* a document older than our own last write to that job is ignored (it
  would undo what we wrote, or a membership change made meanwhile);
* a schedule, session membership or action list that changed is used from
  the next fire on — no stop/start cycle needed;
* only the keys we changed are written, and an event is cleared only if it
  is still the one we handled;
* one bad job never stops the others (each is handled in isolation).
"""

import collections
import concurrent.futures
import datetime
import json
import logging
import os
import threading
import time

from freezer_scheduler.daemon import api
from freezer_scheduler.daemon import barrier
from freezer_scheduler.daemon import runner
from freezer_scheduler.daemon import triggers
from freezer_scheduler.daemon import writeback

LOG = logging.getLogger(__name__)

STOPPED, SCHEDULED, RUNNING = 'stopped', 'scheduled', 'running'
TIMING_KEYS = ('schedule_date', 'schedule_interval', 'schedule_start_date',
               'schedule_end_date') + triggers.CRON_KEYS
CAPABILITIES = (('action', 'supported_actions'),
                ('mode', 'supported_modes'),
                ('storage', 'supported_storages'),
                ('engine_name', 'supported_engines'))
EPSILON = datetime.timedelta(microseconds=1)
LONGEST_SLEEP = 1.0

Options = collections.namedtuple(
    'Options', 'client_id interval capabilities state_dir jobs_cache '
               'all_projects is_central hostname max_backoff '
               'concurrent_jobs')


def schedule_of(doc):
    return doc.get('job_schedule') or {}


def timing(doc):
    return {k: v for k, v in schedule_of(doc).items() if k in TIMING_KEYS}


def signature(doc):
    """What, when changed, means the job must be planned again."""
    return json.dumps([timing(doc), doc.get('session_id') or ''],
                      sort_keys=True)


class Job(object):
    def __init__(self, job_id, doc):
        self.job_id = job_id
        self.doc = doc
        self.state = STOPPED
        self.trigger = None
        self.next_fire = None
        self.last_fire = None
        self.pending = None      # stop / abort / remove, honoured at finish
        self.run = None
        self.note = ''
        self.changed = 0         # sequence number of our last write
        self.replan = False
        self.planned = signature(doc)

    def summary(self):
        return {'state': self.state,
                'next_fire': (self.next_fire.isoformat()
                              if self.next_fire else None),
                'pending': self.pending, 'note': self.note,
                'session_id': self.doc.get('session_id') or '',
                'session_tag': self.doc.get('session_tag') or 0,
                'pid': (self.run.process.pid
                        if self.run and self.run.process else None)}


class Service(object):
    def __init__(self, gateway, options, runner_settings):
        self.gateway = gateway
        self.options = options
        self.jobs = {}
        self.lock = threading.RLock()
        self.sequence = 0
        self.stopping = threading.Event()
        self.wake = threading.Event()
        self.poll_now = False
        self.health = writeback.Health(options.max_backoff)
        os.makedirs(options.state_dir, mode=0o700, exist_ok=True)
        self.outbox = writeback.Outbox(
            gateway, self.health,
            os.path.join(options.state_dir, 'outbox.json'))
        self.runner = runner.Runner(runner_settings, self.stopping,
                                    self._on_spawn, self._on_metadata)
        self.settings = runner_settings
        self.pool = concurrent.futures.ThreadPoolExecutor(
            options.concurrent_jobs, thread_name_prefix='job')
        self.registered = False
        self.next_poll = 0.0
        self.last_poll = None
        self._status_written = None
        self._unsupported = set()

    # -- main loop -----------------------------------------------------------

    def run_forever(self):
        LOG.info('scheduler started: client %s, polling every %ds',
                 self.options.client_id, self.options.interval)
        self.resume_runs()
        try:
            while not self.stopping.is_set():
                try:
                    self.step()
                except Exception:
                    # A bug must not end the daemon; log it and go on.
                    LOG.exception('scheduler step failed')
                self.wake.wait(self._sleep_seconds())
                self.wake.clear()
        finally:
            self.shutdown()

    def stop(self):
        self.stopping.set()
        self.wake.set()

    def request_poll(self):
        self.poll_now = True
        self.wake.set()

    def shutdown(self):
        LOG.info('scheduler stopping; running jobs go on and are picked up '
                 'at the next start')
        self.stopping.set()
        self.pool.shutdown(wait=True, cancel_futures=True)
        if self.health.up:
            self.outbox.flush(force=True)
        self._write_status(final=True)

    def step(self):
        if not self.registered and self.health.may_try():
            self.register()
        if (self.registered and self.health.may_try()
                and (self.poll_now or time.monotonic() >= self.next_poll)):
            self.poll_now = False
            self.poll()
        self.outbox.flush()
        self.fire_due()
        self._write_status()

    def _sleep_seconds(self):
        seconds = LONGEST_SLEEP
        with self.lock:
            fires = [j.next_fire for j in self.jobs.values()
                     if j.state == SCHEDULED and j.next_fire]
        if fires:
            until = (min(fires) - triggers.now()).total_seconds()
            seconds = min(seconds, max(0.01, until))
        return seconds

    # -- talking to the API --------------------------------------------------

    def register(self):
        client = {'client_id': self.options.client_id,
                  'hostname': self.options.hostname,
                  'is_central': self.options.is_central}
        client.update(self.options.capabilities)
        created, error = api.attempt(self.gateway.register_client, client)
        if isinstance(error, api.Unavailable):
            self.health.failed(error)
            return
        self.health.succeeded()
        if error is not None:
            # As upstream: a refused registration does not stop the daemon.
            LOG.error('client registration refused: %s', error)
        else:
            LOG.info('client %s %s', self.options.client_id,
                     'registered' if created else 'already registered')
        self.registered = True

    def poll(self):
        with self.lock:
            asked_at = self.sequence
        docs, error = api.attempt(self.gateway.list_jobs,
                                  self.options.client_id,
                                  self.options.all_projects)
        if isinstance(error, api.Unavailable):
            self.health.failed(error)
            return
        self.health.succeeded()
        if error is not None:
            LOG.error('cannot list jobs: %s', error)
            self.next_poll = time.monotonic() + self.options.interval
            return
        self.next_poll = time.monotonic() + self.options.interval
        self.last_poll = time.time()
        seen = set()
        kept = []
        for doc in docs:
            job_id = doc.get('job_id') if isinstance(doc, dict) else None
            if not job_id:
                LOG.error('the API listed a job without job_id; ignored')
                continue
            why = self._refusal(doc)
            if why:
                if job_id not in self._unsupported:
                    LOG.warning('job %s ignored: %s', job_id, why)
                    self._unsupported.add(job_id)
                continue
            seen.add(job_id)
            kept.append(doc)
            try:
                with self.lock:
                    self.reconcile(doc, asked_at)
            except Exception:
                LOG.exception('job %s: cannot handle its document', job_id)
        with self.lock:
            for job_id in [j for j in self.jobs if j not in seen]:
                self.forget(self.jobs[job_id])
        self._cache(kept)

    def _refusal(self, doc):
        """Why this client will not run the job, or None."""
        if self.options.all_projects and not (
                doc.get('user_credentials') or {}).get('trust_id'):
            return 'central mode needs user_credentials.trust_id'
        entries = doc.get('job_actions')
        if not isinstance(entries, list) or not entries:
            return 'it has no job_actions'
        for entry in entries:
            action = (entry or {}).get('freezer_action')
            if not isinstance(action, dict):
                return 'an action has no freezer_action object'
            for key, capability in CAPABILITIES:
                value = action.get(key)
                allowed = self.options.capabilities.get(capability)
                if value and allowed is not None and value not in allowed:
                    return '%s %r is not in this client\'s %s' % (
                        key, value, capability)
        return None

    def _cache(self, docs):
        """job_<id>.conf per job (mode 0600); stale files removed."""
        folder = self.options.jobs_cache
        if not folder:
            return
        try:
            os.makedirs(folder, exist_ok=True)
            wanted = set()
            for doc in docs:
                name = 'job_%s.conf' % doc['job_id']
                wanted.add(name)
                path = os.path.join(folder, name)
                descriptor = os.open(path + '.tmp',
                                     os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                                     0o600)
                with os.fdopen(descriptor, 'w') as handle:
                    json.dump(doc, handle, indent=4, sort_keys=True)
                os.replace(path + '.tmp', path)
            for name in os.listdir(folder):
                if (name.startswith('job_') and name.endswith('.conf')
                        and name not in wanted):
                    os.unlink(os.path.join(folder, name))
        except OSError as error:
            LOG.warning('cannot write the job cache in %s: %s', folder,
                        error)

    def patch(self, job, changes, consumed_event=None, session_tag=None):
        """Write the state keys that changed (and the event we consumed)."""
        current = schedule_of(job.doc)
        changed = {k: v for k, v in changes.items() if current.get(k) != v}
        if consumed_event is not None:
            changed['event'] = ''
        body = {}
        if changed:
            body['job_schedule'] = changed
        if session_tag is not None and session_tag != job.doc.get(
                'session_tag'):
            body['session_tag'] = session_tag
        with self.lock:
            self.sequence += 1
            job.changed = self.sequence
            job.doc = dict(job.doc, job_schedule=dict(current, **changed))
            if 'session_tag' in body:
                job.doc['session_tag'] = session_tag
        if body:
            self.outbox.patch(job.job_id, body, consumed_event)

    def _touch(self, job):
        with self.lock:
            self.sequence += 1
            job.changed = self.sequence

    # -- documents → states ---------------------------------------------------

    def reconcile(self, doc, asked_at):
        job_id = doc['job_id']
        job = self.jobs.get(job_id)
        if job is not None and (job.changed > asked_at
                                or self.outbox.pending_for(job_id)):
            return  # older than what we wrote; the next poll is fresher
        sched = schedule_of(doc)
        event = sched.get('event') or ''
        status = sched.get('status') or ''
        # Events we make up (autostart, a join) are not in the API: there
        # is nothing to clear.
        real = bool(event)
        if job is None:
            job = self.jobs[job_id] = Job(job_id, doc)
            if status == 'running':
                self._interrupted(job, event)
                return
            if not event:
                event = 'stop' if status == 'stop' else 'start'
        else:
            joined = (doc.get('session_id')
                      and doc.get('session_id') != job.doc.get('session_id'))
            # A running job keeps its run's copy (run.doc); this one serves
            # the next run.
            job.doc = doc
            if signature(doc) != job.planned:
                job.planned = signature(doc)
                job.replan = True
                if job.state == SCHEDULED:
                    self._plan(job)
            if joined and not event:
                LOG.info('job %s joined session %s', job_id,
                         doc['session_id'])
                event = 'start'
        self.dispatch(job, event, real)

    def dispatch(self, job, event, real=True):
        consumed = event if real else None
        if event == 'start':
            if job.state == STOPPED:
                self._plan(job, consumed=consumed)
            elif real:
                self.patch(job, {}, consumed_event='start')
        elif event in ('stop', 'abort'):
            if job.state == RUNNING:
                if job.pending != 'abort':
                    job.pending = event
                if event == 'abort':
                    job.run.abort.set()
            else:
                job.state = STOPPED
                job.next_fire = None
                self.patch(job, {'status': 'stop'}, consumed_event=consumed)
        elif event:
            LOG.warning('job %s: unknown event %r cleared', job.job_id,
                        event)
            self.patch(job, {}, consumed_event=event)

    def _plan(self, job, consumed=None, after_run=False):
        """Schedule the job from its document; mark it failed if the
        schedule cannot be understood."""
        now = triggers.now()
        try:
            job.trigger = triggers.from_schedule(timing(job.doc), now)
        except triggers.ScheduleError as error:
            job.trigger = None
            job.state = STOPPED
            job.next_fire = None
            job.note = 'schedule refused: %s' % error
            LOG.error('job %s: %s', job.job_id, job.note)
            self.patch(job, {'status': 'completed', 'result': 'fail'},
                       consumed_event=consumed)
            return
        job.replan = False
        job.planned = signature(job.doc)
        # Right after a run (or an interrupted one) a one-shot job is done,
        # not run again.
        job.next_fire = job.trigger.next_after(now if after_run
                                               else now - EPSILON)
        if job.next_fire is None:
            job.state = STOPPED
            job.note = 'the schedule has no more fire times'
            self.patch(job, {'status': 'completed'}, consumed_event=consumed)
            return
        job.state = SCHEDULED
        LOG.info('job %s: next run %s (%s)', job.job_id,
                 job.next_fire.isoformat(), job.trigger)
        self.patch(job, {'status': 'scheduled'}, consumed_event=consumed)

    def _interrupted(self, job, event):
        """The API says running, but no run of ours exists: the previous
        scheduler (or host) died with it. Record it; never re-run it."""
        doc = job.doc
        result = 'aborted' if event == 'abort' else 'fail'
        job.note = ('its run was interrupted (the scheduler stopped and the '
                    'process is gone); recorded as %s' % result)
        LOG.warning('job %s: %s', job.job_id, job.note)
        if doc.get('session_id'):
            self.outbox.session_end(doc['session_id'], job.job_id,
                                    doc.get('session_tag') or 0, result)
        self.patch(job, {'result': result, 'time_ended': int(time.time())})
        if event in ('stop', 'abort'):
            job.state = STOPPED
            self.patch(job, {'status': 'completed'}, consumed_event=event)
        else:
            self._plan(job, consumed=event or None, after_run=True)

    def forget(self, job):
        if job.state == RUNNING:
            job.pending = 'remove'
            return
        LOG.info('job %s is no longer ours (deleted, completed or moved)',
                 job.job_id)
        del self.jobs[job.job_id]

    # -- running -------------------------------------------------------------

    def fire_due(self):
        now = triggers.now()
        with self.lock:
            due = [j for j in self.jobs.values()
                   if j.state == SCHEDULED and j.next_fire
                   and j.next_fire <= now]
            for job in due:
                job.state = RUNNING
                job.last_fire = job.next_fire
                job.next_fire = None
                job.run = runner.Run(
                    job.job_id, job.doc,
                    runner.RunDir(self.options.state_dir, job.job_id),
                    job.doc.get('session_id') or '',
                    job.doc.get('session_tag') or 0)
                self.pool.submit(self._guarded, self._run_job, job)

    def resume_runs(self):
        """Pick up the runs a previous scheduler left behind."""
        for run_dir in runner.run_dirs(self.options.state_dir):
            try:
                run = runner.Run.load(run_dir)
            except (OSError, ValueError, KeyError) as error:
                LOG.error('unreadable run state %s removed: %s',
                          run_dir.path, error)
                run_dir.remove()
                continue
            job = Job(run.job_id, run.doc)
            job.state = RUNNING
            job.run = run
            job.last_fire = triggers.now()
            self.jobs[run.job_id] = job
            LOG.warning('job %s: resuming the run the previous scheduler '
                        'left (action %d%s)', run.job_id, run.index,
                        ', pid %d' % run.process.pid if run.process else '')
            self.pool.submit(self._guarded, self._execute, job, run)

    def _guarded(self, function, *args):
        try:
            function(*args)
        except (runner.Interrupted, barrier.Stopping):
            LOG.info('job %s left to the next start of the scheduler',
                     args[0].job_id)
        except Exception:
            job = args[0]
            LOG.exception('job %s: run failed', job.job_id)
            if job.run is not None:
                self._finish(job, job.run, runner.FAIL)

    def _run_job(self, job):
        run = job.run
        if job.pending or self.stopping.is_set():
            if self.stopping.is_set():
                raise runner.Interrupted()
            self._after_run(job, {})
            return
        if run.session_id:
            decision = barrier.join(self.gateway, self.health, self.stopping,
                                    run.session_id, job.job_id,
                                    run.session_tag)
            self._touch(job)
            if not decision.run:
                job.note = decision.reason
                LOG.warning('job %s: not running now: %s', job.job_id,
                            decision.reason)
                self._after_run(job, {}, session_tag=decision.tag)
                return
            run.session_tag = decision.tag
            run.joined_session = True
            with self.lock:
                job.doc = dict(job.doc, session_tag=decision.tag)
            LOG.info('job %s: runs in session %s, run %s', job.job_id,
                     run.session_id, decision.tag)
        run.dir.create()
        run.save()
        job.note = ''
        self.patch(job, {'status': 'running', 'result': '',
                         'time_started': int(time.time()),
                         'time_ended': -1})
        self.outbox.flush()
        self._execute(job, run)

    def _execute(self, job, run):
        if self.settings.disable_exec and run.has_exec():
            job.note = 'refused: exec actions are disabled on this client'
            LOG.error('job %s: %s', job.job_id, job.note)
            result = runner.FAIL
        else:
            result = self.runner.execute(run)
        self._finish(job, run, result)

    def _on_spawn(self, run, pid):
        job = self.jobs.get(run.job_id)
        if job is not None:
            self.patch(job, {'current_pid': pid})

    def _on_metadata(self, run, document):
        self.outbox.backup(run.job_id, document)

    def _finish(self, job, run, result):
        LOG.info('job %s: finished, result %s', job.job_id, result)
        if run.joined_session:
            self.outbox.session_end(run.session_id, job.job_id,
                                    run.session_tag, result)
        self._after_run(job, {'result': result,
                              'time_ended': int(time.time())})
        run.dir.remove()
        self.outbox.flush()

    def _after_run(self, job, changes, session_tag=None):
        """Plan what comes after a run (or a skipped one) and write it."""
        with self.lock:
            job.run = None
            pending, job.pending = job.pending, None
            if pending == 'remove':
                job.state = STOPPED
                self.jobs.pop(job.job_id, None)
                return
            if pending in ('stop', 'abort'):
                job.state = STOPPED
                changes['status'] = 'completed'
                if pending == 'abort':
                    changes['result'] = 'aborted'
                self.patch(job, changes, consumed_event=pending,
                           session_tag=session_tag)
                return
            if job.replan or job.trigger is None:
                self._replan_after_run(job, changes, session_tag)
                return
            now = triggers.now()
            job.next_fire = job.trigger.next_after(
                max(now, job.last_fire or now))
            if job.next_fire is None:
                job.state = STOPPED
                changes['status'] = 'completed'
            else:
                job.state = SCHEDULED
                changes['status'] = 'scheduled'
            self.patch(job, changes, session_tag=session_tag)

    def _replan_after_run(self, job, changes, session_tag):
        """The document changed during the run: plan from the new one."""
        self.patch(job, changes, session_tag=session_tag)
        job.state = STOPPED
        self._plan(job, after_run=True)

    # -- status file ---------------------------------------------------------

    def _write_status(self, final=False):
        with self.lock:
            status = {
                'pid': os.getpid(), 'client_id': self.options.client_id,
                'stopped': final,
                'api_up': self.health.up,
                'last_poll': self.last_poll,
                'pending_writes': len(self.outbox),
                'jobs': {j: job.summary() for j, job in self.jobs.items()}}
        text = json.dumps(status, indent=2, sort_keys=True)
        if text == self._status_written:
            return
        path = os.path.join(self.options.state_dir, 'status.json')
        try:
            with open(path + '.tmp', 'w') as handle:
                handle.write(text)
            os.replace(path + '.tmp', path)
            self._status_written = text
        except OSError as error:
            LOG.warning('cannot write %s: %s', path, error)
