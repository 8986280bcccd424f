"""Safe is judged on what lets Shopify in (docs/safety.md): the scope enum's type, the remotes the webhook filter
matches, and what the two switches do not stop. The role against the emulator over real HTTP."""

import json

import pytest

from tests.helpers import NO_ACCESS, play, playbook, snapshot_path, token_vars

VERDICT = 'Verify every selected record is closed'


@pytest.fixture
def safety_oms(emulator_server):
    """Two stores and shops; remotes the webhook filter matches for SHOP without SHOP owning them; a brokering run
    and a routing-job run with no end; an open test-drive session of STORE (seeds/safety.json)."""
    emulator_server.reset('safety')
    return emulator_server


@pytest.fixture
def environment(hosts):
    def write(oms, **role_vars):
        return hosts(prod=token_vars(oms, **role_vars))
    return write


def summary(run):
    return '\n'.join(run.result('Summary')['msg'])


def closed_records(oms):
    state = oms.state()
    return [scope for shop in state['shops'].values() for scope in shop['configs'].values()] + [
        scope for remote_id, scope in state['remotes'].items() if remote_id != 'SHOP_WEBHOOK_RELAY']


@pytest.mark.parametrize('check', [False, True])
def test_a_closed_value_the_connector_reads_as_read_access_fails_after_closing_everything(demo_oms, run_playbook, environment, check):
    demo_oms.configure(scope_enum_type='SHOPIFY_SHOP_ACCESS')
    run = playbook(run_playbook, 'rollback', environment(demo_oms), '-l', 'prod', *(['--check'] if check else []))
    assert run.returncode != 0
    failure = run.result('Summary')['msg'][-1]
    assert failure.startswith('Rollback done but not safe on prod: not safe: SHOP_NO_ACCESS is not an enum of type '
                              'ShopifyShopAccessScope on this OMS (it is typed SHOPIFY_SHOP_ACCESS)')
    assert 'reads the closed value as read access, so order import keeps reading from Shopify' in failure
    assert 'v2.8.0 upgrade step' in failure
    if check:
        assert demo_oms.writes() == []
    else:  # everything is closed all the same
        state = demo_oms.state()
        assert state['remotes'] == {'SHOP_SHOPIFY_REMOTE': NO_ACCESS}
        assert state['shops']['SHOP']['configs'] == {'SHOP_CONFIG': NO_ACCESS}
        assert set(state['stores'].values()) == {'N'}
    # one list of the type, and one read of the enum by id to say which type it has: nothing more
    enum_reads = [r for r in demo_oms.requests() if r['path'].endswith('/admin/enums')]
    assert len(enum_reads) == 2


def test_an_enum_list_it_cannot_read_fails_saying_the_check_could_not_be_made(demo_oms, run_playbook, environment):
    demo_oms.set_faults([{'kind': 'status', 'status': 403, 'path': 'admin/enums'}])
    run = playbook(run_playbook, 'rollback', environment(demo_oms), '-l', 'prod')
    assert run.returncode != 0
    failure = run.result('Summary')['msg'][-1]
    assert 'not safe: the access-scope enums could not be read (' in failure and '403' in failure
    assert 'could not be checked' in failure
    assert demo_oms.state()['remotes'] == {'SHOP_SHOPIFY_REMOTE': NO_ACCESS}


def test_the_demo_oms_is_safe_and_says_so(demo_oms, run_playbook, environment):
    run = playbook(run_playbook, 'rollback', environment(demo_oms), '-l', 'prod')
    assert run.returncode == 0, run.output
    assert 'SHOP_NO_ACCESS is typed ShopifyShopAccessScope here' in summary(run)


@pytest.mark.parametrize('check', [False, True])
def test_an_open_remote_the_webhook_filter_matches_is_named_and_fails_the_verdict(safety_oms, run_playbook, environment, check):
    before = safety_oms.state()
    run = playbook(run_playbook, 'rollback', environment(safety_oms), '-l', 'prod', *(['--check', '--diff'] if check else []))
    assert run.returncode != 0
    failure = run.result('Summary')['msg'][-1]
    assert ('not safe: 1 remote that the webhook filter matches for a selected shop is open, so Shopify\'s webhooks '
            'for that shop are still accepted: remote SHOP_WEBHOOK_RELAY (its sendUrl holds the domain of shop SHOP; '
            'it holds SHOP_RW_ACCESS)') in failure
    assert 'rollback_close_matching_remotes: true' in failure
    verdict = run.result(VERDICT)
    assert [r['id'] for r in verdict['matching_remotes'] if r['open'] and not r['outside_selection']] == ['SHOP_WEBHOOK_RELAY']
    if check:
        assert safety_oms.writes() == []
    else:
        after = safety_oms.state()
        assert after['remotes']['SHOP_WEBHOOK_RELAY'] == before['remotes']['SHOP_WEBHOOK_RELAY']  # never closed unasked
        assert set(closed_records(safety_oms)) == {NO_ACCESS}


