"""The four modules, run through ansible-playbook against the emulator over real HTTP."""

import json

import pytest

from tests.helpers import assert_no_secret, foreign_remotes, play, remote_owners

CLOSE_ALL = '''
- name: close
  hotwax.oms.hotwax_shop_access:
    shop_ids: [all]
    access_scope: no_access
  register: closed
'''

STOP_ALL = '''
- name: stop
  hotwax.oms.hotwax_order_brokering:
    product_store_ids: [all]
    enabled: false
'''


def test_demo_rollback_closes_both_records(demo_oms, run_playbook):
    run = run_playbook(play(demo_oms, CLOSE_ALL + STOP_ALL), '--diff')
    assert run.returncode == 0, run.output
    shop = run.result('close')['shops'][0]
    assert (shop['shop_id'], shop['name'], shop['product_store_id']) == ('SHOP', 'New Era Cap Japan', 'STORE')
    records = dict((r['target'], r) for r in shop['records'])
    assert records['config']['id'] == 'SHOP_CONFIG'
    assert (records['config']['before'], records['config']['after']) == ('SHOP_READ_WRITE_ACCESS', 'SHOP_NO_ACCESS')
    assert (records['remote']['before'], records['remote']['after']) == ('SHOP_RW_ACCESS', 'SHOP_NO_ACCESS')
    state = demo_oms.state()
    assert state['shops']['SHOP']['configs'] == {'SHOP_CONFIG': 'SHOP_NO_ACCESS'}
    assert set(state['remotes'].values()) == {'SHOP_NO_ACCESS'}
    assert state['stores']['STORE'] == 'N'
    assert 'shop SHOP config SHOP_CONFIG' in run.output  # the diff names each record
    assert_no_secret(demo_oms, run.output, run.results)


def test_check_mode_writes_nothing_and_predicts(fleet_oms, run_playbook):
    before = fleet_oms.state()
    run = run_playbook(play(fleet_oms, CLOSE_ALL + STOP_ALL), '--check', '--diff')
    assert run.returncode == 0, run.output
    assert fleet_oms.writes() == []
    assert fleet_oms.state() == before
    result = run.result('close')
    assert result['changed'] is True
    afters = set(r['after'] for shop in result['shops'] for r in shop['records'])
    assert afters == {'SHOP_NO_ACCESS'}
    assert run.result('stop')['changed'] is True


def test_second_run_changes_nothing_and_writes_nothing(fleet_oms, run_playbook):
    first = run_playbook(play(fleet_oms, CLOSE_ALL + STOP_ALL))
    assert first.returncode == 0, first.output
    fleet_oms.clear_requests()
    second = run_playbook(play(fleet_oms, CLOSE_ALL + STOP_ALL))
    assert second.returncode == 0, second.output
    assert second.result('close')['changed'] is False and second.result('stop')['changed'] is False
    assert fleet_oms.writes() == []


def test_all_walks_past_100_shops_and_leaves_foreign_remotes(fleet_oms, run_playbook):
    shop_count = len(fleet_oms.query('SELECT shopId FROM ShopifyShop'))
    foreign = foreign_remotes(fleet_oms)
    assert shop_count > 100 and foreign
    before = fleet_oms.state()
    run = run_playbook(play(fleet_oms, CLOSE_ALL))
    assert run.returncode == 0, run.output
    assert len(run.result('close')['shops']) == shop_count
    after = fleet_oms.state()
    for remote_id, scope in after['remotes'].items():
        if remote_id in foreign:
            assert scope == before['remotes'][remote_id]
        else:
            assert scope == 'SHOP_NO_ACCESS'
    assert all(scope == 'SHOP_NO_ACCESS' for shop in after['shops'].values() for scope in shop['configs'].values())
    config_count = sum(len(shop['configs']) for shop in before['shops'].values())
    assert sum(len(shop['configs']) for shop in after['shops'].values()) == config_count  # no row created


def test_only_differing_records_are_written(fleet_oms, run_playbook):
    before = fleet_oms.state()
    already_closed = sum(1 for scope in before['remotes'].values() if scope == 'SHOP_NO_ACCESS')
    run = run_playbook(play(fleet_oms, CLOSE_ALL))
    assert run.returncode == 0, run.output
    writes = fleet_oms.writes()
    records = [r for shop in run.result('close')['shops'] for r in shop['records']]
    differing = [r for r in records if r['before'] != 'SHOP_NO_ACCESS']
    assert len(writes) == len(differing)
    assert already_closed > 0 and len(differing) < len(records)


