# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The readiness judgement: would a rollback and a restore work on this environment now?

Takes what hotwax_api_info found in the OMS and what hotwax_snapshot (operation status) found in the snapshot
folder, and returns one report: ``ready``, the ``reasons`` it is not (most important first), the line the play
ends with, and everything a release engineer reads to decide. Plain Python with no Ansible import, so unit tests
reach every rule.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import tempfile

from ansible_collections.hotwax.oms.plugins.plugin_utils.snapshot_store import (
    SnapshotError, looks_rolled_back, resolve_folder)

# Section 4 of the contract: what no REST read can show, said once per report.
NOT_VISIBLE = (
    'No REST call can show caches: a multi-node Maarg without distributed cache invalidation may keep serving the old '
    'access scope of a SystemMessageRemote from other nodes until their cache entry expires, and whether OFBiz caches '
    'ShopifyConfig or ProductStore rows after a Maarg write is not public. After a rollback, confirm on the real system '
    'that Shopify calls stopped: the Shopify connector logs "No Access is enabled for Shopify" for a shop once it sees '
    'SHOP_NO_ACCESS, and no new orders arrive in the OMS from that shop.')


def _failed(result, key):
    """A registered result that failed: the play registers with failed_when false, so it lacks its ``key``."""
    return isinstance(result, dict) and (bool(result.get('failed')) or key not in result)


def _reasons_from_api(api):
    """Why the OMS side would fail a rollback or a restore, most basic first."""
    if not isinstance(api, dict) or api.get('skipped'):
        return ['the OMS was not probed']
    if _failed(api, 'routes'):
        return ['probing the OMS failed: %s' % api.get('msg', 'no message')]
    reasons = []
    if api.get('connection_problem'):
        what = 'cannot log in' if api.get('reachable') else 'cannot reach the OMS'
        return ['%s: %s' % (what, api['connection_problem'])]
    reasons.extend(api.get('problems') or [])
    probe = api.get('write_probe') or {}
    if probe.get('checked'):
        if probe.get('error'):
            reasons.append('write probe: %s' % probe['error'])
        for result in probe.get('probes') or []:
            if not result.get('ok'):
                reasons.append('write probe: %s (%s %s): %s' % (
                    result.get('label'), result.get('field'), result.get('value'), result.get('error')))
        for kind, ids in sorted((probe.get('rows_created') or {}).items()):
            reasons.append('write probe: writing current values back created %s rows: %s' % (kind, ', '.join(ids)))
    return reasons


def _reasons_from_snapshot(status):
    """Why the way back is not ready: an open or unusable snapshot, a run in progress, a folder not writable."""
    if not isinstance(status, dict) or status.get('skipped'):
        return ['the snapshot folder was not checked']
    if _failed(status, 'state'):
        return ['snapshot folder: %s' % status.get('msg', 'no message')]
    reasons = []
    state = status.get('state')
    if status.get('locked_by'):
        holder = status['locked_by']
        reasons.append('another %s is running: %s on %s, pid %s, since %s (lock in %s)' % (
            holder.get('purpose', 'run'), holder.get('user', '?'), holder.get('host', '?'), holder.get('pid', '?'),
            holder.get('since', '?'), status.get('folder')))
    if state == 'open':
        reasons.append('a snapshot taken at %s is open (rolled back, not restored) at %s: restore first '
                       '(ansible-playbook hotwax.oms.restore), or a new rollback would keep that old state'
                       % (status.get('taken_at'), status.get('path')))
    elif state == 'unusable':
        reasons.append('the snapshot %s is unusable (%s): look at it before a rollback moves it aside'
                       % (status.get('path'), status.get('problem')))
    if status.get('writable') is False:
        reasons.append('the snapshot folder is not writable: %s' % status.get('write_problem'))
    return reasons


