# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""OmsTask's bookkeeping without Ansible: what changes, check mode, the read-back's verdict per record, the failure
message, the diff, drift on restore, and the masking of no_log values.

The writes and read-backs here are plain functions over a dict that plays the OMS (no HTTP is needed: the client only
runs the writes side by side); a write fails by raising the OmsApiError the client would raise.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.hotwax.oms.plugins.module_utils.oms_client import (
    ANSWERED, NOT_SENT, UNANSWERED, OmsApiError, OmsClient)
from ansible_collections.hotwax.oms.plugins.module_utils.oms_module import (
    CHANGED, DRIFTED, NOT_DONE, UNCHANGED, UNKNOWN, OmsTask, OmsTaskFailed, Record, TaskSpec, masked, run_task,
    shown_labels)

# never contacted: the bookkeeping only uses the client to run the writes side by side
UNUSED_URL = 'http://127.0.0.1:9'


class FakeOms:
    """What the OMS holds, ``{key: value}``; ``refuse`` / ``drop`` / ``ignore``: keys whose write fails or does not stick."""

    def __init__(self, values, refuse=(), drop=(), ignore=(), unreadable=False, gone=()):
        self.values = dict(values)
        self.refuse, self.drop, self.ignore, self.gone = set(refuse), set(drop), set(ignore), set(gone)
        self.unreadable = unreadable
        self.written = []
        self.reads = 0

    def write(self, record):
        self.written.append(record.key)
        if record.key in self.refuse:
            raise OmsApiError('PUT x/%s: HTTP 403' % record.key, method='PUT', path='x/%s' % record.key, status=403,
                              outcome=ANSWERED, meaning='the user may not write')
        if record.key in self.drop:
            self.values[record.key] = record.wanted  # applied, but the answer was lost
            raise OmsApiError('PUT x/%s: no answer' % record.key, method='PUT', path='x/%s' % record.key, outcome=UNANSWERED)
        if record.key not in self.ignore:
            self.values[record.key] = record.wanted

    def read_back(self):
        self.reads += 1
        if self.unreadable:
            raise OmsApiError('GET x: HTTP 500', method='GET', path='x', status=500, outcome=ANSWERED)
        return dict((key, (value, value)) for key, value in self.values.items() if key not in self.gone)


def records(oms):
    return [Record(key, 'record %s' % key, value, value) for key, value in sorted(oms.values.items())]


def a_task(check_mode=False, diff=False, **params):
    return OmsTask(dict(params), check_mode=check_mode, diff=diff, client=OmsClient(UNUSED_URL, token='t'))


def apply(task, oms, wanted):
    rows = records(oms)
    task.want(rows, wanted)
    return rows, task.apply_changes(rows, oms.write, oms.read_back, lambda: {'records': [r.label for r in rows]})


def failure(task, oms, wanted):
    rows = records(oms)
    task.want(rows, wanted)
    with pytest.raises(OmsTaskFailed) as raised:
        task.apply_changes(rows, oms.write, oms.read_back, dict)
    return rows, raised.value


def test_only_what_differs_is_written_and_read_back():
    oms = FakeOms({'a': 'Y', 'b': 'N', 'c': 'N'})
    rows, result = apply(a_task(), oms, 'Y')
    assert sorted(oms.written) == ['b', 'c'] and oms.reads == 1
    assert result['done'] == ['record b', 'record c'] and result['changed'] is True
    assert result['not_done'] == result['unknown'] == result['drifted'] == []
    assert [(r.state, r.before, r.after) for r in rows] == [(UNCHANGED, 'Y', 'Y'), (CHANGED, 'N', 'Y'), (CHANGED, 'N', 'Y')]
    assert 'diff' not in result  # only with diff mode
    assert result['records'] == ['record a', 'record b', 'record c']  # the module's own values are kept


def test_nothing_to_do_writes_and_reads_nothing():
    oms = FakeOms({'a': 'Y'})
    dummy, result = apply(a_task(diff=True), oms, 'Y')
    assert oms.written == [] and oms.reads == 0
    assert result['changed'] is False and result['done'] == [] and result['diff'] == {'before': {}, 'after': {}}


def test_check_mode_writes_nothing_and_predicts_the_after():
    oms = FakeOms({'a': 'Y', 'b': 'N'})
    rows, result = apply(a_task(check_mode=True, diff=True), oms, 'Y')
    assert oms.written == [] and oms.reads == 0 and oms.values == {'a': 'Y', 'b': 'N'}
    assert result['done'] == ['record b'] and result['changed'] is True
    assert result['diff'] == {'before': {'record b': 'N'}, 'after': {'record b': 'Y'}}


