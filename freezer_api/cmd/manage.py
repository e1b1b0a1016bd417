"""freezer-manage: database and session maintenance.

    freezer-manage db sync [--revision REV]   upgrade the schema
    freezer-manage db version                 print the schema revision
    freezer-manage sessions check [--project-id P]
                                              report named-session
                                              invariant violations
Exit status: 0 on success, 1 when a check finds violations, 2 on errors.
"""

import sys

from oslo_config import cfg

from freezer_api.common import config
from freezer_api.common import exceptions
from freezer_api.db import migrate
from freezer_api.db import storage
from freezer_api.db.sqlalchemy import engine as engine_module
from freezer_api.db.sqlalchemy import migration
from freezer_api.domain import invariant

CONF = cfg.CONF


def _db_sync():
    revision = migrate.sync(CONF, CONF.command.revision or 'head')
    print('Database at revision %s' % revision)
    return 0


def _db_version():
    engine = engine_module.create_engine(config.database_url(CONF),
                                         max_retries=1)
    try:
        print(migration.current(engine) or 'empty')
    finally:
        engine.dispose()
    return 0


def _sessions_check():
    found = storage.get(CONF).run(invariant.violations,
                                  CONF.command.project_id, write=False)
    for line in found:
        print(line)
    if found:
        print('%d violation(s) of the named-session invariant' % len(found))
        return 1
    print('The named-session invariant holds.')
    return 0


def _add_commands(subparsers):
    db = subparsers.add_parser('db', help='database schema')
    db_commands = db.add_subparsers(dest='action')
    db_commands.required = True
    sync = db_commands.add_parser('sync', help='upgrade the schema')
    sync.add_argument('--revision', help='target revision (default: head)')
    sync.set_defaults(func=_db_sync)
    version = db_commands.add_parser('version', help='print the revision')
    version.set_defaults(func=_db_version)
    sessions = subparsers.add_parser('sessions', help='named sessions')
    sessions_commands = sessions.add_subparsers(dest='action')
    sessions_commands.required = True
    check = sessions_commands.add_parser(
        'check', help='check the named-session invariant')
    check.add_argument('--project-id', help='only this project')
    check.set_defaults(func=_sessions_check)


def main(argv=None):
    CONF.register_cli_opt(cfg.SubCommandOpt(
        'command', title='commands', handler=_add_commands))
    # Logs go to stderr: stdout carries the answers scripts read.
    CONF.set_default('use_stderr', True)
    try:
        config.parse_args(sys.argv[1:] if argv is None else argv,
                          prog='freezer-manage')
        return CONF.command.func()
    except exceptions.FreezerError as error:
        sys.stderr.write('freezer-manage: %s\n' % error.description)
        return 2
    except Exception as error:  # the operator gets a line, not a traceback
        original = getattr(error, 'orig', None) or error
        line = (str(original).strip().splitlines() or [repr(error)])[0]
        sys.stderr.write('freezer-manage: %s\n' % line)
        return 2


if __name__ == '__main__':
    sys.exit(main())
