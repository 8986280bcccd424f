"""hotwax.oms.readiness against emulator variants: one line per environment, ready or not ready with the first reason.

Every run also proves from the emulator's request log that nothing was written without the write probe, and with it
that every write carried the value the record held.
"""

import json
import os

from tests.helpers import admin_token, playbook, snapshot_path, token_vars

VERDICT = 'Judge readiness'
LINE = 'Readiness'


def _of(run, task, host):
    """The result of ``task`` on ``host`` (run.result takes the last host's)."""
    matches = [entry for entry in run.results if entry['task'] == task and entry['host'] == host]
    assert matches, 'no result of %r on %s' % (task, host)
    return matches[-1]


def _verdict(run, host='prod'):
    return _of(run, VERDICT, host)['result']


def _readonly(run, oms, host='prod'):
    """The run wrote nothing to the OMS, and its last line is the verdict of ``host``."""
    assert oms.writes() == [], oms.writes()
    assert _of(run, LINE, host)['result']['msg'] == _verdict(run, host)['line']


def _writes_carry_read_values(oms, state_before):
    """Every write of the probe sent the value the record held before, and the OMS holds the same values after."""
    writes = oms.writes()
    assert writes, 'the write probe wrote nothing'
    for write in writes:
        body = write['body']
        if 'systemMessageRemoteId' in body:
            assert body['accessScopeEnumId'] == state_before['remotes'][body['systemMessageRemoteId']]
        elif 'shopifyConfig' in body:
            for config in body['shopifyConfig']:
                assert config['shopifyConfigId'], 'a config row written without its id would create a row'
                assert config['accessScopeEnumId'] == state_before['shops'][body['shopId']]['configs'][config['shopifyConfigId']]
        elif 'productStoreId' in body:
            assert body['enableBrokering'] == state_before['stores'][body['productStoreId']]
        elif 'jobName' in body:
            assert body['paused'] == state_before['jobs'][body['jobName']]
        else:
            raise AssertionError('unexpected write %r' % write)
    assert oms.state() == state_before


def test_healthy_oms_is_ready_and_report_file_written(run_playbook, demo_oms, inventory, tmp_path):
    reports = tmp_path / 'reports'
    run = playbook(run_playbook, 'readiness', inventory(prod=demo_oms), '-l', 'prod',
                   '-e', 'readiness_report_dir=%s' % reports)
    assert run.returncode == 0, run.output
    verdict = _verdict(run)
    assert verdict['ready'] is True and verdict['line'] == 'ready'
    _readonly(run, demo_oms)
    report = verdict['report']
    assert [route['shape'] for route in report['routes']] == ['array', 'wrapped', 'array']
    assert report['routes'][1]['total_from'] == 'none'  # the live remote list: no header, no body count
    assert report['would_touch']['counts'] == {'remote': {'records': 1, 'closed': 0}, 'config': {'records': 1, 'closed': 0},
                                               'product_stores': {'records': 1, 'closed': 0}}
    assert report['way_back']['writable'] is True
    assert report['connection']['credential'] == 'token'
    assert any('write permission was not checked' in note for note in report['notes'])
    assert 'No Access is enabled for Shopify' in report['not_visible']
    assert json.loads((reports / 'prod.json').read_text())['line'] == 'ready'
    assert admin_token(demo_oms) not in run.output + (reports / 'prod.json').read_text()


def test_read_only_user_with_write_probe_is_not_ready(run_playbook, demo_oms, hosts):
    viewer = demo_oms.seed['tokens'][1]
    assert viewer['username'] == 'hotwax.viewer'
    before = demo_oms.state()
    inventory = hosts(prod={'hotwax_oms_url': demo_oms.url, 'hotwax_oms_token': viewer['token'],
                            'readiness_probe_writes': True, 'rollback_pause_jobs': True})
    run = playbook(run_playbook, 'readiness', inventory, '-l', 'prod')
    assert run.returncode != 0
    line = _verdict(run)['line']
    assert line.startswith('not ready: write probe: shop SHOP remote SHOP_SHOPIFY_REMOTE') and 'HTTP 403' in line, line
    assert _of(run, LINE, 'prod')['result']['msg'] == line
    probes = _verdict(run)['report']['permissions']['probes']
    assert sorted(probe['kind'] for probe in probes) == ['config', 'job', 'remote', 'store']
    assert all(probe['status'] == 403 for probe in probes)
    assert all(write['status'] == 403 for write in demo_oms.writes())
    _writes_carry_read_values(demo_oms, before)