def test_a_refused_write_fails_the_task_naming_the_record_and_the_meaning_and_the_others_are_done():
    oms = FakeOms({'a': 'N', 'b': 'N', 'c': 'N'}, refuse=['b'])
    rows, failed = failure(a_task(), oms, 'Y')
    assert sorted(oms.written) == ['a', 'b', 'c']
    assert failed.result['done'] == ['record a', 'record c'] and failed.result['not_done'] == ['record b']
    assert failed.result['changed'] is True
    assert rows[1].state == NOT_DONE and rows[1].after == 'N' and 'HTTP 403' in rows[1].error
    assert failed.msg.startswith('1 of 3 records that needed a change were not changed: the user may not write. ')
    assert 'Not done: record b (PUT /rest/s1/x/b: HTTP 403)' in failed.msg
    assert 'Unknown, the write got no answer: none' in failed.msg and 'Changed: 2 (record a, record c)' in failed.msg


def test_a_write_that_does_not_stick_is_not_done():
    oms = FakeOms({'a': 'N'}, ignore=['a'])
    rows, failed = failure(a_task(), oms, 'Y')
    assert rows[0].state == NOT_DONE and rows[0].error == 'wrote Y but the OMS still holds N'
    assert failed.result['not_done'] == ['record a'] and failed.result['changed'] is False


def test_a_write_whose_answer_was_lost_counts_when_the_read_back_shows_it():
    oms = FakeOms({'a': 'N'}, drop=['a'])
    rows, result = apply(a_task(), oms, 'Y')
    assert rows[0].state == CHANGED and result['done'] == ['record a']


def test_a_record_gone_when_read_back_is_unknown():
    oms = FakeOms({'a': 'N', 'b': 'N'}, gone=['b'])
    rows, failed = failure(a_task(), oms, 'Y')
    assert failed.result['unknown'] == ['record b'] and rows[1].error == 'no longer found when read back'
    assert failed.result['done'] == ['record a']


@pytest.mark.parametrize('error, state', [
    (None, CHANGED),  # answered 2xx
    (OmsApiError('no answer', outcome=UNANSWERED), UNKNOWN),
    (OmsApiError('gone', outcome=NOT_SENT), NOT_DONE),
    (OmsApiError('HTTP 500', status=500, outcome=ANSWERED), NOT_DONE),
    (OmsApiError('HTTP 504', status=504, outcome=ANSWERED), UNKNOWN),  # behind a gateway timeout it may have applied
])
def test_without_a_read_back_each_record_is_judged_by_the_answer_to_its_write(error, state):
    oms = FakeOms({'a': 'N', 'b': 'N'}, unreadable=True)

    def write(record):
        if record.key == 'a' and error is not None:
            raise error
    rows = records(oms)
    task = a_task()
    task.want(rows, 'Y')
    with pytest.raises(OmsTaskFailed) as raised:  # a read-back that failed fails the task, whatever the writes say
        task.apply_changes(rows, write, oms.read_back, dict)
    assert rows[0].state == state and rows[1].state == CHANGED
    assert 'The writes could not be read back (GET x: HTTP 500)' in raised.value.msg
    assert rows[0].after == ('Y' if state == CHANGED else 'N')


def test_a_restore_leaves_a_drifted_record_alone_and_warns_unless_forced():
    oms = FakeOms({'a': 'N', 'b': 'X', 'c': 'Y'})
    saved = {'a': ('Y', {'N'}), 'b': ('Y', {'N'}), 'c': ('Y', {'N'})}
    task = a_task(diff=True)
    rows = records(oms)
    task.want(rows, restore=saved)
    result = task.apply_changes(rows, oms.write, oms.read_back, dict)
    assert oms.written == ['a'] and result['done'] == ['record a'] and result['drifted'] == ['record b']
    assert rows[1].state == DRIFTED and oms.values['b'] == 'X'
    assert task.warnings == ['restore left 1 records as they are: they changed since the rollback (neither the saved value '
                             'nor the value the rollback left); force: true restores them anyway: record b holds X']
    assert result['diff']['after']['record b'].startswith('X (changed since the rollback, left as it is; force: true restores Y)')

    forced = a_task(force=True)
    rows = records(oms)
    forced.want(rows, restore=saved)
    result = forced.apply_changes(rows, oms.write, oms.read_back, dict)
    assert result['done'] == ['record b'] and result['drifted'] == [] and forced.warnings == []


