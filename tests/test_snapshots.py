"""The way back in every ordinary setup (issue 11): each case as a user met it, through the playbooks, over real HTTP."""

import json
import os
import socket
import stat

from ansible_collections.hotwax.oms.plugins.plugin_utils.snapshot_store import oms_file_name
from tests.helpers import normal, remote_owners, snapshot_path, token_vars

ROLLBACK = '- import_playbook: hotwax.oms.rollback\n'
RESTORE = '- import_playbook: hotwax.oms.restore\n'


def run(run_playbook, book, hosts, *args, env=None):
    return run_playbook(book, '-l', 'prod', *args, inventory=hosts, env=env)


def folder_files(folder):
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_a_tilde_folder_under_a_home_unlike_the_passwd_one_keeps_the_first_snapshot(demo_oms, run_playbook, hosts, tmp_path):
    home = tmp_path / 'elsewhere'  # does not exist yet, and is not root's passwd home
    inventory = hosts(prod=token_vars(demo_oms, rollback_snapshot_dir='~/snaps'))
    before = normal(demo_oms.state())
    first = run(run_playbook, ROLLBACK, inventory, env={'HOME': str(home)})
    assert first.returncode == 0, first.output
    snapshot = home / 'snaps' / snapshot_path(tmp_path, oms=demo_oms).name
    assert snapshot.exists() and stat.S_IMODE((home / 'snaps').stat().st_mode) == 0o700
    assert 'Snapshot of the state before: %s' % snapshot in first.output  # the absolute path, once expanded
    taken_at = json.loads(snapshot.read_text())['taken_at']

    again = run(run_playbook, ROLLBACK, inventory, env={'HOME': str(home)})
    assert again.returncode == 0, again.output
    assert 'kept from the rollback at %s' % taken_at in again.output
    assert json.loads(snapshot.read_text())['shops'][0]['records'][0]['before'] != 'SHOP_NO_ACCESS'

    restore = run(run_playbook, RESTORE, inventory, env={'HOME': str(home)})
    assert restore.returncode == 0, restore.output
    assert normal(demo_oms.state()) == before


def test_a_relative_folder_is_taken_from_where_ansible_playbook_runs(demo_oms, run_playbook, hosts, tmp_path):
    inventory = hosts(prod=token_vars(demo_oms, rollback_snapshot_dir='relative/snaps'))
    result = run(run_playbook, ROLLBACK, inventory)
    assert result.returncode == 0, result.output
    assert (tmp_path / 'relative' / 'snaps' / snapshot_path(tmp_path).name).exists()  # the runs' working directory is tmp_path


def test_one_oms_written_two_ways_is_one_environment(demo_oms, run_playbook, hosts, tmp_path):
    before = normal(demo_oms.state())
    port = demo_oms.url.rsplit(':', 1)[1]
    plain = hosts(prod=token_vars(demo_oms, hotwax_oms_url='http://localhost:%s/' % port))
    first = run(run_playbook, ROLLBACK, plain)
    assert first.returncode == 0, first.output
    shouted = hosts(prod=token_vars(demo_oms, hotwax_oms_url='http://LocalHost:%s/rest/s1/' % port))
    again = run(run_playbook, ROLLBACK, shouted)  # "run it again to be sure", with the URL written another way
    assert again.returncode == 0, again.output
    assert folder_files(tmp_path / 'snapshots') == ['%s.json' % oms_file_name('http://localhost:%s' % port)]  # one OMS, one file
    restore = run(run_playbook, RESTORE, shouted)
    assert restore.returncode == 0, restore.output
    assert normal(demo_oms.state()) == before