def test_close_matching_remotes_closes_snapshots_and_restores_them_exactly(safety_oms, run_playbook, environment, tmp_path):
    before = safety_oms.state()
    hosts = environment(safety_oms, rollback_close_matching_remotes=True)
    run = playbook(run_playbook, 'rollback', hosts, '-l', 'prod')
    assert run.returncode == 0, run.output
    assert safety_oms.state()['remotes'] == dict.fromkeys(before['remotes'], NO_ACCESS)
    assert ('Also closed, because the webhook filter matches them (rollback_close_matching_remotes): remote '
            'SHOP_WEBHOOK_RELAY (shop SHOP)') in summary(run)
    saved = json.loads(snapshot_path(tmp_path).read_text())
    shop = [s for s in saved['shops'] if s['shop_id'] == 'SHOP'][0]
    assert {'target': 'remote', 'id': 'SHOP_WEBHOOK_RELAY', 'before': 'SHOP_RW_ACCESS'}.items() <= [
        r for r in shop['records'] if r['id'] == 'SHOP_WEBHOOK_RELAY'][0].items()

    second = playbook(run_playbook, 'rollback', hosts, '-l', 'prod')  # idempotent: nothing left to close
    assert second.returncode == 0, second.output
    assert second.result('Close Shopify access (runbook step 1)')['changed'] is False

    run = playbook(run_playbook, 'restore', hosts, '-l', 'prod')
    assert run.returncode == 0, run.output
    assert safety_oms.state() == before


def test_a_matching_remote_of_a_shop_outside_the_selection_is_named_untouched_and_the_run_is_green(
        safety_oms, run_playbook, environment):
    hosts = environment(safety_oms, rollback_shop_ids=['SHOP'], rollback_close_matching_remotes=True)
    run = playbook(run_playbook, 'rollback', hosts, '-l', 'prod')
    assert run.returncode == 0, run.output
    state = safety_oms.state()
    assert state['remotes']['SHOP_EU_MIRROR'] == 'SHOP_READ_ACCESS'
    assert state['remotes']['SHOP_EU_SHOPIFY_REMOTE'] == 'SHOP_RW_ACCESS'
    assert ('Left open, owned by a shop outside the selection: remote SHOP_EU_MIRROR (owned by shop SHOP_EU; its '
            'sendUrl holds the domain of shop SHOP)') in summary(run)
    assert not any('SHOP_EU_MIRROR' in request['path'] for request in safety_oms.writes())


def test_the_final_words_say_what_the_switches_do_not_stop(safety_oms, run_playbook, environment, tmp_path):
    hosts = environment(safety_oms, rollback_close_matching_remotes=True)
    run = playbook(run_playbook, 'rollback', hosts, '-l', 'prod')
    assert run.returncode == 0, run.output
    words = summary(run)
    assert 'Brokering runs without an end' in words and 'routing group 10001 (store STORE) run R10001_2 since 2026-01-01T07:30:00Z' in words
    assert 'R10001_1' not in words and 'R20001_1' not in words  # runs that ended
    assert 'job Order_Routing_Group_10001 run 900002 since 2026-01-01T07:30:00Z' in words
    assert 'session TD_STORE_1 (store STORE, user hotwax.admin' in words and 'TD_STORE_EU_1' not in words  # expired
    assert ('consume_ShopifyOrders_SQS is running: real-time orders may still arrive through it (it does not pass the '
            'webhook filter); rollback_pause_jobs: true pauses it') in words
    taken_at = json.loads(snapshot_path(tmp_path).read_text())['taken_at']
    assert '4 hours after the first rollback of this snapshot, at %s' % taken_at in words
    assert '"No Access is enabled for Shopify"' in words
    # the reads ride along the step that stops brokering: its own result holds them, and no task of their own ran
    brokering = run.result('Stop order brokering (runbook step 2)')
    assert brokering['in_flight']['brokering_runs'] and brokering['in_flight']['job_runs']
    assert [entry['action'] for entry in run.results].count('hotwax.oms.hotwax_order_brokering') == 1


