# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The snapshot store's rules, one by one, on real files in a temporary folder."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import builtins
import errno
import json
import os
import stat

import pytest

from ansible_collections.hotwax.oms.plugins.plugin_utils import snapshot_store
from ansible_collections.hotwax.oms.plugins.plugin_utils.snapshot_store import (
    SnapshotError, SnapshotLocked, SnapshotStore, load_for_restore, looks_rolled_back, mark_put_back, mark_restored,
    merge_record_by_record, merge_snapshots, normalise_oms_url, operator, parse_snapshot, probe_folder, resolve_folder,
    restore_plan, run_entry, save_for_rollback, snapshot_of)

URL = 'https://acme-maarg.hotwax.io'
SHOPS = [{'shop_id': 'SHOP', 'name': 'Japan', 'product_store_id': 'STORE',
          'records': [{'target': 'remote', 'id': 'R1', 'shop_id': 'SHOP', 'before': 'SHOP_RW_ACCESS', 'after': 'SHOP_RW_ACCESS'},
                      {'target': 'config', 'id': 'C1', 'shop_id': 'SHOP', 'before': None, 'after': None}]}]
STORES = [{'product_store_id': 'STORE', 'name': 'Store', 'before': True, 'after': True}]
CLOSED_SHOPS = [{'shop_id': 'SHOP', 'records': [{'target': 'remote', 'id': 'R1', 'before': 'SHOP_NO_ACCESS'}]}]
CLOSED_STORES = [{'product_store_id': 'STORE', 'before': False}]


def fresh(shops=None, stores=None, url=URL, jobs=None):
    return snapshot_of('prod', url, ['remote', 'config'], SHOPS if shops is None else shops,
                       STORES if stores is None else stores, jobs or [])


@pytest.fixture
def store(tmp_path):
    return SnapshotStore(str(tmp_path / 'snaps'), 'prod', URL)


def files(store):
    return sorted(os.listdir(store.folder))


@pytest.mark.parametrize('written', [
    'https://acme-maarg.hotwax.io', 'https://acme-maarg.hotwax.io/', 'HTTPS://ACME-Maarg.hotwax.io',
    'https://acme-maarg.hotwax.io:443', 'https://acme-maarg.hotwax.io/rest/s1', 'https://acme-maarg.hotwax.io/rest/s1/',
    ' https://acme-maarg.hotwax.io// '])
def test_one_oms_written_several_ways_is_one_identity(written):
    assert normalise_oms_url(written) == URL


@pytest.mark.parametrize('other', ['http://acme-maarg.hotwax.io', 'https://acme-maarg.hotwax.io:8443',
                                   'https://acme-maarg-uat.hotwax.io', 'https://acme.hotwax.io'])
def test_another_oms_is_another_identity(other):
    assert normalise_oms_url(other) != URL


def test_a_url_that_is_no_url_is_refused():
    with pytest.raises(SnapshotError, match='hotwax_oms_url must be an http'):
        normalise_oms_url('acme-maarg.hotwax.io')


def test_folder_with_tilde_variables_and_relative_parts_is_made_absolute(tmp_path, monkeypatch):
    monkeypatch.setenv('HOME', str(tmp_path / 'home'))
    monkeypatch.setenv('SNAPS', 'kept')
    assert resolve_folder('~/snaps') == str(tmp_path / 'home' / 'snaps')
    assert resolve_folder('$HOME/$SNAPS/../x') == str(tmp_path / 'home' / 'x')
    assert resolve_folder('rel/snaps', cwd=str(tmp_path)) == str(tmp_path / 'rel' / 'snaps')
    with pytest.raises(SnapshotError, match='rollback_snapshot_dir is empty'):
        resolve_folder('  ')


def test_a_symlinked_folder_is_used_through_its_link(tmp_path):
    real = tmp_path / 'real'
    real.mkdir()
    os.symlink(str(real), str(tmp_path / 'link'))
    linked = SnapshotStore(str(tmp_path / 'link'), 'prod', URL)
    linked.check_folder(create=True)
    save_for_rollback(linked, fresh())
    assert (real / 'acme-maarg.hotwax.io.json').exists()
    assert load_for_restore(SnapshotStore(str(real), 'prod', URL + '/'))['snapshot']['shops'][0]['shop_id'] == 'SHOP'


def test_an_environment_name_that_cannot_name_a_file_is_refused(tmp_path):
    for name in ('../prod', '', '.hidden', 'a/b'):
        with pytest.raises(SnapshotError, match='cannot name a snapshot file'):
            SnapshotStore(str(tmp_path), name, URL)