def test_a_second_operator_is_warned_and_their_snapshot_is_not_restored_unless_forced(demo_oms, run_playbook, hosts, tmp_path):
    before = normal(demo_oms.state())

    def laptop(name):  # hosts() writes one inventory file: write it anew before each run
        return hosts(prod=token_vars(demo_oms, rollback_snapshot_dir=str(tmp_path / name)))

    assert run(run_playbook, ROLLBACK, laptop('laptop1')).returncode == 0
    late = run(run_playbook, ROLLBACK, laptop('laptop2'))
    assert late.returncode == 0, late.output
    assert 'prod looks already rolled back' in late.output
    assert json.loads((tmp_path / 'laptop2' / snapshot_path(tmp_path).name).read_text())['already_rolled_back'] is True

    demo_oms.clear_requests()
    refused = run(run_playbook, RESTORE, laptop('laptop2'))
    assert refused.returncode != 0
    assert 'was taken when prod was already rolled back' in refused.output and 'artifact of an AWX job' in refused.output
    assert demo_oms.writes() == []
    restore = run(run_playbook, RESTORE, laptop('laptop1'))
    assert restore.returncode == 0, restore.output
    assert normal(demo_oms.state()) == before


def test_an_old_restored_snapshot_of_another_oms_does_not_turn_a_rollback_red(demo_oms, run_playbook, inventory, tmp_path):
    folder = tmp_path / 'snapshots'
    folder.mkdir()
    old = {'format': 2, 'environment': 'prod', 'oms_url': 'https://old-customer-maarg.hotwax.io', 'taken_at': '2026-01-01T00:00:00Z',
           'restored': True, 'restored_at': '2026-01-02T00:00:00Z', 'targets': ['remote'], 'shops': [], 'product_stores': []}
    (folder / 'prod.json').write_text(json.dumps(old))
    result = run(run_playbook, ROLLBACK, inventory(prod=demo_oms))
    assert result.returncode == 0, result.output
    # a file named the 0.2.0 way (by the inventory host) that records another OMS is left as it is, beside this OMS's
    assert folder_files(folder) == sorted([snapshot_path(tmp_path).name, 'prod.json'])
    assert json.loads((folder / 'prod.json').read_text()) == old
    assert json.loads(snapshot_path(tmp_path).read_text())['oms_url'] == demo_oms.url


def test_a_run_that_holds_the_lock_stops_a_second_one_before_it_reads_the_oms(demo_oms, run_playbook, inventory, tmp_path):
    folder = tmp_path / 'snapshots'
    folder.mkdir()
    holder = {'pid': 1, 'host': socket.gethostname(), 'user': 'uid 0 (ops)', 'purpose': 'restore', 'since': '2026-12-01T09:00:00Z'}
    hosts = inventory(prod=demo_oms)
    lock = folder / ('.%s.lock' % oms_file_name(demo_oms.url))  # the OMS's lock
    lock.write_text(json.dumps(holder))
    demo_oms.clear_requests()
    result = run(run_playbook, ROLLBACK, hosts)
    assert result.returncode != 0
    assert 'another restore of prod is running: uid 0 (ops)' in result.output and 'pid 1' in result.output
    assert demo_oms.requests() == []
    assert json.loads(lock.read_text()) == holder  # someone else's lock is left alone


def test_the_lock_is_released_after_a_run_and_after_a_failed_one(demo_oms, run_playbook, inventory, tmp_path):
    hosts = inventory(prod=demo_oms)
    lock = tmp_path / 'snapshots' / ('.%s.lock' % oms_file_name(demo_oms.url))
    # the snapshot step takes the lock, then cannot read the OMS: the run fails, and releases the lock all the same
    demo_oms.set_faults([{'kind': 'status', 'status': 400, 'method': 'GET'}])
    refused = run(run_playbook, ROLLBACK, hosts)
    assert refused.returncode != 0, refused.output
    assert demo_oms.writes() == [] and not lock.exists()
    demo_oms.set_faults([])
    rollback = run(run_playbook, ROLLBACK, hosts)
    assert rollback.returncode == 0 and 'took over the lock' not in rollback.output
    assert not lock.exists()
    demo_oms.set_faults([{'kind': 'status', 'status': 400, 'method': 'PUT'}])
    assert run(run_playbook, RESTORE, hosts).returncode != 0
    assert not lock.exists()


