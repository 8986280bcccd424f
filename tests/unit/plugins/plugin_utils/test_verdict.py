# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The verdict counts a record as closed only when a read-back says so."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hotwax.oms.plugins.plugin_utils.role_variables import (
    has_credentials, input_problems, known_variables, role_defaults, unknown_variables_message, with_role_defaults)
from ansible_collections.hotwax.oms.plugins.plugin_utils.verdict import from_snapshot_result, judge, read_errors, selection_from

SELECTION = {
    'shops': [{'shop_id': 'S%d' % n, 'records': [{'target': 'remote', 'id': 'R%d' % n, 'before': 'SHOP_RW_ACCESS'}]}
              for n in range(15)],
    'product_stores': [{'product_store_id': 'STORE', 'before': True}],
    'service_jobs': [],
}


def closed_step(open_ids=(), missing_ids=()):
    return {'shops': [{'shop_id': 'S%d' % n, 'records': [
        {'target': 'remote', 'id': 'R%d' % n, 'before': 'SHOP_RW_ACCESS',
         'after': 'SHOP_RW_ACCESS' if n in open_ids else 'SHOP_NO_ACCESS'}]} for n in range(15) if n not in missing_ids]}


def stopped():
    return {'product_stores': [{'product_store_id': 'STORE', 'before': True, 'after': False}]}


def test_everything_read_back_closed_is_ok():
    report = judge('rollback', 'prod', SELECTION, {'records': closed_step(), 'stores': stopped()})
    assert report['ok'] and report['problems'] == []
    assert report['msg'] == ['Shopify access closed on 15 of 15 access-scope records', 'Order brokering stopped in 1 of 1 product stores']


def test_open_records_are_named_exactly_and_long_lists_are_capped():
    report = judge('rollback', 'prod', SELECTION, {'records': closed_step(open_ids=range(12)), 'stores': stopped()})
    assert not report['ok']
    assert report['records']['open'] == ['shop S%d remote R%d' % (n, n) for n in range(12)]
    assert report['records']['done'] == ['shop S%d remote R%d' % (n, n) for n in range(12, 15)]
    assert report['problems'] == ['still open: 12 of 15 access-scope records: %s ... and 2 more'
                                  % ', '.join('shop S%d remote R%d' % (n, n) for n in range(10))]


def test_a_step_that_never_answered_leaves_every_record_unknown_never_closed():
    report = judge('rollback', 'prod', SELECTION, {'records': {'msg': 'GET shops: cannot reach the OMS'}, 'stores': None})
    assert not report['ok']
    assert len(report['records']['unknown']) == 15 and report['records']['done'] == []
    assert report['stores']['unknown'] == ['store STORE']
    assert report['problems'][0] == 'access-scope record: GET shops: cannot reach the OMS'


def test_records_a_module_names_unknown_or_that_it_left_out_are_unknown():
    step = closed_step(missing_ids=[3])
    step['shops'][3]['records'][0]['state'] = 'unknown'  # shop S4: S3 is left out
    report = judge('rollback', 'prod', SELECTION, {'records': step, 'stores': stopped()})
    assert report['records']['unknown'] == ['shop S3 remote R3', 'shop S4 remote R4']


def test_already_closed_records_are_counted():
    selection = dict(SELECTION, shops=[{'shop_id': 'S0', 'records': [{'target': 'remote', 'id': 'R0', 'before': 'SHOP_NO_ACCESS'}]}])
    report = judge('rollback', 'prod', selection, {'records': closed_step(), 'stores': stopped()})
    assert report['msg'][0] == 'Shopify access closed on 1 of 1 access-scope records (1 already closed before)'


def test_restore_compares_with_the_snapshot_value_as_the_server_reads_it():
    selection = {'shops': [{'shop_id': 'S', 'records': [{'target': 'config', 'id': 'C', 'before': None},
                                                        {'target': 'remote', 'id': 'R', 'before': 'SHOP_READ_WRITE_ACCESS'}]}],
                 'product_stores': [], 'service_jobs': [{'job_name': 'J', 'before': 'S'}]}
    steps = {'records': {'shops': [{'shop_id': 'S', 'records': [
        {'target': 'config', 'id': 'C', 'after': 'SHOP_READ_ACCESS'}, {'target': 'remote', 'id': 'R', 'after': 'SHOP_RW_ACCESS'}]}]},
        'jobs': {'service_jobs': [{'job_name': 'J', 'after': 'S'}]}}
    report = judge('restore', 'prod', selection, steps)
    assert report['records']['done'] == ['shop S config C'] and report['records']['open'] == ['shop S remote R']
    assert report['jobs']['done'] == ['job J']
    assert report['problems'][0].startswith('not put back: 1 of 2 access-scope records')