def test_missing_scope_reads_as_read_access(fleet_oms, run_playbook):
    empty = [r for shop in fleet_oms.state()['shops'].values() for r, scope in shop['configs'].items() if scope is None]
    assert empty, 'the fleet seed must hold a config row without a scope'
    run = run_playbook(play(fleet_oms, '''
- name: read
  hotwax.oms.hotwax_shop_access:
    shop_ids: [all]
    access_scope: read
    targets: [config]
  register: read
'''))
    assert run.returncode == 0, run.output
    written = set(entry['body']['shopifyConfig'][0]['shopifyConfigId'] for entry in fleet_oms.writes())
    assert not written & set(empty)  # already read access for the server: not written
    reported = dict((r['id'], r['before']) for shop in run.result('read')['shops'] for r in shop['records'])
    assert all(reported[config_id] is None for config_id in empty)  # reported as it was, empty


def test_legacy_scope_is_set_exactly(demo_oms, run_playbook):
    run = run_playbook(play(demo_oms, '''
- name: legacy
  hotwax.oms.hotwax_shop_access:
    shop_ids: [SHOP]
    access_scope: SHOP_READ_WRITE_ACCESS
'''))
    assert run.returncode == 0, run.output
    assert set(demo_oms.state()['remotes'].values()) == {'SHOP_READ_WRITE_ACCESS'}
    assert run.result('legacy')['changed'] is True  # SHOP_RW_ACCESS is not the legacy id


def test_info_modules_read_the_same_shapes_and_write_nothing(fleet_oms, run_playbook):
    run = run_playbook(play(fleet_oms, '''
- name: access
  hotwax.oms.hotwax_shop_access_info:
- name: brokering
  hotwax.oms.hotwax_order_brokering_info:
'''))
    assert run.returncode == 0, run.output
    assert fleet_oms.writes() == []
    state = fleet_oms.state()
    stores = run.result('brokering')['product_stores']
    assert dict((s['product_store_id'], s['before']) for s in stores) == dict(
        (store_id, value != 'N') for store_id, value in state['stores'].items())
    shops = run.result('access')['shops']
    assert len(shops) == len(state['shops'])
    assert_no_secret(fleet_oms, run.output, run.results)


def test_restore_puts_back_exact_values(fleet_oms, run_playbook):
    before = fleet_oms.state()
    run = run_playbook(play(fleet_oms, CLOSE_ALL + '''
- name: stop
  hotwax.oms.hotwax_order_brokering:
    product_store_ids: [all]
    enabled: false
  register: stopped
- name: restore stores
  hotwax.oms.hotwax_order_brokering:
    product_store_ids: [all]
    restore: "{{ stopped.product_stores }}"
- name: restore access
  hotwax.oms.hotwax_shop_access:
    shop_ids: [all]
    restore: "{{ closed.shops }}"
'''))
    assert run.returncode == 0, run.output
    after = fleet_oms.state()
    for remote_id, scope in before['remotes'].items():
        assert same_scope(scope, after['remotes'][remote_id]), remote_id
    for shop_id, shop in before['shops'].items():
        for config_id, scope in shop['configs'].items():
            assert same_scope(scope, after['shops'][shop_id]['configs'][config_id]), config_id
    for store_id, value in before['stores'].items():
        assert (after['stores'][store_id] != 'N') == (value != 'N')


def same_scope(before, after):
    """A set scope must come back to the letter; a missing one may come back as read access, what it meant."""
    return after == before if before else after in (None, 'SHOP_READ_ACCESS')


def test_partial_failure_is_reported_and_the_rest_is_done(demo_oms, run_playbook):
    demo_oms.set_faults([{'kind': 'status', 'status': 400, 'method': 'PUT', 'path': 'systemMessageRemotes'}])
    run = run_playbook(play(demo_oms, CLOSE_ALL))
    assert run.returncode != 0
    result = run.result('close')
    assert run.status('close') == 'failed' and result['changed'] is True
    assert result['msg'].startswith('1 of 2 records that needed a change were not changed. Not done: shop SHOP remote '
                                    'SHOP_SHOPIFY_REMOTE (PUT /rest/s1/oms/systemMessageRemotes/SHOP_SHOPIFY_REMOTE: HTTP 400')
    assert 'Changed: 1 (shop SHOP config SHOP_CONFIG)' in result['msg']
    assert (result['done'], result['not_done'], result['unknown']) == (
        ['shop SHOP config SHOP_CONFIG'], ['shop SHOP remote SHOP_SHOPIFY_REMOTE'], [])
    states = dict((r['target'], r['state']) for r in result['shops'][0]['records'])
    assert states == {'remote': 'not_done', 'config': 'changed'}
    assert demo_oms.state()['shops']['SHOP']['configs'] == {'SHOP_CONFIG': 'SHOP_NO_ACCESS'}