def test_a_record_changed_since_the_rollback_is_left_and_named_unless_forced(demo_oms, run_playbook, inventory):
    hosts = inventory(prod=demo_oms)
    assert run(run_playbook, ROLLBACK, hosts).returncode == 0
    demo_oms.query("UPDATE SystemMessageRemote SET accessScopeEnumId = 'SHOP_READ_ACCESS'")  # someone opened it since
    check = run(run_playbook, RESTORE, hosts, '--check', '--diff')
    assert check.returncode == 0, check.output
    assert 'Left as changed since the rollback' in check.output and 'shop SHOP remote SHOP_SHOPIFY_REMOTE' in check.output
    restore = run(run_playbook, RESTORE, hosts)
    assert restore.returncode == 0, restore.output
    assert 'Left as changed since the rollback' in restore.output
    state = demo_oms.state()
    assert state['remotes']['SHOP_SHOPIFY_REMOTE'] == 'SHOP_READ_ACCESS'  # left as the person set it
    assert state['shops']['SHOP']['configs']['SHOP_CONFIG'] == 'SHOP_READ_WRITE_ACCESS' and state['stores']['STORE'] == 'Y'
    forced = run(run_playbook, RESTORE, hosts, '-e', 'rollback_restore_force=true')
    assert forced.returncode == 0, forced.output
    assert demo_oms.state()['remotes']['SHOP_SHOPIFY_REMOTE'] == 'SHOP_RW_ACCESS'


def test_a_restore_run_again_after_it_worked_says_so_and_succeeds(demo_oms, run_playbook, inventory):
    hosts = inventory(prod=demo_oms)
    assert run(run_playbook, ROLLBACK, hosts).returncode == 0
    assert run(run_playbook, RESTORE, hosts).returncode == 0
    demo_oms.clear_requests()
    relaunch = run(run_playbook, RESTORE, hosts)
    assert relaunch.returncode == 0, relaunch.output
    assert 'The OMS already holds every value of the snapshot' in relaunch.output
    assert demo_oms.writes() == []


def test_a_mistyped_role_variable_is_refused_before_anything_happens(demo_oms, run_playbook, inventory):
    demo_oms.clear_requests()
    result = run(run_playbook, ROLLBACK, inventory(prod=demo_oms), '-e', '{"rollback_shopids": ["SHOP"]}')
    assert result.returncode != 0
    assert 'unknown role variable rollback_shopids (did you mean rollback_shop_ids?)' in result.output
    failed = [entry for entry in result.results if entry['status'] == 'failed']
    assert len(failed) == 1 and failed[0]['task'].endswith("Check the role's variables, then take the lock and the snapshot of the state before the rollback")
    assert demo_oms.requests() == []


def test_the_snapshot_holds_ids_and_before_values_only(fleet_oms, run_playbook, inventory, tmp_path):
    assert run(run_playbook, ROLLBACK, inventory(prod=fleet_oms)).returncode == 0
    snapshot = json.loads(snapshot_path(tmp_path).read_text())
    records = [record for shop in snapshot['shops'] for record in shop['records']]
    assert records and all(set(record) == {'target', 'id', 'before'} for record in records)
    assert all(set(store) == {'product_store_id', 'name', 'before'} for store in snapshot['product_stores'])
    assert os.stat(snapshot_path(tmp_path)).st_mode & 0o077 == 0


# --- issue 20: the way back never refuses and never widens -----------------------------------------------------------

CUSTOM_SCOPE = 'SHOP_CUSTOM_SCOPE'


def as_read(state):
    """The state as the OMS reads it (helpers.normal), with the jobs: a missing paused reads as N."""
    return dict(normal(state), jobs=dict((name, paused or 'N') for name, paused in state['jobs'].items()))


