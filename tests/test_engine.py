"""Every OMS module's work runs through its action in Ansible's worker, and a delegated task runs the module on its host
the usual way; both give the same results, send the same requests and leave the same state.

Two emulators are seeded alike: one play runs the tasks in the worker against the first, a second play runs the same
tasks delegated (``delegate_to: localhost``, which plugin_utils/oms_action.py sends the usual way) against the second.
"""

import json
import sys

import pytest

from tests.emulator.oms_emulator import OmsEmulator
from ansible_collections.hotwax.oms.plugins.module_utils.oms_values import job_paused
from tests.helpers import assert_no_secret, login_vars, normal, play

IN_WORKER = 'running the work in the worker'
ON_THE_HOST = 'running the module on the host: the task is delegated'

# Every OMS module: reads, a check with a diff, writes, restores, an API failure and a refused option.
TASKS = [
    ('probe', 'hotwax.oms.hotwax_api_info', {'service_jobs': True}, {}),
    ('read access', 'hotwax.oms.hotwax_shop_access_info', {}, {'register': 'access'}),
    ('read brokering', 'hotwax.oms.hotwax_order_brokering_info', {}, {'register': 'brokering'}),
    ('read jobs', 'hotwax.oms.hotwax_service_job_info', {}, {}),
    ('check close', 'hotwax.oms.hotwax_shop_access', {'shop_ids': ['all'], 'access_scope': 'no_access'},
     {'check_mode': True, 'diff': True}),
    ('close', 'hotwax.oms.hotwax_shop_access', {'shop_ids': ['all'], 'access_scope': 'no_access'}, {'diff': True}),
    ('stop', 'hotwax.oms.hotwax_order_brokering', {'product_store_ids': ['all'], 'enabled': False, 'report_in_flight': True}, {}),
    ('pause', 'hotwax.oms.hotwax_service_job', {'shop_ids': ['all'], 'product_store_ids': ['all'], 'paused': True},
     {'register': 'paused'}),
    ('restore access', 'hotwax.oms.hotwax_shop_access', {'shop_ids': ['all'], 'restore': '{{ access.shops }}'}, {}),
    ('restore brokering', 'hotwax.oms.hotwax_order_brokering',
     {'product_store_ids': ['all'], 'restore': '{{ brokering.product_stores }}'}, {}),
    ('resume', 'hotwax.oms.hotwax_service_job',
     {'shop_ids': ['all'], 'product_store_ids': ['all'], 'restore': '{{ paused.service_jobs }}'}, {}),
    ('unknown shop', 'hotwax.oms.hotwax_shop_access', {'shop_ids': ['NO_SUCH_SHOP'], 'access_scope': 'no_access'},
     {'ignore_errors': True}),
    ('unknown job', 'hotwax.oms.hotwax_service_job', {'job_names': ['NO_SUCH_JOB'], 'paused': True}, {'ignore_errors': True}),
    ('bad option', 'hotwax.oms.hotwax_order_brokering', {'product_store_ids': ['all'], 'enabled': False, 'restore': []},
     {'ignore_errors': True}),
]
MODULES = sorted(set(module for dummy, module, dummy, dummy in TASKS))
NOISE = ('invocation', 'checked_at')  # the module's echo of its arguments; the time in_flight was read


def the_play(way, oms, tasks, **keywords):
    """A play running ``tasks`` against ``oms``, each task named '<way>: <name>' and given ``keywords``."""
    body = []
    for name, module, args, task_keywords in tasks:
        task = {'name': '%s: %s' % (way, name), module: args}
        task.update(task_keywords, **keywords)
        body.append(task)
    return {'hosts': 'localhost', 'gather_facts': False,
            'module_defaults': {'group/hotwax.oms.hotwax': {
                'oms_url': oms.url, 'token': "{{ lookup('ansible.builtin.env', 'HOTWAX_TEST_TOKEN') }}"}},
            'tasks': body}


def without_noise(value):
    """A result without the keys that name the run rather than what it did (and Ansible's own bookkeeping)."""
    if isinstance(value, dict):
        return dict((key, without_noise(item)) for key, item in value.items()
                    if key not in NOISE and not key.startswith('_ansible'))
    if isinstance(value, list):
        return [without_noise(item) for item in value]
    return value


def alike(result, oms, other):
    """A result without noise, with ``other``'s URL (in messages and the probe's report) written as ``oms``'s."""
    return json.loads(json.dumps(without_noise(result)).replace(other.url, oms.url))


def sent(oms):
    """What a run sent: method, path, query and body of every request but logins (writes go in parallel: sorted)."""
    return sorted(json.dumps([entry['method'], entry['path'], entry['query'], entry['body']], sort_keys=True)
                  for entry in oms.requests() if not entry['path'].endswith('admin/login'))