def test_first_save_writes_0600_in_a_0700_folder_with_before_values_only(store):
    store.check_folder(create=True)
    saved = save_for_rollback(store, fresh())
    assert saved['path'] == store.path and saved['kept_from'] is None and saved['moved'] == []
    assert stat.S_IMODE(os.stat(store.folder).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    on_disk = json.loads(open(store.path).read())
    records = on_disk['shops'][0]['records']
    assert [record['before'] for record in records] == ['SHOP_RW_ACCESS', None]
    assert not any('after' in record for record in records) and 'after' not in on_disk['product_stores'][0]
    assert on_disk['oms_url'] == URL and on_disk['restored'] is False and on_disk['already_rolled_back'] is False
    assert files(store) == ['acme-maarg.hotwax.io.json']  # no temporary file left behind


def test_check_mode_save_writes_nothing_and_says_where(store):
    saved = save_for_rollback(store, fresh(), check_mode=True)
    assert saved['path'] == store.path
    assert not os.path.exists(store.folder)


def test_a_second_rollback_keeps_the_first_snapshot_and_adds_only_what_it_lacked(store):
    store.check_folder(create=True)
    first = save_for_rollback(store, fresh(stores=[]))['snapshot']
    wider_shops = [dict(SHOPS[0], records=[dict(r, before='SHOP_NO_ACCESS') for r in SHOPS[0]['records']]),
                   {'shop_id': 'OTHER', 'records': [{'target': 'remote', 'id': 'R9', 'before': 'SHOP_RW_ACCESS'}]}]
    second = save_for_rollback(store, fresh(shops=wider_shops, stores=STORES))
    assert second['kept_from'] == first['taken_at'] and second['written']
    assert not save_for_rollback(store, fresh(shops=wider_shops, stores=STORES))['written']  # nothing new: no write
    kept = json.loads(open(store.path).read())
    assert kept['shops'][0]['records'] == first['shops'][0]['records']  # pre-incident values survive
    assert kept['shops'][1]['shop_id'] == 'OTHER' and kept['product_stores'][0]['before'] is True
    assert files(store) == ['acme-maarg.hotwax.io.json']


def test_a_restored_snapshot_becomes_history_and_a_fresh_one_is_taken(store):
    store.check_folder(create=True)
    first = save_for_rollback(store, fresh())['snapshot']
    assert mark_restored(store, first['taken_at'], store.path, now='2026-12-01T10:00:00Z') == store.path
    second = save_for_rollback(store, fresh())
    assert second['moved'] == [[os.path.join(store.folder, 'acme-maarg.hotwax.io.20261201T100000Z.restored.json'), 'restored']]
    history = json.loads(open(second['moved'][0][0]).read())
    assert history['restored'] is True and history['taken_at'] == first['taken_at']
    assert second['warnings'] == []  # a restored snapshot is harmless
    assert second['problem'] is None


def test_history_is_never_overwritten_even_with_the_same_stamp(store):
    store.check_folder(create=True)
    for dummy in range(3):
        taken = save_for_rollback(store, fresh())['snapshot']['taken_at']
        mark_restored(store, taken, now='2026-12-01T10:00:00Z')
    save_for_rollback(store, fresh())
    assert files(store) == ['acme-maarg.hotwax.io.20261201T100000Z.restored-2.json', 'acme-maarg.hotwax.io.20261201T100000Z.restored-3.json',
                            'acme-maarg.hotwax.io.20261201T100000Z.restored.json', 'acme-maarg.hotwax.io.json']


def test_same_named_hosts_of_two_omses_keep_their_own_snapshots_side_by_side(store):
    other = SnapshotStore(store.folder, 'prod', 'https://other-maarg.hotwax.io')
    other.check_folder(create=True)
    save_for_rollback(other, fresh(url='https://other-maarg.hotwax.io'))
    saved = save_for_rollback(store, fresh())
    assert saved['moved'] == [] and saved['warnings'] == [] and saved['problem'] is None
    assert files(store) == ['acme-maarg.hotwax.io.json', 'other-maarg.hotwax.io.json']
    assert load_for_restore(other)['snapshot']['oms_url'] == 'https://other-maarg.hotwax.io'
    assert load_for_restore(store)['path'] == store.path


def test_a_snapshot_of_another_oms_is_kept_aside_with_a_warning_and_its_restore_finds_it(store):
    """A copied or hand-renamed file: the name says this OMS, the content another; the content wins."""
    other = SnapshotStore(store.folder, 'prod', 'https://other-maarg.hotwax.io')
    other.check_folder(create=True)
    save_for_rollback(other, fresh(url='https://other-maarg.hotwax.io'))
    os.rename(other.path, store.path)
    with pytest.raises(SnapshotError, match='holds a snapshot of https://other-maarg.hotwax.io, not of %s' % URL):
        load_for_restore(store)
    saved = save_for_rollback(store, fresh())
    assert saved['moved'][0][1] == 'other-oms' and saved['problem'] is None
    assert 'open snapshot of another OMS (https://other-maarg.hotwax.io)' in saved['warnings'][0]
    assert os.path.basename(saved['moved'][0][0]).startswith('other-maarg.hotwax.io.')  # among that OMS's files
    found = load_for_restore(other)
    assert found['path'] == saved['moved'][0][0] and found['snapshot']['oms_url'] == 'https://other-maarg.hotwax.io'
    assert load_for_restore(store)['path'] == store.path


@pytest.mark.parametrize('content', ['', '{"shops": [', '[]', '{"shops": 3}', '{"oms_url": "https://acme-maarg.hotwax.io"}',
                                     json.dumps(dict(fresh(), shops=[{'shop_id': 'S', 'records': [
                                         {'target': 'remote', 'id': 'R', 'before': 42}]}]))])
def test_an_unusable_file_is_kept_aside_by_a_rollback_and_refused_by_a_restore(store, content):
    store.check_folder(create=True)
    with open(store.path, 'w') as handle:
        handle.write(content)
    with pytest.raises(SnapshotError, match='it was left as it is'):
        load_for_restore(store)
    assert open(store.path).read() == content
    saved = save_for_rollback(store, fresh())
    aside = saved['moved'][0][0]
    assert aside.endswith('.unusable.json') and open(aside).read() == content
    assert 'could not be used' in saved['problem'] and aside in saved['problem']


def test_restore_without_any_snapshot_names_the_absolute_file_and_the_awx_way(store):
    store.check_folder(create=True)
    with pytest.raises(SnapshotError) as error:
        load_for_restore(store)
    assert 'No snapshot of prod in %s (%s does not exist)' % (store.folder, store.path) in str(error.value)
    assert 'hotwax_oms_snapshots.prod as rollback_snapshot' in str(error.value)


def test_a_given_snapshot_is_validated_like_a_file(store):
    snapshot = fresh()
    assert load_for_restore(store, snapshot)['snapshot']['shops'] == snapshot['shops']
    assert load_for_restore(store, json.dumps(snapshot))['path'] is None
    with pytest.raises(SnapshotError, match='rollback_snapshot is not JSON'):
        load_for_restore(store, '{"shops": [')
    with pytest.raises(SnapshotError, match='rollback_snapshot is not a snapshot a rollback wrote: targets is missing'):
        load_for_restore(store, dict((k, v) for k, v in snapshot.items() if k != 'targets'))
    with pytest.raises(SnapshotError, match='rollback_snapshot was taken on https://other-maarg.hotwax.io'):
        load_for_restore(store, fresh(url='https://other-maarg.hotwax.io'))


def test_a_closed_oms_with_no_open_snapshot_is_marked_already_rolled_back(store):
    store.check_folder(create=True)
    saved = save_for_rollback(store, fresh(shops=CLOSED_SHOPS, stores=CLOSED_STORES))
    assert saved['snapshot']['already_rolled_back'] is True
    assert 'prod looks already rolled back' in saved['warnings'][0]
    with pytest.raises(SnapshotError, match='already rolled back .*artifact of an AWX job'):
        load_for_restore(store)
    assert load_for_restore(store, force=True)['snapshot']['already_rolled_back'] is True


def test_looks_rolled_back_needs_a_selection_and_counts_jobs_only_when_selected():
    assert not looks_rolled_back(fresh(shops=[], stores=[]))
    assert not looks_rolled_back(fresh(shops=CLOSED_SHOPS, stores=STORES))
    running_job = [{'job_name': 'J', 'before': 'N'}]
    closed = fresh(shops=CLOSED_SHOPS, stores=CLOSED_STORES, jobs=running_job)
    assert looks_rolled_back(closed) and not looks_rolled_back(closed, jobs_selected=True)
    running_0_1_0 = fresh(shops=CLOSED_SHOPS, stores=CLOSED_STORES, jobs=[{'job_name': 'J', 'before': False}])
    assert not looks_rolled_back(running_0_1_0, jobs_selected=True)  # a 0.1.0 boolean: false means running


def test_merge_keeps_every_kept_value(store):
    kept = fresh()
    merged = merge_snapshots(kept, fresh(shops=CLOSED_SHOPS, stores=CLOSED_STORES))
    assert merged['shops'][0]['records'] == kept['shops'][0]['records'] and merged['product_stores'] == kept['product_stores']


def test_mark_restored_marks_only_the_snapshot_it_was_given(store):
    store.check_folder(create=True)
    taken = save_for_rollback(store, fresh())['snapshot']['taken_at']
    assert mark_restored(store, 'another time') is None
    assert json.loads(open(store.path).read())['restored'] is False
    assert mark_restored(store, taken) == store.path
    assert json.loads(open(store.path).read())['restored'] is True


def test_the_lock_refuses_a_second_run_and_names_who_holds_it(store, monkeypatch):
    store.check_folder(create=True)
    holder = {'pid': 1, 'host': snapshot_store.socket.gethostname(), 'user': 'uid 0 (ops)', 'purpose': 'rollback',
              'since': '2026-12-01T09:00:00Z'}
    with open(store.lock_path, 'w') as handle:
        json.dump(holder, handle)  # pid 1 is alive: a real run holds it
    with pytest.raises(SnapshotLocked, match=r'another rollback of prod is running: uid 0 \(ops\) on .*pid 1, since '
                                             r'2026-12-01T09:00:00Z \(lock %s\)' % store.lock_path):
        store.lock('restore')


def test_a_lock_of_a_run_that_died_is_taken_over_and_released(store):
    store.check_folder(create=True)
    dead = os.fork()
    if dead == 0:
        os._exit(0)
    os.waitpid(dead, 0)
    with open(store.lock_path, 'w') as handle:
        json.dump({'pid': dead, 'host': snapshot_store.socket.gethostname(), 'purpose': 'rollback'}, handle)
    assert 'ended without releasing it (pid %d' % dead in store.lock('rollback')
    assert store.lock('rollback') is None  # the same run may take it again
    assert store.unlock() and not os.path.exists(store.lock_path)


def test_an_unreadable_snapshot_is_an_error_that_names_uid_and_mode(store, monkeypatch):
    store.check_folder(create=True)
    save_for_rollback(store, fresh())
    real_open = builtins.open

    def refuse(path, *args, **kwargs):
        if path == store.path:
            raise IOError(errno.EACCES, 'Permission denied')
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, 'open', refuse)
    with pytest.raises(SnapshotError, match=r'uid \d+ \(.*\) cannot read the snapshot %s \(owner uid \d+, mode 0600\): '
                                            r'Permission denied' % store.path):
        save_for_rollback(store, fresh())