def test_write_probe_with_admin_is_ready_and_writes_current_values(run_playbook, demo_oms, inventory):
    before = demo_oms.state()
    run = playbook(run_playbook, 'readiness', inventory(prod=demo_oms), '-l', 'prod',
                   '-e', 'readiness_probe_writes=true', '-e', 'rollback_pause_jobs=true')
    assert run.returncode == 0, run.output
    probe = _verdict(run)['report']['permissions']
    assert probe['ok'] is True and probe['rows_created'] == {}
    assert all(p['read_back'] == p['value'] for p in probe['probes'])
    _writes_carry_read_values(demo_oms, before)
    assert len(demo_oms.writes()) == 4  # one record of each kind
    # the job probed is active, so its jobDetail carries the computed next run, which changes between the probe's two
    # reads: that is no change the write made (no false alarm)
    job = [p for p in probe['probes'] if p['kind'] == 'job'][0]
    assert job['value'] == 'N' and job['ok'] is True


def test_check_mode_writes_nothing_even_with_the_probe(run_playbook, demo_oms, inventory, tmp_path):
    run = playbook(run_playbook, 'readiness', inventory(prod=demo_oms), '-l', 'prod', '--check',
                   '-e', 'readiness_probe_writes=true', '-e', 'readiness_report_dir=%s' % (tmp_path / 'reports'))
    assert run.returncode == 0, run.output
    _readonly(run, demo_oms)
    assert not (tmp_path / 'reports').exists()
    assert not (tmp_path / 'snapshots').exists()  # the folder probe is skipped too
    assert 'check mode' in _verdict(run)['report']['permissions']['reason']


def test_legacy_store_path_and_bare_remote_list(run_playbook, demo_oms, inventory):
    demo_oms.configure(store_api='oms', remote_list_shape='array')
    run = playbook(run_playbook, 'readiness', inventory(prod=demo_oms), '-l', 'prod')
    assert run.returncode == 0, run.output
    _readonly(run, demo_oms)
    report = _verdict(run)['report']
    routes = dict((route['name'], route) for route in report['routes'])
    assert routes['product_stores']['path'] == 'oms/productStores' and routes['product_stores']['legacy'] is True
    assert routes['remotes']['shape'] == 'array' and routes['remotes']['total_from'] == 'header'
    assert report['would_touch']['store_path'] == 'oms/productStores'
    assert any('legacy oms/productStores' in note for note in report['notes'])


def test_no_order_routing_with_job_step_is_ready(run_playbook, demo_oms, inventory):
    demo_oms.configure(order_routing=False)
    run = playbook(run_playbook, 'readiness', inventory(prod=demo_oms), '-l', 'prod', '-e', 'rollback_pause_jobs=true')
    assert run.returncode == 0, run.output
    _readonly(run, demo_oms)
    report = _verdict(run)['report']
    routes = dict((route['name'], route) for route in report['routes'])
    assert routes['routing_groups']['absent'] is True and routes['routing_groups']['status'] == 404
    assert routes['service_jobs']['paging']['second_page_differs'] is True
    assert any('no order routing' in note for note in report['notes'])
    assert report['would_touch']['counts']['service_jobs']['records'] >= 3


