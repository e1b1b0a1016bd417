"""The SQL storage driver: every query the service runs, and nothing else.

A ``Transaction`` is handed to the domain layer; its methods take and return
plain dicts of column values, so the domain never sees SQL and this module
never decides a rule.
"""

import contextlib
import random
import time

from oslo_db import exception as db_exc
import sqlalchemy as sa

from freezer_api.common import exceptions
from freezer_api.common import schemas
from freezer_api.db.sqlalchemy import engine as engine_module
from freezer_api.db.sqlalchemy import models

jobs = models.jobs
sessions = models.sessions
actions = models.actions
clients = models.clients
backups = models.backups
job_actions = models.job_actions
name_locks = models.session_name_locks


# Search keys that can be filtered on, per collection, and their columns.
FILTERABLE = {
    'jobs': {'job_id': jobs.c.id, 'client_id': jobs.c.client_id,
             'session_id': jobs.c.session_id,
             'session_name': jobs.c.session_name,
             'session_tag': jobs.c.session_tag,
             'description': jobs.c.description, 'user_id': jobs.c.user_id,
             'event': jobs.c.event, 'status': jobs.c.status,
             'result': jobs.c.result},
    'sessions': {'session_id': sessions.c.id,
                 'session_name': sessions.c.session_name,
                 'session_tag': sessions.c.session_tag,
                 'description': sessions.c.description,
                 'status': lambda: _effective_session_state()[0],
                 'result': lambda: _effective_session_state()[1],
                 'hold_off': sessions.c.hold_off,
                 'user_id': sessions.c.user_id},
    'actions': {'action_id': actions.c.id, 'action': actions.c.action,
                'mode': actions.c.actionmode,
                'backup_name': actions.c.backup_name,
                'container': actions.c.container,
                'path_to_backup': actions.c.path_to_backup,
                'user_id': actions.c.user_id},
    'clients': {'client_id': clients.c.client_id,
                'hostname': clients.c.hostname, 'uuid': clients.c.uuid,
                'description': clients.c.description,
                'is_central': clients.c.is_central,
                'user_id': clients.c.user_id},
    'backups': {'backup_id': backups.c.id, 'job_id': backups.c.job_id,
                'status': backups.c.status, 'user_id': backups.c.user_id},
}
# Keys where upstream renders an unset value as "": match "" finds NULL.
_EMPTY_IS_NULL = {'session_name'}


def _coerce(column, value):
    python_type = column.type.python_type if not isinstance(
        column.type, sa.types.NullType) else str
    if isinstance(value, bool) and python_type is not bool:
        raise TypeError(value)
    if value is None or isinstance(value, python_type):
        return value
    if python_type is bool and value in ('true', 'false', 'True', 'False'):
        return value.lower() == 'true'
    if python_type is int and isinstance(value, str):
        try:
            value = int(value)
        except ValueError:
            raise TypeError(value)
    if python_type is int and isinstance(value, int):
        # No stored integer lies outside 32 bits: such a value matches none.
        if not schemas.INT32_MIN <= value <= schemas.INT32_MAX:
            raise TypeError(value)
        return value
    if python_type is str and isinstance(value, (int, float)):
        return str(value)
    raise TypeError(value)


