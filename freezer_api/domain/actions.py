"""Actions: standalone documents, and the steps of a job."""

from freezer_api.common import exceptions
from freezer_api.common import schemas
from freezer_api.domain import schedules

# freezer_action keys that upstream keeps in columns of their own.
_COLUMNS = {'action': 'action', 'mode': 'actionmode',
            'path_to_backup': 'path_to_backup', 'backup_name': 'backup_name',
            'container': 'container', 'timeout': 'timeout',
            'priority': 'priority', 'log_file': 'log_file'}


# Upstream's defaults for an action that does not say.
DEFAULT_RETRIES = 5
DEFAULT_RETRY_INTERVAL = 6


def action_row(project_id, user_id, action_id, document):
    """The actions row for an action document (or a job's action entry)."""
    freezer_action = dict(document['freezer_action'])
    max_retries = document.get('max_retries')
    interval = document.get('max_retries_interval')
    row = {'id': action_id, 'project_id': project_id, 'user_id': user_id,
           'max_retries': DEFAULT_RETRIES if max_retries is None
           else max_retries,
           'max_retries_interval': DEFAULT_RETRY_INTERVAL if interval is None
           else interval,
           'mandatory': document.get('mandatory'),
           'backup_metadata': freezer_action}
    for key, column in _COLUMNS.items():
        row[column] = freezer_action.get(key)
    return row


def render_freezer_action(row):
    freezer_action = dict(row['backup_metadata'] or {})
    for key, column in _COLUMNS.items():
        freezer_action[key] = row[column]
    return freezer_action


def render(row):
    return {'action_id': row['id'], 'project_id': row['project_id'],
            'user_id': row['user_id'],
            'max_retries': row['max_retries'],
            'max_retries_interval': row['max_retries_interval'],
            'mandatory': bool(row['mandatory']),
            'timeout': row['timeout'],
            'freezer_action': render_freezer_action(row)}


def _same(row, entry):
    stored = render_freezer_action(row)
    wanted = dict(entry['freezer_action'])
    for key in _COLUMNS:
        wanted.setdefault(key, None)
    retries = entry.get('max_retries')
    interval = entry.get('max_retries_interval')
    return (stored == wanted
            and row['max_retries'] == (DEFAULT_RETRIES if retries is None
                                       else retries)
            and row['max_retries_interval'] == (
                DEFAULT_RETRY_INTERVAL if interval is None else interval))


def store_job_actions(tx, project_id, user_id, entries, previous=()):
    """Reuse or create the actions of a job; [(link id, action id, mandatory)].

    An entry whose ``action_id`` names an equal action of the project reuses
    it; an entry without one reuses the job's ``previous`` action at the
    same position when equal (so replacing a job with the same document
    creates nothing); otherwise a new action is created. Runs in the job's
    transaction, so a job that fails to be written leaves no action behind.
    """
    wanted = [e.get('action_id') for e in entries if e.get('action_id')]
    existing = tx.get_actions(project_id, wanted)
    links, new_rows = [], []
    for position, entry in enumerate(entries):
        action_id = entry.get('action_id')
        row = existing.get(action_id)
        if not action_id and position < len(previous):
            action_id = previous[position]['id']
            row = previous[position]
        if row is None or not _same(row, entry):
            reuse = (action_id and row is None
                     and not tx.id_exists('actions', action_id)
                     and action_id not in {r['id'] for r in new_rows})
            action_id = action_id if reuse else schedules.new_id()
            new_rows.append(action_row(project_id, user_id, action_id, entry))
        links.append((schedules.new_id(), action_id, entry.get('mandatory')))
    tx.insert_actions(new_rows)
    return links


def render_job_action(row):
    document = {'action_id': row['id'], 'project_id': row['project_id'],
                'user_id': row['user_id'],
                'max_retries': row['max_retries'],
                'max_retries_interval': row['max_retries_interval'],
                'freezer_action': render_freezer_action(row)}
    mandatory = row['link_mandatory']
    if mandatory is None:
        mandatory = row['mandatory']
    document['mandatory'] = bool(mandatory)
    return document


# -- standalone actions -----------------------------------------------------

def create(tx, project_id, user_id, document, action_id=None):
    schemas.validate(schemas.action_create, document)
    action_id = action_id or document.get('action_id') or schedules.new_id()
    tx.insert_action(action_row(project_id, user_id, action_id, document))
    return action_id


def get(tx, project_id, action_id, lock=False):
    row = tx.get_action(project_id, action_id, lock=lock)
    if row is None:
        raise exceptions.NotFound('No action found with ID %s' % action_id)
    return row


def patch(tx, project_id, user_id, action_id, document):
    schemas.validate(schemas.action_patch, document)
    row = get(tx, project_id, action_id, lock=True)
    merged = {'freezer_action': render_freezer_action(row),
              'max_retries': row['max_retries'],
              'max_retries_interval': row['max_retries_interval'],
              'mandatory': row['mandatory']}
    for key in ('max_retries', 'max_retries_interval', 'mandatory'):
        if key in document:
            merged[key] = document[key]
    if 'freezer_action' in document:
        merged['freezer_action'].update(document['freezer_action'])
    values = action_row(project_id, user_id, action_id, merged)
    del values['id']
    tx.update_action(action_id, values)
    return row['version'] + 1


def replace(tx, project_id, user_id, action_id, document):
    schemas.validate(schemas.action_create, document)
    row = tx.get_action(project_id, action_id, lock=True)
    values = action_row(project_id, user_id, action_id, document)
    if row is None:
        tx.insert_action(values)
        return 1
    del values['id']
    tx.update_action(action_id, values)
    return row['version'] + 1


def delete(tx, project_id, action_id):
    get(tx, project_id, action_id, lock=True)
    tx.delete_action(action_id)