def test_an_unwritable_folder_is_named_before_anything_else(tmp_path, monkeypatch):
    blocked = tmp_path / 'file'
    blocked.write_text('not a folder')
    with pytest.raises(SnapshotError, match='is not a folder'):
        SnapshotStore(str(blocked), 'prod', URL).check_folder(create=True)
    monkeypatch.setattr(snapshot_store.os, 'access', lambda path, mode: False)
    with pytest.raises(SnapshotError, match=r'cannot create the snapshot folder .*: .* is not writable \(owner uid'):
        SnapshotStore(str(tmp_path / 'new' / 'snaps'), 'prod', URL).check_folder(create=False)


def test_probe_writes_and_removes_a_file(store):
    assert probe_folder(store) == store.folder
    assert files(store) == []


def test_parse_snapshot_accepts_a_0_1_0_snapshot():
    old = {'environment': 'prod', 'oms_url': URL, 'taken_at': 't', 'restored': False, 'targets': ['remote'],
           'shops': [{'shop_id': 'S', 'records': [
               {'target': 'remote', 'id': 'R', 'before': 'SHOP_RW_ACCESS', 'after': 'SHOP_RW_ACCESS'}]}],
           'product_stores': [{'product_store_id': 'STORE', 'before': True, 'after': True}], 'service_jobs': []}
    assert parse_snapshot(json.dumps(old), 'old.json')['shops'][0]['records'][0]['before'] == 'SHOP_RW_ACCESS'


