"""Which snapshot a restore puts back, and when it only compares: decided by hotwax_snapshot (operation load), proved
through the restore playbook over real HTTP.

A restore takes rollback_snapshot when given, else the artifact a rollback job published (hotwax_oms_snapshots, as an
AWX workflow passes it on), else the file in the snapshot folder. A snapshot restored once is only compared with the
OMS unless forced: that run writes nothing.
"""

import copy
import json

import pytest

from tests.helpers import snapshot_path

ROLLBACK = '- import_playbook: hotwax.oms.rollback\n'
RESTORE = '- import_playbook: hotwax.oms.restore\n'
LOAD = 'Load the snapshot taken before the rollback'
REMOTE = 'SHOP_SHOPIFY_REMOTE'


def run(run_playbook, book, hosts, *args):
    return run_playbook(book, '-l', 'prod', *args, inventory=hosts)


def with_remote_before(snapshot, scope):
    """The snapshot, with another recorded value for the remote: which snapshot was put back shows in the OMS."""
    changed = copy.deepcopy(snapshot)
    records = [record for shop in changed['shops'] for record in shop['records'] if record['id'] == REMOTE]
    assert len(records) == 1
    records[0]['before'] = scope
    return changed


@pytest.mark.parametrize('given, expected_source, expected_scope', [
    (('rollback_snapshot', 'published', 'file'), 'rollback_snapshot', 'SHOP_READ_WRITE_ACCESS'),
    (('published', 'file'), 'hotwax_oms_snapshots', 'SHOP_READ_ACCESS'),
    (('file',), 'file', 'SHOP_RW_ACCESS'),
], ids=['rollback_snapshot beats the artifact and the file', 'the artifact beats the file', 'the file alone'])
def test_rollback_snapshot_beats_the_artifact_which_beats_the_file(demo_oms, run_playbook, inventory, tmp_path,
                                                                   given, expected_source, expected_scope):
    hosts = inventory(prod=demo_oms)
    assert demo_oms.state()['remotes'][REMOTE] == 'SHOP_RW_ACCESS'
    rollback = run(run_playbook, ROLLBACK, hosts)
    assert rollback.returncode == 0, rollback.output
    saved = json.loads(snapshot_path(tmp_path).read_text())  # 'file': the remote recorded as SHOP_RW_ACCESS
    extra = {}
    if 'published' in given:  # another environment's entry is not taken
        extra['hotwax_oms_snapshots'] = {'prod': with_remote_before(saved, 'SHOP_READ_ACCESS'),
                                         'uat': with_remote_before(saved, 'SHOP_NO_ACCESS')}
    if 'rollback_snapshot' in given:
        extra['rollback_snapshot'] = with_remote_before(saved, 'SHOP_READ_WRITE_ACCESS')
    extra_vars = tmp_path / 'extra.json'
    extra_vars.write_text(json.dumps(extra))
    restore = run(run_playbook, RESTORE, hosts, '-e', '@%s' % extra_vars)
    assert restore.returncode == 0, restore.output
    assert restore.result(LOAD)['source'] == expected_source
    assert demo_oms.state()['remotes'][REMOTE] == expected_scope


def test_a_snapshot_restored_once_is_only_compared_and_nothing_is_written_unless_forced(
        demo_oms, run_playbook, inventory, tmp_path):
    hosts = inventory(prod=demo_oms)
    assert run(run_playbook, ROLLBACK, hosts).returncode == 0
    first = run(run_playbook, RESTORE, hosts)
    assert first.returncode == 0, first.output
    assert first.result(LOAD)['check_only'] is False and first.result(LOAD)['already_restored_at'] is None
    demo_oms.query("UPDATE SystemMessageRemote SET accessScopeEnumId = 'SHOP_NO_ACCESS'")  # closed again since, by hand

    demo_oms.clear_requests()
    again = run(run_playbook, RESTORE, hosts)
    assert again.returncode != 0
    loaded = again.result(LOAD)
    assert loaded['check_only'] is True and loaded['already_restored_at'] == json.loads(
        snapshot_path(tmp_path).read_text())['restored_at']
    assert demo_oms.writes() == []  # the request log: a comparison, not a restore
    assert 'already restored at %s, and 1 records differ from it now: shop SHOP remote %s' % (
        loaded['already_restored_at'], REMOTE) in again.output
    assert demo_oms.state()['remotes'][REMOTE] == 'SHOP_NO_ACCESS'

    forced = run(run_playbook, RESTORE, hosts, '-e', 'rollback_restore_force=true')
    assert forced.returncode == 0, forced.output
    assert forced.result(LOAD)['check_only'] is False
    assert demo_oms.state()['remotes'][REMOTE] == 'SHOP_RW_ACCESS'


def test_a_check_of_a_restore_writes_nothing(demo_oms, run_playbook, inventory):
    hosts = inventory(prod=demo_oms)
    assert run(run_playbook, ROLLBACK, hosts).returncode == 0
    demo_oms.clear_requests()
    check = run(run_playbook, RESTORE, hosts, '--check')
    assert check.returncode == 0, check.output
    assert check.result(LOAD)['check_only'] is True
    assert demo_oms.writes() == []
    assert demo_oms.state()['remotes'][REMOTE] == 'SHOP_NO_ACCESS'
