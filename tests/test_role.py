"""The rollback role through the collection's own playbooks, against the emulator over real HTTP."""

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.emulator.oms_emulator import OmsEmulator
from tests.helpers import admin_token, foreign_remotes, normal, playbook, snapshot_path


def test_check_mode_writes_nothing_and_no_snapshot(fleet_oms, run_playbook, inventory, tmp_path):
    before = fleet_oms.state()
    run = playbook(run_playbook, 'rollback', inventory(prod=fleet_oms), '-l', 'prod', '--check', '--diff')
    assert run.returncode == 0, run.output
    assert fleet_oms.writes() == []
    assert fleet_oms.state() == before
    assert not snapshot_path(tmp_path).exists()
    assert 'SHOP_NO_ACCESS' in run.output  # the diff shows what would change
    assert 'check mode: nothing was changed' in run.output
    assert 'The snapshot would be saved at %s' % snapshot_path(tmp_path) in run.output
    assert '"already_rolled_back"' not in run.output  # no diff of a snapshot file that check mode never writes


def test_rollback_then_restore_is_exact(fleet_oms, run_playbook, inventory, tmp_path):
    before = fleet_oms.state()
    hosts = inventory(prod=fleet_oms)
    run = playbook(run_playbook, 'rollback', hosts, '-l', 'prod')
    assert run.returncode == 0, run.output
    closed = fleet_oms.state()
    owned_remotes = [r for shop in run.result('Close Shopify access (runbook step 1)')['shops']
                     for r in shop['records'] if r['target'] == 'remote']
    assert all(closed['remotes'][r['id']] == 'SHOP_NO_ACCESS' for r in owned_remotes)
    assert set(closed['stores'].values()) == {'N'}

    snapshot_file = snapshot_path(tmp_path)
    assert stat.S_IMODE(snapshot_file.stat().st_mode) == 0o600
    text = snapshot_file.read_text()
    assert not [secret for secret in fleet_oms.secrets() if secret in text]
    assert json.loads(text)['restored'] is False

    run = playbook(run_playbook, 'restore', hosts, '-l', 'prod')
    assert run.returncode == 0, run.output
    after = fleet_oms.state()
    assert normal(after) == normal(before)
    # legacy ids and values that were set come back to the letter
    for remote_id, scope in before['remotes'].items():
        if scope:
            assert after['remotes'][remote_id] == scope
    assert json.loads(snapshot_file.read_text())['restored'] is True


def test_second_rollback_keeps_the_first_snapshot(demo_oms, run_playbook, inventory, tmp_path):
    hosts = inventory(prod=demo_oms)
    assert playbook(run_playbook, 'rollback', hosts).returncode == 0
    first = snapshot_path(tmp_path).read_text()
    demo_oms.clear_requests()
    second = playbook(run_playbook, 'rollback', hosts)
    assert second.returncode == 0, second.output
    assert snapshot_path(tmp_path).read_text() == first
    assert demo_oms.writes() == []  # idempotent: everything is already closed
    assert playbook(run_playbook, 'restore', hosts).returncode == 0
    state = demo_oms.state()
    assert state['shops']['SHOP']['configs']['SHOP_CONFIG'] == 'SHOP_READ_WRITE_ACCESS'
    assert set(state['remotes'].values()) == {'SHOP_RW_ACCESS'}
    assert state['stores']['STORE'] == 'Y'


def test_store_already_off_stays_off_and_read_only_shop_stays_read_only(demo_oms, run_playbook, inventory):
    demo_oms.query("UPDATE ProductStore SET enableBrokering = 'N'")
    demo_oms.query("UPDATE SystemMessageRemote SET accessScopeEnumId = 'SHOP_READ_ACCESS'")
    hosts = inventory(prod=demo_oms)
    assert playbook(run_playbook, 'rollback', hosts).returncode == 0
    assert playbook(run_playbook, 'restore', hosts).returncode == 0
    state = demo_oms.state()
    assert state['stores']['STORE'] == 'N'
    assert set(state['remotes'].values()) == {'SHOP_READ_ACCESS'}


def test_restore_after_restore_takes_a_fresh_snapshot(demo_oms, run_playbook, inventory, tmp_path):
    hosts = inventory(prod=demo_oms)
    assert playbook(run_playbook, 'rollback', hosts).returncode == 0
    assert playbook(run_playbook, 'restore', hosts).returncode == 0
    demo_oms.query("UPDATE ShopifyConfig SET accessScopeEnumId = 'SHOP_RW_ACCESS'")
    assert playbook(run_playbook, 'rollback', hosts).returncode == 0
    snapshot = json.loads(snapshot_path(tmp_path).read_text())
    assert snapshot['restored'] is False
    assert snapshot['shops'][0]['records'][-1]['before'] == 'SHOP_RW_ACCESS' or any(
        r['before'] == 'SHOP_RW_ACCESS' for r in snapshot['shops'][0]['records'] if r['target'] == 'config')


