"""What every benchmark shares: databases, a real server, seeding, wrk.

Nothing here asserts on time. Each benchmark starts its own ``freezer-api``
(noauth, 127.0.0.1, a port from 9500-9549, its own state_path or a fresh
MariaDB/PostgreSQL database), loads it, prints figures and stops it by PID.
"""

import argparse
import collections
import contextlib
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import sqlalchemy as sa

from freezer_api.db.sqlalchemy import api as sql_api
from freezer_api.db.sqlalchemy import engine as engine_module
from freezer_api.db.sqlalchemy import models
from freezer_api.domain import actions as actions_domain
from freezer_api.domain import clients as clients_domain
from freezer_api.domain import jobs as jobs_domain
from freezer_api.domain import schedules

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
WRK_DIR = os.path.join(BENCH_DIR, 'wrk')
PORTS = range(9500, 9550)
BACKENDS = ('sqlite', 'mysql', 'postgresql')
ADMIN_URLS = {
    'mysql': os.environ.get('FREEZER_BENCH_MYSQL_URL',
                            'mysql+pymysql://root@127.0.0.1:3306/mysql'),
    'postgresql': os.environ.get(
        'FREEZER_BENCH_POSTGRESQL_URL',
        'postgresql+psycopg://postgres@127.0.0.1:5432/postgres'),
}
USER_ID = 'bench-user'


class BenchError(Exception):
    """A benchmark could not run (not a slow figure: a broken setup)."""


def say(text=''):
    print(text, flush=True)


def _tool(name):
    """An executable of this virtualenv (next to python), else on PATH."""
    local = os.path.join(os.path.dirname(sys.executable), name)
    if os.access(local, os.X_OK):
        return local
    found = shutil.which(name)
    if found is None:
        raise BenchError('%s is not installed' % name)
    return found


def machine_facts():
    model = platform.processor() or '?'
    try:
        with open('/proc/cpuinfo') as cpuinfo:
            for line in cpuinfo:
                if line.startswith('model name'):
                    model = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        wrk = subprocess.run([_tool('wrk'), '--version'], capture_output=True,
                             text=True).stdout.splitlines()[0]
    except (BenchError, IndexError):
        wrk = 'wrk: not installed'
    return 'nproc=%d; CPU: %s; Python %s; %s' % (
        os.cpu_count(), model, platform.python_version(),
        ' '.join(wrk.split()[:2]))


# -- databases -------------------------------------------------------------

class Database(object):
    """A fresh database: SQLite in a temp state_path, or a new MariaDB or
    PostgreSQL database created here and dropped by ``drop()``."""

    def __init__(self, backend):
        if backend not in BACKENDS:
            raise BenchError('unknown backend %r' % backend)
        self.backend = backend
        self.name = None
        if backend != 'sqlite':
            name = 'freezer_bench_%s' % uuid.uuid4().hex[:10]
            self._admin('CREATE DATABASE %s CHARACTER SET utf8mb4' % name
                        if backend == 'mysql' else
                        'CREATE DATABASE %s' % name)
            self.name = name
        # Config file, server log and (SQLite) the database live here.
        self.tempdir = tempfile.mkdtemp(prefix='freezer-bench-')
        self.state_path = os.path.join(self.tempdir, 'state')
        if backend == 'sqlite':
            self.url = 'sqlite:///%s/freezer.sqlite' % self.state_path
            self.connection = None     # freezer-api uses its state_path
            return
        self.url = sa.engine.make_url(ADMIN_URLS[backend]).set(
            database=self.name).render_as_string(hide_password=False)
        self.connection = self.url

    def _admin(self, statement):
        engine = sa.create_engine(ADMIN_URLS[self.backend],
                                  isolation_level='AUTOCOMMIT')
        try:
            with engine.connect() as connection:
                connection.execute(sa.text(statement))
        except sa.exc.OperationalError as error:
            raise BenchError('%s unreachable at %s: %s' % (
                self.backend, ADMIN_URLS[self.backend].split('@')[-1],
                str(error).splitlines()[0][:200]))
        finally:
            engine.dispose()

    def drop(self):
        if self.name is not None:
            force = ' WITH (FORCE)' if self.backend == 'postgresql' else ''
            self._admin('DROP DATABASE IF EXISTS %s%s' % (self.name, force))
        shutil.rmtree(self.tempdir, ignore_errors=True)