def test_drifted_records_are_named_and_not_failures():
    selection = {'shops': [{'shop_id': 'S', 'records': [{'target': 'remote', 'id': 'R', 'before': 'SHOP_RW_ACCESS'}]}]}
    steps = {'records': {'shops': [{'shop_id': 'S', 'records': [{'target': 'remote', 'id': 'R', 'after': 'SHOP_READ_ACCESS',
                                                                 'state': 'drifted'}]}]}}
    report = judge('restore', 'prod', selection, steps)
    assert report['ok'] and report['records']['drifted'] == ['shop S remote R']
    assert 'Left as changed since the rollback' in report['msg'][1] and 'rollback_restore_force=true' in report['msg'][1]


def test_check_mode_reports_what_would_be_done():
    report = judge('rollback', 'prod', SELECTION, {'records': closed_step(), 'stores': stopped()}, check_mode=True)
    assert report['ok'] and report['msg'][0] == 'Shopify access would be closed on 15 of 15 access-scope records'


def test_check_mode_fails_when_a_step_could_not_read():
    report = judge('rollback', 'prod', SELECTION, {'records': {'msg': 'TLS certificate verification failed'}, 'stores': stopped()},
                   check_mode=True)
    assert not report['ok'] and 'access-scope record: TLS certificate verification failed' in report['problems']


def test_unknown_role_variables_name_the_closest_known_one():
    known = known_variables()
    assert 'rollback_shop_ids' in known and 'rollback_snapshot' in known
    message = unknown_variables_message(['rollback_shopids', 'rollback_pausejobs', 'rollback_shop_ids', 'rollback__access',
                                         'rollback_zzz'])
    assert message.startswith('unknown role variable rollback_pausejobs (did you mean rollback_pause_jobs?); '
                              'rollback_shopids (did you mean rollback_shop_ids?); rollback_zzz:')
    assert unknown_variables_message(['rollback_shop_ids', 'rollback__verdict']) == ''


def test_the_steps_own_reason_is_given_once_with_the_open_records():
    step = closed_step(open_ids=[0])
    step['msg'] = '1 of 15 records that needed a change were not changed: shop S0 remote R0 (HTTP 403: not permitted)'
    report = judge('rollback', 'prod', SELECTION, {'records': step, 'stores': stopped()})
    assert report['problems'] == ['still open: 1 of 15 access-scope records: shop S0 remote R0',
                                  'the access-scope record step said: ' + step['msg']]


def test_a_check_whose_step_could_not_read_anything_fails_even_with_nothing_selected():
    report = judge('rollback', 'prod', {'shops': [], 'product_stores': []},
                   {'records': {'msg': 'TLS certificate verification failed'}, 'stores': None}, check_mode=True)
    assert not report['ok'] and report['problems'] == ['access-scope record: TLS certificate verification failed']


SELECTION_VARIABLES = {'rollback_shop_ids': ['all'], 'rollback_product_store_ids': ['all'], 'rollback_targets': ['remote']}


def test_good_role_inputs_have_no_problem():
    for credentials in (['hotwax_oms_token'], ['hotwax_oms_username', 'hotwax_oms_password'],
                        ['hotwax_oms_token', 'hotwax_oms_password']):
        assert input_problems(credentials + ['rollback_shop_ids', 'rollback__access'], 'prod', SELECTION_VARIABLES) == []


def test_every_problem_with_the_role_inputs_is_named_in_one_message_with_the_host():
    message = '. '.join(input_problems(['rollback_shopids', 'hotwax_oms_token', 'hotwax_oms_username'], 'uat',
                                       dict(SELECTION_VARIABLES, rollback_shop_ids=[], rollback_targets=[])))
    assert message == ('unknown role variable rollback_shopids (did you mean rollback_shop_ids?): the rollback role would '
                       'ignore it and act on its defaults. Known: %s. ' % ', '.join(
                           name for name in known_variables() if name.startswith('rollback_')) +
                       'hotwax_oms_token and hotwax_oms_username are both set on uat: keep one of them. '
                       'rollback_shop_ids and rollback_targets are empty on uat: give one or more ids, or [all]')


def test_an_environment_without_its_own_credentials_is_named():
    for credentials in ([], ['hotwax_oms_username'], ['hotwax_oms_password']):
        assert input_problems(credentials, 'prod', SELECTION_VARIABLES) == [
            'prod has no credentials: set hotwax_oms_token, or hotwax_oms_username and hotwax_oms_password, in its host '
            'vars (from Ansible Vault)']


