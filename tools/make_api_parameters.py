"""Regenerate api-ref/source/parameters.yaml from the definitions below."""

import sys

import yaml

P = {}


def p(key, where, type_, desc, required=True):
    assert key not in P, key
    P[key] = {'description': desc.strip() + '\n', 'in': where,
              'required': required, 'type': type_}


# path
p('action_id_path', 'path', 'string', 'The id of the action.')
p('backup_id_path', 'path', 'string', 'The id of the backup document.')
p('client_id_path', 'path', 'string',
  'The ``client_id`` of the client (not its ``uuid``).')
p('job_id_path', 'path', 'string', 'The id of the job.')
p('project_id_path', 'path', 'string',
  'The project that owns the documents.')
p('session_id_path', 'path', 'string', 'The id of the session.')

# query
p('all_projects', 'query', 'boolean', '''
Accepted for compatibility with upstream clients and ignored: a list
always covers the project in the URL.''', False)
p('if_exists', 'query', 'string', '''
What to do when the project already has a session with the
``session_name`` of the body: ``update`` it from the body, or ``keep`` it
as it is. Without this parameter a taken name gets ``409``. Needs a
``session_name`` in the body; any other value gets ``400``.''', False)
p('limit', 'query', 'integer', '''
Largest number of documents to return. Default 10 (``[api]
default_limit``); ``0`` also means the default; larger values are
clamped to ``[api] max_limit`` (1000).''', False)
p('offset', 'query', 'integer', '''
Number of documents to skip, counted in creation order. Default 0.''',
  False)
p('session_name_query', 'query', 'string', '''
Only the session with exactly this name (at most one per project).
``session_name=`` with an empty value finds the unnamed sessions.''', False)
p('session_name_query_job', 'query', 'string', '''
Only the jobs with exactly this ``session_name``: the members of that
session, or the jobs pending for it. Any other scalar field of the job
document can be filtered the same way.''', False)

# body
p('action_defaults', 'body', 'object', '''
Keys copied into the ``freezer_action`` of every entry of ``job_actions``
that lacks them (or has them ``null``); not stored.''', False)
p('action_end', 'body', 'object', '''
``{"job_id": ..., "result": ...}``: the job reports the end of its part of
the current run. Give either ``start`` or ``end``.''', False)
p('action_end_result', 'body', 'string', '''
With ``end``: how the job's part ended, at most 255 characters. Only
``success`` counts as success.''', False)
p('action_id_body', 'body', 'string', 'The id of the action.')
p('action_id_in', 'body', 'string', '''
The id to give the action (letters, digits, ``_`` and ``-``, at most 36
characters). A new id is generated when it is left out.''', False)
p('action_job_id', 'body', 'string', '''
Inside ``start`` or ``end``: the id of the job that calls, a member of the
session.''')
p('action_result', 'body', 'string', '''
``success`` (run now / end recorded), ``hold-off`` (already in this run:
do not run now) or ``out-of-sync`` (missed this run, or ended a run it
had not joined: do not run now, nothing was written).''')
p('action_session_tag', 'body', 'integer', '''
The session's tag after the call: the number of the current run.''')
p('action_start', 'body', 'object', '''
``{"job_id": ..., "current_tag": ...}``: the job asks to take part in a
run. Give either ``start`` or ``end``.''', False)
p('action_timeout', 'body', 'integer', '''
The ``timeout`` of the ``freezer_action``, repeated at the top level as
upstream lists did; ``null`` when unset.''')
p('actions', 'body', 'array', 'The action documents.')
p('attached_job_ids', 'body', 'array', '''
Ids of the pending jobs that joined the session in this request.''')
p('backup_container', 'body', 'string', '''
Where the backup is stored (a container or directory name), 1 to 255
characters. Kept in ``backup_metadata``.''')
p('backup_hostname', 'body', 'string', '''
The host that was backed up, 1 to 255 characters. Kept in
``backup_metadata``.''')
p('backup_id_body', 'body', 'string', 'The id of the backup document.')
p('backup_job_id', 'body', 'string', '''
The job that made the backup; kept in ``backup_metadata`` and
searchable. Any further keys the agent sends are kept in
``backup_metadata`` as they are.''', False)
p('backup_metadata', 'body', 'object', '''
Everything the agent reported about the backup, except ``status``.''')
p('backup_metadata_in', 'body', 'object', '''
Keys to add to or change in the stored metadata.''', False)
p('backup_name', 'body', 'string', '''
The name of the backup, 1 to 255 characters. Kept in
``backup_metadata``.''')
p('backup_status', 'body', 'string', '''
``creating``, ``available``, ``error``, ``deleting`` or ``deleted``.''')
p('backup_status_in', 'body', 'string', '''
``creating``, ``available`` (default), ``error``, ``deleting`` or
``deleted``.''', False)
p('backups', 'body', 'array', 'The backup documents.')
p('client', 'body', 'object', '''
The client: ``uuid``, ``client_id``, ``hostname``, ``description``,
``is_central`` and the four ``supported_*`` lists.''')
p('client_description', 'body', 'string',
  'Free text, at most 255 characters.', False)
