"""The ``freezer-scheduler`` command: a cliff application.

Commands come from the ``freezer.scheduler.commands`` entry points: the
job and session commands of this package and the daemon's start, stop,
status, restart and reload.
"""

import logging
import sys

from cliff import app
from cliff import commandmanager

from freezer_scheduler import client as client_module

COMMANDS = 'freezer.scheduler.commands'


def _version():
    try:
        from importlib import metadata
        return metadata.version('freezer-sessions')
    except Exception:  # not installed: running from a source tree
        return 'unknown'


class SchedulerApp(app.App):
    """freezer-scheduler: upload jobs and sessions, run the scheduler."""

    def __init__(self):
        super().__init__(
            description='Upload jobs and sessions to freezer-api; run the '
                        'scheduler daemon.',
            version=_version(),
            command_manager=commandmanager.CommandManager(COMMANDS),
            deferred_help=True)
        self._api_client = None

    def build_option_parser(self, description, version, argparse_kwargs=None):
        parser = super().build_option_parser(description, version,
                                             argparse_kwargs)
        client_module.add_auth_arguments(parser)
        return parser

    def configure_logging(self):
        super().configure_logging()
        if not self.options.debug and self.options.verbose_level <= 1:
            # keystoneauth warns before it fails; the failure is the
            # one line the user needs.
            logging.getLogger('keystoneauth').setLevel(logging.ERROR)

    def api_client(self):
        """The ApiClient, built on first use from the global options."""
        if self._api_client is None:
            self._api_client = client_module.make_client(self.options)
        return self._api_client

    def interact(self):
        # Without a command cliff opens an interactive shell; scripts on a
        # scheduler host want the list of commands (and exit code 1).
        self.stderr.write('freezer-scheduler: no command given\n')
        self.run_subcommand(['help'])


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    # Upstream's word order, "freezer-scheduler [options] start", is the
    # daemon's own command line: an existing init script runs unchanged.
    from freezer_scheduler.daemon import main as daemon_main
    if argv and argv[0].startswith('-') and daemon_main.wants_daemon(argv):
        return daemon_main.main(argv)
    return SchedulerApp().run(argv)


if __name__ == '__main__':
    sys.exit(main())