@pytest.fixture(scope='module')
def second_oms():
    server = OmsEmulator(seed='fleet')
    server.start()
    yield server
    server.stop()


@pytest.fixture
def two_fleets(fleet_oms, second_oms):
    """Two emulators seeded alike with the fleet, logs empty."""
    second_oms.reset('fleet')
    for oms in (fleet_oms, second_oms):
        oms.clear_requests()
    assert fleet_oms.state() == second_oms.state()
    return fleet_oms, second_oms


def results_of(run, way):
    return dict((entry['task'].split(': ', 1)[1], entry) for entry in run.results if entry['task'].startswith(way + ': '))


def test_every_module_answers_alike_in_the_worker_and_delegated(two_fleets, run_playbook):
    in_worker, delegated = two_fleets
    playbook = [the_play('worker', in_worker, TASKS), the_play('usual', delegated, TASKS, delegate_to='localhost')]
    run = run_playbook(json.dumps(playbook), '-vvv')
    assert run.returncode == 0, run.output
    worker, usual = results_of(run, 'worker'), results_of(run, 'usual')
    assert sorted(worker) == sorted(usual) == sorted(name for name, dummy, dummy, dummy in TASKS)
    for name, module, dummy, dummy in TASKS:
        assert worker[name]['status'] == usual[name]['status'], name
        assert without_noise(worker[name]['result']) == alike(usual[name]['result'], in_worker, delegated), name
    # each way taken for every task but the refused option (refused before either way is chosen: see below)
    for module in MODULES:
        assert '%s: %s' % (module, IN_WORKER) in run.output, module
        assert '%s: %s' % (module, ON_THE_HOST) in run.output, module
        assert 'AnsiballZ_%s.py' % module.split('.')[-1] in run.output, module  # the module really ran on its own
    assert sent(in_worker) == sent(delegated)
    assert 'DEPRECATION' not in run.output.upper()  # e.g. ansible.module_utils.six, or a deprecated core helper
    assert in_worker.state() == delegated.state()
    # what the tasks did, so that equal means something: closed, stopped, paused, and put back exactly
    assert worker['close']['result']['changed'] and worker['close']['result']['diff']['after']
    assert worker['check close']['result']['diff'] == worker['close']['result']['diff']
    assert worker['stop']['result']['done'] and 'in_flight' in worker['stop']['result']
    assert worker['pause']['result']['done']
    assert worker['restore access']['result']['done'] and worker['resume']['result']['done']
    assert worker['probe']['result']['logged_in'] and worker['probe']['result']['touch']['service_jobs']
    assert any('FLEET_SHOP_009' in warning for warning in worker['close']['result']['warnings'])
    assert 'unknown shop ids: NO_SUCH_SHOP' in worker['unknown shop']['result']['msg']
    assert 'unknown job names: NO_SUCH_JOB' in worker['unknown job']['result']['msg']
    assert 'mutually exclusive: enabled|restore' in worker['bad option']['result']['msg']
    assert 'mutually exclusive: enabled|restore' in usual['bad option']['result']['msg']


def test_the_state_after_a_rollback_and_its_restore_is_the_seed(two_fleets, run_playbook):
    in_worker, dummy = two_fleets
    seeded = in_worker.state()
    run = run_playbook(json.dumps([the_play('worker', in_worker, TASKS[1:11])]))
    assert run.returncode == 0, run.output
    assert in_worker.writes()
    # as the OMS reads it: a record without a scope was put back as read access (an empty value is never written)
    after = in_worker.state()
    assert normal(after) == normal(seeded)
    assert dict((name, job_paused(value)) for name, value in after['jobs'].items()) == dict(
        (name, job_paused(value)) for name, value in seeded['jobs'].items())


LOOP_AND_UNTIL = '''
- name: loop
  hotwax.oms.hotwax_shop_access:
    shop_ids: "{{ [item] }}"
    access_scope: no_access
  loop: [FLEET_SHOP_041, FLEET_SHOP_009, FLEET_SHOP_001]
  register: looped
- name: until
  hotwax.oms.hotwax_order_brokering:
    product_store_ids: [all]
    enabled: false
  register: tried
  until: tried.product_stores | selectattr('after') | list | length == 1
  retries: 3
  delay: 0
  ignore_errors: true
'''


