"""The OMS modules run in Ansible's worker when that is the same as running them on the host, and give the same answers.

Every other test runs the modules in the worker (its interpreter is this Python); this file runs the same tasks the
usual way as well, against the same starting state, and compares what each way returned and sent.
"""

import json
import os
import sys

import pytest

from ansible_collections.hotwax.oms.plugins.plugin_utils.module_in_worker import same_python
from tests.helpers import assert_no_secret, login_vars, play

IN_WORKER = 'running the module in the worker'
USUAL_WAY = 'running the module the usual way'
SWITCH_OFF = {'HOTWAX_OMS_IN_WORKER': 'false'}

# Reads, a check with a diff, writes, a restore, a failure with its message, and one async task (always the usual way).
TASKS = '''
- name: read access
  hotwax.oms.hotwax_shop_access_info:
  register: before
- name: read brokering
  hotwax.oms.hotwax_order_brokering_info:
- name: check close
  hotwax.oms.hotwax_shop_access:
    shop_ids: [all]
    access_scope: no_access
  check_mode: true
  diff: true
- name: close
  hotwax.oms.hotwax_shop_access:
    shop_ids: [all]
    access_scope: no_access
- name: stop
  hotwax.oms.hotwax_order_brokering:
    product_store_ids: [all]
    enabled: false
- name: unknown shop
  hotwax.oms.hotwax_shop_access:
    shop_ids: [NO_SUCH_SHOP]
    access_scope: no_access
  ignore_errors: true
- name: bad option
  hotwax.oms.hotwax_order_brokering:
    product_store_ids: [all]
    enabled: false
    restore: []
  ignore_errors: true
- name: restore
  hotwax.oms.hotwax_shop_access:
    shop_ids: [all]
    restore: "{{ before.shops }}"
- name: async read
  hotwax.oms.hotwax_order_brokering_info:
  async: 60
  poll: 1
- name: loop
  hotwax.oms.hotwax_shop_access:
    shop_ids: "{{ [item] }}"
    access_scope: no_access
  check_mode: true
  loop: [FLEET_SHOP_041, FLEET_SHOP_009]
- name: until
  hotwax.oms.hotwax_order_brokering_info:
  register: tried
  until: tried.product_stores | length > 100
  retries: 1
  delay: 0
  ignore_errors: true
'''
TASK_NAMES = ['read access', 'read brokering', 'check close', 'close', 'stop', 'unknown shop', 'bad option', 'restore']


def _sent(oms):
    """What a run sent: every request but logins, without its time or sequence number (writes go in parallel)."""
    return sorted(json.dumps([entry['method'], entry['path'], entry['query'], entry['body'], entry['status']], sort_keys=True)
                  for entry in oms.requests() if not entry['path'].endswith('admin/login'))


def _run_both_ways(oms, run_playbook, tasks, *args):
    runs, sent, states = {}, {}, {}
    for way, env in (('worker', None), ('usual', SWITCH_OFF)):
        oms.reset('fleet')
        oms.clear_requests()
        runs[way] = run_playbook(play(oms, tasks), '-vvv', *args, env=env)
        sent[way], states[way] = _sent(oms), oms.state()
    return runs, sent, states


def test_both_ways_return_the_same_results_and_send_the_same_requests(fleet_oms, run_playbook):
    runs, sent, states = _run_both_ways(fleet_oms, run_playbook, TASKS)
    for way, run in runs.items():
        assert run.returncode == 0, (way, run.output)
    # every named task once, and the until's first attempt
    assert runs['worker'].output.count(IN_WORKER) == len(TASK_NAMES) + 1
    assert IN_WORKER not in runs['usual'].output
    assert runs['usual'].output.count('%s: %s' % (USUAL_WAY, 'HOTWAX_OMS_IN_WORKER is false')) >= len(TASK_NAMES) + 4
    # the usual way even in the worker run: async has its own wrapper; a loop's items, and an until's retries, would
    # run a second module in one worker process, where the first left its warnings behind
    for reason in ('the task is async', 'the task loops',
                   'a module already ran in this worker (hotwax.oms.hotwax_order_brokering_info)'):
        assert '%s: %s' % (USUAL_WAY, reason) in runs['worker'].output, reason
    for name in TASK_NAMES + ['loop', 'until']:
        assert runs['worker'].status(name) == runs['usual'].status(name), name
        assert runs['worker'].result(name) == runs['usual'].result(name), name
    assert runs['worker'].result('async read')['product_stores'] == runs['usual'].result('async read')['product_stores']
    # the loop's warnings, equal either way (above): FLEET_SHOP_041's ambiguous remote, FLEET_SHOP_009 without one
    warnings = runs['worker'].result('loop')['warnings']
    assert any('FLEET_SHOP_009' in warning for warning in warnings) and any('FLEET_RMT_0151' in warning for warning in warnings)
    assert sent['worker'] == sent['usual']
    assert states['worker'] == states['usual']
    # the failures say the same thing, once each
    assert 'unknown shop ids: NO_SUCH_SHOP' in runs['worker'].result('unknown shop')['msg']
    assert 'mutually exclusive' in runs['worker'].result('bad option')['msg']
    assert runs['worker'].result('check close')['diff'] == runs['usual'].result('check close')['diff']


