"""freezer-manage sessions check: silent and 0 when the invariant holds,
one line per violation and exit 1 when it does not."""

import os
import subprocess
import sys

import sqlalchemy as sa

from freezer_api.db.sqlalchemy import models
from freezer_api.tests.functional import apifixture

P = '/v2/p1'


def _check(url, tmp_path):
    config = tmp_path / 'manage.conf'
    config.write_text('[database]\nconnection = %s\n' % url)
    manage = os.path.join(os.path.dirname(sys.executable), 'freezer-manage')
    return subprocess.run([manage, '--config-file', str(config), 'sessions',
                           'check'], capture_output=True, text=True,
                          timeout=120)


def test_sessions_check_reports_violations(tmp_path):
    api = apifixture.API('sqlite')
    try:
        api.request('POST', P + '/clients', {'client_id': 'p1_host1'})
        _, session = api.request('POST', P + '/sessions',
                                 {'session_name': 'nightly'})
        _, member = api.request('POST', P + '/jobs',
                                apifixture.exec_job('nightly'))
        _, loner = api.request('POST', P + '/jobs', apifixture.exec_job())
        result = _check(api.database.url, tmp_path)
        assert result.returncode == 0, result.stderr
        assert 'holds' in result.stdout

        # Break the invariant behind the API's back: a job named like the
        # session that is not its member, and a member that lost its name.
        engine = sa.create_engine(api.database.url)
        with engine.begin() as connection:
            connection.execute(models.jobs.update().where(
                models.jobs.c.id == loner['job_id']).values(
                    session_name='nightly'))
            connection.execute(models.jobs.update().where(
                models.jobs.c.id == member['job_id']).values(
                    session_name=None))
        engine.dispose()
        result = _check(api.database.url, tmp_path)
        assert result.returncode == 1
        lines = result.stdout.strip().splitlines()
        assert any(loner['job_id'] in line and 'not a member' in line
                   for line in lines)
        assert any(member['job_id'] in line and session['session_id'] in line
                   for line in lines)
        assert lines[-1].startswith('2 violation')
    finally:
        api.close()