def add_scope_enum(oms, enum_id):
    """An enum of the access-scope type beyond the four the collection knows: Company's Access select offers every one."""
    oms.query("INSERT INTO Enumeration (enumId, enumTypeId, description) VALUES (?, 'ShopifyShopAccessScope', 'custom')", (enum_id,))


def snapshot_file(tmp_path):
    return json.loads(snapshot_path(tmp_path).read_text())


def test_a_scope_the_collection_does_not_know_is_closed_and_restored_exactly(demo_oms, run_playbook, inventory, tmp_path):
    add_scope_enum(demo_oms, CUSTOM_SCOPE)
    demo_oms.query("UPDATE SystemMessageRemote SET accessScopeEnumId = ? WHERE systemMessageRemoteId = 'SHOP_SHOPIFY_REMOTE'",
                   (CUSTOM_SCOPE,))
    before = demo_oms.state()
    hosts = inventory(prod=demo_oms)
    rollback = run(run_playbook, ROLLBACK, hosts)
    assert rollback.returncode == 0, rollback.output
    assert demo_oms.state()['remotes']['SHOP_SHOPIFY_REMOTE'] == 'SHOP_NO_ACCESS'
    assert rollback.output.count('1 records hold a scope this collection does not know') == 1
    assert 'shop SHOP remote SHOP_SHOPIFY_REMOTE (%s)' % CUSTOM_SCOPE in rollback.output
    records = snapshot_file(tmp_path)['shops'][0]['records']
    assert {'target': 'remote', 'id': 'SHOP_SHOPIFY_REMOTE', 'before': CUSTOM_SCOPE} in records

    restore = run(run_playbook, RESTORE, hosts)
    assert restore.returncode == 0, restore.output
    assert 'get back a scope this collection does not know' in restore.output
    assert demo_oms.state() == before  # the raw state, the custom id included
    assert snapshot_file(tmp_path)['restored'] is True


def test_a_record_reopened_by_hand_between_two_rollbacks_comes_back_narrower(demo_oms, run_playbook, inventory, tmp_path):
    hosts = inventory(prod=demo_oms)
    assert run(run_playbook, ROLLBACK, hosts).returncode == 0
    # Someone reopens the shop in Company, narrower than before the first incident: read access, brokering on.
    demo_oms.query("UPDATE SystemMessageRemote SET accessScopeEnumId = 'SHOP_READ_ACCESS'")
    demo_oms.query("UPDATE ShopifyConfig SET accessScopeEnumId = 'SHOP_READ_ACCESS'")
    demo_oms.query("UPDATE ProductStore SET enableBrokering = 'Y'")
    reopened = demo_oms.state()
    second = run(run_playbook, ROLLBACK, hosts)  # a new incident
    assert second.returncode == 0, second.output
    renewed = [line for line in second.result('Summary')['msg'] if line.startswith('Renewed')]
    assert len(renewed) == 1 and renewed[0].startswith('Renewed 2 records reopened since the rollback at')
    assert renewed[0].endswith(': shop SHOP remote SHOP_SHOPIFY_REMOTE, shop SHOP config SHOP_CONFIG')  # brokering was on before too
    kept = snapshot_file(tmp_path)
    remote = [r for r in kept['shops'][0]['records'] if r['id'] == 'SHOP_SHOPIFY_REMOTE'][0]
    assert remote['before'] == 'SHOP_READ_ACCESS' and [h['before'] for h in remote['history']] == ['SHOP_RW_ACCESS']
    assert [run_['action'] for run_ in kept['runs']] == ['rollback', 'rollback']

    restore = run(run_playbook, RESTORE, hosts)
    assert restore.returncode == 0, restore.output
    assert demo_oms.state() == reopened  # the narrower values, never the older, wider ones