p('client_id_created', 'body', 'string',
  'The ``client_id`` of the registered client.')
p('client_id_req', 'body', 'string', '''
The client's id, by convention ``<project_id>_<hostname>``: an optional
``<word characters>_`` prefix followed by a host name, at most 255
characters.''')
p('client_uuid_in', 'body', 'string', '''
The internal id of the client record; generated when left out.''', False)
p('clients', 'body', 'array', '''
The clients of the project and every central client, each as
``{"client": {...}, "project_id": ..., "user_id": ...}``.''')
p('created', 'body', 'boolean', '''
``true`` when this request created the session, ``false`` when
``if_exists`` found it already there.''')
p('current_tag', 'body', 'integer', '''
With ``start``: the ``session_tag`` of the last run the job saw (an
integer, or a string of digits). Greater than the session's tag gets
``400``.''', False)
p('freezer_action', 'body', 'object', '''
What the agent does: ``action`` (required), ``mode``, ``path_to_backup``,
``backup_name``, ``container``, ``storage``, ``engine_name``, ``timeout``,
``priority``, ``log_file``, ``restore_abs_path``, and any other agent
option.''')
p('freezer_action_patch', 'body', 'object', '''
Keys to merge, one by one, into the stored ``freezer_action``.''', False)
p('hold_off', 'body', 'integer', '''
Seconds after the start of a run during which other members may still
join it.''')
p('hold_off_in', 'body', 'integer', '''
Seconds after the start of a run during which other members may still
join it; default 30.''', False)
p('home_resources', 'body', 'object', '''
JSON-Home resources: ``rel/jobs``, ``rel/job`` and ``rel/backups``, each
with an ``href-template``, its ``href-vars`` and ``hints`` (allowed
methods and formats).''')
p('hostname', 'body', 'string', '''
The client's host name (labels of letters, digits and ``-`` separated by
dots), at most 128 characters. Never changes once registered.''', False)
p('is_central_in', 'body', 'boolean', '''
Whether this client runs jobs of every project. Needs the
``clients:create_central`` policy. Default ``false``.''', False)
p('job_actions', 'body', 'array', '''
The steps of the job, in order, at most 100. Each entry has a
``freezer_action`` (required), and may have ``action_id``,
``max_retries``, ``max_retries_interval`` and ``mandatory``.''')
p('job_actions_opt', 'body', 'array', '''
A new list of steps; replaces the job's list when given.''', False)
p('job_actions_out', 'body', 'array', '''
The steps of the job, in order: ``action_id``, ``project_id``,
``user_id``, ``freezer_action``, ``max_retries``,
``max_retries_interval`` and ``mandatory``.''')
p('job_client_id', 'body', 'string', 'The client that runs the job.')
p('job_client_id_opt', 'body', 'string', '''
Moves the job to another client; its actions must suit that client.''',
  False)
p('job_client_id_req', 'body', 'string', '''
The client that runs the job: a client registered in the project, or a
central client.''')
p('job_description', 'body', 'string',
  'Free text; ``null`` when unset.')
p('job_description_in', 'body', 'string',
  'Free text, at most 255 characters.', False)
