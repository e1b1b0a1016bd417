"""A stand-in for freezer-agent in tests (the real one needs Keystone).

It accepts the agent's command line as the scheduler builds it
(``--metadata-out - --config <INI>``), reads the [action] section and, like
the agent, prints the backup metadata as JSON on standard output. It
exits 3 when the INI asks for ``action = restore`` (to test failures).
"""

import argparse
import configparser
import json
import socket
import sys


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument('--metadata-out', required=True)
    parser.add_argument('--config', required=True)
    options = parser.parse_args(argv)
    ini = configparser.RawConfigParser()
    ini.read(options.config)
    action = dict(ini.items('action'))
    if action.get('action') == 'restore':
        sys.stderr.write('restore refused by the stand-in\n')
        return 3
    metadata = {'container': action['container'],
                'backup_name': action['backup_name'],
                'hostname': socket.gethostname(),
                'level': 0, 'mode': action.get('mode'),
                'path_to_backup': action.get('path_to_backup')}
    if options.metadata_out == '-':
        json.dump(metadata, sys.stdout)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