def test_write_whose_answer_is_lost_counts_as_done_when_read_back(demo_oms, run_playbook):
    demo_oms.set_faults([{'kind': 'lose_answer', 'method': 'PUT', 'path': 'productStores'}])
    run = run_playbook(play(demo_oms, STOP_ALL.replace('enabled: false', 'enabled: false\n    retries: 0')))
    assert run.returncode == 0, run.output  # the read-back shows the write took effect
    assert run.result('stop')['changed'] is True and run.result('stop')['product_stores'][0]['after'] is False
    assert [entry['status'] for entry in demo_oms.writes()] == [0]


def test_write_that_does_not_stick_is_named(demo_oms, run_playbook):
    demo_oms.set_faults([{'kind': 'ignore_write', 'path': 'productStores'}])
    run = run_playbook(play(demo_oms, STOP_ALL))
    assert run.returncode != 0
    assert 'product store STORE order brokering (wrote False but the OMS still holds True)' in run.result('stop')['msg']


@pytest.mark.parametrize('task, message', [
    ('hotwax.oms.hotwax_shop_access: {shop_ids: [NOPE, SHOP], access_scope: no_access}',
     'unknown shop ids: NOPE. Known shop ids: SHOP'),
    ('hotwax.oms.hotwax_order_brokering: {product_store_ids: [NOPE], enabled: false}',
     'unknown product store ids: NOPE. Known product store ids: STORE'),
    ('hotwax.oms.hotwax_shop_access: {shop_ids: [SHOP], access_scope: closed}',
     'value of access_scope must be one of: no_access, read, read_write, SHOP_NO_ACCESS'),
    ('hotwax.oms.hotwax_shop_access: {shop_ids: [], access_scope: no_access}', 'shop_ids is empty'),
    ('hotwax.oms.hotwax_shop_access: {shop_ids: [all, SHOP], access_scope: no_access}', "'all' cannot be combined"),
    ('hotwax.oms.hotwax_order_brokering: {product_store_ids: [all]}', 'one of the following is required: enabled, restore'),
    ('hotwax.oms.hotwax_shop_access: {shop_ids: [SHOP], access_scope: no_access, targets: [webhook]}',
     'value of targets must be one or more of: remote, config'),
    ("hotwax.oms.hotwax_order_brokering: {product_store_ids: [all], restore: [{product_store_id: STORE, before: 'maybe'}]}",
     'restore: this entry is not in the shape the module returns'),
    ('hotwax.oms.hotwax_shop_access: {shop_ids: [all], restore: [{shop_id: SHOP}]}',
     'restore: this entry is not in the shape the module returns'),
    ('hotwax.oms.hotwax_shop_access: {shop_ids: [all], restore: [{shop_id: SHOP, records: '
     '[{target: remote, id: SHOP_SHOPIFY_REMOTE, before: [SHOP_RW_ACCESS]}]}]}', "a scope must be an enum id, got ['SHOP_RW_ACCESS']"),
    ('hotwax.oms.hotwax_shop_access: {shop_ids: [all], access_scope: read, restore: []}',
     'parameters are mutually exclusive: access_scope|restore'),
])
def test_bad_input_gets_one_clear_error_and_writes_nothing(demo_oms, run_playbook, task, message):
    run = run_playbook(play(demo_oms, '- name: bad\n  ' + task))
    assert run.returncode != 0
    assert message in run.result('bad')['msg']
    assert 'Traceback' not in run.output
    assert demo_oms.writes() == []


def test_shop_without_remote_warns(fleet_oms, run_playbook):
    lonely = fleet_shop_without_remote(fleet_oms)
    run = run_playbook(play(fleet_oms, '''
- name: close
  hotwax.oms.hotwax_shop_access:
    shop_ids: [%s]
    access_scope: no_access
''' % lonely), '--check')
    assert run.returncode == 0, run.output
    assert ['no SystemMessageRemote belongs to shop %s, so only its config rows are set' % lonely] == \
        run.result('close').get('warnings')