# --- issue 20: any recorded value, record-by-record renewal, partial restores ------------------------------------

TWO_SHOPS = [{'shop_id': 'A', 'records': [{'target': 'remote', 'id': 'RA', 'before': 'SHOP_CUSTOM_SCOPE'},
                                          {'target': 'config', 'id': 'CA', 'before': None}]},
             {'shop_id': 'B', 'records': [{'target': 'remote', 'id': 'RB', 'before': 'SHOP_RW_ACCESS'}]}]
TWO_STORES = [{'product_store_id': 'S1', 'before': True}, {'product_store_id': 'S2', 'before': True}]
JOBS = [{'job_name': 'sync_A', 'before': 'N'}, {'job_name': 'consume_ShopifyOrders_SQS', 'before': None},
        {'job_name': 'Order_Routing_Group_1', 'before': 'N'}]


def closed_reading(snapshot, **reopened):
    """What a second rollback reads when every record is closed but those in ``reopened`` ({id: value})."""
    shops = [dict(shop, records=[dict(r, before=reopened.get(r['id'], 'SHOP_NO_ACCESS')) for r in shop['records']])
             for shop in snapshot['shops']]
    stores = [dict(s, before=reopened.get(s['product_store_id'], False)) for s in snapshot['product_stores']]
    jobs = [dict(j, before=reopened.get(j['job_name'], 'Y')) for j in snapshot['service_jobs']]
    return fresh(shops=shops, stores=stores, jobs=jobs)


def test_any_enum_id_is_a_valid_value_and_only_the_shape_is_checked():
    snapshot = fresh(shops=TWO_SHOPS)
    assert parse_snapshot(json.dumps(snapshot), 'x')['shops'][0]['records'][0]['before'] == 'SHOP_CUSTOM_SCOPE'
    broken = fresh(shops=[{'shop_id': 'A', 'records': [{'target': 'remote', 'id': 'RA', 'before': ['SHOP_RW_ACCESS']}]}])
    with pytest.raises(SnapshotError, match='a scope that is not a string'):
        parse_snapshot(broken, 'x')


