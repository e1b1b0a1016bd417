"""Issue 3 figures: named sessions over many jobs.

    python bench/named_sessions.py [--backend sqlite --backend mysql ...]
                                   [--duration 10] [--repeat 3]

On each backend (default: SQLite, MariaDB and PostgreSQL), with a fresh
database behind a freshly started ``freezer-api``:

(d) creating a named session over 10,000 pending jobs (100 clients x 100
    jobs all named N, no session N yet): the seconds of the one
    POST /v2/p1/sessions {"session_name": N, ...}, which must attach all
    10,000 (repeated --repeat times with fresh names);
(e) GET /v2/p1/sessions/<id> of a session with 10,000 members: ms per
    request over one keep-alive connection (20 requests);
(f) job create with a session_name whose session exists (the one of (d),
    10,000 members) vs plain job create: req/s with 8 keep-alive
    connections, alternating plain and named runs twice; the ratio
    named/plain.

Targets (issue 3): (d) <= 1 s, (e) <= 200 ms, (f) >= 80 % of plain.
"""

import json
import statistics

import common

PROJECT = 'p1'
CLIENTS = ['p1_host%04d' % i for i in range(100)]
MEMBERS = 10000
GETS = 20
ROUNDS = 2
WARMUP_SECONDS = 2


def session_document(name):
    return {'session_name': name, 'description': 'bench session',
            'hold_off': 60, 'schedule': {'schedule_interval': '1 days'}}


def seed_pending(storage, name):
    """MEMBERS pending jobs named ``name``, spread over the clients."""
    documents = (common.job_document(CLIENTS[i % len(CLIENTS)],
                                     session_name=name, index=i)
                 for i in range(MEMBERS))
    return common.seed_jobs(storage, PROJECT, documents)


def measure_session_create(server, storage, repeat):
    """(d): seconds per creation; the id of the first session."""
    client = common.Client(server.port)
    first_id, timings = None, []
    try:
        for number in range(repeat):
            name = 'nightly-%d' % number
            job_ids = seed_pending(storage, name)
            common.analyze(storage)
            answer, elapsed = client.expect(
                201, 'POST', '/v2/%s/sessions' % PROJECT,
                session_document(name))
            if sorted(answer['attached_job_ids']) != sorted(job_ids):
                raise common.BenchError(
                    'session %s attached %d jobs, not the %d pending ones'
                    % (name, len(answer['attached_job_ids']), len(job_ids)))
            timings.append(elapsed)
            first_id = first_id or answer['session_id']
    finally:
        client.close()
    common.say('  (d) create session over %d pending jobs: %s s '
               '(median %.3f s)' % (MEMBERS, ', '.join(
                   '%.3f' % t for t in timings), statistics.median(timings)))
    return first_id


def measure_session_get(server, session_id):
    client = common.Client(server.port)
    path = '/v2/%s/sessions/%s' % (PROJECT, session_id)
    timings = []
    try:
        for _ in range(GETS):
            document, elapsed = client.expect(200, 'GET', path)
            if len(document['jobs']) != MEMBERS:
                raise common.BenchError('session %s shows %d members, not '
                                        '%d' % (session_id,
                                                len(document['jobs']),
                                                MEMBERS))
            timings.append(elapsed * 1000.0)
    finally:
        client.close()
    timings.sort()
    common.say('  (e) GET session with %d members: p50 %.1f ms  min %.1f ms'
               '  max %.1f ms  (%d requests)' % (
                   MEMBERS, statistics.median(timings), timings[0],
                   timings[-1], GETS))


def measure_named_create(server, duration, session_name):
    url = server.base_url() + '/v2/%s/jobs' % PROJECT
    bodies = {
        'plain': json.dumps(common.job_document(CLIENTS[0])),
        'named': json.dumps(common.job_document(
            CLIENTS[1], session_name=session_name)),
    }
    client = common.Client(server.port)
    try:
        answer, _ = client.expect(201, 'POST', '/v2/%s/jobs' % PROJECT,
                                  json.loads(bodies['named']))
    finally:
        client.close()
    if not answer['session_id']:
        raise common.BenchError('a job named %s joined no session'
                                % session_name)
    common.wrk(url, 'post_json.lua', 8, WARMUP_SECONDS, body=bodies['plain'])
    rates = {'plain': [], 'named': []}
    for _ in range(ROUNDS):
        for kind in ('plain', 'named'):
            figures = common.wrk(url, 'post_json.lua', 8, duration,
                                 body=bodies[kind], server=server)
            rates[kind].append(figures['ok_rps'])
            common.say('  (f) job create, %s, 8 conn: %s'
                       % (kind, common.describe_wrk(figures)))
    plain = statistics.mean(rates['plain'])
    named = statistics.mean(rates['named'])
    common.say('  (f) named/plain: %.1f / %.1f ok req/s = %.0f %%' % (
        named, plain, 100.0 * named / plain if plain else 0.0))


def run_backend(backend, args):
    with common.running_server(backend, args.workers,
                               args.threads) as server:
        common.say('== %s: freezer-api pid %d, %d workers, port %d' % (
            backend, server.pid, len(server.worker_pids()), server.port))
        storage = common.storage_for(server.database)
        try:
            common.say('  seeding check: %s' % common.check_seeding(
                storage, server.port))
            common.register_clients(storage, PROJECT, CLIENTS)
            session_id = measure_session_create(server, storage, args.repeat)
            measure_session_get(server, session_id)
            measure_named_create(server, args.duration, 'nightly-0')
        finally:
            storage.engine.dispose()


def main():
    parser = common.argument_parser(__doc__.splitlines()[0])
    parser.add_argument('--repeat', type=int, default=3,
                        help='sessions created in (d) (default 3)')
    args = parser.parse_args()

    def run():
        common.say(common.machine_facts())
        for backend in args.backend or list(common.BACKENDS):
            run_backend(backend, args)
        return 0
    return common.main_guard(run)


if __name__ == '__main__':
    raise SystemExit(main())
