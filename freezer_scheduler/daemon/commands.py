"""cliff commands ``start``, ``stop``, ``status``, ``restart``, ``reload``.

Each hands its options to the daemon's own (oslo.config) parser, so every
upstream spelling works after the command word
(``freezer-scheduler start --client-id node1 --no-daemon``). Options the
application parsed before the command word (``--os-*``, ``--debug``,
``--log-file``, ``--insecure``) are passed on too.
"""

import argparse

from cliff import command

from freezer_scheduler.daemon import config
from freezer_scheduler.daemon import main

# Application-level option attributes → daemon flags.
_APP_VALUES = [(opt.dest, '--' + opt.dest.replace('_', '-'))
               for opt in config.service_auth_opts()]
_APP_VALUES += [('log_file', '--log-file'), ('log_dir', '--log-dir')]
_APP_FLAGS = [('debug', '--debug'), ('insecure', '--scheduler-insecure')]


EPILOG = '''\
scheduler options (every upstream spelling works; the full list:
python -m freezer_scheduler.daemon --help):
  -c, --client-id ID      run the jobs of this client id
  -i, --interval SECONDS  seconds between two polls of the API (60)
  -f, --jobs-dir DIR      job cache, or job files with --no-api
  -n, --no-api            run the job files of --jobs-dir, no API
  --no-daemon             stay in the foreground
  --concurrent-jobs N     jobs that may run at once (1)
  --disable-exec          refuse jobs with exec actions
  --pid-file PATH, --state-dir DIR, --agent-command CMD
  --config-file PATH      e.g. /etc/freezer/scheduler.conf
'''


class _PassThroughParser(argparse.ArgumentParser):
    """Keeps every option it does not know for the daemon's parser."""

    def parse_args(self, args=None, namespace=None):
        namespace, extras = self.parse_known_args(args, namespace)
        namespace.daemon_options = extras
        return namespace


def app_options(app):
    """Daemon flags for what the application parsed before the command."""
    options = getattr(app, 'options', None)
    argv = []
    for attribute, flag in _APP_VALUES:
        value = getattr(options, attribute, None)
        if isinstance(value, str) and value:
            argv += [flag, value]
    for attribute, flag in _APP_FLAGS:
        if getattr(options, attribute, None) is True:
            argv.append(flag)
    return argv


class _DaemonCommand(command.Command):
    action = None

    def get_parser(self, prog_name):
        # add_help=False: -h/--help reach the daemon's parser, which lists
        # every scheduler option.
        return _PassThroughParser(
            prog=prog_name, add_help=False,
            usage='%s [scheduler options]' % prog_name,
            description=self.get_description(), epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter)

    def take_action(self, parsed_args):
        argv = app_options(self.app) + list(parsed_args.daemon_options)
        return main.run_action(self.action, argv)


class Start(_DaemonCommand):
    """Start the scheduler (a daemon, or in the foreground with
    --no-daemon)."""
    action = 'start'


class Stop(_DaemonCommand):
    """Stop the running scheduler (its running jobs go on and are picked
    up by the next start)."""
    action = 'stop'


class Status(_DaemonCommand):
    """Tell whether the scheduler runs, and the state of its jobs."""
    action = 'status'


class Restart(_DaemonCommand):
    """Stop the scheduler, then start it."""
    action = 'restart'


class Reload(_DaemonCommand):
    """Make the running scheduler poll the API now."""
    action = 'reload'