def test_limit_touches_only_that_environment(demo_oms, run_playbook, inventory):
    with OmsEmulator(seed='demo') as uat:
        uat.start()
        hosts = inventory(prod=demo_oms, uat=uat)
        run = playbook(run_playbook, 'rollback', hosts, '-l', 'uat')
        assert run.returncode == 0, run.output
        assert demo_oms.requests() == []
        assert uat.state()['stores']['STORE'] == 'N'


def test_restore_without_snapshot_is_a_clear_error(demo_oms, run_playbook, inventory, tmp_path):
    run = playbook(run_playbook, 'restore', inventory(prod=demo_oms))
    assert run.returncode != 0
    assert 'No snapshot of prod in %s (%s does not exist)' % (snapshot_path(tmp_path).parent, snapshot_path(tmp_path)) in run.output
    assert demo_oms.writes() == []


@pytest.mark.parametrize('content', ['{"shops": [{"shop_id": "SHOP"', 'not json at all', '{"shops": 3}'])
def test_restore_from_a_broken_snapshot_is_a_clear_error(demo_oms, run_playbook, inventory, tmp_path, content):
    hosts = inventory(prod=demo_oms)
    snapshot_path(tmp_path).parent.mkdir(parents=True)
    snapshot_path(tmp_path).write_text(content)
    run = playbook(run_playbook, 'restore', hosts)
    assert run.returncode != 0
    assert '%s is not' % snapshot_path(tmp_path) in run.output and 'it was left as it is' in run.output
    assert snapshot_path(tmp_path).read_text() == content
    assert demo_oms.writes() == []


def test_rescue_of_a_release_playbook_rolls_back(demo_oms, run_playbook, inventory):
    release = '''
- name: Release
  hosts: hotwax_oms
  gather_facts: false
  tasks:
    - name: Deploy and roll back on failure
      block:
        - name: Deploy (fails)
          ansible.builtin.command: /bin/false
          changed_when: true
      rescue:
        - name: Roll back
          ansible.builtin.include_role:
            name: hotwax.oms.rollback
'''
    run = run_playbook(release, inventory=inventory(prod=demo_oms))
    assert run.returncode == 0, run.output  # the rescue handled it
    state = demo_oms.state()
    assert state['stores']['STORE'] == 'N' and set(state['remotes'].values()) == {'SHOP_NO_ACCESS'}


def test_no_secret_in_verbose_output_or_snapshot(demo_oms, run_playbook, inventory, tmp_path):
    hosts = inventory(prod=demo_oms)
    outputs = [playbook(run_playbook, name, hosts, '-vvv', '--diff') for name in ('rollback', 'restore')]
    assert all(run.returncode == 0 for run in outputs)
    text = ''.join(run.output + json.dumps(run.results) for run in outputs) + snapshot_path(tmp_path).read_text()
    secrets = demo_oms.secrets()
    assert admin_token(demo_oms) in secrets
    assert not [s for s in secrets if s in text]


def test_token_from_ansible_vault(demo_oms, run_playbook, hosts, tmp_path):
    password_file = tmp_path / 'vault-pass'
    password_file.write_text('correct horse battery staple\n')
    vault_bin = str(Path(sys.executable).parent / 'ansible-vault')
    vaulted = subprocess.run([vault_bin, 'encrypt_string', '--vault-password-file', str(password_file),
                              '--name', 'hotwax_oms_token', admin_token(demo_oms)],
                             capture_output=True, text=True, check=True).stdout
    inventory_file = hosts(prod={'hotwax_oms_url': demo_oms.url})
    vault_file = tmp_path / 'host_vars' / 'prod' / 'vault.yml'  # beside the inventory, where Ansible looks
    vault_file.parent.mkdir(parents=True)
    vault_file.write_text(vaulted)
    assert admin_token(demo_oms) not in open(inventory_file).read() + vault_file.read_text()
    run = playbook(run_playbook, 'rollback', inventory_file, '--vault-password-file', str(password_file))
    assert run.returncode == 0, run.output
    assert demo_oms.state()['stores']['STORE'] == 'N'


