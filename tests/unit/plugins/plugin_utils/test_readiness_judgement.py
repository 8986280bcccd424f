# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The readiness judgement: which finding makes an environment not ready, and which reason comes first."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest

from ansible_collections.hotwax.oms.plugins.plugin_utils.readiness import NOT_VISIBLE, judge, write_report
from ansible_collections.hotwax.oms.plugins.plugin_utils.snapshot_store import SnapshotError


def api(**changes):
    """A hotwax_api_info result of a healthy OMS: one shop with one open remote, one store brokering."""
    result = dict(
        oms_url='https://acme-maarg.hotwax.io', credential='token', username=None, reachable=True, logged_in=True,
        connection_problem=None, problems=[], reader_warnings=[],
        routes=[dict(name='shops', path='oms/shopifyShops/shops', found=True, shape='array', problem=None)],
        touch=dict(records=[dict(target='remote', id='R', shop_id='SHOP', before='SHOP_RW_ACCESS', closed=False)],
                   product_stores=[dict(product_store_id='STORE', before=True, closed=False)], service_jobs=[],
                   skipped=[], counts={}, shops=[], store_path='admin/productStores'),
        write_probe=dict(checked=False, reason='write permission was not checked (probe_writes is false)'))
    result.update(changes)
    return result


def status(**changes):
    """A hotwax_snapshot status result: no snapshot yet, the folder writable."""
    result = dict(folder='/snap', path='/snap/prod.json', state='missing', problem=None, taken_at=None, restored_at=None,
                  already_rolled_back=False, snapshot_oms_url=None, kept=[], writable=True, locked_by=None)
    result.update(changes)
    return result


def test_healthy_is_ready_and_says_what_was_not_checked():
    report = judge('prod', api(), status())
    assert report['ready'] is True and report['line'] == 'ready' and report['reasons'] == []
    assert any('write permission was not checked' in note for note in report['notes'])
    assert report['not_visible'] == NOT_VISIBLE and 'No Access is enabled for Shopify' in NOT_VISIBLE


def test_unreachable_comes_first_and_alone_from_the_oms_side():
    report = judge('prod', api(reachable=False, logged_in=False, connection_problem='GET x: cannot reach the OMS',
                               problems=['GET x: cannot reach the OMS'], touch=None), status())
    assert report['line'] == 'not ready: cannot reach the OMS: GET x: cannot reach the OMS'
    assert len(report['reasons']) == 1


def test_refused_login_is_named_as_such():
    report = judge('prod', api(logged_in=False, connection_problem='login as u failed: HTTP 400', touch=None), status())
    assert report['line'] == 'not ready: cannot log in: login as u failed: HTTP 400'


def test_a_failed_or_skipped_probe_is_not_ready():
    assert judge('prod', {'failed': True, 'msg': 'boom'}, status())['line'] == 'not ready: probing the OMS failed: boom'
    # registered with failed_when: false, a failure keeps its msg but loses failed
    assert judge('prod', {'failed': False, 'msg': 'boom'}, status())['line'] == 'not ready: probing the OMS failed: boom'
    assert judge('prod', {'skipped': True}, status())['line'] == 'not ready: the OMS was not probed'


def test_variable_problems_come_before_everything():
    report = judge('prod', api(problems=['paging broken']), status(state='open'), ['unknown role variable rollback_shopids'])
    assert report['reasons'][0] == 'unknown role variable rollback_shopids'
    assert 'paging broken' in report['reasons'][1]


def test_write_probe_refusal_names_the_record_and_the_answer():
    probe = dict(checked=True, ok=False, rows_created={}, skipped=[], probes=[
        dict(kind='remote', label='shop SHOP remote R', field='accessScopeEnumId', value='SHOP_RW_ACCESS', ok=False,
             status=403, error='PUT /rest/s1/oms/systemMessageRemotes/R: HTTP 403: not authorized'),
        dict(kind='store', label='product store STORE order brokering', field='enableBrokering', value='Y', ok=True)])
    report = judge('prod', api(write_probe=probe), status())
    assert report['line'] == ('not ready: write probe: shop SHOP remote R (accessScopeEnumId SHOP_RW_ACCESS): '
                              'PUT /rest/s1/oms/systemMessageRemotes/R: HTTP 403: not authorized')
    assert len(report['reasons']) == 1
    assert report['permissions'] is probe