p('job_event', 'body', 'object', '''
The body's only key is the event: ``start``, ``stop`` or ``abort``; its
value is ignored (``null`` will do).''')
p('job_event_result', 'body', 'string', '''
``success``, or ``<event> already requested`` when the job already had
that event.''')
p('job_id_body', 'body', 'string', 'The id of the job.')
p('job_id_in', 'body', 'string', '''
The id to give the job (letters, digits, ``_`` and ``-``, at most 36
characters). Generated when left out; an id already used gets ``409``.''',
  False)
p('job_schedule', 'body', 'object', '''
When the job runs and what state it is in; see :ref:`job-schedule`. A
member of a session shows the session's timing keys.''')
p('job_schedule_in', 'body', 'object', '''
The job's schedule; see :ref:`job-schedule`. ``time_created``,
``time_started`` and ``time_ended`` are set by the server on creation.''',
  False)
p('job_schedule_patch', 'body', 'object', '''
Keys to merge into the job's schedule. A member of a session may change
its state keys only.''', False)
p('job_session_id', 'body', 'string', '''
The session the job is a member of; ``""`` when none.''')
p('job_session_id_created', 'body', 'string', '''
The session the job joined; ``""`` when it is pending or unnamed.''')
p('job_session_id_in', 'body', 'string', '''
Create the job in this session of the project (``404`` when there is
none). ``""`` and ``null`` mean none.''', False)
p('job_session_name', 'body', 'string', '''
The name of the session the job belongs to — joined, or pending when no
such session exists; ``""`` when none.''')
p('job_session_name_in', 'body', 'string', '''
The session the job belongs to, by name. When it exists the job is
created in it, otherwise the job is pending until it appears. ``""`` and
``null`` mean none.''', False)
p('job_session_name_patch', 'body', 'string', '''
Moves the job to the session of this name (or makes it pending for it);
``""`` or ``null`` takes it out of any session. Left out: membership does
not change.''', False)
p('job_session_tag', 'body', 'integer', '''
The run of its session the job last took part in; 0 when none.''')
p('job_session_tag_in', 'body', 'integer', '''
The run of its session the job last saw (the scheduler echoes it).''',
  False)
p('jobs', 'body', 'array', 'The job documents.')
p('mandatory', 'body', 'boolean', '''
Whether the job fails when this action fails.''')
p('mandatory_in', 'body', 'boolean', '''
Whether the job fails when this action fails; default ``false``.''', False)
p('max_retries', 'body', 'integer', 'How often the agent retries the action.')
p('max_retries_in', 'body', 'integer', '''
How often the agent retries the action; default 5.''', False)
p('max_retries_interval', 'body', 'integer',
  'Seconds between two retries.')
p('max_retries_interval_in', 'body', 'integer', '''
Seconds between two retries; default 6.''', False)
p('project_id_body', 'body', 'string', 'The project that owns the document.')
p('session_description', 'body', 'string',
  'Free text; ``null`` when unset.')
p('session_description_in', 'body', 'string',
  'Free text, at most 255 characters.', False)
p('session_id_body', 'body', 'string', 'The id of the session.')
p('session_jobs', 'body', 'object', '''
The members, by job id, each with its part in the current run:
``client_id``, ``status`` (``""`` not joined, ``running``,
``completed``), ``result`` (as the job reported it), ``time_started``
and ``time_ended`` (``-1`` when unset).''')
p('session_jobs_in', 'body', 'object', '''
Accepted because upstream clients send it, and ignored: membership
changes only through names and the ``jobs/{job_id}`` URLs.''', False)
p('session_name', 'body', 'string', '''
The session's name, unique in the project; ``""`` when it has none.''')
p('session_name_in', 'body', 'string', '''
The session's name: 1 to 255 characters, no control characters, no white
space at either end, compared exactly. Unique in the project. ``""`` and
``null`` create an unnamed session.''', False)
p('session_name_patch', 'body', 'string', '''
Renames the session (``409`` when another session has that name);
``""`` or ``null`` removes the name.''', False)
p('session_name_replace', 'body', 'string', '''
As with a PATCH; left out, the name stays as it is.''', False)
p('session_result', 'body', 'string', '''
Result of the last completed run: ``success``, ``fail``, or ``""``.''')
p('session_result_in', 'body', 'string', '''
Written as given (at most 255 characters); normally set by the run
protocol.''', False)
p('session_schedule', 'body', 'object', '''
When the session runs; same keys as a job schedule. Its timing keys are
the timing keys of every member.''')
p('session_schedule_in', 'body', 'object', '''
When the session runs; same keys as a job schedule
(:ref:`job-schedule`).''', False)
p('session_schedule_patch', 'body', 'object', '''
Replaces the session's timing keys; state keys not given are kept.''',
  False)
