"""What every command shares: the API client, exit codes, error lines.

The same command classes run under ``freezer-scheduler`` and under
``openstack freezer``; ``api(app)`` finds the client in either.
Exit codes: 0 done, 1 the API failed (or was unreachable), 2 bad input.
"""

import json
import logging

from cliff import columns
from cliff import command
from cliff import lister
from cliff import show
from keystoneauth1 import exceptions as ks_exceptions

from freezer_scheduler.api import http
from freezer_scheduler import client as client_module
from freezer_scheduler import files

OK = 0
API_FAILURE = 1
BAD_INPUT = 2

LOG = logging.getLogger(__name__)


def api(app):
    """The ApiClient of the running application."""
    manager = getattr(app, 'client_manager', None)
    if manager is not None:
        # openstack: the plugin's make_client(), built once by osc-lib.
        return manager.freezer
    return app.api_client()


def count(number, noun):
    """``1 job``, ``2 jobs``."""
    return '%d %s%s' % (number, noun, '' if number == 1 else 's')


def one_line(error):
    return ' '.join(str(error).split()) or type(error).__name__


class JsonColumn(columns.FormattableColumn):
    """A nested value: indented JSON in a table, as it is in -f json."""

    def human_readable(self):
        if self._value in (None, '', {}, []):
            return ''
        return json.dumps(self._value, indent=2, sort_keys=True)

    def machine_readable(self):
        return self._value


class ListColumn(columns.FormattableColumn):
    """A list of ids: one per line in a table, a list in -f json."""

    def human_readable(self):
        return '\n'.join(str(v) for v in self._value or [])

    def machine_readable(self):
        return list(self._value or [])


class FreezerCommandMixin(object):
    """Turns known failures into one line on stderr and an exit code."""

    # openstack runs auth set-up for commands that say they need it.
    auth_required = True
    # A command may set this to report a partial failure after its output.
    exit_code = OK

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Lines saying what was done, printed after the table or record.
        self.summary = []

    @property
    def client(self):
        return api(self.app)

    def run(self, parsed_args):
        try:
            return super().run(parsed_args) or self.exit_code
        except (files.InputError, client_module.ConfigError) as error:
            return self._fail(error, BAD_INPUT)
        except client_module.ApiError as error:
            return self._fail(error, API_FAILURE)
        except ks_exceptions.ClientException as error:
            # Authentication: Keystone unreachable or refusing.
            return self._fail(http.transport_error_text(error), API_FAILURE)

    def _fail(self, error, code):
        if getattr(self.app.options, 'debug', False):
            LOG.exception('%s failed', self.cmd_name)
        self.app.stderr.write('error: %s\n' % one_line(error))
        return code

    def report(self, text):
        """A line saying what was done, for commands without a table."""
        self.app.stdout.write(text + '\n')

    def note(self, text):
        """A line beside a table or record: stderr keeps -f json clean."""
        self.app.stderr.write(text + '\n')

    def produce_output(self, parsed_args, column_names, data):
        super().produce_output(parsed_args, column_names, data)
        # After the output, where a reader looks last.
        for line in self.summary:
            self.note(line)


class FreezerCommand(FreezerCommandMixin, command.Command):
    """A command without tabular output."""


class FreezerLister(FreezerCommandMixin, lister.Lister):
    """A command that prints rows (-f table|csv|json|yaml|value)."""


class FreezerShowOne(FreezerCommandMixin, show.ShowOne):
    """A command that prints one record (-f table|json|yaml|value|shell)."""