def test_a_second_rollback_renews_only_reopened_records_and_keeps_the_older_value_in_history():
    kept = fresh(shops=TWO_SHOPS, stores=TWO_STORES, jobs=JOBS)
    reading = closed_reading(kept, RB='SHOP_READ_ACCESS', S2=True, CA='SHOP_READ_ACCESS', sync_A=None)
    merged, renewed = merge_record_by_record(kept, reading, now='T2')
    values = dict((r['id'], r) for shop in merged['shops'] for r in shop['records'])
    assert values['RA']['before'] == 'SHOP_CUSTOM_SCOPE' and 'history' not in values['RA']  # closed now: the kept value stands
    assert values['RB']['before'] == 'SHOP_READ_ACCESS' and values['RB']['history'] == [{'before': 'SHOP_RW_ACCESS', 'until': 'T2'}]
    assert 'history' not in values['CA']  # a missing scope and read access are one value: nothing renewed
    assert [s['before'] for s in merged['product_stores']] == [True, True]  # S2 reopened as it was: not renewed
    assert merged['service_jobs'][0]['before'] == 'N'  # a job running again as before (None == N): not renewed
    assert renewed == ['shop B remote RB']
    assert merge_snapshots(kept, reading)['shops'][1]['records'][0]['before'] == 'SHOP_READ_ACCESS'  # the filter's merge too


def test_a_record_a_partial_restore_put_back_takes_what_it_holds_now_at_the_next_rollback():
    kept = fresh(shops=TWO_SHOPS, stores=TWO_STORES)
    kept['shops'][0]['records'][0]['restored'] = True
    kept['partly_restored'] = True
    reading = closed_reading(kept, RA='SHOP_NO_ACCESS')  # closed on purpose after it was put back
    merged, renewed = merge_record_by_record(kept, reading, now='T2')
    record = merged['shops'][0]['records'][0]
    assert record['before'] == 'SHOP_NO_ACCESS' and 'restored' not in record and renewed == ['shop A remote RA']
    assert 'partly_restored' not in merged


def test_a_partial_restore_puts_back_the_selection_and_the_jobs_tied_to_it_and_the_intake_waits():
    snapshot = fresh(shops=TWO_SHOPS, stores=TWO_STORES, jobs=JOBS)
    plan = restore_plan(snapshot, ['A'], ['S1'], ['sync_A', 'consume_ShopifyOrders_SQS'])
    assert [shop['shop_id'] for shop in plan['put_back']['shops']] == ['A']
    assert [s['product_store_id'] for s in plan['put_back']['product_stores']] == ['S1']
    assert [j['job_name'] for j in plan['put_back']['service_jobs']] == ['sync_A']  # never the intake in a partial one
    assert plan['partial'] and set(plan['still_closed']) == {
        'shop B remote RB', 'store S2', 'job consume_ShopifyOrders_SQS', 'job Order_Routing_Group_1'}


def test_partial_then_rest_marks_each_entry_and_the_last_restore_completes_the_snapshot(store):
    store.check_folder(create=True)
    snapshot = save_for_rollback(store, fresh(shops=TWO_SHOPS, stores=TWO_STORES, jobs=JOBS))['snapshot']
    who = operator('42')
    first = restore_plan(snapshot, ['A'], ['S1'], ['sync_A'])
    path, marked = mark_put_back(store, snapshot['taken_at'], first['put_back'], run_entry('restore', who, 'try one shop'))
    assert path == store.path and marked['restored'] is False and marked['partly_restored'] is True
    loaded = load_for_restore(store)['snapshot']
    rest = restore_plan(loaded)  # no selection: everything still closed, and nothing put back already
    assert [shop['shop_id'] for shop in rest['put_back']['shops']] == ['B'] and not rest['partial']
    assert [s['product_store_id'] for s in rest['put_back']['product_stores']] == ['S2']
    assert [j['job_name'] for j in rest['put_back']['service_jobs']] == ['consume_ShopifyOrders_SQS', 'Order_Routing_Group_1']
    dummy, done = mark_put_back(store, snapshot['taken_at'], rest['put_back'], run_entry('restore', who))
    assert done['restored'] is True and 'partly_restored' not in done
    assert not any('restored' in r for shop in done['shops'] for r in shop['records'])
    assert [(r['action'], r.get('partial')) for r in done['runs']] == [('rollback', None), ('restore', True), ('restore', False)]
    assert done['runs'][1]['operator']['awx_job_id'] == '42' and done['runs'][1]['reason'] == 'try one shop'


def test_a_partial_selection_that_completes_the_snapshot_puts_back_every_job_left():
    snapshot = fresh(shops=TWO_SHOPS, stores=TWO_STORES, jobs=JOBS)
    plan = restore_plan(snapshot, ['A', 'B'], ['S1', 'S2'], [])
    assert not plan['partial'] and len(plan['put_back']['service_jobs']) == 3


def test_a_selection_the_snapshot_does_not_hold_is_refused():
    with pytest.raises(SnapshotError, match='rollback_product_store_ids names what the snapshot .* does not hold: NOPE'):
        restore_plan(fresh(shops=TWO_SHOPS, stores=TWO_STORES), None, ['NOPE'])


