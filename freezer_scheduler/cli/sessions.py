"""session-list, session-show, session-delete, session-add-job,
session-remove-job. (session-create lives in session_create.py.)"""

from freezer_scheduler.cli import base
from freezer_scheduler.client import ApiError

SESSION_COLUMNS = ('Session ID', 'Session Name', 'Description', 'Status',
                   'Result', 'Session Tag', 'Jobs')


def session_row(session):
    return (session.get('session_id'), session.get('session_name') or '',
            session.get('description'), session.get('status'),
            session.get('result'), session.get('session_tag'),
            len(session.get('jobs') or {}))


def add_session_arguments(parser, positional=True):
    """<session-id> (or --session-id) or --session-name, exactly one."""
    group = parser.add_mutually_exclusive_group(required=True)
    if positional:
        group.add_argument('session_id', metavar='<session-id>', nargs='?')
    else:
        group.add_argument('--session-id', metavar='<session-id>')
    group.add_argument('--session-name', metavar='<name>',
                       help='The live session of the project with this '
                            'name.')


def find_session(client, parsed_args):
    """The session document named by the arguments."""
    if parsed_args.session_name is not None:
        session = client.find_session(parsed_args.session_name)
        if session is None:
            raise ApiError(404, 'no session named %r'
                           % parsed_args.session_name)
        return session
    return client.get_session(parsed_args.session_id)


class SessionList(base.FreezerLister):
    """List the project's sessions."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--session-name', metavar='<name>',
                            help='Only the session with this name.')
        parser.add_argument('--limit', metavar='<count>', type=int,
                            help='Show at most this many (default: all).')
        return parser

    def take_action(self, parsed_args):
        sessions = self.client.all_sessions(
            most=parsed_args.limit, session_name=parsed_args.session_name)
        return SESSION_COLUMNS, [session_row(s) for s in sessions]


class SessionShow(base.FreezerShowOne):
    """Show one session, by id or by name."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_session_arguments(parser)
        return parser

    def take_action(self, parsed_args):
        session = find_session(self.client, parsed_args)
        fields = (
            ('Session ID', session.get('session_id')),
            ('Session Name', session.get('session_name') or ''),
            ('Description', session.get('description')),
            ('Status', session.get('status')),
            ('Result', session.get('result')),
            ('Session Tag', session.get('session_tag')),
            ('Hold Off', session.get('hold_off')),
            ('Schedule', base.JsonColumn(session.get('schedule') or {})),
            ('Jobs', base.JsonColumn(session.get('jobs') or {})),
            ('Time Start', session.get('time_start')),
            ('Time End', session.get('time_end')),
            ('Project ID', session.get('project_id')),
            ('User ID', session.get('user_id')),
        )
        return tuple(f[0] for f in fields), tuple(f[1] for f in fields)


class SessionDelete(base.FreezerCommand):
    """Delete a session; its members stay, pending, keeping the name."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_session_arguments(parser)
        return parser

    def take_action(self, parsed_args):
        session = find_session(self.client, parsed_args)
        self.client.delete_session(session['session_id'])
        members = len(session.get('jobs') or {})
        name = session.get('session_name')
        if name:
            self.report('session %s (%r) deleted; members now pending, '
                        'keeping the name: %d'
                        % (session['session_id'], name, members))
        else:
            self.report('session %s deleted; members that left it: %d'
                        % (session['session_id'], members))


class _MembershipCommand(base.FreezerCommand):
    """Add or remove jobs, one call each, reporting each job."""

    verb = None
    # The ApiClient method that makes the change: (session_id, job_id).
    call = None

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_session_arguments(parser, positional=False)
        parser.add_argument('--job-id', metavar='<job-id>', dest='job_ids',
                            action='append', required=True,
                            help='A job (repeat for several).')
        return parser

    def take_action(self, parsed_args):
        session = find_session(self.client, parsed_args)
        session_id = session['session_id']
        failed = 0
        for job_id in parsed_args.job_ids:
            try:
                getattr(self.client, self.call)(session_id, job_id)
            except ApiError as error:
                failed += 1
                self.note('job %s: not %s: %s' % (job_id, self.verb,
                                                  base.one_line(error)))
            else:
                self.report('job %s: %s session %s' % (job_id, self.verb,
                                                       session_id))
        return base.API_FAILURE if failed else base.OK


class SessionAddJob(_MembershipCommand):
    """Add jobs to a session by id (each takes the session's name)."""

    verb = 'added to'
    call = 'add_job_to_session'


class SessionRemoveJob(_MembershipCommand):
    """Remove jobs from a session (each loses the session's name)."""

    verb = 'removed from'
    call = 'remove_job_from_session'
