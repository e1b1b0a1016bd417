"""``--no-api``: jobs come from JSON files, state stays in memory.

Same interface as ``api.Gateway``, so the daemon runs unchanged. Files: every
``*.conf`` (any case) in jobs_dir, or jobs_dir itself when it is a file,
read once at start; each holds one JSON job document. Sessions need the API:
a member job never runs here (it is told so and waits).
"""

import copy
import glob
import json
import logging
import os
import uuid

from freezer_scheduler.daemon import api

LOG = logging.getLogger(__name__)


def read_job_files(path):
    """The job documents of ``path`` (a folder or one file)."""
    if os.path.isfile(path):
        names = [path]
    else:
        names = sorted(n for n in glob.glob(os.path.join(path, '*'))
                       if n.lower().endswith('.conf') and os.path.isfile(n))
    jobs = []
    for name in names:
        try:
            with open(name) as handle:
                document = json.load(handle)
        except (OSError, ValueError) as error:
            LOG.error('job file %s skipped: %s', name, error)
            continue
        if not document:
            continue
        if not isinstance(document, dict) or not isinstance(
                document.get('job_actions'), list):
            LOG.error('job file %s skipped: not a job (an object with '
                      'job_actions)', name)
            continue
        document.setdefault('job_id', uuid.uuid4().hex)
        if not isinstance(document.get('job_schedule'), dict):
            document['job_schedule'] = {}
        jobs.append(document)
    return jobs


class LocalGateway(object):
    def __init__(self, jobs_dir):
        self.jobs_dir = jobs_dir
        self.jobs = None

    def _all(self):
        if self.jobs is None:
            self.jobs = {d['job_id']: d for d in read_job_files(
                self.jobs_dir)}
            LOG.info('%d job(s) read from %s', len(self.jobs), self.jobs_dir)
        return self.jobs

    def register_client(self, client):
        return True

    def list_jobs(self, client_id, all_projects=False):
        return [copy.deepcopy(d) for d in self._all().values()
                if d['job_schedule'].get('status') != 'completed']

    def get_job(self, job_id):
        found = self._all().get(job_id)
        return copy.deepcopy(found) if found else None

    def patch_job(self, job_id, body):
        job = self._all().get(job_id)
        if job is None:
            raise api.ApiError(404, 'no job %s' % job_id)
        job['job_schedule'].update(body.get('job_schedule') or {})
        if 'session_tag' in body:
            job['session_tag'] = body['session_tag']

    def session_action(self, session_id, body):
        raise api.ApiError(501, 'sessions need the API (--no-api is set)')

    def get_session(self, session_id):
        raise api.ApiError(501, 'sessions need the API (--no-api is set)')

    def create_backup(self, metadata):
        LOG.info('--no-api: backup metadata of job %s not uploaded',
                 metadata.get('job_id'))