def test_write_probe_that_created_a_row_is_not_ready():
    probe = dict(checked=True, ok=False, probes=[], skipped=[], rows_created={'configs': ['100000']})
    assert judge('prod', api(write_probe=probe), status())['line'] == (
        'not ready: write probe: writing current values back created configs rows: 100000')


def test_open_snapshot_is_not_ready_and_says_where_and_since_when():
    report = judge('prod', api(), status(state='open', taken_at='2025-01-02T03:04:05Z'))
    assert report['line'].startswith('not ready: a snapshot taken at 2025-01-02T03:04:05Z is open')
    assert '/snap/prod.json' in report['line']
    assert report['where_it_stands']['snapshot_state'] == 'open'


def test_unusable_snapshot_lock_and_unwritable_folder():
    report = judge('prod', api(), status(state='unusable', problem='not JSON', writable=False, write_problem='EACCES',
                                         locked_by=dict(purpose='rollback', user='ops', host='h', pid=7, since='t')))
    assert report['reasons'][0].startswith('another rollback is running: ops on h, pid 7')
    assert 'unusable (not JSON)' in report['reasons'][1]
    assert report['reasons'][2] == 'the snapshot folder is not writable: EACCES'


def test_failed_snapshot_status_is_not_ready():
    assert judge('prod', api(), {'msg': 'Not a directory'})['line'] == 'not ready: snapshot folder: Not a directory'


def test_already_rolled_back_oms_without_open_snapshot():
    closed = dict(records=[dict(target='remote', id='R', shop_id='SHOP', before='SHOP_NO_ACCESS', closed=True)],
                  product_stores=[dict(product_store_id='STORE', before=False, closed=True)], skipped=[])
    report = judge('prod', api(touch=closed), status())
    assert report['line'].startswith('not ready: the OMS looks already rolled back')
    assert report['where_it_stands']['oms_looks_rolled_back'] is True
    # with its snapshot open, the open snapshot is the one reason (the OMS is closed because of it)
    report = judge('prod', api(touch=closed), status(state='open', taken_at='t'))
    assert len(report['reasons']) == 1 and 'is open' in report['reasons'][0]


def test_one_open_store_is_not_rolled_back():
    partly = dict(records=[dict(target='remote', id='R', shop_id='SHOP', before='SHOP_NO_ACCESS', closed=True)],
                  product_stores=[dict(product_store_id='STORE', before=True, closed=False)], skipped=[])
    assert judge('prod', api(touch=partly), status())['ready'] is True


def test_awx_says_the_snapshot_is_published_as_an_artifact():
    report = judge('prod', api(), status(), awx_job=42)
    assert report['way_back']['artifact'] == 'hotwax_oms_snapshots.prod'
    assert any('job artifact' in note and '42' in note for note in report['notes'])
    assert judge('prod', api(), status())['way_back']['artifact'] is None


def test_notes_carry_what_is_fine_but_worth_knowing():
    routes = [dict(name='product_stores', note='admin/productStores answers 404; the legacy oms/productStores is used')]
    touch = dict(api()['touch'], skipped=[dict(kind='shop', id='S2', reason='no SystemMessageRemote belongs to it')])
    report = judge('prod', api(routes=routes, touch=touch, reader_warnings=['no order routing']),
                   status(state='other_oms', snapshot_oms_url='https://other'), check_mode=True)
    assert report['ready'] is True
    notes = '\n'.join(report['notes'])
    for text in ('legacy oms/productStores', 'skip shop S2', 'no order routing', 'another OMS (https://other)', 'check mode'):
        assert text in notes


def test_write_report_writes_one_json_file_per_environment(tmp_path):
    report = judge('prod', api(), status())
    path = write_report(str(tmp_path / 'reports'), 'prod', report)
    assert path == os.path.join(str(tmp_path / 'reports'), 'prod.json')
    with open(path) as handle:
        assert json.load(handle)['line'] == 'ready'
    assert os.listdir(str(tmp_path / 'reports')) == ['prod.json']


def test_write_report_under_a_file_fails_with_the_reason(tmp_path):
    blocker = tmp_path / 'file'
    blocker.write_text('x')
    with pytest.raises(SnapshotError, match='cannot write the readiness report'):
        write_report(str(blocker / 'reports'), 'prod', {})
