"""The rollback's snapshot is read and saved in one task (hotwax_snapshot operation take), over real HTTP.

What it reads must be what the read-only modules read, with one login for all of it; a part it cannot read stops the
rollback before any write (the shops, the stores) or is named at the end (the jobs); and it only ever reads the OMS
of its own host.
"""

import json

from tests.helpers import LOGIN_PATH, login_vars, play, playbook, snapshot_path, token_vars

TAKE_TASK = "Check the role's variables, then take the lock and the snapshot of the state before the rollback"
INFO_READS = '''
- name: shops
  hotwax.oms.hotwax_shop_access_info:
  register: shops
- name: stores
  hotwax.oms.hotwax_order_brokering_info:
  register: stores
- name: jobs
  hotwax.oms.hotwax_service_job_info:
    shop_ids: [all]
    product_store_ids: [all]
  register: jobs
'''

TAKE = '''
- name: take
  hotwax.oms.hotwax_snapshot:
    operation: take
    folder: {folder}
    environment: prod
    oms_url: {oms_url}
'''


def host_play(tasks):
    """A playbook running ``tasks`` (YAML text) on the inventory host prod, with its hotwax_oms_* variables."""
    return '- hosts: prod\n  gather_facts: false\n  tasks:\n' + '\n'.join('    ' + line for line in tasks.strip('\n').splitlines())


def until_the_second_login(oms):
    """The paths of the logged requests up to the second login (the first task that talked to the OMS)."""
    paths = [entry['path'] for entry in oms.requests()]
    logins = [index for index, path in enumerate(paths) if path == LOGIN_PATH]
    return paths[:logins[1]] if len(logins) > 1 else paths


def task_statuses(run, name):
    return [entry['status'] for entry in run.results if entry['task'].split(' : ')[-1] == name]


def test_the_snapshot_holds_what_the_read_only_modules_read_and_logs_in_once(demo_oms, run_playbook, hosts, tmp_path):
    inventory = hosts(prod=login_vars(demo_oms))
    info = run_playbook(host_play(INFO_READS), '-l', 'prod', inventory=inventory)
    assert info.returncode == 0, info.output
    demo_oms.clear_requests()

    rollback = playbook(run_playbook, 'rollback', inventory, '-l', 'prod', '-e', 'rollback_pause_jobs=true')
    assert rollback.returncode == 0, rollback.output
    taken = rollback.result(TAKE_TASK)
    assert taken['reads']['records']['shops'] == info.result('shops')['shops']
    assert taken['reads']['stores']['product_stores'] == info.result('stores')['product_stores']
    assert taken['reads']['jobs']['service_jobs'] == info.result('jobs')['service_jobs']
    assert taken['jobs_selected'] is True
    # the take logs in once, and reads the shops, the remotes, the stores and the jobs with that one login
    first_task = until_the_second_login(demo_oms)
    assert first_task[0] == LOGIN_PATH and first_task.count(LOGIN_PATH) == 1
    assert all(any(path.endswith(read) for path in first_task)
               for read in ('/shopifyShops/shops', '/systemMessageRemotes', '/productStores', '/serviceJobs')), first_task
    saved = snapshot_path(tmp_path)
    assert taken['path'] == str(saved) and saved.exists()
    # where the way back is, as the role's fact; the snapshot itself only in the artifact, not once more in the result
    assert taken['ansible_facts'] == {'rollback_snapshot_file': str(saved)}
    assert 'snapshot' not in taken and taken['taken_at'] == json.loads(saved.read_text())['taken_at']
    assert taken['ansible_stats']['data']['hotwax_oms_snapshots']['prod']['taken_at'] == taken['taken_at']


def test_shops_and_stores_it_cannot_find_are_named_together_and_nothing_is_saved_or_written(demo_oms, run_playbook, inventory, tmp_path):
    rollback = playbook(run_playbook, 'rollback', inventory(prod=demo_oms), '-l', 'prod',
                        '-e', '{"rollback_shop_ids": ["NO_SUCH_SHOP"], "rollback_product_store_ids": ["NO_SUCH_STORE"]}')
    assert rollback.returncode != 0
    failed = [entry for entry in rollback.results if entry['status'] == 'failed']
    assert [entry['task'].split(' : ')[-1] for entry in failed] == [TAKE_TASK]
    message = failed[0]['result']['msg']
    assert 'NO_SUCH_SHOP' in message and 'NO_SUCH_STORE' in message, message
    assert demo_oms.writes() == []
    assert not snapshot_path(tmp_path).exists()


def test_a_job_read_that_fails_leaves_the_jobs_out_of_the_snapshot(demo_oms, run_playbook, inventory, tmp_path):
    demo_oms.set_faults([{'kind': 'status', 'status': 500, 'path': 'serviceJobs'}])
    rollback = playbook(run_playbook, 'rollback', inventory(prod=demo_oms), '-l', 'prod',
                        '-e', 'rollback_pause_jobs=true', '-e', 'hotwax_oms_retries=0')
    assert rollback.returncode != 0
    taken = rollback.result(TAKE_TASK)
    assert taken['jobs_selected'] is False and 'HTTP 500' in taken['reads']['jobs']['msg']
    assert json.loads(snapshot_path(tmp_path).read_text())['service_jobs'] == []
    assert task_statuses(rollback, 'Pause the Shopify import and brokering jobs') == ['skipped']
    assert not [entry for entry in demo_oms.writes() if 'serviceJobs' in entry['path']]


def test_take_reads_only_the_oms_of_its_own_host(demo_oms, run_playbook, hosts, tmp_path):
    folder = tmp_path / 'taken'
    inventory = hosts(prod=token_vars(demo_oms))
    # oms_url names another OMS than the host's: refused, neither OMS is asked anything
    other = run_playbook(host_play(TAKE.format(folder=folder, oms_url='https://other-maarg.example.com')), '-l', 'prod',
                         inventory=inventory)
    assert other.returncode != 0
    message = other.result('take')['msg']
    assert 'operation take reads the OMS of prod' in message and 'give the host\'s hotwax_oms_url' in message, message
    assert demo_oms.requests() == []
    # a host without hotwax_oms_url: refused, naming the variable
    bare = run_playbook(play(demo_oms, TAKE.format(folder=folder, oms_url=demo_oms.url)), inventory=None)
    assert bare.returncode != 0
    assert 'has no hotwax_oms_url' in bare.result('take')['msg']
    assert demo_oms.requests() == [] and not folder.exists()