def test_a_wider_second_rollback_adds_to_the_kept_snapshot_and_restore_is_exact(fleet_oms, run_playbook, inventory, tmp_path):
    before = fleet_oms.state()
    hosts = inventory(prod=fleet_oms)
    first = playbook(run_playbook, 'rollback', hosts, '-e', '{"rollback_shop_ids": ["FLEET_SHOP_001"], '
                     '"rollback_product_store_ids": ["FLEET_STORE_1"], "rollback_targets": ["remote"]}')
    assert first.returncode == 0, first.output
    kept = json.loads(snapshot_path(tmp_path).read_text())
    second = playbook(run_playbook, 'rollback', hosts)
    assert second.returncode == 0, second.output
    merged = json.loads(snapshot_path(tmp_path).read_text())
    assert merged['taken_at'] == kept['taken_at'] and sorted(merged['targets']) == ['config', 'remote']
    assert len(merged['shops']) == len(before['shops']) and len(merged['product_stores']) == len(before['stores'])
    assert playbook(run_playbook, 'restore', hosts).returncode == 0
    assert normal(fleet_oms.state()) == normal(before)


def test_restore_refuses_a_snapshot_of_another_oms(demo_oms, run_playbook, inventory, tmp_path):
    hosts = inventory(prod=demo_oms)
    assert playbook(run_playbook, 'rollback', hosts).returncode == 0
    snapshot = json.loads(snapshot_path(tmp_path).read_text())
    snapshot['oms_url'] = 'https://other-customer-maarg.hotwax.io'
    snapshot_path(tmp_path).write_text(json.dumps(snapshot))
    demo_oms.clear_requests()
    run = playbook(run_playbook, 'restore', hosts)
    assert run.returncode != 0
    assert 'holds a snapshot of https://other-customer-maarg.hotwax.io, not of %s' % demo_oms.url in run.output
    assert demo_oms.writes() == []


def test_a_second_restore_needs_force(demo_oms, run_playbook, inventory):
    hosts = inventory(prod=demo_oms)
    assert playbook(run_playbook, 'rollback', hosts).returncode == 0
    assert playbook(run_playbook, 'restore', hosts).returncode == 0
    demo_oms.query("UPDATE ProductStore SET enableBrokering = 'N'")  # a legitimate change made since
    demo_oms.clear_requests()
    refused = playbook(run_playbook, 'restore', hosts)
    assert refused.returncode != 0 and 'was already restored at' in refused.output
    assert demo_oms.writes() == []
    forced = playbook(run_playbook, 'restore', hosts, '-e', 'rollback_restore_force=true')
    assert forced.returncode == 0, forced.output
    assert demo_oms.state()['stores']['STORE'] == 'Y'


def test_rollback_over_an_unusable_snapshot_closes_everything_then_fails(demo_oms, run_playbook, inventory, tmp_path):
    hosts = inventory(prod=demo_oms)
    snapshot_path(tmp_path).parent.mkdir(parents=True)
    snapshot_path(tmp_path).write_text('{"shops": [')
    run = playbook(run_playbook, 'rollback', hosts)
    assert run.returncode != 0
    state = demo_oms.state()
    assert state['stores']['STORE'] == 'N' and set(state['remotes'].values()) == {'SHOP_NO_ACCESS'}
    aside = [path for path in snapshot_path(tmp_path).parent.iterdir() if path.name.endswith('.unusable.json')]
    assert len(aside) == 1 and aside[0].read_text() == '{"shops": ['
    assert 'The earlier snapshot could not be used' in run.output and aside[0].name in run.output


def test_the_playbooks_refuse_to_run_without_a_limit(demo_oms, run_playbook, inventory):
    hosts = inventory(prod=demo_oms)
    for name in ('rollback', 'restore'):
        run = run_playbook('- import_playbook: hotwax.oms.%s\n' % name, inventory=hosts)
        assert run.returncode != 0
        assert 'Name the environment with -l, for example -l prod' in run.output
    assert demo_oms.requests() == []


def test_rollback_and_restore_on_a_server_that_answers_bare_arrays(fleet_oms, run_playbook, inventory):
    fleet_oms.configure(remote_list_shape='array')
    before = fleet_oms.state()
    hosts = inventory(prod=fleet_oms)
    assert playbook(run_playbook, 'rollback', hosts).returncode == 0
    closed = fleet_oms.state()
    foreign = foreign_remotes(fleet_oms)
    assert set(closed['stores'].values()) == {'N'}
    assert all(scope == 'SHOP_NO_ACCESS' for remote_id, scope in closed['remotes'].items() if remote_id not in foreign)
    assert playbook(run_playbook, 'restore', hosts).returncode == 0
    assert normal(fleet_oms.state()) == normal(before)
