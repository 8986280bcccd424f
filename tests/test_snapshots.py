"""The way back in every ordinary setup (issue 11): each case as a user met it, through the playbooks, over real HTTP."""

import json
import os
import socket
import stat

from tests.helpers import normal, token_vars

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
    snapshot = home / 'snaps' / 'prod.json'
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
    assert (tmp_path / 'relative' / 'snaps' / 'prod.json').exists()  # the runs' working directory is tmp_path


def test_one_oms_written_two_ways_is_one_environment(demo_oms, run_playbook, hosts, tmp_path):
    before = normal(demo_oms.state())
    port = demo_oms.url.rsplit(':', 1)[1]
    plain = hosts(prod=token_vars(demo_oms, hotwax_oms_url='http://localhost:%s/' % port))
    first = run(run_playbook, ROLLBACK, plain)
    assert first.returncode == 0, first.output
    shouted = hosts(prod=token_vars(demo_oms, hotwax_oms_url='http://LocalHost:%s/rest/s1/' % port))
    again = run(run_playbook, ROLLBACK, shouted)  # "run it again to be sure", with the URL written another way
    assert again.returncode == 0, again.output
    assert folder_files(tmp_path / 'snapshots') == ['prod.json']  # nothing moved aside: it is the same OMS
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
    assert json.loads((tmp_path / 'laptop2' / 'prod.json').read_text())['already_rolled_back'] is True

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
    assert folder_files(folder) == ['prod.20260102T000000Z.restored.json', 'prod.json']
    assert json.loads((folder / 'prod.20260102T000000Z.restored.json').read_text()) == old
    assert json.loads((folder / 'prod.json').read_text())['oms_url'] == demo_oms.url


def test_a_run_that_holds_the_lock_stops_a_second_one_before_it_reads_the_oms(demo_oms, run_playbook, inventory, tmp_path):
    folder = tmp_path / 'snapshots'
    folder.mkdir()
    holder = {'pid': 1, 'host': socket.gethostname(), 'user': 'uid 0 (ops)', 'purpose': 'restore', 'since': '2026-12-01T09:00:00Z'}
    (folder / '.prod.lock').write_text(json.dumps(holder))
    demo_oms.clear_requests()
    result = run(run_playbook, ROLLBACK, inventory(prod=demo_oms))
    assert result.returncode != 0
    assert 'another restore of prod is running: uid 0 (ops)' in result.output and 'pid 1' in result.output
    assert demo_oms.requests() == []
    assert json.loads((folder / '.prod.lock').read_text()) == holder  # someone else's lock is left alone


def test_the_lock_is_released_after_a_run_and_after_a_failed_one(demo_oms, run_playbook, inventory, tmp_path):
    hosts = inventory(prod=demo_oms)
    assert run(run_playbook, ROLLBACK, hosts).returncode == 0
    assert not (tmp_path / 'snapshots' / '.prod.lock').exists()
    demo_oms.set_faults([{'kind': 'status', 'status': 400, 'method': 'PUT'}])
    assert run(run_playbook, RESTORE, hosts).returncode != 0
    assert not (tmp_path / 'snapshots' / '.prod.lock').exists()


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
    assert len(failed) == 1 and failed[0]['task'].endswith("Check the role's variables and the snapshot folder, and take the lock of prod")
    assert demo_oms.requests() == []


def test_the_snapshot_holds_ids_and_before_values_only(fleet_oms, run_playbook, inventory, tmp_path):
    assert run(run_playbook, ROLLBACK, inventory(prod=fleet_oms)).returncode == 0
    snapshot = json.loads((tmp_path / 'snapshots' / 'prod.json').read_text())
    records = [record for shop in snapshot['shops'] for record in shop['records']]
    assert records and all(set(record) == {'target', 'id', 'before'} for record in records)
    assert all(set(store) == {'product_store_id', 'name', 'before'} for store in snapshot['product_stores'])
    assert os.stat(tmp_path / 'snapshots' / 'prod.json').st_mode & 0o077 == 0