def test_server_ignoring_page_index_is_not_ready(run_playbook, demo_oms, inventory):
    demo_oms.configure(page_index='ignored')
    run = playbook(run_playbook, 'readiness', inventory(prod=demo_oms), '-l', 'prod', '-e', 'rollback_pause_jobs=true')
    assert run.returncode != 0
    _readonly(run, demo_oms)
    line = _verdict(run)['line']
    # the remote list (one row, no count) shows it first: its second page repeats the first instead of being empty
    assert line.startswith('not ready: GET /rest/s1/oms/systemMessageRemotes: the second page repeats the first, so '
                           'the server ignores pageIndex'), line


def test_open_snapshot_and_unwritable_folder_and_unreachable_url(run_playbook, demo_oms, hosts, tmp_path):
    """Three environments in one run: each gets its own line and its own first reason."""
    # uat: an open snapshot, left by a rollback that was never restored
    folder = tmp_path / 'snapshots'
    rollback = playbook(run_playbook, 'rollback', hosts(uat=token_vars(demo_oms)), '-l', 'uat')
    assert rollback.returncode == 0, rollback.output
    assert snapshot_path(tmp_path, 'uat').exists()
    demo_oms.reset('demo')  # the OMS is open again, but the snapshot still is
    # dev: a snapshot folder under a FILE: no user, root included, can create it (a chmod 0500 folder would not stop
    # root, whom the tests run as)
    blocker = tmp_path / 'not-a-folder'
    blocker.write_text('a file')
    inventory = hosts(uat=token_vars(demo_oms),
                      dev=token_vars(demo_oms, rollback_snapshot_dir=str(blocker / 'snapshots')),
                      gone={'hotwax_oms_url': 'http://127.0.0.1:9', 'hotwax_oms_token': 'x', 'hotwax_oms_retries': 0})
    run = playbook(run_playbook, 'readiness', inventory, '-l', 'uat,dev,gone')
    assert run.returncode != 0
    _readonly(run, demo_oms, 'uat')
    uat = _verdict(run, 'uat')
    assert uat['line'].startswith('not ready: a snapshot taken at ') and 'is open' in uat['line'], uat['line']
    assert uat['report']['where_it_stands']['snapshot_state'] == 'open'
    assert uat['report']['where_it_stands']['snapshot_path'] == str(snapshot_path(tmp_path, 'uat'))
    dev = _verdict(run, 'dev')
    # the store's status refuses the folder before its write probe runs: a file stands where a folder must be
    assert dev['line'].startswith('not ready: the snapshot folder is not writable: ') and str(blocker) in dev['line'], dev['line']
    assert 'is a file, not a folder' in dev['line'], dev['line']
    assert not os.path.isdir(str(blocker))
    gone = _verdict(run, 'gone')
    assert gone['line'].startswith('not ready: cannot reach the OMS'), gone['line']
    for host in ('uat', 'dev', 'gone'):
        assert _of(run, LINE, host)['status'] == 'failed'


def test_already_rolled_back_oms_is_not_ready(run_playbook, demo_oms, inventory):
    # Closed by hand (or from another controller): no snapshot here holds the way back.
    demo_oms.query("UPDATE SystemMessageRemote SET accessScopeEnumId = 'SHOP_NO_ACCESS'")
    demo_oms.query("UPDATE ShopifyConfig SET accessScopeEnumId = 'SHOP_NO_ACCESS'")
    demo_oms.query("UPDATE ProductStore SET enableBrokering = 'N'")
    run = playbook(run_playbook, 'readiness', inventory(prod=demo_oms), '-l', 'prod')
    assert run.returncode != 0
    _readonly(run, demo_oms)
    verdict = _verdict(run)
    assert verdict['line'].startswith('not ready: the OMS looks already rolled back'), verdict['line']
    assert verdict['report']['where_it_stands']['snapshot_state'] == 'missing'
    assert verdict['report']['would_touch']['counts']['remote'] == {'records': 1, 'closed': 1}
    assert verdict['report']['would_touch']['counts']['product_stores'] == {'records': 1, 'closed': 1}


