"""job-upload: cases 1 and 2 of the named-sessions spec, in bulk."""

import argparse
import collections
from concurrent import futures

from freezer_scheduler.cli import base
from freezer_scheduler.cli import progress
from freezer_scheduler.client import ApiError
from freezer_scheduler import files

# urllib3 keeps 10 connections per host; more threads would open and drop
# connections instead of reusing them.
MAX_PARALLEL = 10

COLUMNS = ('File', 'Job ID', 'Result', 'Session Name', 'Membership',
           'Session ID', 'Detail')


def _parallel(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_PARALLEL:
        raise argparse.ArgumentTypeError(
            'must be a whole number from 1 to %d' % MAX_PARALLEL)
    return value


class Outcome(object):
    """What happened to one job file."""

    def __init__(self, job):
        self.path = job.path
        self.job_id = job.job_id or ''
        self.session_name = job.session_name or ''
        self.result = 'failed'
        # Without a job_id the API picks one: every upload makes a new job.
        self.new_each_upload = job.job_id is None
        # None: not known yet (a replace answer does not say).
        self.session_id = None
        self.details = []

    @property
    def membership(self):
        if self.result == 'failed':
            return ''
        if self.session_id:
            return 'attached'
        return 'pending' if self.session_name else ''

    def row(self):
        return (self.path, self.job_id, self.result, self.session_name,
                self.membership, self.session_id or '',
                '; '.join(self.details))


def upload_job(client, job, outcome):
    """Create (or, with a job_id, create or replace) one job."""
    if job.job_id:
        answer = client.put_job(job.job_id, job.document)
        outcome.result = 'created' if answer.get('version') == 1 \
            else 'replaced'
    else:
        answer = client.create_job(job.document)
        outcome.job_id = answer['job_id']
        outcome.session_id = answer.get('session_id') or ''
        outcome.result = 'created'
        outcome.details.append('no job_id in the file: a new job on every '
                               'upload')


def settle_membership(client, outcomes):
    """Fill in the session of replaced jobs: one lookup per name."""
    sessions = {}
    for outcome in outcomes:
        if outcome.result == 'failed' or outcome.session_id is not None:
            continue
        name = outcome.session_name
        if name and name not in sessions:
            found = client.find_session(name)
            sessions[name] = found['session_id'] if found else ''
        outcome.session_id = sessions.get(name, '')
    for outcome in outcomes:
        if outcome.membership == 'pending':
            outcome.details.append('pending: no session named %r yet'
                                   % outcome.session_name)


class JobUpload(base.FreezerLister):
    """Upload job files; a file with a job_id is created or replaced there.

    A job whose session_name names an existing session joins it; otherwise
    it waits, pending, until a session of that name is created. A file
    without a job_id creates a new job on every upload.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--job-file', metavar='<file>', dest='job_files',
                            action='append', default=[],
                            help='JSON job document (repeat for several).')
        parser.add_argument('--job-dir', metavar='<dir>', dest='job_dirs',
                            action='append', default=[],
                            help='Upload every *.json and *.conf file of '
                                 'this directory.')
        parser.add_argument('--create-session-if-not-exist',
                            metavar='<session-file>', dest='session_file',
                            help='Make sure the session of this file exists '
                                 '(created if missing, else left as it is) '
                                 'and put every uploaded job in it.')
        parser.add_argument('--client-id', metavar='<client-id>',
                            help='Client id of every uploaded job (replaces '
                                 'the files\' client_id).')
        parser.add_argument('--parallel', metavar='<count>',
                            type=_parallel, default=4,
                            help='Uploads in flight at once, over one '
                                 'keep-alive connection pool (1-%d, '
                                 'default 4).' % MAX_PARALLEL)
        return parser

    def take_action(self, parsed_args):
        paths = files.job_paths(parsed_args.job_files, parsed_args.job_dirs)
        jobs = files.load_job_files(paths, parsed_args.client_id)
        session_file = None
        if parsed_args.session_file:
            session_file = files.load_session_file(parsed_args.session_file)
            files.unify_session_name(session_file, jobs)
        client = self.client
        if session_file is not None:
            self.ensure_session(client, session_file)
        outcomes = self.upload_all(client, jobs, parsed_args.parallel)
        settle_membership(client, outcomes)
        self.summarize(outcomes)
        if any(o.result == 'failed' for o in outcomes):
            self.exit_code = base.API_FAILURE
        return COLUMNS, [o.row() for o in outcomes]

    def ensure_session(self, client, session_file):
        name = session_file.session_name
        try:
            answer = client.create_session(session_file.document, 'keep')
        except ApiError as error:
            raise error.concerning(session_file.path, '%s; no job was '
                                   'uploaded' % error.description)
        if answer['created']:
            gathered = len(answer.get('attached_job_ids') or [])
            self.summary.append('session %r: created (%s), gathering %s' % (
                name, answer['session_id'], base.count(gathered,
                                                       'pending job')))
        else:
            self.summary.append('session %r: exists (%s), left as it is'
                                % (name, answer['session_id']))

    def upload_all(self, client, jobs, parallel):
        """Upload every job; outcomes in the order of the files."""
        counter = progress.Progress(self.app.stdout, len(jobs),
                                    'Uploading jobs')
        outcomes = [Outcome(job) for job in jobs]
        done = failed = 0
        # Files hold distinct job_ids, so uploads in flight never touch
        # the same job; the server serialises writes to one session.
        pool = futures.ThreadPoolExecutor(parallel)
        try:
            pending = [pool.submit(upload_job, client, job, outcome)
                       for job, outcome in zip(jobs, outcomes)]
            for future, outcome in zip(pending, outcomes):
                try:
                    future.result()
                except ApiError as error:
                    if error.status is None and done == 0:
                        # Unreachable, or the credentials fail: every
                        # file would fail alike; say it once.
                        raise
                    failed += 1
                    outcome.details.append(base.one_line(error))
                done += 1
                counter.update(done, failed)
        finally:
            # On an interrupt, do not go on uploading what is queued.
            pool.shutdown(wait=True, cancel_futures=True)
            counter.finish()
        return outcomes

    def summarize(self, outcomes):
        say = self.summary.append
        results = collections.Counter(o.result for o in outcomes)
        say('%s: %d created, %d replaced, %d failed' % (
            base.count(len(outcomes), 'job file'), results['created'],
            results['replaced'], results['failed']))
        attached = collections.Counter(
            (o.session_name, o.session_id) for o in outcomes
            if o.membership == 'attached')
        for (name, session_id), count in sorted(attached.items()):
            say('attached to session %s%s: %s' % (
                session_id, ' (%r)' % name if name else '',
                base.count(count, 'job')))
        pending = collections.Counter(
            o.session_name for o in outcomes if o.membership == 'pending')
        for name, count in sorted(pending.items()):
            say('pending (no session named %r yet): %s'
                % (name, base.count(count, 'job')))
        without_id = sum(1 for o in outcomes if o.new_each_upload)
        if without_id:
            say('note: files without a job_id (uploading them again creates '
                'new jobs, duplicates): %d' % without_id)
        for outcome in outcomes:
            if outcome.result == 'failed':
                say('failed: %s: %s' % (outcome.path,
                                        '; '.join(outcome.details)))
