"""The cliff commands start/stop/status/restart/reload, in a cliff app."""

import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent('''
    import sys
    from cliff import app, commandmanager
    from freezer_scheduler.daemon import commands

    manager = commandmanager.CommandManager('freezer.tests.none')
    for name in ('start', 'stop', 'status', 'restart', 'reload'):
        manager.add_command(name, getattr(commands, name.capitalize()))
    application = app.App(description='test', version='1',
                          command_manager=manager, deferred_help=True)
    sys.exit(application.run(sys.argv[1:]))
''')


@pytest.fixture
def cli(tmp_path):
    script = tmp_path / 'cli.py'
    script.write_text(SCRIPT)
    common = ['--pid-file', str(tmp_path / 'sched.pid'), '--state-dir',
              str(tmp_path / 'state'), '--jobs-dir', str(tmp_path / 'jobs')]

    def run(*words, check=True):
        action, rest = words[0], list(words[1:])
        done = subprocess.run(
            [sys.executable, str(script), action] + common + rest,
            capture_output=True, text=True, timeout=60,
            env=dict(os.environ, OS_AUTH_TYPE='', OS_BACKUP_URL=''))
        return done.returncode, done.stdout + done.stderr

    return run


def test_daemon_lifecycle_through_cliff(cli, tmp_path):
    code, text = cli('status')
    assert (code, text.strip()) == (3, 'Not Running')
    code, text = cli('start', '--no-api', '--interval', '1')
    assert code == 0 and 'started with pid' in text, text
    pid = int(text.split()[-1])
    try:
        code, text = cli('status')
        assert code == 0 and 'Running with pid: %d' % pid in text, text
        code, text = cli('start', '--no-api')
        assert 'already running with pid %d' % pid in text
        code, text = cli('reload')
        assert code == 0, text
        code, text = cli('restart', '--no-api')
        assert code == 0 and 'Stopped' in text and 'started' in text, text
        pid = int(text.split()[-1])
    finally:
        code, text = cli('stop')
    assert code == 0 and 'Stopped freezer-scheduler (pid %d)' % pid in text
    code, text = cli('status')
    assert code == 3


def test_configuration_errors_are_one_line(cli):
    code, text = cli('start', '--no-daemon', '--os-auth-type', 'none')
    assert code == 1
    assert text.strip().count('\n') == 0, text
    assert '--os-backup-url' in text