def _effective_session_state():
    """SQL for (status, result) as a reader sees them now.

    The same rule as freezer_api.domain.runs.run_state: a running session
    whose members have all ended is completed; so is one whose window has
    closed once every member that joined has ended (then it failed).
    """
    member = jobs.alias('member')
    of_session = member.c.session_id == sessions.c.id

    def members(*conditions):
        return sa.exists().where(of_session, *conditions)

    running = sessions.c.status == 'running'
    not_completed = sa.or_(member.c.member_status.is_(None),
                           member.c.member_status != 'completed')
    all_ended = sa.and_(running, members(), ~members(not_completed))
    all_succeeded = ~members(sa.or_(member.c.member_result.is_(None),
                                    member.c.member_result != 'success'))
    hold_off = sa.func.coalesce(sessions.c.hold_off, 30)
    window_closed = (sa.literal(int(time.time()))
                     - sa.func.coalesce(sessions.c.time_start, 0)) > hold_off
    joined_ended = sa.and_(
        running, window_closed,
        members(member.c.member_status == 'completed'),
        ~members(member.c.member_status == 'running'))
    status = sa.case((sa.or_(all_ended, joined_ended), 'completed'),
                     else_=sessions.c.status)
    result = sa.case((sa.and_(all_ended, all_succeeded), 'success'),
                     (sa.or_(all_ended, joined_ended), 'fail'),
                     else_=sessions.c.result)
    return status, result


def build_conditions(collection, filters):
    """SQL conditions for [(key, value, negate)] on a collection.

    A key the collection cannot filter on is a key no document has:
    ``match`` on it finds nothing, ``match_not`` on it excludes nothing.
    """
    columns = FILTERABLE[collection]
    conditions = []
    for key, value, negate in filters:
        column = columns.get(key)
        if callable(column):
            column = column()
        try:
            if column is None:
                raise TypeError(key)
            value = _coerce(column, value)
        except TypeError:
            if not negate:
                conditions.append(sa.false())
            continue
        if key in _EMPTY_IS_NULL and value in ('', None):
            equal = sa.or_(column.is_(None), column == '')
        elif value is None:
            equal = column.is_(None)
        else:
            equal = column == value
        if negate:
            conditions.append(sa.or_(column.is_(None), sa.not_(equal))
                              if value is not None else sa.not_(equal))
        else:
            conditions.append(equal)
    return conditions


def _dicts(result):
    keys = list(result.keys())
    return [dict(zip(keys, row)) for row in result]


def _one(result):
    keys = list(result.keys())
    row = result.first()
    return dict(zip(keys, row)) if row is not None else None


# Statements of the hottest paths, built once.
_OWN_CLIENT = sa.select(clients).where(
    clients.c.project_id == sa.bindparam('project_id'),
    clients.c.client_id == sa.bindparam('client_id'))
_SESSION_BY_NAME = {
    # 'share' is FOR KEY SHARE on PostgreSQL: it only has to keep the row
    # from being deleted or locked for update, and conflicts with nothing
    # else (the run protocol's updates of the row go on).
    lock: query.with_for_update(read=lock == 'share',
                                key_share=lock == 'share') if lock else query
    for query in [sa.select(sessions).where(
        sessions.c.project_id == sa.bindparam('project_id'),
        sessions.c.session_name == sa.bindparam('session_name'))]
    for lock in (False, True, 'share')}
_CENTRAL_CLIENT = sa.select(clients).where(
    clients.c.client_id == sa.bindparam('client_id'),
    clients.c.is_central == sa.true()).limit(1)


