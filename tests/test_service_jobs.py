"""hotwax_service_job(_info) and the role's optional job pause, against the emulator over real HTTP."""

import json

from tests.helpers import play, playbook, remote_owners, snapshot_path

SHOP_JOBS = {'queue_ShopifyOrderSync_SHOP', 'sync_ShopifyOrderHistory_SHOP', 'resetShopifyInventoryQoh_SHOP',
             'sync_ShopifyProductUpdates_SHOP'}  # Company's per-shop templates, chosen by their parameters
# Feed jobs running the order import's own service (queue#FeedSystemMessage), with the shop's remote as a parameter
FEED_JOBS = {'queue_UpdatedOrderIdsFeed', 'queue_ReturnedOrderIdsFeed'}
INTAKE_JOB = 'consume_ShopifyOrders_SQS'  # serves every shop: selected only with shop_ids: [all]
BROKERING_JOB = 'Order_Routing_Group_10001'
PAUSED_BEFORE = 'poll_ShopifyBulkImport_SHOP'
TEMPLATES = {'queue_ShopifyOrderSync', 'sync_ShopifyOrderHistory', 'resetShopifyInventoryQoh',
             'sync_ShopifyProductUpdates'}  # never selected by shop


def paused_jobs(oms):
    return set(name for name, paused in oms.state()['jobs'].items() if paused == 'Y')


def test_pause_by_shop_and_store_selects_the_documented_jobs(demo_oms, run_playbook):
    run = run_playbook(play(demo_oms, '''
- name: pause
  hotwax.oms.hotwax_service_job:
    shop_ids: [SHOP]
    product_store_ids: [STORE]
    paused: true
'''), '--diff')
    assert run.returncode == 0, run.output
    jobs = run.result('pause')['service_jobs']
    assert set(job['job_name'] for job in jobs) == SHOP_JOBS | {BROKERING_JOB}
    assert all(job['before'] == 'N' and job['after'] == 'Y' for job in jobs)
    assert all(job['paused_before'] is False and job['paused_after'] is True for job in jobs)
    assert 'queue_ShopifyOrderSync' not in set(job['job_name'] for job in jobs)  # the template serves no shop
    assert paused_jobs(demo_oms) == SHOP_JOBS | {BROKERING_JOB, PAUSED_BEFORE} | TEMPLATES  # the templates were paused already
    assert 'service job queue_ShopifyOrderSync_SHOP paused' in run.output


def test_the_intake_job_is_paused_only_with_all_shops(demo_oms, run_playbook):
    run = run_playbook(play(demo_oms, '''
- name: pause
  hotwax.oms.hotwax_service_job:
    shop_ids: [all]
    paused: true
'''))
    assert run.returncode == 0, run.output
    assert set(job['job_name'] for job in run.result('pause')['service_jobs']) == SHOP_JOBS | {INTAKE_JOB}


def test_check_mode_and_second_run_write_nothing(fleet_oms, run_playbook):
    pause_all = '''
- name: pause
  hotwax.oms.hotwax_service_job:
    shop_ids: [all]
    product_store_ids: [all]
    paused: true
'''
    before = fleet_oms.state()
    check = run_playbook(play(fleet_oms, pause_all), '--check')
    assert check.returncode == 0, check.output
    assert fleet_oms.writes() == [] and fleet_oms.state() == before
    predicted = check.result('pause')['service_jobs']
    assert len(predicted) > 100 and all(job['paused_after'] is True for job in predicted)

    assert run_playbook(play(fleet_oms, pause_all)).returncode == 0
    assert all(job['paused_after'] is True for job in predicted)
    assert all(job['job_name'] in paused_jobs(fleet_oms) or before['jobs'][job['job_name']] not in (None, 'N')
               for job in predicted)
    fleet_oms.clear_requests()
    again = run_playbook(play(fleet_oms, pause_all))
    assert again.returncode == 0 and again.result('pause')['changed'] is False
    assert fleet_oms.writes() == []


def test_unknown_job_name_is_named(demo_oms, run_playbook):
    run = run_playbook(play(demo_oms, '''
- name: bad
  hotwax.oms.hotwax_service_job:
    job_names: [queue_ShopifyOrderSync_NOPE]
    paused: true
'''))
    assert run.returncode != 0
    assert 'unknown job names: queue_ShopifyOrderSync_NOPE. Known job names: ' in run.result('bad')['msg']
    assert BROKERING_JOB in run.result('bad')['msg']
    assert demo_oms.writes() == []


def test_no_selection_is_a_clear_error(demo_oms, run_playbook):
    run = run_playbook(play(demo_oms, '''
- name: bad
  hotwax.oms.hotwax_service_job:
    paused: true
'''))
    assert run.returncode != 0
    assert 'select jobs with job_names, shop_ids or product_store_ids' in run.result('bad')['msg']