def test_a_half_closed_oms_is_recorded_and_warned_about_at_the_restore(store):
    store.check_folder(create=True)
    half = [{'shop_id': 'A', 'records': [{'target': 'remote', 'id': 'RA', 'before': 'SHOP_NO_ACCESS'},
                                         {'target': 'config', 'id': 'CA', 'before': 'SHOP_RW_ACCESS'}]}]
    saved = save_for_rollback(store, fresh(shops=half, stores=TWO_STORES))
    assert saved['snapshot']['half_closed'] == {'closed': 1, 'of': 4}
    assert [note for note in saved['notes'] if 'half closed' in note and 'Another controller' in note and 'on purpose' in note]
    assert 'Before any write: prod was half closed' in load_for_restore(store)['warnings'][0]


def test_a_folder_made_is_0700_and_a_wider_one_is_named(tmp_path):
    made = SnapshotStore(str(tmp_path / 'made'), 'prod', URL)
    old = os.umask(0)
    try:
        assert made.check_folder(create=True) == []
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(made.folder).st_mode) == 0o700
    os.chmod(made.folder, 0o755)
    assert 'has mode 0755' in made.check_folder(create=True)[0]


def test_a_restore_refused_for_an_unwritable_folder_says_so_and_how_to_restore_anyway(store, monkeypatch):
    store.check_folder(create=True)
    monkeypatch.setattr(snapshot_store.os, 'access', lambda path, mode: False)
    with pytest.raises(SnapshotError, match='restore refused: .* cannot write the snapshot folder .* give the file.s path as rollback_snapshot'):
        store.check_folder(create=True, purpose='restore')


def test_a_snapshot_given_by_path_is_read_and_marked_there(store, tmp_path):
    store.check_folder(create=True)
    taken = save_for_rollback(store, fresh())['snapshot']
    copy = tmp_path / 'copy.json'
    copy.write_text(open(store.path).read())
    os.remove(store.path)
    loaded = load_for_restore(store, str(copy))
    assert loaded['path'] == str(copy) and loaded['snapshot']['taken_at'] == taken['taken_at']
    assert mark_restored(store, taken['taken_at'], loaded['path']) == str(copy)
    with pytest.raises(SnapshotError, match='rollback_snapshot names the file .*missing'):
        load_for_restore(store, str(tmp_path / 'nope.json'))


# --- 0.3.0: the OMS is the identity; history; keep ---------------------------------------------------------------


@pytest.mark.parametrize('url, name', [
    ('https://ACME-maarg.hotwax.io:443/rest/s1/', 'acme-maarg.hotwax.io'),
    ('https://acme-maarg.hotwax.io:8443', 'acme-maarg.hotwax.io_8443'),
    ('http://127.0.0.1:8080/', 'http_127.0.0.1_8080'),
    ('https://hotwax.example.com/acme/rest/s1', 'hotwax.example.com_acme'),
])
def test_the_files_are_named_by_the_normalised_oms_url(tmp_path, url, name):
    assert snapshot_store.oms_file_name(url) == name
    store = SnapshotStore(str(tmp_path), 'prod', url)
    assert store.path == str(tmp_path / ('%s.json' % name)) and store.lock_path == str(tmp_path / ('.%s.lock' % name))


def test_two_names_of_one_oms_share_one_snapshot_and_one_lock(store):
    production = SnapshotStore(store.folder, 'production', 'https://Acme-Maarg.hotwax.io/rest/s1')
    store.check_folder(create=True)
    taken = save_for_rollback(store, fresh())['snapshot']['taken_at']
    assert load_for_restore(production)['snapshot']['taken_at'] == taken  # a restore under the other name finds it
    assert store.lock('rollback') is None
    assert store.lock('rollback') is None  # the role included twice for one host: the same run holds it
    with pytest.raises(SnapshotLocked, match=r'another rollback of production is running: .*taken as prod: the same OMS, '
                                             r'https://acme-maarg.hotwax.io'):
        production.lock('restore')  # even from this run: one host at a time acts on an OMS
    assert not production.unlock() and os.path.exists(store.lock_path)
    assert store.unlock() and not os.path.exists(store.lock_path)


def test_the_lock_names_the_controller_process_and_its_start(store):
    store.check_folder(create=True)
    store.lock('rollback')
    holder = store.lock_holder()
    assert holder['pid'] == os.getppid() and holder['environment'] == 'prod' and holder['oms_url'] == URL
    assert holder['started'] == snapshot_store.process_started(os.getppid()) and holder['started']


def test_a_lock_whose_pid_now_names_another_process_is_taken_over(store):
    """The run died and its pid went to a new process: alive, but not the run that took the lock."""
    store.check_folder(create=True)
    boot, ticks = snapshot_store.process_started(1).split('/')
    with open(store.lock_path, 'w') as handle:
        json.dump({'pid': 1, 'host': snapshot_store.socket.gethostname(), 'started': '%s/%d' % (boot, int(ticks) + 1),
                   'purpose': 'restore', 'since': '2026-12-01T09:00:00Z'}, handle)
    assert 'took over the lock of a restore that ended without releasing it (pid 1' in store.lock('rollback')
    assert store.lock_holder()['pid'] == os.getppid()


