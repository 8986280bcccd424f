"""The role's connection variables (issue 24), through the real playbooks against the emulator over real HTTP:
a proxy and gateway headers per environment, retries counted and said, and one line per request at -vvv."""

import json

from tests.helpers import playbook, token_vars
from tests.test_client_options import GATEWAY_KEY, PROXY_PASSWORD, PROXY_USER, RecordingProxy

API = '/rest/s1/'


def retry_warnings(run):
    return [line for line in run.output.splitlines() if line.startswith('[WARNING]') and 'retries' in line]


def test_the_proxy_and_headers_of_an_environment_carry_every_call_of_the_rollback_and_no_secret_shows(
        demo_oms, run_playbook, hosts):
    demo_oms.configure(gateway_header='X-Gateway-Key: %s' % GATEWAY_KEY)  # refuses any request without it
    with RecordingProxy(needs_credentials=True) as proxy:
        authed = proxy.url.replace('http://', 'http://%s:%s@' % (PROXY_USER, PROXY_PASSWORD))
        inventory = hosts(prod=token_vars(demo_oms, hotwax_oms_proxy=authed, hotwax_oms_headers={'X-Gateway-Key': GATEWAY_KEY}))
        run = playbook(run_playbook, 'rollback', inventory, '-l', 'prod', '-vvv')
        seen = len(proxy.seen)
    assert run.returncode == 0, run.output
    assert [entry['status'] for entry in demo_oms.requests()] == [200] * seen  # each call, through the proxy, let in
    assert seen > 4 and any(entry['method'] == 'PUT' for entry in demo_oms.requests())
    for secret in (PROXY_PASSWORD, GATEWAY_KEY):
        assert secret not in run.output and secret not in json.dumps(run.results)


def test_without_the_gateway_header_the_oms_refuses_so_the_header_is_what_let_the_rollback_in(demo_oms, run_playbook, hosts):
    demo_oms.configure(gateway_header='X-Gateway-Key: %s' % GATEWAY_KEY)
    run = playbook(run_playbook, 'rollback', hosts(prod=token_vars(demo_oms)), '-l', 'prod')
    assert run.returncode != 0
    assert demo_oms.writes() == []


def test_retries_are_counted_per_task_and_said_once_in_the_summary(demo_oms, run_playbook, hosts):
    # Every 3rd request is rate limited (once each): the rollback gets through, and says the OMS struggled.
    demo_oms.set_faults([{'kind': 'rate_limit', 'retry_after': 0, 'every': 3}])
    run = playbook(run_playbook, 'rollback', hosts(prod=token_vars(demo_oms)), '-l', 'prod')
    assert run.returncode == 0, run.output
    counted = sum((entry['result'].get('retries') or {}).get('count', 0) for entry in run.results)
    refused = len([entry for entry in demo_oms.requests() if entry['status'] == 429])
    assert counted == refused > 0
    summary = run.result('Summary')['msg']
    assert 'The OMS needed %d retries (%d x HTTP 429) in this run: it is struggling' % (refused, refused) in summary
    assert retry_warnings(run)  # and each task that met them warned


def test_retry_action_ignore_keeps_the_count_and_warns_nothing(demo_oms, run_playbook, hosts):
    demo_oms.set_faults([{'kind': 'rate_limit', 'retry_after': 0, 'every': 3}])
    run = playbook(run_playbook, 'rollback', hosts(prod=token_vars(demo_oms, hotwax_oms_retry_action='ignore')), '-l', 'prod')
    assert run.returncode == 0, run.output
    assert sum((entry['result'].get('retries') or {}).get('count', 0) for entry in run.results) > 0
    assert retry_warnings(run) == []
    assert any('The OMS needed' in line for line in run.result('Summary')['msg'])  # the summary still says it


def test_at_vvv_one_line_per_request_with_its_status_and_no_secret(demo_oms, run_playbook, hosts):
    run = playbook(run_playbook, 'rollback', hosts(prod=token_vars(demo_oms)), '-l', 'prod', '-vvv')
    assert run.returncode == 0, run.output
    lines = [line for line in run.output.splitlines() if ' -> ' in line and API in line]
    assert len(lines) == len(demo_oms.requests())
    assert any(line.lstrip().startswith('PUT %soms/systemMessageRemotes/' % API) or
               'PUT %soms/systemMessageRemotes/' % API in line for line in lines)
    assert all(' ms' in line for line in lines if '-> 200' in line)
    assert token_vars(demo_oms)['hotwax_oms_token'] not in run.output


def test_at_v_a_long_step_shows_its_progress(fleet_oms, run_playbook, hosts):
    """130 shops: the close step's list pages and each hundred writes are said while it runs, at -v."""
    run = playbook(run_playbook, 'rollback', hosts(prod=token_vars(fleet_oms)), '-l', 'prod', '-v')
    assert run.returncode == 0, run.output
    access_writes = len([entry for entry in fleet_oms.writes() if '/productStores/' not in entry['path']])
    assert access_writes >= 200  # one step, the close: a line at each hundred
    assert '100 writes answered' in run.output and '200 writes answered' in run.output
    assert 'GET /rest/s1/oms/shopifyShops/shops: page 1 read' in run.output