def test_a_loop_and_until_retries_run_each_time_afresh_in_the_worker(fleet_oms, run_playbook):
    fleet_oms.clear_requests()
    run = run_playbook(play(fleet_oms, LOOP_AND_UNTIL), '-vvv')
    assert run.returncode == 0, run.output
    assert IN_WORKER in run.output and 'AnsiballZ' not in run.output
    items = run.result('loop')['results']
    assert [item['item'] for item in items] == ['FLEET_SHOP_041', 'FLEET_SHOP_009', 'FLEET_SHOP_001']
    # each item answers for itself: FLEET_SHOP_041's ambiguous remote, FLEET_SHOP_009 without a remote, and no more
    assert [[remote['id'] for remote in item['ambiguous_remotes']] for item in items] == [['FLEET_RMT_0151'], [], []]
    assert [len(item['done']) for item in items] == [2, 1, 2]
    # Ansible gathers the items' warnings on the loop's result: each once, none carried over to a later item
    warnings = run.result('loop')['warnings']
    assert len(warnings) == 2 and 'FLEET_RMT_0151' in warnings[0] and 'FLEET_SHOP_009' in warnings[1]
    assert all(item['changed'] for item in items)
    assert [item['shops'][0]['shop_id'] for item in items] == ['FLEET_SHOP_041', 'FLEET_SHOP_009', 'FLEET_SHOP_001']
    # until: every attempt ran (the condition never holds), the first stopped brokering, the later ones had nothing to do
    tried = run.result('until')
    assert run.status('until') == 'failed' and tried['attempts'] >= 3  # the condition never holds
    assert run.output.count('hotwax.oms.hotwax_order_brokering: %s' % IN_WORKER) == 4  # the first try and 3 retries
    assert not tried['changed'] and tried['done'] == []
    assert set(fleet_oms.state()['stores'].values()) == {'N'}


def test_check_mode_in_the_worker_writes_nothing(fleet_oms, run_playbook):
    seeded = fleet_oms.state()
    fleet_oms.clear_requests()
    run = run_playbook(json.dumps([the_play('worker', fleet_oms, TASKS[:11])]), '--check', '--diff', '-vvv')
    assert run.returncode == 0, run.output
    assert IN_WORKER in run.output
    assert fleet_oms.requests() and fleet_oms.writes() == []
    assert fleet_oms.state() == seeded
    assert results_of(run, 'worker')['close']['result']['done']  # it would have closed records


PASSWORD_PLAY = '''
- hosts: prod
  gather_facts: false
  tasks:
    - name: read access
      hotwax.oms.hotwax_shop_access_info:
        oms_url: "{{ hotwax_oms_url }}"
        username: "{{ hotwax_oms_username }}"
        password: "{{ hotwax_oms_password }}"
    - name: failing read with the password in an option the module echoes
      hotwax.oms.hotwax_order_brokering:
        oms_url: "{{ hotwax_oms_url }}"
        username: "{{ hotwax_oms_username }}"
        password: "{{ hotwax_oms_password }}"
        product_store_ids: ["{{ hotwax_oms_password }}"]
        enabled: false
      ignore_errors: true
    - name: read with the password from the environment
      hotwax.oms.hotwax_order_brokering_info:
        oms_url: "{{ hotwax_oms_url }}"
        username: "{{ hotwax_oms_username }}"
'''


def test_no_secret_reaches_the_output_in_the_worker(demo_oms, run_playbook, hosts):
    demo_oms.clear_requests()
    inventory = hosts(prod=dict(login_vars(demo_oms), ansible_python_interpreter=sys.executable))
    # the third task finds the password in HOTWAX_OMS_PASSWORD, the env fallback of option password
    run = run_playbook(PASSWORD_PLAY, '-vvvv', inventory=inventory,
                       env={'HOTWAX_OMS_PASSWORD': login_vars(demo_oms)['hotwax_oms_password']})
    assert run.returncode == 0, run.output
    assert run.output.count(IN_WORKER) == 3
    assert any(entry['path'].endswith('admin/login') for entry in demo_oms.requests())  # the password was used
    failed = run.result('failing read with the password in an option the module echoes')
    # the unknown store id is the password: masked as AnsibleModule masks it
    assert 'unknown product store ids: ********' in failed['msg']
    assert run.result('read with the password from the environment')['product_stores'][0]['product_store_id'] == 'STORE'
    assert_no_secret(demo_oms, run.output, run.results)


OTHER_WAYS = '''
- name: in the worker
  hotwax.oms.hotwax_order_brokering_info:
- name: with an environment
  hotwax.oms.hotwax_order_brokering_info:
  environment: {HOTWAX_TEST_EXTRA: "1"}
- name: async
  hotwax.oms.hotwax_order_brokering_info:
  async: 60
  poll: 1
'''


def test_a_task_with_its_own_environment_or_async_runs_the_module_on_its_host(demo_oms, run_playbook):
    run = run_playbook(play(demo_oms, OTHER_WAYS), '-vvv')
    assert run.returncode == 0, run.output
    module = 'hotwax.oms.hotwax_order_brokering_info'
    assert run.output.count('%s: %s' % (module, IN_WORKER)) == 1
    for why in ('the task sets an environment', 'the task is async'):
        assert '%s: running the module on the host: %s' % (module, why) in run.output, why
    stores = run.result('in the worker')['product_stores']
    assert stores and run.result('with an environment')['product_stores'] == run.result('async')['product_stores'] == stores
