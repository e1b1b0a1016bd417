"""Issue 2 figures: job create rate, one client's poll, worker memory.

    python bench/api_throughput.py [--backend sqlite] [--duration 10]

On a fresh database (SQLite by default) behind a freshly started
``freezer-api`` (its default worker count):

(a) job create: requests/s of POST /v2/p2/jobs with 8 keep-alive
    connections (wrk, one thread);
(b) one client's poll in a project of 100,000 jobs (1,000 clients x 100):
    GET /v2/p1/jobs?limit=100 with the search body
    {"match_not": [{"status": "completed"}],
     "match": [{"client_id": "p1_host0042"}]}
    and the same with ?client_id= in the query string, each returning the
    client's 100 jobs: p50/p99 latency over one keep-alive connection
    (8 connections too, for the rate);
(c) PSS of each worker (/proc/<pid>/smaps_rollup) after start, after the
    100,000 jobs are loaded and polled, and after the create load.

Targets (issue 2): (a) >= 800 req/s, (b) p99 <= 20 ms, (c) <= 80 MB, flat.
"""

import json
import time

import common

PROJECT = 'p1'
CLIENTS = 1000
JOBS_PER_CLIENT = 100
POLLED_CLIENT = 'p1_host0042'
CREATE_PROJECT = 'p2'
CREATE_CLIENT = 'p2_host0000'
WARMUP_SECONDS = 2
# Half the jobs have run at least once (scheduled), half never have; none
# is completed, so the poll returns every job of the client.
STATUSES = ('scheduled', None)


def seed_project(storage):
    client_ids = ['p1_host%04d' % i for i in range(CLIENTS)]
    common.register_clients(storage, PROJECT, client_ids)
    documents = (common.job_document(client_id, index=index,
                                     status=STATUSES[index % 2])
                 for client_id in client_ids
                 for index in range(JOBS_PER_CLIENT))
    return len(common.seed_jobs(storage, PROJECT, documents))


def check_poll(port, path, body):
    client = common.Client(port)
    try:
        answer, _ = client.expect(200, 'GET', path, body)
    finally:
        client.close()
    found = answer['jobs']
    if len(found) != JOBS_PER_CLIENT or any(
            j['client_id'] != POLLED_CLIENT for j in found):
        raise common.BenchError('the poll %s returned %d jobs, not the %d of '
                                '%s' % (path, len(found), JOBS_PER_CLIENT,
                                        POLLED_CLIENT))


def measure_polls(server, duration):
    base = server.base_url() + '/v2/%s/jobs?limit=100' % PROJECT
    polls = [
        ('search body', base, {'match_not': [{'status': 'completed'}],
                               'match': [{'client_id': POLLED_CLIENT}]}),
        ('?client_id=', base + '&client_id=' + POLLED_CLIENT,
         {'match_not': [{'status': 'completed'}]}),
    ]
    for label, url, body in polls:
        check_poll(server.port, url[len(server.base_url()):], body)
        text = json.dumps(body)
        common.wrk(url, 'get_json.lua', 1, WARMUP_SECONDS, body=text)
        for connections in (1, 8):
            figures = common.wrk(url, 'get_json.lua', connections, duration,
                                 body=text, server=server)
            common.say('  (b) poll, %-12s %d conn: %s' % (
                label, connections, common.describe_wrk(figures)))


def measure_create(server, storage, duration):
    common.register_clients(storage, CREATE_PROJECT, [CREATE_CLIENT])
    url = server.base_url() + '/v2/%s/jobs' % CREATE_PROJECT
    body = json.dumps(common.job_document(CREATE_CLIENT))
    common.wrk(url, 'post_json.lua', 8, WARMUP_SECONDS, body=body)
    figures = common.wrk(url, 'post_json.lua', 8, duration, body=body,
                         server=server)
    common.say('  (a) job create, 8 conn:        %s'
               % common.describe_wrk(figures))


def run_backend(backend, args):
    with common.running_server(backend, args.workers,
                               args.threads) as server:
        common.say('== %s: freezer-api pid %d, %d workers, port %d' % (
            backend, server.pid, len(server.worker_pids()), server.port))
        common.say('  (c) memory after start:        %s'
                   % common.describe_memory(server))
        storage = common.storage_for(server.database)
        try:
            common.say('  seeding check: %s' % common.check_seeding(
                storage, server.port))
            started = time.perf_counter()
            count = seed_project(storage)
            common.analyze(storage)
            common.say('  seeded %d jobs (%d clients) in %.1f s' % (
                count, CLIENTS, time.perf_counter() - started))
            measure_polls(server, args.duration)
            common.say('  (c) memory after 100k polls:   %s'
                       % common.describe_memory(server))
            measure_create(server, storage, args.duration)
            common.say('  (c) memory after creates:      %s'
                       % common.describe_memory(server))
            time.sleep(5)
            common.say('  (c) memory idle 5 s later:     %s'
                       % common.describe_memory(server))
        finally:
            storage.engine.dispose()


def main():
    args = common.argument_parser(__doc__.splitlines()[0]).parse_args()

    def run():
        common.say(common.machine_facts())
        for backend in args.backend or ['sqlite']:
            run_backend(backend, args)
        return 0
    return common.main_guard(run)


if __name__ == '__main__':
    raise SystemExit(main())