def test_info_reads_every_shop_and_store_job_by_default(demo_oms, run_playbook):
    run = run_playbook(play(demo_oms, '- name: info\n  hotwax.oms.hotwax_service_job_info:\n'))
    assert run.returncode == 0, run.output
    assert set(job['job_name'] for job in run.result('info')['service_jobs']) == SHOP_JOBS | {BROKERING_JOB, INTAKE_JOB}
    assert demo_oms.writes() == []


def test_role_pauses_jobs_and_restore_keeps_a_paused_job_paused(demo_oms, run_playbook, inventory, tmp_path):
    demo_oms.query("UPDATE ServiceJob SET paused = 'Y' WHERE jobName = 'queue_ShopifyOrderSync_SHOP'")
    before = demo_oms.state()['jobs']
    hosts = inventory(prod=demo_oms)
    run = playbook(run_playbook, 'rollback', hosts, '-e', 'rollback_pause_jobs=true')
    assert run.returncode == 0, run.output
    assert SHOP_JOBS | {BROKERING_JOB, INTAKE_JOB} <= paused_jobs(demo_oms)
    snapshot = json.loads(snapshot_path(tmp_path).read_text())
    assert dict((job['job_name'], job['before']) for job in snapshot['service_jobs'])['queue_ShopifyOrderSync_SHOP'] == 'Y'

    run = playbook(run_playbook, 'restore', hosts)
    assert run.returncode == 0, run.output
    assert demo_oms.state()['jobs'] == before  # only the jobs running before were resumed


def test_second_rollback_adds_jobs_to_a_kept_snapshot(demo_oms, run_playbook, inventory):
    hosts = inventory(prod=demo_oms)
    before = demo_oms.state()['jobs']
    assert playbook(run_playbook, 'rollback', hosts).returncode == 0
    assert playbook(run_playbook, 'rollback', hosts, '-e', 'rollback_pause_jobs=true').returncode == 0
    assert playbook(run_playbook, 'restore', hosts).returncode == 0
    state = demo_oms.state()
    assert state['jobs'] == before and state['stores']['STORE'] == 'Y'


def test_shop_jobs_are_chosen_by_parameters_not_names(fleet_oms, run_playbook):
    """queue_ShopifyOrderSync_10005 serves FLEET_SHOP_005 (its remote parameter), whatever its name says."""
    remote = fleet_oms.query("SELECT parameterValue FROM ServiceJobParameter WHERE jobName = 'queue_ShopifyOrderSync_10005'")
    shop = [shop_id for remote_id, shops in remote_owners(fleet_oms).items() if remote_id == remote[0]['parameterValue']
            for shop_id in shops][0]
    run = run_playbook(play(fleet_oms, """
- name: info
  hotwax.oms.hotwax_service_job_info:
    shop_ids: [%s]
""" % shop))
    assert run.returncode == 0, run.output
    names = set(job['job_name'] for job in run.result('info')['service_jobs'])
    assert 'queue_ShopifyOrderSync_10005' in names
    assert not any(name in ('queue_ShopifyOrderSync', 'sync_ShopifyProductUpdates', INTAKE_JOB) for name in names)
    # every chosen job names this shop or one of its remotes
    for name in names:
        values = set(row['parameterValue'] for row in fleet_oms.query(
            'SELECT parameterValue FROM ServiceJobParameter WHERE jobName = ?', (name,)))
        owned = set(rid for rid, shops in remote_owners(fleet_oms).items() if shop in shops)
        assert values & (owned | {shop}), name
    bare = fleet_oms.query("SELECT jobName FROM ServiceJob WHERE listParameters = 'N'")
    assert bare  # some list rows carry no parameters: they are read by name
    assert any(entry['path'].startswith('/rest/s1/admin/serviceJobs/') for entry in fleet_oms.requests())


def test_an_oms_without_order_routing_finds_no_schedules_and_warns(demo_oms, run_playbook):
    demo_oms.configure(order_routing=False)
    run = run_playbook(play(demo_oms, """
- name: pause
  hotwax.oms.hotwax_service_job:
    shop_ids: [SHOP]
    product_store_ids: [STORE]
    paused: true
"""))
    assert run.returncode == 0, run.output
    result = run.result('pause')
    assert set(job['job_name'] for job in result['service_jobs']) == SHOP_JOBS
    assert any('no order routing' in warning and '404' in warning for warning in result['warnings'])


def test_an_unusual_paused_value_is_kept_and_restored_exactly(demo_oms, run_playbook):
    demo_oms.query("UPDATE ServiceJob SET paused = 'S' WHERE jobName = 'queue_ShopifyOrderSync_SHOP'")
    demo_oms.query("UPDATE ServiceJob SET paused = NULL WHERE jobName = 'sync_ShopifyProductUpdates_SHOP'")
    run = run_playbook(play(demo_oms, """
- name: pause
  hotwax.oms.hotwax_service_job:
    shop_ids: [SHOP]
    paused: true
  register: paused
- name: restore
  hotwax.oms.hotwax_service_job:
    shop_ids: [SHOP]
    restore: "{{ paused.service_jobs }}"
"""))
    assert run.returncode == 0, run.output
    jobs = dict((job['job_name'], job) for job in run.result('pause')['service_jobs'])
    assert (jobs['queue_ShopifyOrderSync_SHOP']['before'], jobs['queue_ShopifyOrderSync_SHOP']['state']) == ('S', 'unchanged')
    assert jobs['sync_ShopifyProductUpdates_SHOP']['before'] is None and jobs['sync_ShopifyProductUpdates_SHOP']['after'] == 'Y'
    state = demo_oms.state()['jobs']
    assert state['queue_ShopifyOrderSync_SHOP'] == 'S'  # a paused job stays paused, with its own value
    assert state['sync_ShopifyProductUpdates_SHOP'] == 'N'  # a null before restores as N, never an empty value