class Transaction(object):
    """One database transaction; every method runs inside it."""

    def __init__(self, connection):
        self.connection = connection
        self.dialect = connection.dialect.name

    def _exec(self, statement):
        return self.connection.execute(statement)

    def _locking(self, query, lock):
        """FOR UPDATE when ``lock``; FOR SHARE when it is 'share'."""
        # SQLite has no row locks; its writers hold the database lock.
        if lock and self.dialect != 'sqlite':
            return query.with_for_update(read=lock == 'share')
        return query

    # -- generic ---------------------------------------------------------

    def _get(self, table, project_id, doc_id, lock=False):
        query = sa.select(table).where(table.c.id == doc_id,
                                       table.c.project_id == project_id)
        return _one(self._exec(self._locking(query, lock)))

    def _update(self, table, doc_id, values):
        values = dict(values)
        values['version'] = table.c.version + 1
        self._exec(table.update().where(table.c.id == doc_id).values(
            **values))

    def _list(self, table, project_id, conditions, limit, offset):
        query = (sa.select(table)
                 .where(table.c.project_id == project_id, *conditions)
                 .order_by(table.c.created_at, table.c.id)
                 .limit(limit).offset(offset))
        return _dicts(self._exec(query))

    def _insert(self, table, values):
        try:
            # Values as parameters: the statement stays the same, and its
            # compiled form comes from SQLAlchemy's cache.
            self.connection.execute(table.insert(), values)
        except db_exc.DBDuplicateEntry:
            raise exceptions.Conflict(
                'A document with ID %s already exists' % values.get('id'))

    def id_exists(self, table_name, doc_id):
        table = models.metadata.tables[table_name]
        return self._exec(sa.select(table.c.id).where(
            table.c.id == doc_id)).first() is not None

    # -- name locks ------------------------------------------------------

    def lock_session_names(self, project_id, names, shared=False):
        """Lock the rows of these names (creating them) in a fixed order.

        ``shared``: for readers of "which session is called N" (a job
        create), who only need to exclude the writers of that name.
        """
        lock = 'share' if shared else True
        for name in sorted(n for n in set(names) if n):
            select = self._locking(sa.select(name_locks.c.project_id).where(
                name_locks.c.project_id == project_id,
                name_locks.c.session_name == name), lock)
            # Look first: inserting a row that exists takes a shared lock
            # on MariaDB, and two of those deadlock on the upgrade.
            if self._exec(select).first() is not None:
                continue
            values = {'project_id': project_id, 'session_name': name}
            if self.dialect == 'postgresql':
                from sqlalchemy.dialects import postgresql
                self._exec(postgresql.insert(name_locks).values(
                    **values).on_conflict_do_nothing())
            elif self.dialect in ('mysql', 'mariadb'):
                self._exec(name_locks.insert().prefix_with(
                    'IGNORE').values(**values))
            else:
                self._exec(name_locks.insert().prefix_with(
                    'OR IGNORE').values(**values))
            self._exec(select)

    # -- jobs ------------------------------------------------------------

    def insert_job(self, values):
        self._insert(jobs, values)

    def get_job(self, project_id, job_id, lock=False):
        return self._get(jobs, project_id, job_id, lock)

    def update_job(self, job_id, values):
        self._update(jobs, job_id, values)

    def delete_job(self, job_id):
        self._exec(job_actions.delete().where(job_actions.c.job_id == job_id))
        self._exec(jobs.delete().where(jobs.c.id == job_id))

    def list_jobs(self, project_id, filters, limit, offset):
        return self._list(jobs, project_id,
                          build_conditions('jobs', filters), limit, offset)

    def job_ids_named(self, project_id, name, exclude_session=None):
        query = sa.select(jobs.c.id).where(
            jobs.c.project_id == project_id, jobs.c.session_name == name)
        if exclude_session is not None:
            query = query.where(jobs.c.session_id != exclude_session)
        return [row[0] for row in self._exec(
            query.order_by(jobs.c.created_at, jobs.c.id))]

    def members(self, session_id):
        query = (sa.select(jobs).where(jobs.c.session_id == session_id)
                 .order_by(jobs.c.created_at, jobs.c.id))
        return _dicts(self._exec(query))

    def member_summaries(self, session_ids):
        """Per-run status of every member of these sessions."""
        if not session_ids:
            return []
        query = (sa.select(jobs.c.id, jobs.c.session_id, jobs.c.client_id,
                           jobs.c.member_status, jobs.c.member_result,
                           jobs.c.member_time_started,
                           jobs.c.member_time_ended)
                 .where(jobs.c.session_id.in_(session_ids))
                 .order_by(jobs.c.created_at, jobs.c.id))
        return _dicts(self._exec(query))

    def _update_jobs_where(self, conditions, values):
        values = dict(values)
        values['version'] = jobs.c.version + 1
        values['updated_at'] = models.utcnow()
        self._exec(jobs.update().where(*conditions).values(**values))

    def update_jobs_named(self, project_id, name, values,
                          exclude_session=None):
        """Update every job of the project called ``name``."""
        conditions = [jobs.c.project_id == project_id,
                      jobs.c.session_name == name]
        if exclude_session is not None:
            conditions.append(jobs.c.session_id != exclude_session)
        self._update_jobs_where(conditions, values)

    def update_members(self, session_id, values):
        """Update every member of a session."""
        self._update_jobs_where([jobs.c.session_id == session_id], values)

    # -- job actions -----------------------------------------------------

    def replace_job_actions(self, job_id, links, new_job=False):
        """links: [(link id, action id, mandatory)] in order."""
        if not new_job:
            self._exec(job_actions.delete().where(
                job_actions.c.job_id == job_id))
        if links:
            self.connection.execute(job_actions.insert(), [
                {'id': link_id, 'job_id': job_id, 'action_id': action_id,
                 'position': position, 'mandatory': mandatory}
                for position, (link_id, action_id, mandatory)
                in enumerate(links)])

    def actions_of_jobs(self, job_ids):
        """{job_id: [(link row, action row)...]} in position order."""
        result = {job_id: [] for job_id in job_ids}
        if not job_ids:
            return result
        query = (sa.select(job_actions.c.job_id,
                           job_actions.c.mandatory.label('link_mandatory'),
                           actions)
                 .join(actions, actions.c.id == job_actions.c.action_id)
                 .where(job_actions.c.job_id.in_(job_ids))
                 .order_by(job_actions.c.job_id, job_actions.c.position))
        for row in _dicts(self._exec(query)):
            result[row['job_id']].append(row)
        return result

    # -- actions ---------------------------------------------------------

    def insert_action(self, values):
        self._insert(actions, values)

    def insert_actions(self, rows):
        if rows:
            self.connection.execute(actions.insert(), rows)

    def get_action(self, project_id, action_id, lock=False):
        return self._get(actions, project_id, action_id, lock)

    def get_actions(self, project_id, action_ids):
        if not action_ids:
            return {}
        query = sa.select(actions).where(actions.c.project_id == project_id,
                                         actions.c.id.in_(action_ids))
        return {row['id']: row for row in _dicts(self._exec(query))}

    def update_action(self, action_id, values):
        self._update(actions, action_id, values)

    def delete_action(self, action_id):
        self._exec(job_actions.delete().where(
            job_actions.c.action_id == action_id))
        self._exec(actions.delete().where(actions.c.id == action_id))

    def list_actions(self, project_id, filters, limit, offset):
        return self._list(actions, project_id,
                          build_conditions('actions', filters), limit, offset)

    # -- sessions --------------------------------------------------------

    def insert_session(self, values):
        try:
            self.connection.execute(sessions.insert(), values)
        except db_exc.DBDuplicateEntry as error:
            if 'session_name' in (error.columns or []) or self._name_taken(
                    values):
                raise exceptions.SessionNameTaken()
            raise exceptions.Conflict(
                'A session with ID %s already exists' % values['id'])

    def _name_taken(self, values):
        return bool(values.get('session_name')) and self.get_session_by_name(
            values['project_id'], values['session_name']) is not None

    def get_session(self, project_id, session_id, lock=False):
        return self._get(sessions, project_id, session_id, lock)

    def get_session_by_name(self, project_id, name, lock=False):
        if self.dialect == 'sqlite':
            lock = False
        return _one(self.connection.execute(_SESSION_BY_NAME[lock], {
            'project_id': project_id, 'session_name': name}))

    def session_schedules(self, session_ids):
        """{session_id: schedule} of these sessions."""
        if not session_ids:
            return {}
        query = sa.select(sessions.c.id, sessions.c.schedule).where(
            sessions.c.id.in_(session_ids))
        return {row.id: row.schedule or {} for row in self._exec(query)}

    def update_session(self, session_id, values):
        try:
            self._update(sessions, session_id, values)
        except db_exc.DBDuplicateEntry:
            raise exceptions.SessionNameTaken()

    def delete_session(self, session_id):
        self._exec(sessions.delete().where(sessions.c.id == session_id))

    def list_sessions(self, project_id, filters, limit, offset):
        return self._list(sessions, project_id,
                          build_conditions('sessions', filters), limit, offset)

    def all_sessions(self, project_id=None):
        query = sa.select(sessions)
        if project_id is not None:
            query = query.where(sessions.c.project_id == project_id)
        return _dicts(self._exec(query))

    def all_job_memberships(self, project_id=None):
        query = sa.select(jobs.c.id, jobs.c.project_id, jobs.c.session_id,
                          jobs.c.session_name)
        if project_id is not None:
            query = query.where(jobs.c.project_id == project_id)
        return _dicts(self._exec(query))

    # -- clients ---------------------------------------------------------

    def find_client(self, project_id, client_id):
        """The project's client, or a central client of any project."""
        own = _one(self.connection.execute(_OWN_CLIENT, {
            'project_id': project_id, 'client_id': client_id}))
        if own is not None:
            return own
        return _one(self.connection.execute(_CENTRAL_CLIENT, {
            'client_id': client_id}))

    def get_client_any_project(self, client_id):
        return _one(self._exec(sa.select(clients).where(
            clients.c.client_id == client_id).limit(1)))

    def insert_client(self, values):
        try:
            self.connection.execute(clients.insert(), values)
        except db_exc.DBDuplicateEntry:
            raise exceptions.Conflict(
                'Client %s is already registered' % values['client_id'])

    def update_client(self, row_id, values):
        self._exec(clients.update().where(clients.c.id == row_id).values(
            **values))

    def delete_client(self, row_id):
        self._exec(clients.delete().where(clients.c.id == row_id))

    def list_clients(self, project_id, filters, limit, offset):
        conditions = build_conditions('clients', filters)
        query = (sa.select(clients)
                 .where(sa.or_(clients.c.project_id == project_id,
                               clients.c.is_central == sa.true()),
                        *conditions)
                 .order_by(clients.c.created_at, clients.c.id)
                 .limit(limit).offset(offset))
        return _dicts(self._exec(query))

    # -- backups ---------------------------------------------------------

    def insert_backup(self, values):
        self._insert(backups, values)

    def get_backup(self, project_id, backup_id, lock=False):
        return self._get(backups, project_id, backup_id, lock)

    def update_backup(self, backup_id, values):
        self._update(backups, backup_id, values)

    def delete_backup(self, backup_id):
        self._exec(backups.delete().where(backups.c.id == backup_id))

    def list_backups(self, project_id, filters, limit, offset):
        return self._list(backups, project_id,
                          build_conditions('backups', filters), limit, offset)


class Storage(object):
    """Runs functions in transactions against one database."""

    def __init__(self, engine):
        self.engine = engine
        self._write_lock = contextlib.nullcontext()
        if engine.dialect.name == 'sqlite':
            self._write_lock = engine_module.SQLiteWriterLock(
                engine.url.database)

    @contextlib.contextmanager
    def transaction(self, write=True):
        with self._write_lock if write else contextlib.nullcontext():
            connection = self.engine.connect()
            try:
                if write:
                    connection = connection.execution_options(
                        freezer_write=True)
                with connection.begin():
                    yield Transaction(connection)
            finally:
                connection.close()

    def run(self, function, *args, write=True, **kwargs):
        """Call ``function(tx, ...)`` in a transaction; retry deadlocks."""
        for attempt in range(engine_module.DEADLOCK_RETRIES + 1):
            try:
                with self.transaction(write=write) as tx:
                    return function(tx, *args, **kwargs)
            except db_exc.DBDeadlock:
                if attempt == engine_module.DEADLOCK_RETRIES:
                    raise exceptions.ServiceUnavailable(
                        'The database is too busy; try again.')
                time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