def fleet_shop_without_remote(oms):
    owned = set().union(*remote_owners(oms).values())
    return sorted(set(row['shopId'] for row in oms.query('SELECT shopId FROM ShopifyShop')) - owned)[0]


def test_restore_naming_records_this_oms_lacks_changes_nothing(demo_oms, run_playbook):
    saved = [{'shop_id': 'SHOP', 'records': [{'target': 'remote', 'id': 'PROD_ONLY_REMOTE', 'before': 'SHOP_RW_ACCESS'}]}]
    run = run_playbook(play(demo_oms, '''
- name: restore
  hotwax.oms.hotwax_shop_access:
    shop_ids: [all]
    restore: %s
''' % json.dumps(saved)))
    assert run.returncode != 0
    assert 'not found among the selected records, nothing was changed: remote PROD_ONLY_REMOTE' in run.result('restore')['msg']
    assert demo_oms.writes() == []


def test_stores_fall_back_to_the_legacy_path(demo_oms, run_playbook):
    demo_oms.configure(store_api='oms')
    run = run_playbook(play(demo_oms, STOP_ALL))
    assert run.returncode == 0, run.output
    assert demo_oms.state()['stores']['STORE'] == 'N'
    assert [entry['path'] for entry in demo_oms.writes()] == ['/rest/s1/oms/productStores/STORE']


def test_remotes_of_unknown_ownership_are_reported_not_closed(fleet_oms, run_playbook):
    first, second = fleet_oms.query('SELECT shopId, shopifyShopId FROM ShopifyShop LIMIT 2')
    remote_id = fleet_oms.query("SELECT systemMessageRemoteId FROM SystemMessageRemote WHERE internalId = ? "
                                "AND internalIdType = 'HOTWAX_SHOP_ID'", (first['shopId'],))[0]['systemMessageRemoteId']
    # untyped internalId of the first shop, remoteId of the second: tied to the second, named by the first
    fleet_oms.query("UPDATE SystemMessageRemote SET internalIdType = NULL, remoteId = ?, remoteIdType = 'SHOPIFY_SHOP_ID' "
                    "WHERE systemMessageRemoteId = ?", (second['shopifyShopId'], remote_id))
    before = fleet_oms.state()['remotes']
    run = run_playbook(play(fleet_oms, CLOSE_ALL))
    assert run.returncode == 0, run.output
    result = run.result('close')
    ambiguous = dict((remote['id'], remote) for remote in result['ambiguous_remotes'])
    assert ambiguous[remote_id]['shop_ids'] == sorted([first['shopId'], second['shopId']])
    assert 'names shop %s' % first['shopId'] in ambiguous[remote_id]['reason']
    assert all(fleet_oms.state()['remotes'][rid] == before[rid] for rid in ambiguous)  # none of them written
    assert not [entry for entry in fleet_oms.writes() if entry['path'].endswith('/' + remote_id)]
    managed = set(r['id'] for shop in result['shops'] for r in shop['records'] if r['target'] == 'remote')
    assert not managed & set(ambiguous)
    assert any('remotes of unknown ownership were left as they are' in w and remote_id in w for w in result['warnings'])
    remote_paths = [entry['path'] for entry in fleet_oms.writes() if 'systemMessageRemotes' in entry['path']]
    assert len(remote_paths) == len(set(remote_paths))  # each remote written once at most


def test_a_read_back_that_fails_after_the_writes_names_what_was_sent(demo_oms, run_playbook):
    # The first walk of the remotes (a page, then the empty page that ends a list without a count) is the module's
    # read; the next, which fails, is its read-back.
    demo_oms.set_faults([{'kind': 'status', 'status': 500, 'method': 'GET', 'path': 'systemMessageRemotes', 'after': 2}])
    run = run_playbook(play(demo_oms, CLOSE_ALL))
    assert run.returncode != 0
    result = run.result('close')
    assert 'The writes could not be read back (' in result['msg']
    assert 'Changed: 2 (shop SHOP remote SHOP_SHOPIFY_REMOTE, shop SHOP config SHOP_CONFIG)' in result['msg']
    # what is known is still returned: both writes were answered 2xx
    assert (result['done'], result['not_done'], result['unknown']) == (
        ['shop SHOP remote SHOP_SHOPIFY_REMOTE', 'shop SHOP config SHOP_CONFIG'], [], [])
    assert [r['state'] for r in result['shops'][0]['records']] == ['changed', 'changed']
    assert set(demo_oms.state()['remotes'].values()) == {'SHOP_NO_ACCESS'}