def _notes(api, status, awx_job, check_mode):
    """What the report says besides the reasons: what was not checked, and what is fine but worth knowing."""
    notes = []
    api = api if isinstance(api, dict) else {}
    status = status if isinstance(status, dict) else {}
    probe = api.get('write_probe') or {}
    if probe and not probe.get('checked'):
        notes.append('permissions: %s; set readiness_probe_writes: true on a non-production environment or in a '
                     'quiet hour to check them' % probe.get('reason'))
    for route in api.get('routes') or []:
        if route.get('note'):
            notes.append('%s: %s' % (route['name'], route['note']))
    touch = api.get('touch') or {}
    for skipped in touch.get('skipped') or []:
        notes.append('a rollback would skip %s %s: %s' % (skipped.get('kind'), skipped.get('id'), skipped.get('reason')))
    for warning in api.get('reader_warnings') or []:
        notes.append(warning)
    if status.get('state') == 'other_oms':
        notes.append('the snapshot file %s is of another OMS (%s): a rollback keeps it aside and starts a new one'
                     % (status.get('path'), status.get('snapshot_oms_url')))
    if status.get('kept'):
        notes.append('%d earlier snapshots are kept in %s' % (len(status['kept']), status.get('folder')))
    if awx_job:
        notes.append('on AWX (job %s): the rollback publishes its snapshot as a job artifact, hotwax_oms_snapshots.<environment>; '
                     'keep rollback_snapshot_dir on a persistent volume, or give a restore job that artifact as '
                     'rollback_snapshot' % awx_job)
    if check_mode:
        notes.append('check mode: nothing was written, not even the snapshot folder probe')
    return notes


def judge(environment, api, snapshot_status, variable_problems=(), awx_job=None, check_mode=False):
    """The readiness report of one environment; ``ready`` and ``line`` say it in one word and one line."""
    reasons = list(variable_problems or [])
    reasons += _reasons_from_api(api)
    reasons += _reasons_from_snapshot(snapshot_status)
    api_result = api if isinstance(api, dict) else {}
    status = snapshot_status if isinstance(snapshot_status, dict) else {}
    touch = api_result.get('touch') or {}
    rolled_back = looks_rolled_back({'shops': [{'records': touch.get('records') or []}],
                                     'product_stores': touch.get('product_stores') or []}) if touch else False
    if rolled_back and status.get('state') != 'open':
        reasons.append('the OMS looks already rolled back (every selected record is closed and no snapshot is open): a '
                       'rollback now would record the closed state as the one to restore; find the snapshot of the '
                       'rollback that closed it, or open the OMS first')
    ready = not reasons
    report = dict(
        environment=environment,
        ready=ready,
        line='ready' if ready else 'not ready: %s' % reasons[0],
        reasons=reasons,
        connection=dict((key, api_result.get(key)) for key in
                        ('oms_url', 'credential', 'username', 'reachable', 'logged_in', 'connection_problem')),
        routes=api_result.get('routes') or [],
        would_touch=dict((key, touch.get(key)) for key in
                         ('counts', 'shops', 'records', 'product_stores', 'service_jobs', 'skipped', 'store_path')),
        where_it_stands=dict(snapshot_state=status.get('state'), snapshot_path=status.get('path'),
                             taken_at=status.get('taken_at'), restored_at=status.get('restored_at'),
                             snapshot_already_rolled_back=status.get('already_rolled_back'),
                             oms_looks_rolled_back=rolled_back, kept=status.get('kept') or [],
                             locked_by=status.get('locked_by')),
        way_back=dict(folder=status.get('folder'), writable=status.get('writable'),
                      write_problem=status.get('write_problem'), awx_job=awx_job,
                      artifact=('hotwax_oms_snapshots.%s' % environment) if awx_job else None),
        permissions=api_result.get('write_probe'),
        not_visible=NOT_VISIBLE,
        notes=_notes(api, snapshot_status, awx_job, check_mode),
    )
    return report


def write_report(folder, environment, report):
    """Write ``<folder>/<environment>.json`` atomically; return its path. Raises SnapshotError with the reason."""
    folder = resolve_folder(folder)
    try:
        if not os.path.isdir(folder):
            os.makedirs(folder, 0o700)
        descriptor, temporary = tempfile.mkstemp(prefix='.%s.' % environment, suffix='.tmp', dir=folder)
        with os.fdopen(descriptor, 'w') as handle:
            json.dump(report, handle, indent=2, sort_keys=True)
            handle.write('\n')
        path = os.path.join(folder, '%s.json' % environment)
        os.rename(temporary, path)
    except (IOError, OSError) as exc:
        raise SnapshotError('cannot write the readiness report in %s: %s' % (folder, exc))
    return path