def test_a_restore_asked_of_the_rollback_entry_point_is_refused_naming_the_way_to_restore():
    token = ['hotwax_oms_token']
    asked = dict(SELECTION_VARIABLES, rollback_restore=True)
    assert input_problems(token, 'prod', asked, purpose='rollback') == [
        "rollback_restore is true on prod, but this is the rollback (playbook hotwax.oms.rollback, or the role's "
        'tasks_from: rollback): to restore, run playbook hotwax.oms.restore (tasks_from: restore)']
    assert input_problems(token, 'prod', asked, purpose='restore') == []
    assert input_problems(token, 'prod', dict(SELECTION_VARIABLES, rollback_restore=False), purpose='rollback') == []


def test_a_take_says_when_its_snapshot_was_taken_without_carrying_the_snapshot():
    taken = from_snapshot_result({'path': '/snapshots/oms.json', 'taken_at': '2026-12-03T18:05:10Z', 'reads': {}})
    saved = from_snapshot_result({'path': '/snapshots/oms.json', 'snapshot': {'taken_at': '2026-12-03T18:05:10Z'}})
    assert taken['snapshot_taken_at'] == saved['snapshot_taken_at'] == '2026-12-03T18:05:10Z'


def test_the_reads_before_a_rollback_are_what_it_is_about_and_each_steps_own_reading_in_a_check():
    access_read = {'shops': SELECTION['shops']}
    brokering_read = {'product_stores': SELECTION['product_stores']}
    assert selection_from({'records': access_read, 'stores': brokering_read, 'jobs': None}, {'records': closed_step()}) == SELECTION
    # a check skips the reads (no snapshot is saved): each step's own reading
    steps = {'records': closed_step(), 'stores': stopped(), 'jobs': None}
    assert selection_from({'records': None, 'stores': None, 'jobs': None}, steps) == dict(closed_step(), **stopped())


def test_a_read_that_ran_without_its_records_is_a_step_error_named_by_what_it_read():
    reads = {'records': {'shops': []}, 'stores': None,
             'jobs': {'changed': False, 'failed_when_result': False, 'msg': 'HTTP 500 from /rest/s1/oms/jobs'}}
    assert read_errors(reads) == ['Read the jobs: HTTP 500 from /rest/s1/oms/jobs']
    assert read_errors({'stores': {'msg': ''}}) == ['Read the order brokering: no answer']
    assert read_errors({'records': None, 'stores': None, 'jobs': None}) == []


def test_a_verdict_takes_from_the_snapshot_result_what_a_rollback_saved_or_a_restore_loaded():
    access_read = {'shops': SELECTION['shops']}
    saved = {'path': '/s/prod.json', 'snapshot': {'taken_at': 'T1'}, 'kept_from': 'T0', 'notes': ['This rollback'],
             'problem': 'prod.json was unusable', 'reads': {'records': access_read}}
    assert from_snapshot_result(saved) == dict(
        notes=['This rollback'], step_errors=['prod.json was unusable'], reads={'records': access_read}, selection=None,
        snapshot_path='/s/prod.json', snapshot_taken_at='T1', kept_from='T0', already_restored_at=None, source=None)
    loaded = {'path': None, 'snapshot': {'taken_at': 'T1'}, 'notes': [], 'put_back': SELECTION, 'source': 'rollback_snapshot',
              'already_restored_at': 'T2'}
    said = from_snapshot_result(loaded)
    assert (said['selection'], said['source'], said['already_restored_at'], said['step_errors']) == (
        SELECTION, 'rollback_snapshot', 'T2', [])
    assert from_snapshot_result(None)['notes'] == [] and from_snapshot_result(None)['snapshot_path'] is None
    assert from_snapshot_result(loaded)['reads'] == {}  # a restore read nothing before


def test_the_credential_rule_is_one_for_the_role_and_the_readiness_check():
    assert has_credentials(['hotwax_oms_token'])
    assert has_credentials(['hotwax_oms_username', 'hotwax_oms_password'])
    for defined in ([], ['hotwax_oms_username'], ['hotwax_oms_password'], ['rollback_shop_ids']):
        assert not has_credentials(defined)
        assert any('has no credentials' in problem for problem in input_problems(defined, 'prod', SELECTION_VARIABLES))


def test_what_a_rollback_would_act_on_is_each_variable_given_else_the_roles_default():
    defaults = role_defaults()
    assert defaults['rollback_shop_ids'] == ['all'] and defaults['rollback_pause_jobs'] is False
    values = with_role_defaults({'rollback_targets': ['remote'], 'rollback_pause_jobs': 'yes'})
    assert values['rollback_targets'] == ['remote'] and values['rollback_pause_jobs'] is True  # as the role's | bool
    assert values['rollback_shop_ids'] == defaults['rollback_shop_ids']
    assert values['rollback_snapshot_dir'] == defaults['rollback_snapshot_dir']


def test_only_the_selection_variables_may_not_be_empty():
    assert input_problems(['hotwax_oms_token'], 'prod', dict(SELECTION_VARIABLES, rollback_pause_jobs=False)) == []