def test_a_second_rollback_counts_the_webhook_time_from_the_first(safety_oms, run_playbook, environment, tmp_path):
    hosts = environment(safety_oms, rollback_close_matching_remotes=True)
    first = playbook(run_playbook, 'rollback', hosts, '-l', 'prod')
    assert first.returncode == 0, first.output
    saved = json.loads(snapshot_path(tmp_path).read_text())
    saved['taken_at'] = '2026-01-01T08:00:00Z'  # as if the first rollback had been hours ago
    snapshot_path(tmp_path).write_text(json.dumps(saved))
    second = playbook(run_playbook, 'rollback', hosts, '-l', 'prod')
    assert second.returncode == 0, second.output
    assert 'from about 2026-01-01T12:00:00Z (4 hours after the first rollback of this snapshot, at 2026-01-01T08:00:00Z)' in summary(second)


@pytest.mark.parametrize('shop_ids, expected', [
    (['SHOP'], 'consume_ShopifyOrders_SQS is running: real-time orders of the selected shops may still arrive through '
               'it (it serves every shop, so the rollback pauses it only when every shop is selected)'),
    (['all'], 'The real-time order intake consume_ShopifyOrders_SQS is paused'),
])
def test_with_pause_jobs_the_real_time_intake_is_paused_only_for_every_shop(safety_oms, run_playbook, environment,
                                                                            shop_ids, expected):
    hosts = environment(safety_oms, rollback_shop_ids=shop_ids, rollback_pause_jobs=True, rollback_close_matching_remotes=True)
    run = playbook(run_playbook, 'rollback', hosts, '-l', 'prod')
    assert run.returncode == 0, run.output
    assert expected in summary(run)
    assert safety_oms.state()['jobs']['consume_ShopifyOrders_SQS'] == ('Y' if shop_ids == ['all'] else 'N')


def test_routes_the_oms_refuses_are_reported_not_readable_and_the_rollback_stays_green(safety_oms, run_playbook, environment):
    safety_oms.set_faults([{'kind': 'status', 'status': 403, 'path': 'admin/user/sessions'},
                           {'kind': 'status', 'status': 404, 'path': '/runs$'}])
    hosts = environment(safety_oms, rollback_close_matching_remotes=True)
    run = playbook(run_playbook, 'rollback', hosts, '-l', 'prod')
    assert run.returncode == 0, run.output
    words = summary(run)
    assert 'Not readable, so not known: test-drive sessions (GET /rest/s1/admin/user/sessions): ' in words
    assert 'Not readable, so not known: runs of job Order_Routing_Group_10001: ' in words
    assert 'Open test-drive sessions' not in words


def test_the_restore_names_the_jobs_that_make_a_catch_up_run(safety_oms, run_playbook, environment):
    hosts = environment(safety_oms, rollback_pause_jobs=True, rollback_close_matching_remotes=True)
    assert playbook(run_playbook, 'rollback', hosts, '-l', 'prod').returncode == 0
    run = playbook(run_playbook, 'restore', hosts, '-l', 'prod')
    assert run.returncode == 0, run.output
    words = summary(run)
    assert 'resumed, each makes one catch-up run at once: ' in words
    assert 'job consume_ShopifyOrders_SQS' in words and 'job Order_Routing_Group_10001' in words
    assert 'job poll_ShopifyBulkImport_SHOP' not in words  # paused before the rollback: stays paused
    assert 'closed for less than 4 hours' in words and 'SmsgError' in words


@pytest.mark.parametrize('switch, reason', [
    ({'scope_enum_type': 'SHOPIFY_SHOP_ACCESS'}, 'a rollback would not be safe: SHOP_NO_ACCESS is not an enum of type '
                                                 'ShopifyShopAccessScope on this OMS (it is typed SHOPIFY_SHOP_ACCESS)'),
    (None, 'a rollback would leave open remotes that the webhook filter matches for a selected shop, and fail its '
           'verdict unless rollback_close_matching_remotes is true: SHOP_WEBHOOK_RELAY (lets in shop SHOP)'),
])
def test_readiness_judges_both(safety_oms, run_playbook, environment, switch, reason):
    if switch:
        safety_oms.configure(**switch)
    run = playbook(run_playbook, 'readiness', environment(safety_oms), '-l', 'prod')
    assert run.returncode != 0
    assert reason in run.output
    assert safety_oms.writes() == []