def test_a_live_0_2_0_lock_of_this_host_name_is_waited_for(store):
    store.check_folder(create=True)
    with open(store.legacy_lock_path, 'w') as handle:  # 0.2.0 wrote no start and no OMS
        json.dump({'pid': 1, 'host': snapshot_store.socket.gethostname(), 'purpose': 'rollback', 'user': 'uid 0 (ops)'}, handle)
    with pytest.raises(SnapshotLocked, match='another rollback of prod is running: uid 0 \\(ops\\)'):
        store.lock('rollback')
    with open(store.legacy_lock_path, 'w') as handle:  # its run is over
        json.dump({'pid': 2 ** 22 + 7, 'host': snapshot_store.socket.gethostname(), 'purpose': 'rollback'}, handle)
    assert store.lock('rollback') is None


def write_legacy(store, snapshot, name='prod.json'):
    """A file as hotwax.oms 0.2.0 named it: by the inventory host."""
    store.check_folder(create=True)
    path = os.path.join(store.folder, name)
    with open(path, 'w') as handle:
        json.dump(snapshot, handle)
    return path


def test_a_0_2_0_file_of_this_oms_is_read_and_renamed_once_by_the_lock(store):
    written = fresh()
    legacy = write_legacy(store, written)
    old = write_legacy(store, dict(fresh(), taken_at='2026-01-01T00:00:00Z', restored=True, restored_at='2026-01-02T00:00:00Z'),
                       'prod.20260102T000000Z.restored.json')
    state, snapshot, dummy = store.read_current()  # check mode and readiness read it where it is
    assert state == 'open' and snapshot == written
    assert [path for path, dummy in store.kept_aside()] == [old]
    assert files(store) == ['prod.20260102T000000Z.restored.json', 'prod.json']
    said = store.lock('restore')
    assert 'renamed 2 0.2.0 files of %s (prod) to its name: prod.json -> acme-maarg.hotwax.io.json' % URL in said
    assert files(store) == ['.acme-maarg.hotwax.io.lock', 'acme-maarg.hotwax.io.20260102T000000Z.restored.json',
                            'acme-maarg.hotwax.io.json']
    assert not os.path.exists(legacy) and load_for_restore(store)['path'] == store.path
    store.unlock()
    assert store.lock('restore') is None  # said once


def test_a_0_2_0_file_of_another_oms_is_never_used_for_this_one(store):
    write_legacy(store, fresh(url='https://other-maarg.hotwax.io'))
    assert store.read_current()[0] == 'missing' and store.kept_aside() == []
    with pytest.raises(SnapshotError, match=r'prod.json \(named by hotwax.oms 0.2.0\) records https://other-maarg.hotwax.io, '
                                            r'not %s: it is not used' % URL):
        load_for_restore(store)
    assert store.lock('rollback') is None
    assert 'prod.json' in files(store) and json.loads(open(store.legacy_path).read())['oms_url'] == 'https://other-maarg.hotwax.io'
    assert save_for_rollback(store, fresh())['moved'] == []  # its own file, beside it


def reopened(scope):
    return [dict(SHOPS[0], records=[dict(SHOPS[0]['records'][0], before=scope), SHOPS[0]['records'][1]])]


def test_history_lists_every_snapshot_newest_first_with_its_state_who_why_and_what_it_holds(store):
    store.check_folder(create=True)
    who = operator('42')
    first = snapshot_of('prod', URL, ['remote', 'config'], SHOPS, STORES, [], now='2026-12-01T09:00:00Z', who=who, reason='INC-1')
    save_for_rollback(store, first)
    assert [row['state'] for row in snapshot_store.history(store)] == ['open']
    again = snapshot_of('prod', URL, ['remote', 'config'], reopened('SHOP_READ_ACCESS'), STORES, [], now='2026-12-01T09:30:00Z')
    save_for_rollback(store, again, now='2026-12-01T09:30:00Z')
    assert [row['state'] for row in snapshot_store.history(store)] == ['renewed']
    mark_put_back(store, '2026-12-01T09:00:00Z', dict(shops=[], product_stores=STORES, service_jobs=[]),
                  run_entry('restore', who, 'INC-1 part'), now='2026-12-01T10:00:00Z')
    assert [row['state'] for row in snapshot_store.history(store)] == ['partly restored']
    mark_restored(store, '2026-12-01T09:00:00Z', now='2026-12-01T11:00:00Z')
    save_for_rollback(store, snapshot_of('prod', URL, ['remote'], SHOPS, [], [], now='2026-12-02T09:00:00Z', who=who))
    rows = snapshot_store.history(store)
    assert [(row['taken_at'], row['state']) for row in rows] == [('2026-12-02T09:00:00Z', 'open'), ('2026-12-01T09:00:00Z', 'restored')]
    assert rows[1]['holds'] == dict(shops=1, records=2, product_stores=1, service_jobs=0)
    assert rows[1]['reason'] == 'INC-1' and rows[1]['operator']['awx_job_id'] == '42'
    line = rows[1]['line']
    assert line.startswith('2026-12-01T09:00:00Z  restored ') and '2 records of 1 shops, 1 stores, 0 jobs' in line
    assert 'AWX job 42' in line and 'why: INC-1' in line and '; last: restore at 2026-12-01T11:00:00Z' in line
    assert 'why: (no rollback_reason given)' in rows[0]['line'] and '; last:' not in rows[0]['line']