def test_a_partial_restore_then_a_full_one_ends_exactly_where_it_began(fleet_oms, run_playbook, inventory, tmp_path):
    before = as_read(fleet_oms.state())
    hosts = inventory(prod=fleet_oms)
    rollback = run(run_playbook, ROLLBACK, hosts, '-e', 'rollback_pause_jobs=true')
    assert rollback.returncode == 0, rollback.output
    closed = fleet_oms.state()
    one = ('-e', '{"rollback_shop_ids": ["FLEET_SHOP_001"], "rollback_product_store_ids": ["FLEET_STORE_1"]}')

    fleet_oms.clear_requests()
    check = run(run_playbook, RESTORE, hosts, '--check', '--diff', *one)
    assert check.returncode == 0, check.output
    assert fleet_oms.writes() == [] and fleet_oms.state() == closed
    assert 'Partly restored: still closed' in check.output

    partial = run(run_playbook, RESTORE, hosts, *one)
    assert partial.returncode == 0, partial.output
    assert 'Partly restored: still closed' in partial.output and 'consume_ShopifyOrders_SQS' in partial.output
    now = fleet_oms.state()
    owners = remote_owners(fleet_oms)
    for remote_id, scope in now['remotes'].items():
        expected = before['remotes'][remote_id] if owners[remote_id] == {'FLEET_SHOP_001'} else closed['remotes'][remote_id]
        assert (scope or 'SHOP_READ_ACCESS') == (expected or 'SHOP_READ_ACCESS'), remote_id
    for shop_id, shop in now['shops'].items():
        for config_id, scope in shop['configs'].items():
            expected = before['configs'][config_id] if shop_id == 'FLEET_SHOP_001' else closed['shops'][shop_id]['configs'][config_id]
            assert (scope or 'SHOP_READ_ACCESS') == (expected or 'SHOP_READ_ACCESS'), config_id
    assert now['stores'] == dict(closed['stores'], FLEET_STORE_1=now['stores']['FLEET_STORE_1'])
    assert now['stores']['FLEET_STORE_1'] == 'Y'
    assert now['jobs']['Order_Routing_Group_20001'] == 'N'  # FLEET_STORE_1's brokering schedule
    assert now['jobs']['sync_ShopifyProductUpdates_FLEET_SHOP_002'] == 'N'  # its parameters name FLEET_SHOP_001
    assert now['jobs']['consume_ShopifyOrders_SQS'] == 'Y'  # the intake waits for the restore that completes
    assert now['jobs']['Order_Routing_Group_20021'] == 'Y'
    kept = snapshot_file(tmp_path)
    assert kept['restored'] is False and kept['partly_restored'] is True

    full = run(run_playbook, RESTORE, hosts)
    assert full.returncode == 0, full.output
    assert as_read(fleet_oms.state()) == before
    assert snapshot_file(tmp_path)['restored'] is True and 'Partly restored' not in full.output


def test_a_partial_restore_refuses_a_shop_the_snapshot_does_not_hold(demo_oms, run_playbook, inventory):
    hosts = inventory(prod=demo_oms)
    assert run(run_playbook, ROLLBACK, hosts).returncode == 0
    demo_oms.clear_requests()
    refused = run(run_playbook, RESTORE, hosts, '-e', '{"rollback_shop_ids": ["NOPE"]}')
    assert refused.returncode != 0
    assert 'rollback_shop_ids names what the snapshot taken at' in refused.output and 'NOPE' in refused.output
    assert demo_oms.writes() == []