def test_readiness_with_close_matching_remotes_counts_the_matching_remote_as_closed_by_the_rollback(
        safety_oms, run_playbook, environment):
    run = playbook(run_playbook, 'readiness', environment(safety_oms, rollback_close_matching_remotes=True), '-l', 'prod')
    assert 'would leave open remotes that the webhook filter matches' not in run.output
    assert run.returncode == 0, run.output
    assert safety_oms.writes() == []


def test_without_order_routing_the_in_flight_report_says_so_and_reads_no_runs(safety_oms, run_playbook):
    safety_oms.configure(order_routing=False)
    run = run_playbook(play(safety_oms, '''
- name: Stop brokering and read what it does not stop
  hotwax.oms.hotwax_order_brokering:
    product_store_ids: [STORE]
    enabled: false
    report_in_flight: true
  register: stopped
'''))
    assert run.returncode == 0, run.output
    in_flight = run.result('Stop brokering and read what it does not stop')['in_flight']
    assert in_flight['brokering_runs'] == [] and in_flight['not_readable'] == []
    assert in_flight['notes'] == ['order-routing answers 404: this OMS has no order-routing component, so no routing runs']
    assert [s['user_session_id'] for s in in_flight['test_drive_sessions']] == ['TD_STORE_1']
    assert in_flight['intake'] == {'job_name': 'consume_ShopifyOrders_SQS', 'found': True, 'paused': False}
    assert not [r for r in safety_oms.requests() if '/routingRuns' in r['path']]


def test_after_the_failure_a_second_rollback_with_close_matching_remotes_adds_them_and_the_restore_is_exact(
        safety_oms, run_playbook, environment, tmp_path):
    before = safety_oms.state()
    assert playbook(run_playbook, 'rollback', environment(safety_oms), '-l', 'prod').returncode != 0  # not safe
    first = json.loads(snapshot_path(tmp_path).read_text())
    run = playbook(run_playbook, 'rollback', environment(safety_oms, rollback_close_matching_remotes=True), '-l', 'prod')
    assert run.returncode == 0, run.output
    kept = json.loads(snapshot_path(tmp_path).read_text())
    assert kept['taken_at'] == first['taken_at']
    assert 'SHOP_WEBHOOK_RELAY' in [r['id'] for shop in kept['shops'] for r in shop['records']]
    assert safety_oms.state()['remotes']['SHOP_WEBHOOK_RELAY'] == NO_ACCESS
    run = playbook(run_playbook, 'restore', environment(safety_oms), '-l', 'prod')
    assert run.returncode == 0, run.output
    assert safety_oms.state() == before


def test_a_partial_restore_puts_back_a_matching_remote_whichever_shop_its_id_names(fleet_oms, run_playbook, environment):
    """FLEET_RMT_0151 names FLEET_SHOP_041 in its internalId but holds FLEET_SHOP_042's domain: the webhook filter
    lets 042 in through it. Closed as 042's record, it comes back with a restore of 042 alone: the restore never
    refuses what the rollback wrote, whatever the narrower selection makes of its owner."""
    fleet_oms.query("UPDATE SystemMessageRemote SET accessScopeEnumId = 'SHOP_RW_ACCESS' "
                    "WHERE systemMessageRemoteId = 'FLEET_RMT_0151'")
    inventory = environment(fleet_oms, rollback_close_matching_remotes=True)
    assert playbook(run_playbook, 'rollback', inventory, '-l', 'prod').returncode == 0
    assert fleet_oms.state()['remotes']['FLEET_RMT_0151'] == NO_ACCESS
    run = playbook(run_playbook, 'restore', inventory, '-l', 'prod', '-e', '{"rollback_shop_ids": ["FLEET_SHOP_042"]}')
    assert run.returncode == 0, run.output
    state = fleet_oms.state()
    assert state['remotes']['FLEET_RMT_0151'] == 'SHOP_RW_ACCESS'
    assert state['shops']['FLEET_SHOP_041']['configs'] and all(  # the shop its id names stays closed: not selected
        scope == NO_ACCESS for scope in state['shops']['FLEET_SHOP_041']['configs'].values())
