"""Regenerate api-ref/source/samples/*.json from a real freezer-api.

Starts freezer-api (noauth, 127.0.0.1, a fresh state directory), drives
every endpoint the api-ref documents, saves each request body it sends and
each response body it gets, and stops the server. Any status code other
than the expected one aborts the run, so a sample is never a wrong answer.

    python tools/make_api_samples.py . 9405
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

REPO = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else '/work/main')
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 9405
SAMPLES = os.path.join(REPO, 'api-ref', 'source', 'samples')
ROOT = 'http://127.0.0.1:%d' % PORT
PROJECT = uuid.uuid4().hex
USER = uuid.uuid4().hex
BASE = '%s/v2/%s' % (ROOT, PROJECT)
written = []


def save(name, document):
    with open(os.path.join(SAMPLES, name), 'w') as sample:
        json.dump(document, sample, indent=4)
        sample.write('\n')
    written.append(name)


def call(method, path, body=None, expect=200, request=None, response=None,
         root=False):
    url = (ROOT if root else BASE) + path
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header('X-User-Id', USER)
    if data is not None:
        req.add_header('Content-Type', 'application/json')
    try:
        with urllib.request.urlopen(req) as answer:
            status, raw = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    document = json.loads(raw) if raw.strip() else None
    if status != expect:
        sys.exit('%s %s: expected %d, got %d: %s'
                 % (method, path, expect, status, raw[:300]))
    if request:
        save(request, body)
    if response:
        save(response, document)
    return document


def start_server(state):
    conf = os.path.join(state, 'api.conf')
    with open(conf, 'w') as f:
        f.write('[DEFAULT]\nbind_host = 127.0.0.1\nbind_port = %d\n'
                'state_path = %s\nworkers = 1\n[api]\n'
                'auth_strategy = noauth\n' % (PORT, state))
    log = open(os.path.join(state, 'server.log'), 'w')
    server = subprocess.Popen(
        [os.path.join(sys.prefix, 'bin', 'freezer-api'), '--config-file',
         conf], stdout=log, stderr=subprocess.STDOUT)
    for _ in range(100):
        try:
            urllib.request.urlopen(ROOT + '/healthcheck').read()
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    sys.exit('freezer-api did not start; see %s' % log.name)


def versions():
    call('GET', '/', expect=300, response='versions-list-response.json',
         root=True)
    call('GET', '/v2/', response='home-document-response.json', root=True)


def clients():
    db1 = {'client_id': PROJECT + '_db1', 'hostname': 'db1',
           'description': 'MariaDB primary',
           'supported_actions': ['backup', 'restore', 'info'],
           'supported_modes': ['fs', 'mysql'],
           'supported_storages': ['swift', 'local'],
           'supported_engines': ['tar', 'rsync']}
    call('POST', '/clients', db1, 201, 'client-create-request.json',
         'client-create-response.json')
    call('POST', '/clients', {'client_id': PROJECT + '_web1',
                              'hostname': 'web1',
                              'description': 'web front end'}, 201)
    call('GET', '/clients', response='clients-list-response.json')
    call('GET', '/clients/%s_db1' % PROJECT,
         response='client-show-response.json')
    call('POST', '/clients', {'client_id': PROJECT + '_tmp1'}, 201)
    call('DELETE', '/clients/%s_tmp1' % PROJECT, expect=204)


def actions():
    action = {'max_retries': 3, 'max_retries_interval': 60,
              'freezer_action': {'action': 'backup', 'mode': 'fs',
                                 'path_to_backup': '/etc',
                                 'backup_name': 'etc', 'container': 'configs',
                                 'storage': 'swift'}}
    made = call('POST', '/actions', action, 201, 'action-create-request.json',
                'action-create-response.json')
    aid = made['action_id']
    call('GET', '/actions', response='actions-list-response.json')
    call('GET', '/actions/' + aid, response='action-show-response.json')
    call('PATCH', '/actions/' + aid,
         {'max_retries': 5, 'freezer_action': {'action': 'backup',
                                               'container': 'configs-2'}},
         200, 'action-update-request.json', 'action-update-response.json')
    action['freezer_action']['path_to_backup'] = '/etc/mysql'
    action['freezer_action']['backup_name'] = 'etc-mysql'
    call('POST', '/actions/' + aid, action, 201,
         'action-replace-request.json', 'action-replace-response.json')
    call('DELETE', '/actions/' + aid, expect=204)


def mysql_job():
    return {'description': 'nightly MariaDB dump',
            'client_id': PROJECT + '_db1',
            'session_name': 'nightly-db',
            'job_schedule': {'schedule_interval': '1 days'},
            'job_actions': [{'max_retries': 3, 'max_retries_interval': 60,
                             'freezer_action': {
                                 'action': 'backup', 'mode': 'mysql',
                                 'path_to_backup': '/var/lib/mysql',
                                 'backup_name': 'mysql',
                                 'container': 'db-backups',
                                 'storage': 'swift'}}]}


def web_job():
    return {'description': 'web content',
            'client_id': PROJECT + '_web1',
            'session_name': 'nightly-db',
            'job_schedule': {'schedule_interval': '2 days'},
            'job_actions': [{'freezer_action': {
                'action': 'backup', 'mode': 'fs',
                'path_to_backup': '/srv/www', 'backup_name': 'www',
                'container': 'web-backups', 'storage': 'swift'}}]}


def jobs_and_sessions():
    # A standalone job: the whole job life cycle.
    standalone = {
        'description': 'weekly /etc backup',
        'client_id': PROJECT + '_db1',
        'job_schedule': {'schedule_interval': '7 days',
                         'schedule_start_date': '2026-12-06T02:00:00'},
        'action_defaults': {'storage': 'swift', 'container': 'configs'},
        'job_actions': [{'freezer_action': {'action': 'backup', 'mode': 'fs',
                                            'path_to_backup': '/etc',
                                            'backup_name': 'etc'},
                         'max_retries': 2, 'max_retries_interval': 30,
                         'mandatory': True}]}
    made = call('POST', '/jobs', standalone, 201, 'job-create-request.json',
                'job-create-response.json')
    jid = made['job_id']
    call('GET', '/jobs/' + jid, response='job-show-response.json')
    call('PATCH', '/jobs/' + jid,
         {'description': 'weekly /etc backup (kept 4 weeks)',
          'job_schedule': {'schedule_start_date': '2026-12-07T02:00:00'}},
         200, 'job-update-request.json', 'job-update-response.json')
    replaced = dict(standalone, description='weekly /etc and /root backup')
    replaced['job_actions'] = standalone['job_actions'] + [{
        'freezer_action': {'action': 'backup', 'mode': 'fs',
                           'path_to_backup': '/root', 'backup_name': 'root',
                           'container': 'configs', 'storage': 'swift'}}]
    call('POST', '/jobs/' + jid, replaced, 201, 'job-replace-request.json',
         'job-replace-response.json')
    call('POST', '/jobs/%s/event' % jid, {'start': None}, 202,
         'job-event-request.json', 'job-event-response.json')

    # Named sessions: a pending job, then its session gathers it.
    mysql = call('POST', '/jobs', mysql_job(), 201,
                 'job-create-pending-request.json',
                 'job-create-pending-response.json')
    session_doc = {'session_name': 'nightly-db',
                   'description': 'consistent nightly dump of db1 and web1',
                   'hold_off': 60,
                   'schedule': {'schedule_interval': '1 days',
                                'schedule_start_date': '2026-12-05T01:00:00'}}
    made = call('POST', '/sessions', session_doc, 201,
                'session-create-request.json', 'session-create-response.json')
    sid = made['session_id']
    call('POST', '/sessions', session_doc, 409,
         response='session-create-conflict-response.json')
    call('POST', '/sessions?if_exists=keep', session_doc, 200,
         response='session-create-keep-response.json')
    call('POST', '/sessions?if_exists=update',
         {'session_name': 'nightly-db', 'hold_off': 120,
          'schedule': {'schedule_interval': '1 days',
                       'schedule_start_date': '2026-12-05T02:00:00'}},
         200, 'session-create-update-request.json',
         'session-create-update-response.json')
    web = call('POST', '/jobs', web_job(), 201,
               'job-create-member-request.json',
               'job-create-member-response.json')
    call('GET', '/jobs?session_name=nightly-db',
         response='jobs-list-response.json')
    call('GET', '/jobs', {'match': [{'client_id': PROJECT + '_db1'}],
                          'match_not': [{'session_name': 'nightly-db'}]},
         request='jobs-search-request.json')
    call('PATCH', '/sessions/' + sid,
         {'description': 'nightly dump of db1 and web1', 'hold_off': 60},
         200, 'session-update-request.json', 'session-update-response.json')

    # One run: both members join and succeed.
    start = {'start': {'job_id': mysql['job_id'], 'current_tag': 0}}
    call('POST', '/sessions/%s/action' % sid, start, 202,
         'session-start-request.json', 'session-start-response.json')
    call('POST', '/sessions/%s/action' % sid,
         {'start': {'job_id': web['job_id'], 'current_tag': 0}}, 202)
    call('POST', '/sessions/%s/action' % sid,
         {'start': {'job_id': mysql['job_id'], 'current_tag': 1}}, 202,
         response='session-start-hold-off-response.json')
    call('GET', '/sessions/' + sid, response='session-show-running.json')
    end = {'end': {'job_id': mysql['job_id'], 'result': 'success'}}
    call('POST', '/sessions/%s/action' % sid, end, 202,
         'session-end-request.json', 'session-end-response.json')
    call('POST', '/sessions/%s/action' % sid,
         {'end': {'job_id': web['job_id'], 'result': 'success'}}, 202)
    call('GET', '/sessions/' + sid, response='session-show-response.json')
    call('GET', '/jobs/' + web['job_id'],
         response='job-show-member-response.json')

    # A second session whose window closes at once: out-of-sync answers.
    quick = call('POST', '/sessions', {'session_name': 'adhoc',
                                       'hold_off': 1}, 201)
    qid = quick['session_id']
    call('PUT', '/sessions/%s/jobs/%s' % (qid, web['job_id']), expect=204)
    call('PUT', '/sessions/%s/jobs/%s' % (qid, jid), expect=204)
    call('POST', '/sessions/%s/action' % qid,
         {'start': {'job_id': jid, 'current_tag': 0}}, 202)
    time.sleep(2.5)
    call('POST', '/sessions/%s/action' % qid,
         {'start': {'job_id': web['job_id'], 'current_tag': 0}}, 202,
         response='session-start-out-of-sync-response.json')
    call('POST', '/sessions/%s/action' % qid,
         {'end': {'job_id': jid, 'result': 'fail'}}, 202)
    call('GET', '/sessions/' + qid, response='session-show-failed.json')
    call('GET', '/sessions', response='sessions-list-response.json')
    call('DELETE', '/sessions/%s/jobs/%s' % (qid, web['job_id']),
         expect=204)
    call('DELETE', '/sessions/%s/jobs/%s' % (qid, web['job_id']),
         expect=404, response='session-remove-job-not-member-response.json')
    call('POST', '/sessions/' + qid,
         {'session_name': 'adhoc-restore', 'description': 'on demand',
          'hold_off': 30, 'session_tag': 1,
          'schedule': {'schedule_date': '2026-12-24T18:00:00'}},
         201, 'session-replace-request.json', 'session-replace-response.json')
    call('PATCH', '/sessions/' + qid, {'session_name': 'nightly-db'}, 409,
         request='session-rename-request.json',
         response='session-rename-conflict-response.json')
    call('DELETE', '/sessions/' + qid, expect=204)
    call('GET', '/sessions/' + qid, expect=404,
         response='error-not-found-response.json')
    call('DELETE', '/jobs/' + jid, expect=204)


def backups():
    backup = {'container': 'db-backups', 'hostname': 'db1',
              'backup_name': 'mysql', 'status': 'available',
              'time_stamp': 1796400000, 'level': 0, 'mode': 'mysql',
              'engine_name': 'tar', 'storage': 'swift',
              'path_to_backup': '/var/lib/mysql', 'curr_backup_level': 0}
    made = call('POST', '/backups', backup, 201, 'backup-create-request.json',
                'backup-create-response.json')
    bid = made['backup_id']
    call('GET', '/backups', response='backups-list-response.json')
    call('GET', '/backups/' + bid, response='backup-show-response.json')
    call('PATCH', '/backups/' + bid,
         {'status': 'deleting', 'backup_metadata': {'level': 1}},
         200, 'backup-update-request.json', 'backup-update-response.json')
    call('DELETE', '/backups/' + bid, expect=204)


def main():
    os.makedirs(SAMPLES, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix='freezer-samples-') as state:
        server = start_server(state)
        try:
            versions()
            clients()
            actions()
            jobs_and_sessions()
            backups()
            call('POST', '/sessions', {'session_name': ' padded'}, 400,
                 response='error-bad-request-response.json')
        finally:
            server.terminate()
            server.wait(timeout=30)
    print('%d samples written to %s' % (len(written), SAMPLES))


if __name__ == '__main__':
    main()