def test_a_restore_that_names_an_unknown_record_changes_nothing():
    task = a_task()
    with pytest.raises(OmsTaskFailed) as raised:
        task.want(records(FakeOms({'a': 'N'})), restore={'a': ('Y', set()), ('shop', 'zz'): ('Y', set())})
    assert raised.value.msg == 'restore: not found among the selected records, nothing was changed: shop zz'


def test_saved_values_refuse_an_entry_in_another_shape():
    with pytest.raises(OmsTaskFailed, match='restore: this entry is not in the shape the module returns'):
        a_task().saved_values([{'job_name': 'j'}], lambda entry: entry['job_name'], lambda entry: entry['before'])


def test_selection_of_ids_and_unknown_ids():
    task = a_task(ids=['b', 'a', 'b'], every=['all'], empty=[], mixed=['all', 'a'])
    assert task.selected_ids('ids') == ['b', 'a'] and task.selected_ids('every') is None
    for option, message in (('empty', 'empty is empty: give one or more ids, or [all]'),
                            ('mixed', "mixed: 'all' cannot be combined with ids (got all, a)")):
        with pytest.raises(OmsTaskFailed) as raised:
            task.selected_ids(option)
        assert raised.value.msg == message
    rows = [{'id': 'a'}, {'id': 'b'}]
    assert task.pick(rows, 'id', ['b'], 'things') == [{'id': 'b'}]
    with pytest.raises(OmsTaskFailed) as raised:
        task.pick(rows, 'id', ['c'], 'things')
    assert raised.value.msg == 'unknown things: c. Known things: a, b'


def test_run_task_returns_a_failure_with_the_values_so_far_and_a_refused_login():
    def fails(task):
        task.warn('careful')
        task.fail('it went wrong', done=['x'])
    no_retries = {'count': 0, 'reasons': {}}  # a task with a client says what retries it needed, none here
    task = a_task()
    assert run_task(fails, task) == {'failed': True, 'msg': 'it went wrong', 'done': ['x'], 'retries': no_retries}
    assert task.warnings == ['careful']

    def refused(task):
        raise OmsApiError('login refused', login_failed=True)
    assert run_task(refused, a_task()) == {'failed': True, 'msg': 'login refused', 'login_failed': True, 'retries': no_retries}
    assert run_task(lambda task: {'changed': False}, a_task()) == {'changed': False, 'retries': no_retries}
    assert run_task(lambda task: {'changed': False}, OmsTask({})) == {'changed': False}  # no client made: no count


def test_a_client_that_cannot_be_built_fails_the_task():
    task = OmsTask(dict(oms_url='acme', token='t', username=None, password=None, validate_certs=True, ca_path=None,
                        timeout=1, retries=0, retry_action='warn', proxy=None, client_cert=None, client_key=None,
                        headers=None))
    assert run_task(lambda task: task.client, task) == {
        'failed': True, 'msg': "oms_url must be an http(s) URL such as https://acme-maarg.hotwax.io, got 'acme'"}


def test_the_values_of_no_log_options_are_masked_in_every_string():
    spec = TaskSpec(dict(note=dict(type='str')))
    params = dict(token=None, password='s3cret-pw', username='u', note='x')
    values = spec.no_log_values(params)
    assert values == {'s3cret-pw'}
    answer = {'msg': 'login as u with s3cret-pw refused', 'warnings': ['s3cret-pw'], 'nested': [{'s3cret-pw': ('a s3cret-pw',)}],
              'changed': False, 'count': 3}
    assert masked(answer, values) == {
        'msg': 'login as u with ******** refused', 'warnings': ['VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'],
        'nested': [{'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER': ['a ********']}], 'changed': False, 'count': 3}
    # a secret that holds another is masked whole, not around the shorter one
    assert masked('key abc-abcdef', {'abc', 'abc-abcdef'}) == 'key ********'
    assert masked(answer, set()) is answer


def test_a_task_spec_is_copied_for_each_use():
    spec = TaskSpec(dict(ids=dict(type='list', elements='str', default=['all'])), mutually_exclusive=[('a', 'b')])
    arguments = spec.validation_arguments()
    arguments['argument_spec']['ids']['default'].append('x')
    assert spec.validation_arguments()['argument_spec']['ids']['default'] == ['all']
    assert arguments['mutually_exclusive'] == [('token', 'username'), ('token', 'password'), ('a', 'b')]
    assert arguments['required_one_of'] == [('token', 'username')]
    assert arguments['required_together'] == [('username', 'password')]


def test_shown_labels_names_the_first_ones_and_counts_the_rest():
    assert shown_labels(['a', 'b'], ', ', 3) == 'a, b'
    assert shown_labels(['a', 'b', 'c', 'd'], '; ', 2) == 'a; b; ... and 2 more'