# -- the server --------------------------------------------------------------

# "... ERROR freezer_api.api.errors sqlalchemy.exc.OperationalError: ..."
_EXCEPTION_LINE = re.compile(r' ERROR \S+ ((?:[\w]+\.)*\w*(?:Error|Exception|'
                             r'Deadlock|Entry)\b.*)$')


def free_port():
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(('127.0.0.1', port))
            except OSError:
                continue
            return port
    raise BenchError('no free port in %d-%d' % (PORTS[0], PORTS[-1]))


class Server(object):
    """``freezer-api`` on one database; ``pid`` is the gunicorn master."""

    def __init__(self, database, workers=None, threads=None):
        self.database = database
        self.workers = workers
        self.threads = threads
        self.port = None
        self.process = None
        self.config_file = os.path.join(database.tempdir, 'freezer-api.conf')
        self.log_file = os.path.join(database.tempdir, 'freezer-api.log')

    def _write_config(self):
        lines = ['[DEFAULT]', 'bind_host = 127.0.0.1',
                 'bind_port = %d' % self.port,
                 'state_path = %s' % self.database.state_path]
        if self.workers:
            lines.append('workers = %d' % self.workers)
        if self.threads:
            lines.append('threads_per_worker = %d' % self.threads)
        lines += ['[api]', 'auth_strategy = noauth',
                  # The poll of (b) reads 100 jobs in one page.
                  'max_limit = 1000']
        if self.database.connection:
            lines += ['[database]',
                      'connection = %s' % self.database.connection]
        with open(self.config_file, 'w') as config:
            config.write('\n'.join(lines) + '\n')

    def start(self):
        self.port = free_port()
        self._write_config()
        if self.database.connection:
            sync = subprocess.run(
                [_tool('freezer-manage'), '--config-file', self.config_file,
                 'db', 'sync'], capture_output=True, text=True)
            if sync.returncode != 0:
                raise BenchError('freezer-manage db sync failed: %s'
                                 % sync.stderr.strip()[-500:])
        log = open(self.log_file, 'wb')
        self.process = subprocess.Popen(
            [_tool('freezer-api'), '--config-file', self.config_file],
            stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError('freezer-api exited (%s): %s' % (
                    self.process.returncode, self.log_tail()))
            try:
                status, _, _ = request(self.port, 'GET', '/healthcheck')
                # freezer-api's default: one worker per core.
                if status == 200 and len(self.worker_pids()) >= (
                        self.workers or os.cpu_count()):
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise BenchError('freezer-api did not answer in 60 s: %s'
                         % self.log_tail())

    @property
    def pid(self):
        return self.process.pid

    def worker_pids(self):
        """The gunicorn workers: the master's child processes."""
        path = '/proc/%d/task/%d/children' % (self.pid, self.pid)
        try:
            with open(path) as children:
                return [int(p) for p in children.read().split()]
        except OSError:
            return []

    def log_tail(self, size=2000):
        try:
            with open(self.log_file, 'rb') as log:
                return log.read()[-size:].decode('utf-8', 'replace')
        except OSError:
            return ''

    def errors_since(self, offset):
        """(new offset, {exception line: count}) of errors logged since."""
        found = collections.Counter()
        try:
            with open(self.log_file, 'rb') as log:
                log.seek(offset)
                text = log.read()
        except OSError:
            return offset, found
        # A traceback is logged as lines sharing "date time pid"; its last
        # exception line is the one that reached the API.
        last = {}
        for line in text.decode('utf-8', 'replace').splitlines():
            match = _EXCEPTION_LINE.search(line)
            if match:
                last[' '.join(line.split()[:3])] = match.group(1)[:160]
        found.update(last.values())
        return offset + len(text), found

    def stop(self):
        """SIGTERM the master (it stops its workers); SIGKILL if stuck."""
        if self.process is None or self.process.poll() is not None:
            return
        workers = self.worker_pids()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            for pid in [self.pid] + workers:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.process.wait()

    def base_url(self):
        return 'http://127.0.0.1:%d' % self.port


@contextlib.contextmanager
def running_server(backend, workers=None, threads=None):
    """A fresh database and a server on it; both gone afterwards."""
    database = Database(backend)
    server = Server(database, workers, threads)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        database.drop()


# -- HTTP --------------------------------------------------------------------

class Client(object):
    """One keep-alive connection; ``call`` answers (status, JSON, seconds).

    The time runs from sending the request to having read the whole body,
    before it is parsed.
    """

    def __init__(self, port, timeout=300):
        self.connection = http.client.HTTPConnection('127.0.0.1', port,
                                                     timeout=timeout)

    def call(self, method, path, body=None, headers=None):
        payload = None if body is None else json.dumps(body).encode()
        all_headers = {'Accept': 'application/json', 'X-User-Id': USER_ID}
        if payload is not None:
            all_headers['Content-Type'] = 'application/json'
        all_headers.update(headers or {})
        started = time.perf_counter()
        self.connection.request(method, path, body=payload,
                                headers=all_headers)
        response = self.connection.getresponse()
        raw = response.read()
        elapsed = time.perf_counter() - started
        if raw and 'json' in (response.getheader('Content-Type') or ''):
            document = json.loads(raw)
        else:
            document = raw.decode('utf-8', 'replace')
        return response.status, document, elapsed

    def expect(self, status, method, path, body=None):
        got, document, elapsed = self.call(method, path, body)
        if got != status:
            raise BenchError('%s %s answered %d, not %d: %s' % (
                method, path, got, status, json.dumps(document)[:300]))
        return document, elapsed

    def close(self):
        self.connection.close()


def request(port, method, path, body=None):
    client = Client(port, timeout=5)
    try:
        return client.call(method, path, body)
    finally:
        client.close()


# -- seeding ---------------------------------------------------------------

def storage_for(database):
    """A storage-layer handle on the server's database, for seeding."""
    return sql_api.Storage(engine_module.create_engine(database.url))


def client_document(client_id):
    return {'client_id': client_id, 'hostname': client_id.split('_')[-1],
            'description': 'bench host'}


def register_clients(storage, project_id, client_ids):
    """Register clients exactly as POST /clients does, in one transaction."""
    def register_all(tx):
        for client_id in client_ids:
            clients_domain.register(tx, project_id, USER_ID,
                                    client_document(client_id))
    storage.run(register_all)


def job_document(client_id, session_name=None, status=None, index=0):
    """A typical scheduler job: one file-system backup, daily."""
    schedule = {'schedule_interval': '1 days'}
    if status is not None:
        schedule['status'] = status
    document = {
        'client_id': client_id,
        'description': 'nightly backup %d of %s' % (index, client_id),
        'job_schedule': schedule,
        'job_actions': [{
            'freezer_action': {
                'action': 'backup', 'mode': 'fs', 'storage': 'swift',
                'path_to_backup': '/etc', 'backup_name': 'etc-%d' % index,
                'container': 'freezer_%s' % client_id},
            'max_retries': 3, 'max_retries_interval': 60,
            'mandatory': False}],
    }
    if session_name is not None:
        document['session_name'] = session_name
    return document


def job_rows(project_id, document):
    """(job row, action rows, job_action rows) the API writes for a new job
    (``jobs.create``) that joins no session, built with the domain code."""
    document = jobs_domain.prepare(document)
    job_id = schedules.new_id()
    row = jobs_domain._new_job_row(project_id, USER_ID, job_id, document,
                                   True)
    action_rows, link_rows = [], []
    for position, entry in enumerate(document['job_actions']):
        action = actions_domain.action_row(project_id, USER_ID,
                                           schedules.new_id(), entry)
        action_rows.append(action)
        # The shape Transaction.replace_job_actions inserts.
        link_rows.append({'id': schedules.new_id(), 'job_id': job_id,
                          'action_id': action['id'], 'position': position,
                          'mandatory': entry.get('mandatory')})
    return row, action_rows, link_rows


def seed_jobs(storage, project_id, documents, batch=5000):
    """Insert jobs (pending or sessionless) in bulk; their ids.

    The rows are those ``jobs.create`` writes (see ``job_rows``); only the
    per-job round trips are saved. ``check_seeding`` proves the equality.
    """
    job_ids = []
    pending = ([], [], [])

    def flush(tx):
        connection = tx.connection
        if pending[0]:
            connection.execute(models.actions.insert(), pending[1])
            connection.execute(models.jobs.insert(), pending[0])
            connection.execute(models.job_actions.insert(), pending[2])
        for rows in pending:
            del rows[:]

    for document in documents:
        row, action_rows, link_rows = job_rows(project_id, document)
        pending[0].append(row)
        pending[1].extend(action_rows)
        pending[2].extend(link_rows)
        job_ids.append(row['id'])
        if len(pending[0]) >= batch:
            storage.run(flush)
    storage.run(flush)
    return job_ids


def analyze(storage):
    """Give MariaDB/PostgreSQL statistics for the bulk-seeded rows.

    A real database gets them from autovacuum / InnoDB's automatic
    statistics as jobs trickle in; right after a bulk insert it has none
    yet and PostgreSQL picks a spilling hash join for the job actions of a
    poll (~10x slower). SQLite is left alone: freezer-api never runs
    ANALYZE there, so its planner works without statistics in production
    too.
    """
    dialect = storage.engine.dialect.name
    if dialect == 'postgresql':
        statement = 'ANALYZE'
    elif dialect in ('mysql', 'mariadb'):
        statement = ('ANALYZE TABLE jobs, actions, job_actions, sessions, '
                     'clients, session_name_locks')
    else:
        return
    with storage.engine.connect() as connection:
        result = connection.exec_driver_sql(statement)
        if result.returns_rows:      # MariaDB answers with a status table
            result.fetchall()
        connection.commit()


_VOLATILE = {'id', 'job_id', 'action_id', 'created_at', 'updated_at',
             'time_created'}


def _stored(storage, job_id):
    """A job's rows with ids and clocks masked, for comparing."""
    def read(tx):
        job = dict(tx._exec(sa.select(models.jobs).where(
            models.jobs.c.id == job_id)).mappings().one())
        links = [dict(r) for r in tx._exec(
            sa.select(models.job_actions).where(
                models.job_actions.c.job_id == job_id)
            .order_by(models.job_actions.c.position)).mappings()]
        found = [dict(tx._exec(sa.select(models.actions).where(
            models.actions.c.id == link['action_id'])).mappings().one())
            for link in links]
        return job, links, found

    def mask(row):
        return {k: v for k, v in row.items() if k not in _VOLATILE}

    job, links, found = storage.run(read, write=False)
    return (mask(job), [mask(r) for r in links], [mask(r) for r in found],
            job['created_at'] is not None)


def check_seeding(storage, port, project_id='bench-seedcheck'):
    """Write one job through the API and one through ``seed_jobs`` from the
    same document; their rows must be equal but for ids and clocks."""
    client_id = 'bench_seedcheck'
    register_clients(storage, project_id, [client_id])
    document = job_document(client_id, session_name='seedcheck', index=7)
    http_client = Client(port)
    try:
        answer, _ = http_client.expect(201, 'POST',
                                       '/v2/%s/jobs' % project_id, document)
    finally:
        http_client.close()
    seeded, = seed_jobs(storage, project_id, [document])
    via_api = _stored(storage, answer['job_id'])
    via_seed = _stored(storage, seeded)
    if via_api != via_seed:
        raise BenchError('seeded rows differ from API rows:\n  API  %r\n  '
                         'seed %r' % (via_api, via_seed))
    return 'seeded rows = API rows (ids and clocks aside)'


# -- wrk -------------------------------------------------------------------

def cpu_seconds(pids):
    """User + system CPU seconds these processes have used so far."""
    ticks = os.sysconf('SC_CLK_TCK')
    total = 0
    for pid in pids:
        try:
            with open('/proc/%d/stat' % pid) as stat:
                fields = stat.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / float(ticks)


def wrk(url, script, connections, duration, body=None, threads=1,
        timeout=30, server=None):
    """Run wrk with one of bench/wrk/*.lua; the figures its done() prints.

    Returns requests, rps, ok_rps (answers below 400 only), p50/p90/p99/max
    latency in ms and the error counts; ``errors`` sums them. With
    ``server``, also ``cpu_ms``: the workers' CPU time per request, a figure
    other load on the machine disturbs far less than the rate; and
    ``load``: the 1-minute load average afterwards.
    """
    pids = server.worker_pids() if server is not None else []
    cpu_before = cpu_seconds(pids)
    log_offset = server.errors_since(0)[0] if server is not None else 0
    env = dict(os.environ, WRK_LUA_DIR=WRK_DIR, BENCH_BODY=body or '')
    command = [_tool('wrk'), '-t%d' % threads, '-c%d' % connections,
               '-d%ds' % duration, '--timeout', '%ds' % timeout,
               '-s', os.path.join(WRK_DIR, script), url]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    for line in done.stdout.splitlines():
        if line.startswith('BENCH_JSON '):
            figures = json.loads(line[len('BENCH_JSON '):])
            break
    else:
        raise BenchError('wrk printed no figures (%d): %s %s' % (
            done.returncode, done.stdout[-500:], done.stderr[-500:]))
    seconds = figures['duration_us'] / 1e6
    figures['rps'] = figures['requests'] / seconds if seconds else 0.0
    figures['ok_rps'] = (figures['requests'] - figures['status_errors']) / (
        seconds or 1.0)
    figures['cpu_ms'] = ((cpu_seconds(pids) - cpu_before) * 1000.0
                         / max(figures['requests'], 1)) if pids else None
    figures['load'] = os.getloadavg()[0]
    figures['server_errors'] = (server.errors_since(log_offset)[1]
                                if server is not None else {})
    for key in ('p50', 'p90', 'p99', 'max', 'mean'):
        figures[key + '_ms'] = figures[key + '_us'] / 1000.0
    figures['errors'] = sum(figures[k] for k in (
        'connect_errors', 'read_errors', 'write_errors', 'status_errors',
        'timeouts'))
    return figures


def describe_wrk(figures):
    text = ('%8.1f req/s  p50 %6.2f ms  p90 %6.2f ms  p99 %6.2f ms  '
            'max %7.2f ms  (%d requests)' % (
                figures['rps'], figures['p50_ms'], figures['p90_ms'],
                figures['p99_ms'], figures['max_ms'], figures['requests']))
    if figures['cpu_ms'] is not None:
        text += '  server CPU %.2f ms/req' % figures['cpu_ms']
    text += '  load %.1f' % figures['load']
    if figures['errors']:
        text += ('\n      ERRORS: %d answers >= 400 (%.1f ok req/s), '
                 '%d socket errors, %d timeouts' % (
                     figures['status_errors'], figures['ok_rps'],
                     figures['connect_errors'] + figures['read_errors']
                     + figures['write_errors'], figures['timeouts']))
    if figures['errors']:
        text += '\n      statuses: %s; first error: %s' % (
            ', '.join('%s x %d' % (k, v) for k, v in sorted(
                figures['statuses'].items())),
            figures['first_error'][:200] or '-')
    for line, count in figures['server_errors'].most_common(3):
        text += '\n      server log, %d x: %s' % (count, line)
    return text


# -- memory ----------------------------------------------------------------

def memory_kb(pid):
    """{'Pss': kB, 'Rss': kB, 'Private': kB} from /proc/<pid>/smaps_rollup."""
    values = {}
    with open('/proc/%d/smaps_rollup' % pid) as rollup:
        for line in rollup:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(':'):
                try:
                    values[parts[0][:-1]] = int(parts[1])
                except ValueError:
                    pass
    return {'Pss': values.get('Pss', 0), 'Rss': values.get('Rss', 0),
            'Private': values.get('Private_Clean', 0)
            + values.get('Private_Dirty', 0)}


def describe_memory(server):
    parts = []
    for pid in server.worker_pids():
        memory = memory_kb(pid)
        parts.append('worker %d: PSS %.1f MB (RSS %.1f, private %.1f)' % (
            pid, memory['Pss'] / 1024.0, memory['Rss'] / 1024.0,
            memory['Private'] / 1024.0))
    master = memory_kb(server.pid)
    parts.append('master: PSS %.1f MB' % (master['Pss'] / 1024.0))
    return '; '.join(parts)


# -- command line ------------------------------------------------------------

def argument_parser(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--backend', action='append', choices=BACKENDS,
                        help='database to run on (repeatable); '
                             'default: see the script')
    parser.add_argument('--duration', type=int, default=10,
                        help='seconds of each wrk run (default 10)')
    parser.add_argument('--workers', type=int,
                        help='gunicorn workers (default: freezer-api\'s '
                             'own default, one per core)')
    parser.add_argument('--threads', type=int,
                        help='threads per worker (default: freezer-api\'s '
                             'own default)')
    return parser


def main_guard(run):
    """Run ``run()``; a BenchError is a one-line message and exit 2."""
    try:
        return run()
    except BenchError as error:
        sys.stderr.write('bench: %s\n' % error)
        return 2
    except KeyboardInterrupt:
        return 130
