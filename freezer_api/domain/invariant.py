"""The named-session invariant, as a check anyone can run.

For every project:
1. no two live sessions share a name;
2. for a named session S called N, the jobs named N are exactly S's
   members (the jobs whose session_id is S), which are exactly the keys of
   S's ``jobs`` map (built from the same rows);
3. a job named N while no session N exists is not in any session;
4. a member of an unnamed session has no name.
Also: no job points at a session that does not exist in its project.
"""


def violations(tx, project_id=None):
    """Human-readable violations; an empty list means the invariant holds."""
    found = []
    sessions = tx.all_sessions(project_id)
    jobs = tx.all_job_memberships(project_id)
    by_id = {s['id']: s for s in sessions}
    by_name = {}
    for session in sessions:
        if session['session_name'] is None:
            continue
        key = (session['project_id'], session['session_name'])
        if key in by_name:
            found.append('project %s: sessions %s and %s share the name %r'
                         % (key[0], by_name[key]['id'], session['id'],
                            key[1]))
        by_name[key] = session
    for job in jobs:
        name = job['session_name']
        named = by_name.get((job['project_id'], name)) if name else None
        session = by_id.get(job['session_id']) if job['session_id'] else None
        where = 'project %s: job %s' % (job['project_id'], job['id'])
        if job['session_id'] and (
                session is None or session['project_id'] != job['project_id']):
            found.append('%s points at missing session %s'
                         % (where, job['session_id']))
            continue
        if named is not None and job['session_id'] != named['id']:
            found.append('%s is named %r but is not a member of session %s'
                         % (where, name, named['id']))
        elif name and named is None and job['session_id']:
            found.append('%s is named %r, no such session exists, yet it is '
                         'a member of %s' % (where, name, job['session_id']))
        elif session is not None and session['session_name'] != name:
            found.append('%s is a member of session %s named %r but is '
                         'named %r' % (where, session['id'],
                                       session['session_name'], name))
    return found