p('session_status', 'body', 'string', '''
``active`` (never run), ``running`` or ``completed``.''')
p('session_status_in', 'body', 'string', '''
Written as given (at most 255 characters); normally set by the run
protocol.''', False)
p('session_tag', 'body', 'integer', '''
The number of the current (or last) run; 0 before the first.''')
p('session_tag_in', 'body', 'integer', '''
The number of the current run; default 0.''', False)
p('session_time_ended', 'body', 'integer', '''
Kept for upstream compatibility; not used by the run protocol (``-1``
unless a client set it).''')
p('session_time_ended_in', 'body', 'integer', '''
Kept for upstream compatibility; not used by the run protocol.''', False)
p('session_time_started', 'body', 'integer', '''
Kept for upstream compatibility; not used by the run protocol (``-1``
unless a client set it).''')
p('session_time_started_in', 'body', 'integer', '''
Kept for upstream compatibility; not used by the run protocol.''', False)
p('sessions', 'body', 'array', 'The session documents.')
p('supported_actions', 'body', 'array', '''
Actions the client can run, from ``backup``, ``restore``, ``info``,
``admin``, ``exec``; default all.''', False)
p('supported_engines', 'body', 'array', '''
Engines the client has, from ``tar``, ``rsync``, ``rsyncv2``, ``nova``,
``osbrick``, ``glance``; default all.''', False)
p('supported_modes', 'body', 'array', '''
Modes the client can back up, from ``fs``, ``mongo``, ``mysql``,
``sqlserver``, ``cinder``, ``glance``, ``cindernative``, ``nova``; default
all.''', False)
p('supported_storages', 'body', 'array', '''
Storages the client can write to, from ``local``, ``swift``, ``ssh``,
``s3``, ``ftp``, ``ftps``; default all.''', False)
p('time_end', 'body', 'integer', '''
When the current run completed, in seconds since the epoch; ``-1`` while
it has not.''')
p('time_end_in', 'body', 'integer', '''
Written as given; normally set by the run protocol.''', False)
p('time_start', 'body', 'integer', '''
When the current run started, in seconds since the epoch; ``-1`` before
the first run.''')
p('time_start_in', 'body', 'integer', '''
Written as given; normally set by the run protocol.''', False)
p('user_id_body', 'body', 'string',
  'The user who last wrote the document.')
p('version', 'body', 'integer', '''
The document's version after the change: 1 when created, one more with
each change.''')
p('version_id', 'body', 'string', 'The version: ``v2``.')
p('version_links', 'body', 'array', '''
``[{"href": <the version's URL>, "rel": "self"}]``.''')
p('version_status', 'body', 'string', '``CURRENT``.')
p('version_updated', 'body', 'string', '''
When the version last changed, ``2018-02-21T13:30:00`` (as upstream).''')
p('versions', 'body', 'array', 'The API versions.')

order = {'header': 1, 'path': 2, 'query': 3, 'body': 4}
keys = sorted(P, key=lambda k: (order[P[k]['in']], k.lower()))

out = ['# Parameters of the freezer-sessions API reference (os-api-ref).',
       '# Grouped by "in" (path, query, body), alphabetical within a group.',
       '']
for k in keys:
    v = P[k]
    out.append('%s:' % k)
    out.append('  description: |')
    for line in v['description'].rstrip('\n').split('\n'):
        out.append('    ' + line if line else '')
    out.append('  in: %s' % v['in'])
    out.append('  required: %s' % ('true' if v['required'] else 'false'))
    out.append('  type: %s' % v['type'])
open(sys.argv[1], 'w').write('\n'.join(out) + '\n')
loaded = yaml.safe_load(open(sys.argv[1]))
assert set(loaded) == set(P)
print(len(P), 'parameters')