def test_a_half_closed_oms_is_named_at_the_rollback_and_warned_about_before_the_restore_writes(demo_oms, run_playbook, inventory):
    demo_oms.query("UPDATE ShopifyConfig SET accessScopeEnumId = 'SHOP_NO_ACCESS'")  # closed by another controller, say
    hosts = inventory(prod=demo_oms)
    rollback = run(run_playbook, ROLLBACK, hosts)
    assert rollback.returncode == 0, rollback.output
    assert rollback.output.count('prod was half closed when this snapshot was taken: 1 of 3 selected records') == 1
    assert 'Another controller may be rolling back prod right now' in rollback.output and 'closed on purpose' in rollback.output
    restore = run(run_playbook, RESTORE, hosts)
    assert restore.returncode == 0, restore.output
    load = [entry for entry in restore.results if entry['task'].endswith('Load the snapshot taken before the rollback')][0]
    assert any('Before any write: prod was half closed' in warning for warning in load['result']['warnings'])
    assert demo_oms.state()['shops']['SHOP']['configs']['SHOP_CONFIG'] == 'SHOP_NO_ACCESS'


def test_who_when_why_and_the_awx_artifact_are_in_the_summary_and_the_snapshot(demo_oms, run_playbook, inventory, tmp_path):
    hosts = inventory(prod=demo_oms)
    awx = ('-e', 'awx_job_id=4242', '-e', 'rollback_reason="INC-77 order import broken"')
    rollback = run(run_playbook, ROLLBACK, hosts, *awx)
    assert rollback.returncode == 0, rollback.output
    assert 'Snapshot of the state before: the job artifact hotwax_oms_snapshots.prod' in rollback.output
    # on AWX the job's container and its files are gone when it ends: no line of the summary names a file there
    assert not [line for line in rollback.result('Summary')['msg'] if str(tmp_path / 'snapshots') in line]
    assert 'AWX job 4242: INC-77 order import broken' in rollback.output
    kept = snapshot_file(tmp_path)
    assert kept['reason'] == 'INC-77 order import broken' and kept['operator']['awx_job_id'] == '4242'
    assert kept['operator']['host'] == socket.gethostname()
    restore = run(run_playbook, RESTORE, hosts, '-e', 'rollback_reason="INC-77 fixed"')
    assert restore.returncode == 0, restore.output
    assert 'This restore at' in restore.output and ': INC-77 fixed' in restore.output
    assert [(r['action'], r['reason']) for r in snapshot_file(tmp_path)['runs']] == [
        ('rollback', 'INC-77 order import broken'), ('restore', 'INC-77 fixed')]


def test_a_restore_from_a_copied_file_given_by_path_marks_that_file(demo_oms, run_playbook, inventory, tmp_path):
    before = normal(demo_oms.state())
    hosts = inventory(prod=demo_oms)
    assert run(run_playbook, ROLLBACK, hosts).returncode == 0
    copy = tmp_path / 'copied' / 'prod.json'
    copy.parent.mkdir()
    copy.write_text(snapshot_path(tmp_path).read_text())
    snapshot_path(tmp_path).unlink()  # the folder's file is gone: only the copy is left
    restore = run(run_playbook, RESTORE, hosts, '-e', 'rollback_snapshot=copied/prod.json')
    assert restore.returncode == 0, restore.output
    assert normal(demo_oms.state()) == before
    assert json.loads(copy.read_text())['restored'] is True


def test_a_restore_of_an_oms_that_holds_every_value_already_writes_nothing_and_says_so(demo_oms, run_playbook, inventory):
    hosts = inventory(prod=demo_oms)
    assert run(run_playbook, ROLLBACK, hosts).returncode == 0
    demo_oms.reset('demo')  # a restore that wrote everything, then was killed before it marked the snapshot
    relaunch = run(run_playbook, RESTORE, hosts)
    assert relaunch.returncode == 0, relaunch.output
    assert 'already holds every value this restore puts back: nothing was written' in relaunch.output
    assert demo_oms.writes() == []


def test_a_wider_snapshot_folder_is_named_in_a_warning(demo_oms, run_playbook, inventory, tmp_path):
    folder = tmp_path / 'snapshots'
    folder.mkdir()
    folder.chmod(0o755)
    result = run(run_playbook, ROLLBACK, inventory(prod=demo_oms))
    assert result.returncode == 0, result.output
    assert 'the snapshot folder %s has mode 0755' % folder in result.output