def test_check_mode_in_the_worker_writes_nothing(fleet_oms, run_playbook):
    before = fleet_oms.state()
    run = run_playbook(play(fleet_oms, TASKS.split('- name: unknown shop', maxsplit=1)[0]), '--check', '-vvv')
    assert run.returncode == 0, run.output
    assert IN_WORKER in run.output
    assert fleet_oms.writes() == []
    assert fleet_oms.state() == before


def test_no_secret_reaches_the_output_of_a_module_run_in_the_worker(demo_oms, run_playbook, hosts):
    demo_oms.clear_requests()
    password_play = '''
- hosts: prod
  gather_facts: false
  tasks:
    - name: read access
      hotwax.oms.hotwax_shop_access_info:
        oms_url: "{{ hotwax_oms_url }}"
        username: "{{ hotwax_oms_username }}"
        password: "{{ hotwax_oms_password }}"
'''
    inventory = hosts(prod=dict(login_vars(demo_oms), ansible_python_interpreter=sys.executable))
    run = run_playbook(password_play, '-vvvv', inventory=inventory)
    assert run.returncode == 0, run.output
    assert IN_WORKER in run.output
    assert any(entry['path'].endswith('admin/login') for entry in demo_oms.requests())  # the password was used
    assert_no_secret(demo_oms, run.output, run.results)


@pytest.mark.parametrize('task_keywords, reason', [
    ('environment: {HOTWAX_TEST_EXTRA: "1"}', 'the task sets an environment'),
    ('delegate_to: localhost', 'the task is delegated'),
])
def test_a_task_that_could_differ_runs_the_usual_way(demo_oms, run_playbook, task_keywords, reason):
    tasks = '''
- name: read brokering
  hotwax.oms.hotwax_order_brokering_info:
  %s
''' % task_keywords
    run = run_playbook(play(demo_oms, tasks), '-vvv')
    assert run.returncode == 0, run.output
    assert '%s: %s' % (USUAL_WAY, reason) in run.output
    assert run.result('read brokering')['product_stores'][0]['product_store_id'] == 'STORE'


def test_another_python_runs_the_module_the_usual_way(demo_oms, run_playbook, tmp_path):
    # the same program, reached from another folder: Python would look for its packages there, so it is not the same
    elsewhere = tmp_path / 'bin' / 'python3'
    elsewhere.parent.mkdir()
    elsewhere.symlink_to(sys.executable)
    tasks = '''
- name: read brokering
  hotwax.oms.hotwax_order_brokering_info:
'''
    run = run_playbook(play(demo_oms, tasks), '-vvv', env={'ANSIBLE_PYTHON_INTERPRETER': str(elsewhere)})
    assert '%s: the host runs modules with %s' % (USUAL_WAY, elsewhere) in run.output


def test_same_python_is_the_same_program_in_the_same_folder(tmp_path):
    program = tmp_path / 'venv' / 'bin' / 'python3.11'
    program.parent.mkdir(parents=True)
    program.write_text('')
    (program.parent / 'python').symlink_to(program)
    (tmp_path / 'python').symlink_to(program)
    assert same_python(str(program), str(program))
    assert same_python(str(program.parent / 'python'), str(program))  # python and python3.11 of one venv
    assert same_python(str(program.parent / '..' / 'bin' / 'python'), str(program))
    assert not same_python(str(tmp_path / 'python'), str(program))  # the same program elsewhere: other packages
    assert not same_python(str(tmp_path / 'missing'), str(program))
    assert not same_python('', str(program))
    assert not same_python(None, str(program))
    assert same_python(os.path.relpath(str(program)), str(program))