def test_history_reads_only_and_lists_an_unusable_file(store):
    store.check_folder(create=True)
    with open(store.path, 'w') as handle:
        handle.write('{"shops": [')
    before = files(store)
    rows = snapshot_store.history(store)
    assert [row['state'] for row in rows] == ['unusable'] and store.path in rows[0]['line']
    assert files(store) == before


def restored_snapshots(store, count):
    store.check_folder(create=True)
    for number in range(count):
        taken = save_for_rollback(store, fresh())['snapshot']['taken_at']
        mark_restored(store, taken, now='2026-12-0%dT10:00:00Z' % (number + 1))


def test_keep_removes_restored_snapshots_beyond_the_newest_n_and_never_an_open_one(store):
    restored_snapshots(store, 3)
    save_for_rollback(store, fresh())  # open: never removed
    with open(os.path.join(store.folder, 'acme-maarg.hotwax.io.20261130T000000Z.unusable.json'), 'w') as handle:
        handle.write('{')  # an operator must look at it: never removed
    assert snapshot_store.prune(store, None) == []
    assert snapshot_store.prune(store, 1, check_mode=True) == [
        os.path.join(store.folder, 'acme-maarg.hotwax.io.20261202T100000Z.restored.json'),
        os.path.join(store.folder, 'acme-maarg.hotwax.io.20261201T100000Z.restored.json')]
    assert len(files(store)) == 5
    assert len(snapshot_store.prune(store, '1')) == 2
    assert files(store) == ['acme-maarg.hotwax.io.20261130T000000Z.unusable.json',
                            'acme-maarg.hotwax.io.20261203T100000Z.restored.json', 'acme-maarg.hotwax.io.json']
    assert snapshot_store.prune(store, 1) == []


def test_keep_never_removes_a_partly_restored_snapshot_and_counts_the_current_restored_one(store):
    restored_snapshots(store, 2)
    taken = save_for_rollback(store, fresh())['snapshot']['taken_at']
    mark_put_back(store, taken, dict(shops=[], product_stores=STORES, service_jobs=[]), run_entry('restore', operator()))
    assert snapshot_store.prune(store, 1) == [os.path.join(store.folder, 'acme-maarg.hotwax.io.20261201T100000Z.restored.json')]
    assert json.loads(open(store.path).read())['partly_restored'] is True
    mark_restored(store, taken, now='2026-12-09T10:00:00Z')
    assert snapshot_store.prune(store, 1) == [os.path.join(store.folder, 'acme-maarg.hotwax.io.20261202T100000Z.restored.json')]
    assert files(store) == ['acme-maarg.hotwax.io.json']


@pytest.mark.parametrize('keep', [0, -1, 'two', True, 1.5])
def test_keep_that_is_no_count_is_refused_naming_the_variable(store, keep):
    with pytest.raises(SnapshotError, match='rollback_snapshot_keep must be a whole number of at least 1.*got %s' % repr(keep).replace('.', r'\.')):
        snapshot_store.prune(store, keep)


def test_an_unusable_0_2_0_file_is_named_by_a_rollback_and_a_restore_and_left_as_it_is(store):
    legacy = write_legacy(store, {'shops': 3})
    with pytest.raises(SnapshotError, match=r'prod.json \(named by hotwax.oms 0.2.0\) cannot be used: .*oms_url is missing'):
        load_for_restore(store)
    saved = save_for_rollback(store, fresh())
    assert 'The 0.2.0 snapshot file %s could not be used' % legacy in saved['problem']
    assert json.loads(open(legacy).read()) == {'shops': 3}


def test_the_lock_file_appears_whole_and_leaves_no_temporary_file(store, monkeypatch):
    """A second run that finds the lock reads its holder at once: the file is written first, then linked into place."""
    store.check_folder(create=True)
    seen = []
    real_link = os.link

    def link(source, target):
        seen.append(json.loads(open(source).read()))  # complete before it becomes the lock
        return real_link(source, target)

    monkeypatch.setattr(snapshot_store.os, 'link', link)
    store.lock('rollback')
    assert seen == [store.lock_holder()] and seen[0]['purpose'] == 'rollback'
    assert files(store) == ['.acme-maarg.hotwax.io.lock']
    assert stat.S_IMODE(os.stat(store.lock_path).st_mode) == 0o600