def test_the_job_step_never_stands_in_the_way_of_closing_access_and_stopping_brokering(demo_oms, run_playbook, inventory):
    """No order routing (404) is a warning; a job step that fails otherwise is reported at the end, after the
    two runbook steps were done."""
    hosts_file = inventory(prod=demo_oms)
    demo_oms.configure(order_routing=False)
    quiet = playbook(run_playbook, 'rollback', hosts_file, '-e', 'rollback_pause_jobs=true')
    assert quiet.returncode == 0, quiet.output
    assert '404' in quiet.output and demo_oms.state()['stores']['STORE'] == 'N'
    assert playbook(run_playbook, 'restore', hosts_file).returncode == 0

    demo_oms.configure(order_routing=True)
    demo_oms.set_faults([{'kind': 'status', 'status': 500, 'path': 'serviceJobs'}])
    broken = playbook(run_playbook, 'rollback', hosts_file, '-e', 'rollback_pause_jobs=true', '-e', 'hotwax_oms_retries=0')
    assert broken.returncode != 0
    state = demo_oms.state()
    assert state['stores']['STORE'] == 'N' and set(state['remotes'].values()) == {'SHOP_NO_ACCESS'}
    failure = broken.result('Summary')['msg'][-1]
    assert 'Read the jobs: ' in failure and 'HTTP 500' in failure


def test_feed_jobs_on_the_order_import_service_are_never_swept_in(demo_oms, run_playbook):
    """queue_ShopifyOrderSync runs the shared queue#FeedSystemMessage service; feed jobs on it that even name the shop's
    remote stay running: a job is a shop's by its template and parameters, never by its service."""
    services = set(row['serviceName'] for row in demo_oms.query(
        'SELECT serviceName FROM ServiceJob WHERE jobName IN (?, ?, ?)', ('queue_ShopifyOrderSync_SHOP',) + tuple(FEED_JOBS)))
    assert len(services) == 1  # the seed holds the live shape: one service, different parameters
    run = run_playbook(play(demo_oms, '''
- name: pause
  hotwax.oms.hotwax_service_job:
    shop_ids: [all]
    product_store_ids: [all]
    paused: true
'''))
    assert run.returncode == 0, run.output
    chosen = set(job['job_name'] for job in run.result('pause')['service_jobs'])
    assert chosen == SHOP_JOBS | {BROKERING_JOB, INTAKE_JOB}
    state = demo_oms.state()['jobs']
    assert all(state[name] == 'N' for name in FEED_JOBS)
    assert not [entry for entry in demo_oms.writes() if any(name in entry['path'] for name in FEED_JOBS)]


def _seed_with_unrelated_jobs(count):
    """The demo world with ``count`` unrelated jobs whose names sort before every Shopify job (pages are in name order)."""
    with open('tests/emulator/seeds/demo.json', encoding='utf-8') as handle:
        seed = json.load(handle)
    seed['serviceJobs'] = [{'jobName': 'aaa_unrelated_%04d' % number, 'serviceName': 'co.example.Unrelated.run#Job',
                            'cronExpression': '0 0 * * * ?', 'paused': 'N'} for number in range(count)] + seed['serviceJobs']
    return seed


def test_jobs_past_the_first_page_are_paused_when_the_count_counts_the_page(demo_oms, run_playbook):
    """600 unrelated jobs come first, and serviceJobCount counts the page's rows: the walk does not stop on it."""
    demo_oms.reset(seed=_seed_with_unrelated_jobs(600))
    demo_oms.configure(job_count='page')
    run = run_playbook(play(demo_oms, '''
- name: pause
  hotwax.oms.hotwax_service_job:
    shop_ids: [SHOP]
    paused: true
'''))
    assert run.returncode == 0, run.output
    assert set(job['job_name'] for job in run.result('pause')['service_jobs']) == SHOP_JOBS
    state = demo_oms.state()['jobs']
    assert all(state[name] == 'Y' for name in SHOP_JOBS)
    assert all(paused == 'N' for name, paused in state.items() if name.startswith('aaa_unrelated_'))
    pages = [entry['query'] for entry in demo_oms.requests() if entry['path'] == '/rest/s1/admin/serviceJobs']
    # one walk to read, one to read back: each asks pages 0 and 1 (with the rows past 500), then an empty page 2
    assert [page['pageIndex'] for page in pages] == ['0', '1', '2'] * 2