def test_what_the_rollback_role_would_refuse_makes_an_environment_not_ready(run_playbook, demo_oms, hosts):
    """The role's own input rule, as a reason: a mistyped variable, credentials missing or of two kinds."""
    inventory = hosts(typo=token_vars(demo_oms, rollback_shopids=['SHOP']),
                      both=token_vars(demo_oms, hotwax_oms_username='hotwax.admin', hotwax_oms_password='some-password-42'),
                      bare={'hotwax_oms_url': demo_oms.url},
                      restoring=token_vars(demo_oms, rollback_restore=True))
    run = playbook(run_playbook, 'readiness', inventory, '-l', 'typo,both,bare,restoring')
    assert run.returncode != 0
    reasons = dict((host, _verdict(run, host)['line']) for host in ('typo', 'both', 'bare', 'restoring'))
    assert reasons['restoring'].startswith('not ready: rollback_restore is true on restoring, but this is the rollback'), reasons
    assert reasons['typo'].startswith('not ready: unknown role variable rollback_shopids (did you mean rollback_shop_ids?)'), reasons
    assert reasons['both'] == 'not ready: hotwax_oms_token and hotwax_oms_username are both set on both: keep one of them', reasons
    assert reasons['bare'].startswith('not ready: bare has no credentials: set hotwax_oms_token'), reasons
    assert demo_oms.writes() == []
    assert 'some-password-42' not in run.output + json.dumps(run.results)


def test_server_ignoring_page_size_is_not_ready(run_playbook, fleet_oms, inventory):
    """Moqui's own 20 rows whatever pageSize asks, and the live remote list without any count."""
    fleet_oms.configure(page_size='ignored')
    run = playbook(run_playbook, 'readiness', inventory(prod=fleet_oms), '-l', 'prod')
    assert run.returncode != 0
    _readonly(run, fleet_oms)
    verdict = _verdict(run)
    assert verdict['ready'] is False
    assert verdict['line'].startswith('not ready: GET /rest/s1/oms/shopifyShops/shops: asked for 1 row a page, the '
                                      'server answered 20, so it ignores pageSize'), verdict['line']
    routes = dict((route['name'], route) for route in verdict['report']['routes'])
    assert routes['remotes']['total_from'] == 'none' and routes['remotes']['paging']['ignores_page_size'] is True
    # the rollback's own reading still found every record: the walk went on past the short pages
    counts = verdict['report']['would_touch']['counts']
    assert counts['remote']['records'] > 20


def test_a_wrong_password_is_not_ready_after_one_login_request(run_playbook, demo_oms, hosts):
    inventory = hosts(prod={'hotwax_oms_url': demo_oms.url, 'hotwax_oms_username': 'hotwax.admin',
                            'hotwax_oms_password': 'wrong-pass-123', 'rollback_pause_jobs': True})
    run = playbook(run_playbook, 'readiness', inventory, '-l', 'prod')
    assert run.returncode != 0
    line = _verdict(run)['line']
    assert line.startswith("not ready: cannot log in: login as 'hotwax.admin' failed"), line
    assert [entry['path'] for entry in demo_oms.requests()] == ['/rest/s1/admin/login']
    assert 'wrong-pass-123' not in run.output


def test_readiness_selects_by_the_rollback_roles_defaults_and_what_the_host_sets(run_playbook, demo_oms, hosts):
    """A selection variable the host does not set is the role's default (read from the role's defaults file)."""
    inventory = hosts(prod=token_vars(demo_oms, rollback_targets=['remote'], rollback_pause_jobs='yes'))
    run = playbook(run_playbook, 'readiness', inventory, '-l', 'prod')
    assert run.returncode == 0, run.output
    status = _of(run, 'Check the snapshot folder and what a rollback would be given', 'prod')['result']
    assert status['has_credentials'] is True
    inputs = status['role_inputs']
    assert (inputs['rollback_shop_ids'], inputs['rollback_product_store_ids']) == (['all'], ['all'])
    assert inputs['rollback_targets'] == ['remote'] and inputs['rollback_pause_jobs'] is True
    counts = _verdict(run)['report']['would_touch']['counts']
    assert 'remote' in counts and 'config' not in counts  # the probe read what a rollback would touch
    _readonly(run, demo_oms)
