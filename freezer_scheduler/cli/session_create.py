"""session-create: cases 3 and 4 of the named-sessions spec."""

from freezer_scheduler.cli import base
from freezer_scheduler.client import ApiError
from freezer_scheduler import files

FIELDS = ('Session ID', 'Session Name', 'Result', 'Attached Job IDs')


def create_named(client, session_file, update):
    """POST /sessions; a taken name fails unless ``update``."""
    document = session_file.document
    try:
        answer = client.create_session(document,
                                       'update' if update else None)
    except ApiError as error:
        if error.status == 409 and not update:
            raise error.concerning(session_file.path, (
                'a session named %r already exists (session_id %s); '
                'nothing changed; use --update to update it')
                % (document['session_name'],
                   error.body.get('session_id', '?')))
        raise error.concerning(session_file.path)
    return (answer['session_id'], answer['created'],
            answer.get('attached_job_ids') or [])


def create_unnamed(client, session_file, update):
    """A session without a name: at its session_id, or at a new id."""
    document = session_file.document
    session_id = session_file.session_id
    try:
        if session_id is None:
            return client.create_session(document)['session_id'], True, []
        try:
            client.get_session(session_id)
        except ApiError as error:
            if error.status != 404:
                raise
            client.put_session(session_id, document)
            return session_id, True, []
        if not update:
            raise ApiError(409, 'session %s already exists; nothing '
                                'changed; use --update to update it'
                           % session_id)
        client.patch_session(session_id, document)
        return session_id, False, []
    except ApiError as error:
        raise error.concerning(session_file.path)


class SessionCreate(base.FreezerShowOne):
    """Create a session from a file; with --update, update it if it exists.

    A session with a session_name gathers every job of the project that
    carries that name. A taken name is an error unless --update is given:
    then the existing session takes the file's parameters.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--session-file', metavar='<file>',
                            required=True,
                            help='JSON session document (session_name, '
                                 'description, schedule, hold_off...).')
        parser.add_argument('--update', action='store_true',
                            help='If the name (or session_id) is taken, '
                                 'update that session from the file '
                                 'instead of failing.')
        return parser

    def take_action(self, parsed_args):
        session_file = files.load_session_file(parsed_args.session_file)
        name = session_file.session_name
        if name is not None:
            session_id, created, attached = create_named(
                self.client, session_file, parsed_args.update)
        else:
            session_id, created, attached = create_unnamed(
                self.client, session_file, parsed_args.update)
            if session_file.session_id is None:
                self.summary.append(
                    'note: %s has neither session_name nor session_id: '
                    'each run creates a new session' % session_file.path)
        self.summary.append('session %s%s %s; %s joined it' % (
            session_id, ' (%r)' % name if name else '',
            'created' if created else 'updated',
            base.count(len(attached), 'pending job')))
        values = (session_id, name or '', 'created' if created else 'updated',
                  base.ListColumn(attached))
        return FIELDS, values