RESTORE_ACCESS = '''
- name: restore
  hotwax.oms.hotwax_shop_access:
    shop_ids: [all]
    restore: {saved}
    force: {force}
'''


def closed_demo(demo_oms, run_playbook):
    run = run_playbook(play(demo_oms, CLOSE_ALL))
    assert run.returncode == 0, run.output
    return run.result('close')['shops']


def test_restore_leaves_a_record_changed_since_the_rollback_unless_forced(demo_oms, run_playbook):
    saved = closed_demo(demo_oms, run_playbook)
    demo_oms.query("UPDATE SystemMessageRemote SET accessScopeEnumId = 'SHOP_READ_ACCESS'")  # someone reopened it
    demo_oms.clear_requests()
    check = run_playbook(play(demo_oms, RESTORE_ACCESS.format(saved=json.dumps(saved), force='false')), '--check', '--diff')
    assert check.returncode == 0, check.output
    assert check.result('restore')['drifted'] == ['shop SHOP remote SHOP_SHOPIFY_REMOTE']
    assert check.result('restore')['done'] == ['shop SHOP config SHOP_CONFIG']
    assert 'changed since the rollback, left as it is' in check.output  # the diff shows both
    assert demo_oms.writes() == []

    run = run_playbook(play(demo_oms, RESTORE_ACCESS.format(saved=json.dumps(saved), force='false')))
    assert run.returncode == 0, run.output
    result = run.result('restore')
    assert result['drifted'] == ['shop SHOP remote SHOP_SHOPIFY_REMOTE'] and result['not_done'] == []
    assert any('changed since the rollback' in w and 'SHOP_SHOPIFY_REMOTE holds SHOP_READ_ACCESS' in w
               for w in result['warnings'])
    state = demo_oms.state()
    assert state['remotes']['SHOP_SHOPIFY_REMOTE'] == 'SHOP_READ_ACCESS'  # left as it is
    assert state['shops']['SHOP']['configs']['SHOP_CONFIG'] == 'SHOP_READ_WRITE_ACCESS'  # restored exactly

    forced = run_playbook(play(demo_oms, RESTORE_ACCESS.format(saved=json.dumps(saved), force='true')))
    assert forced.returncode == 0, forced.output
    assert forced.result('restore')['drifted'] == [] and forced.result('restore')['changed'] is True
    assert demo_oms.state()['remotes']['SHOP_SHOPIFY_REMOTE'] == 'SHOP_RW_ACCESS'


def test_a_restore_run_again_after_it_worked_changes_nothing(demo_oms, run_playbook):
    saved = closed_demo(demo_oms, run_playbook)
    restore = play(demo_oms, RESTORE_ACCESS.format(saved=json.dumps(saved), force='false'))
    assert run_playbook(restore).returncode == 0
    demo_oms.clear_requests()
    again = run_playbook(restore)
    assert again.returncode == 0, again.output
    result = again.result('restore')
    assert result['changed'] is False and result['drifted'] == [] and result['done'] == []
    assert demo_oms.writes() == []


def test_brokering_restore_leaves_a_store_turned_on_since(fleet_oms, run_playbook):
    """A store whose brokering was off before the rollback, then turned on by someone, is not turned off again."""
    off_before = [sid for sid, value in fleet_oms.state()['stores'].items() if value == 'N'][0]
    run = run_playbook(play(fleet_oms, STOP_ALL + '  register: stopped\n'))
    assert run.returncode == 0, run.output
    saved = run.result('stop')['product_stores']
    fleet_oms.query("UPDATE ProductStore SET enableBrokering = 'Y' WHERE productStoreId = ?", (off_before,))
    run = run_playbook(play(fleet_oms, '''
- name: restore
  hotwax.oms.hotwax_order_brokering:
    product_store_ids: [all]
    restore: %s
''' % json.dumps(saved)))
    assert run.returncode == 0, run.output
    assert run.result('restore')['drifted'] == ['product store %s order brokering' % off_before]
    state = fleet_oms.state()['stores']
    assert state[off_before] == 'Y'
    assert all((state[s['product_store_id']] != 'N') == s['before'] for s in saved if s['product_store_id'] != off_before)
