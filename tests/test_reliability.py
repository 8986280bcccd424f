"""The fault and abuse matrix of issue 6, through the real playbooks (and modules where that is the clearer proof).

Every test drives the emulator over real HTTP with faults injected, and checks the OMS state, the request
log and the snapshot file afterwards. docs/reliability.md maps each row of the matrix to the test below.
"""

import json
import os
import resource
import socket
import stat

import pytest

from ansible_collections.hotwax.oms.plugins.module_utils.oms_client import OmsApiError, OmsClient
from tests.emulator.make_fleet_seed import build_fleet_seed
from tests.emulator.oms_emulator import OmsEmulator
from tests.helpers import (LOGIN_PATH, NO_ACCESS, admin_token, foreign_remotes, login_vars, normal, play, playbook, snapshot_path,
                           token_vars, user_password)


# --- helpers ------------------------------------------------------------------------------------------------

def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def assert_all_closed(oms, foreign):
    """Every shop's remotes and config rows SHOP_NO_ACCESS, every store's brokering off; foreign remotes untouched."""
    state = oms.state()
    assert all(scope == NO_ACCESS for remote_id, scope in state['remotes'].items() if remote_id not in foreign)
    assert all(scope == NO_ACCESS for shop in state['shops'].values() for scope in shop['configs'].values())
    assert set(state['stores'].values()) == {'N'}


def assert_restored_exactly(before, after):
    """What the OMS reads is what it read before, and every value that was set is back to the letter."""
    assert normal(after) == normal(before)
    assert all(after['remotes'][remote_id] == scope for remote_id, scope in before['remotes'].items() if scope)
    assert all(after['shops'][shop_id]['configs'][config_id] == scope
               for shop_id, shop in before['shops'].items() for config_id, scope in shop['configs'].items() if scope)
    assert all(after['stores'][store_id] == value for store_id, value in before['stores'].items() if value)


def logins(oms):
    return [entry for entry in oms.requests() if entry['path'] == LOGIN_PATH]


def module_runs(run):
    """How many tasks talked to the OMS (each has one client, which logs in once): the OMS modules and the snapshot's
    take, each of which returns the retries its client made."""
    return len([entry for entry in run.results if 'retries' in entry['result']])


def host_failures(run, host):
    return [entry for entry in run.results if entry['host'] == host and entry['status'] == 'failed']


def record_labels(shops):
    """{(target, id): label} of every record of an access result, as the modules name them in messages."""
    return dict(((r['target'], r['id']), 'shop %s %s %s' % (shop['shop_id'], r['target'], r['id']))
                for shop in shops for r in shop['records'])


# --- transient faults: the rollback still closes everything, the restore is still exact ----------------------

TRANSIENT_FAULTS = {
    # a share of all requests (every 10th) rate limited, each with Retry-After: 1
    'rate_limited': [{'kind': 'rate_limit', 'retry_after': 1, 'every': 10}],
    # bursts of gateway errors: consecutive 502s on the shop list, 503s on writes, 504s on the stores
    'gateway_bursts': [{'kind': 'status', 'status': 502, 'method': 'GET', 'path': 'shopifyShops', 'times': 3},
                       {'kind': 'status', 'status': 503, 'method': 'PUT', 'times': 4},
                       {'kind': 'status', 'status': 504, 'path': 'productStores', 'times': 2}],
    # every 4th request: the connection is closed without an answer (reads and writes alike)
    'dropped_connections': [{'kind': 'drop', 'every': 4}],
}


@pytest.mark.parametrize('faults', list(TRANSIENT_FAULTS.values()), ids=list(TRANSIENT_FAULTS))
def test_transient_faults_rollback_closes_everything_and_restore_is_exact(fleet_oms, run_playbook, inventory, faults):
    before = fleet_oms.state()
    foreign = foreign_remotes(fleet_oms)
    hosts = inventory(prod=fleet_oms)

    fleet_oms.set_faults(faults)
    run = playbook(run_playbook, 'rollback', hosts)
    assert run.returncode == 0, run.output
    assert any(entry['status'] in (0, 429, 502, 503, 504) for entry in fleet_oms.requests()), 'no fault fired'
    assert_all_closed(fleet_oms, foreign)

    fleet_oms.set_faults(faults)  # fresh counters: the restore meets the same weather
    run = playbook(run_playbook, 'restore', hosts)
    assert run.returncode == 0, run.output
    assert_restored_exactly(before, fleet_oms.state())


# --- a server slower than the timeout ---------------------------------------------------------------------------

def test_slow_server_bounded_retries_then_clear_failure(demo_oms, run_playbook, hosts, tmp_path):
    # Only reads are slowed, so no write can land after the test has moved on.
    demo_oms.set_faults([{'kind': 'latency', 'ms': 2500, 'method': 'GET'}])
    run = playbook(run_playbook, 'rollback', hosts(prod=token_vars(demo_oms, hotwax_oms_timeout=1, hotwax_oms_retries=2)))
    assert run.returncode != 0  # it finished: no hang
    failures = host_failures(run, 'prod')
    assert len(failures) == 1
    assert 'no answer within 1 seconds, twice' in failures[0]['result']['msg']
    assert 'a call without an answer is sent again once only, so 2 seconds waited in all' in failures[0]['result']['msg']
    assert 'Traceback' not in run.output
    # the snapshot's reads (the stores, the shops and the remote list's first two pages, side by side), each sent
    # twice whatever retries says (a call without an answer is retried once), then the role stopped
    assert sorted(entry['path'].rsplit('/', 1)[-1] for entry in demo_oms.requests()) == (
        ['productStores'] * 2 + ['shops'] * 2 + ['systemMessageRemotes'] * 4)
    assert demo_oms.writes() == []
    assert not snapshot_path(tmp_path).exists()


# --- login tokens that expire mid-run -------------------------------------------------------------------------

def test_expiring_login_tokens_one_relogin_each_no_loop(demo_oms, run_playbook, hosts):
    before = demo_oms.state()
    inventory_file = hosts(prod=login_vars(demo_oms))
    # Each login token expires after 5 requests, as a token expires by time: only after it served some. Reads run
    # side by side, so a token can expire under one reader while others use it: each refusal is one re-login.
    demo_oms.configure(token_max_requests=5)
    runs = [playbook(run_playbook, name, inventory_file) for name in ('rollback', 'restore')]
    assert [run.returncode for run in runs] == [0, 0], runs[-1].output
    assert_restored_exactly(before, demo_oms.state())

    log = demo_oms.requests()
    expired = [index for index, entry in enumerate(log) if entry['status'] == 401]
    assert len(expired) >= 3  # a long run meets expiry many times
    assert all(entry['status'] == 200 for entry in logins(demo_oms))
    for index in expired:  # each refused request is sent again, with a new login's token, and accepted
        refused = log[index]
        # (the new login may be logged before the refusal: a reader side by side met the expiry first)
        assert any((entry['method'], entry['path'], entry['query'], entry['status']) ==
                   (refused['method'], refused['path'], refused['query'], 200) for entry in log[index + 1:])
    # one login per module run, plus one per expiry (reads side by side may both meet one expiry): no loop
    relogins = len(logins(demo_oms)) - sum(module_runs(run) for run in runs)
    assert 3 <= relogins <= len(expired)


# --- a write that answers 200 but does not apply ----------------------------------------------------------------

def test_write_answered_but_not_applied_is_caught_and_named(demo_oms, run_playbook, inventory):
    demo_oms.set_faults([{'kind': 'ignore_write', 'path': 'systemMessageRemotes'}])
    run = playbook(run_playbook, 'rollback', inventory(prod=demo_oms))
    assert run.returncode != 0
    assert run.result('Close Shopify access (runbook step 1)')['not_done'] == ['shop SHOP remote SHOP_SHOPIFY_REMOTE']
    message = run.result('Close Shopify access (runbook step 1)')['msg']
    assert ('1 of 2 records that needed a change were not changed. Not done: shop SHOP remote SHOP_SHOPIFY_REMOTE '
            '(wrote SHOP_NO_ACCESS but the OMS still holds SHOP_RW_ACCESS)') in message
    assert 'Changed: 1 (shop SHOP config SHOP_CONFIG)' in message
    state = demo_oms.state()
    assert state['remotes']['SHOP_SHOPIFY_REMOTE'] == 'SHOP_RW_ACCESS'  # the write really did not apply
    assert state['shops']['SHOP']['configs']['SHOP_CONFIG'] == NO_ACCESS


# --- some writes failing for good ---------------------------------------------------------------------------------

PERMANENT_FAILURES = {('remote', 'FLEET_RMT_0002'): 'HTTP 500', ('remote', 'FLEET_RMT_0007'): 'HTTP 500',
                      ('config', 'FLEET_SHOP_005_CFG'): 'HTTP 503'}


def test_writes_failing_for_good_others_done_both_listed_rerun_converges(fleet_oms, run_playbook, hosts, tmp_path):
    before = fleet_oms.state()
    foreign = foreign_remotes(fleet_oms)
    inventory_file = hosts(prod=token_vars(fleet_oms, hotwax_oms_retries=1))
    fleet_oms.set_faults([
        {'kind': 'status', 'status': 500, 'method': 'PUT', 'path': r'systemMessageRemotes/FLEET_RMT_000[27]$'},
        {'kind': 'status', 'status': 503, 'method': 'PUT', 'path': r'shopifyShops/shops/FLEET_SHOP_005$'},  # never clears
    ])
    run = playbook(run_playbook, 'rollback', inventory_file)
    assert run.returncode != 0
    task = 'Close Shopify access (runbook step 1)'
    result = run.result(task)
    labels = record_labels(result['shops'])
    pending = [r for shop in result['shops'] for r in shop['records'] if (r['before'] or 'SHOP_READ_ACCESS') != NO_ACCESS]
    assert result['msg'].startswith('3 of %d records that needed a change were not changed' % len(pending))
    assert len(result['msg']) < 2000  # a few labels and counts, not every record
    not_done = set(result['not_done'])
    assert not_done == set(labels[key] for key in PERMANENT_FAILURES) and result['unknown'] == []
    for record in pending:
        key = (record['target'], record['id'])
        if key in PERMANENT_FAILURES:
            assert PERMANENT_FAILURES[key] in result['msg'] and record['state'] == 'not_done'
            assert record['after'] == record['before']
        else:
            assert record['after'] == NO_ACCESS and record['state'] == 'changed'  # the return value lists every record
    assert len(result['done']) == len(pending) - 3
    assert 'Changed: %d (' % (len(pending) - 3) in result['msg'] and '... and %d more' % (len(pending) - 3 - 5) in result['msg']
    snapshot = snapshot_path(tmp_path).read_text()
    assert json.loads(snapshot)['restored'] is False

    fleet_oms.set_faults([])  # the fault clears; the operator runs the rollback again
    run = playbook(run_playbook, 'rollback', inventory_file)
    assert run.returncode == 0, run.output
    assert_all_closed(fleet_oms, foreign)
    assert snapshot_path(tmp_path).read_text() == snapshot  # still the state from before the incident

    run = playbook(run_playbook, 'restore', inventory_file)
    assert run.returncode == 0, run.output
    assert_restored_exactly(before, fleet_oms.state())


def test_a_shop_write_failing_for_good_does_not_stop_the_brokering_step(demo_oms, run_playbook, inventory):
    demo_oms.set_faults([{'kind': 'status', 'status': 500, 'method': 'PUT', 'path': 'systemMessageRemotes'}])
    run = playbook(run_playbook, 'rollback', inventory(prod=demo_oms))
    assert run.returncode != 0
    assert 'SHOP_SHOPIFY_REMOTE' in run.output  # what could not be closed is named
    assert demo_oms.state()['stores']['STORE'] == 'N'  # but the rest of the runbook was done


# --- bad input: one clear error each, no traceback, nothing written -----------------------------------------------

BAD_INPUT = {
    'bad_token': ({'hotwax_oms_token': 'eyJhbGciOiJIUzI1NiJ9.not-a-real-token'},
                  'HTTP 401', 'the token or the username and password were not accepted'),
    'bad_password': ({'hotwax_oms_token': None, 'hotwax_oms_username': 'hotwax.admin', 'hotwax_oms_password': 'wrong-pass-123'},
                     "login as 'hotwax.admin' failed: the OMS refused the username or password", 'HTTP 400'),
    'no_credentials': ({'hotwax_oms_token': None}, 'no_credentials has no credentials: set hotwax_oms_token',
                       'or hotwax_oms_username and hotwax_oms_password'),
    'token_and_password': ({'hotwax_oms_username': 'hotwax.admin', 'hotwax_oms_password': 'some-password-42'},
                           'hotwax_oms_token and hotwax_oms_username are both set on token_and_password', 'keep one of them'),
    'unknown_shop': ({'rollback_shop_ids': ['NOPE', 'SHOP']}, 'unknown shop ids: NOPE.', 'Known shop ids: SHOP'),
    'unknown_store': ({'rollback_product_store_ids': ['NOPE']},
                      'unknown product store ids: NOPE.', 'Known product store ids: STORE'),
    'empty_shop_ids': ({'rollback_shop_ids': []}, 'rollback_shop_ids is empty on empty_shop_ids: give one or more ids, or [all]', ''),
    'bad_targets': ({'rollback_targets': ['webhook']}, 'rollback_targets', 'remote, config'),
    'unreachable_url': ({'hotwax_oms_url': 'http://127.0.0.1:{free_port}', 'hotwax_oms_retries': 1},
                        'cannot reach the OMS', 'Connection refused'),
    'malformed_url': ({'hotwax_oms_url': 'acme-maarg.hotwax.io'}, 'oms_url must be an http(s) URL', 'acme-maarg.hotwax.io'),
}


# The bad inputs the OMS itself answers: each host gets an OMS of its own, since one OMS is rolled back by one host at a
# time (its lock), and these would otherwise meet each other's lock instead of their own error.
OWN_OMS = ('bad_token', 'bad_password', 'unknown_shop', 'unknown_store')


def test_bad_input_one_clear_error_each_nothing_written(demo_oms, run_playbook, hosts, tmp_path):
    """One inventory host per bad input, in a single rollback run."""
    port = free_port()  # nothing listens there
    own = dict((name, OmsEmulator(seed='demo').start()) for name in OWN_OMS)
    try:
        environments = {}
        for name, (host_vars, _message, _detail) in BAD_INPUT.items():
            merged = token_vars(own.get(name, demo_oms), **host_vars)
            environments[name] = dict((key, value.format(free_port=port) if isinstance(value, str) else value)
                                      for key, value in merged.items() if value is not None)
        run = playbook(run_playbook, 'rollback', hosts(**environments))
        writes = [oms.writes() for oms in [demo_oms] + list(own.values())]
    finally:
        for oms in own.values():
            oms.stop()
    assert run.returncode != 0
    for name, (_vars, message, detail) in BAD_INPUT.items():
        failures = host_failures(run, name)
        assert len(failures) == 1, (name, failures)
        result = failures[0]['result']
        assert message in result['msg'] and detail in result['msg'], (name, result['msg'])
        # a module that crashed would answer module_stderr and a traceback (2.19 adds "(traceback unavailable)")
        assert 'module_stderr' not in result and 'Traceback' not in result.get('exception', ''), (name, result)
    assert 'Traceback' not in run.output
    assert 'wrong-pass-123' not in run.output + json.dumps(run.results)  # a mistyped password is never echoed
    assert 'some-password-42' not in run.output + json.dumps(run.results)
    assert writes == [[]] * (1 + len(OWN_OMS))
    assert not (tmp_path / 'snapshots').exists() or os.listdir(tmp_path / 'snapshots') == []


def test_restore_of_a_hand_edited_scope_the_oms_refuses_names_it_and_keeps_the_snapshot_open(demo_oms, run_playbook, inventory, tmp_path):
    # The snapshot's vocabulary is the OMS's (any enum id is put back as recorded, issue 20), so a typo made while
    # editing the file reaches the OMS, which refuses an id that is no enum: that record is named, the others go back.
    hosts_file = inventory(prod=demo_oms)
    assert playbook(run_playbook, 'rollback', hosts_file).returncode == 0
    snapshot = json.loads(snapshot_path(tmp_path).read_text())
    for record in snapshot['shops'][0]['records']:
        if record['target'] == 'remote':
            record['before'] = 'SHOP_RW_ACESS'  # a typo made while editing the file
    snapshot_path(tmp_path).write_text(json.dumps(snapshot))
    run = playbook(run_playbook, 'restore', hosts_file)
    assert run.returncode != 0
    assert 'Restore not complete on prod' in run.output and 'SHOP_RW_ACESS' in run.output and 'Traceback' not in run.output
    state = demo_oms.state()
    assert state['remotes']['SHOP_SHOPIFY_REMOTE'] == 'SHOP_NO_ACCESS'  # refused by the OMS: still closed, and said
    assert state['shops']['SHOP']['configs']['SHOP_CONFIG'] == 'SHOP_READ_WRITE_ACCESS' and state['stores']['STORE'] == 'Y'
    assert json.loads(snapshot_path(tmp_path).read_text())['restored'] is False


def test_tls_self_signed_fails_naming_verification_and_ca_path_works(tls_oms, run_playbook):
    server, cert = tls_oms
    server.clear_requests()
    run = run_playbook('''
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/hotwax.oms.hotwax:
      oms_url: {url}
      token: {token}
  tasks:
    - name: verified against the system CAs
      hotwax.oms.hotwax_shop_access_info:
      ignore_errors: true
    - name: verified against ca_path
      hotwax.oms.hotwax_shop_access_info:
        ca_path: {cert}
'''.format(url=server.url, token=admin_token(server), cert=cert))
    assert run.returncode == 0, run.output
    assert run.status('verified against the system CAs') == 'failed'
    message = run.result('verified against the system CAs')['msg']
    assert 'TLS certificate verification failed' in message and 'CERTIFICATE_VERIFY_FAILED' in message and 'ca_path' in message
    assert 'Traceback' not in run.output
    assert run.result('verified against ca_path')['shops'][0]['shop_id'] == 'SHOP'
    assert server.writes() == []


def test_tls_certificate_failure_is_not_retried(tls_oms, monkeypatch):
    """Retries are for a server in trouble; a certificate that fails verification fails again after every backoff."""
    server, dummy = tls_oms
    connections = []
    accept = server._server.process_request  # a failed handshake never reaches the request log: count connections

    def counting(request, client_address):
        connections.append(client_address)
        return accept(request, client_address)

    monkeypatch.setattr(server._server, 'process_request', counting)
    with pytest.raises(OmsApiError) as error:
        OmsClient(server.url, token=admin_token(server), retries=5).get_all('oms/shopifyShops/shops')
    assert 'certificate verification failed' in str(error.value)
    assert len(connections) == 1


# --- secrets ------------------------------------------------------------------------------------------------------

def test_no_secret_anywhere_fleet_with_username_and_password(fleet_oms, run_playbook, hosts, tmp_path):
    inventory_file = hosts(prod=login_vars(fleet_oms))
    runs = [playbook(run_playbook, name, inventory_file, '-vvv', '--diff') for name in ('rollback', 'restore')]
    assert [run.returncode for run in runs] == [0, 0], runs[-1].output
    files = list((tmp_path / 'snapshots').iterdir())
    text = ''.join(run.output + json.dumps(run.results) for run in runs) + ''.join(path.read_text() for path in files)
    secrets = fleet_oms.secrets()
    assert user_password(fleet_oms, 'hotwax.admin') in secrets
    assert fleet_oms.query("SELECT token FROM AuthToken WHERE fromLogin = 'Y'")  # login tokens are scanned too
    leaked = [secret for secret in secrets if secret in text]
    assert not leaked, '%d of %d secrets leaked' % (len(leaked), len(secrets))


# --- the snapshot file: 0600, replaced atomically ----------------------------------------------------------------

def test_snapshot_is_0600_and_replaced_by_rename_never_rewritten_in_place(demo_oms, run_playbook, inventory, tmp_path):
    hosts_file = inventory(prod=demo_oms)
    assert playbook(run_playbook, 'rollback', hosts_file).returncode == 0
    snapshot = snapshot_path(tmp_path)
    assert stat.S_IMODE(snapshot.stat().st_mode) == 0o600
    assert stat.S_IMODE(snapshot.parent.stat().st_mode) == 0o700
    old_copy = snapshot.read_text()
    old_link = snapshot.parent / 'old-inode'
    os.link(snapshot, old_link)  # a second name for the file as the rollback wrote it

    assert playbook(run_playbook, 'restore', hosts_file).returncode == 0  # rewrites the snapshot, marked restored
    assert json.loads(snapshot.read_text())['restored'] is True
    # A new file took the name (a rename), and the old one was never touched: an in-place rewrite would have
    # kept the inode and changed the old name's content too.
    assert snapshot.stat().st_ino != old_link.stat().st_ino
    assert old_link.read_text() == old_copy and json.loads(old_copy)['restored'] is False
    assert stat.S_IMODE(snapshot.stat().st_mode) == 0o600
    assert sorted(path.name for path in snapshot.parent.iterdir()) == sorted(['old-inode', snapshot.name])  # no temp file left


def test_a_snapshot_write_cut_off_midway_leaves_the_old_file_intact(emulator_server, run_playbook, inventory, tmp_path):
    """A real cut-off: the run may write at most 256 KiB per file (RLIMIT_FSIZE, as a full disk does), the new
    snapshot of a 1500-shop OMS is larger, so its write stops part-way with EFBIG."""
    emulator_server.reset(build_fleet_seed(1500, 4))
    hosts_file = inventory(prod=emulator_server)
    snapshot = snapshot_path(tmp_path)
    snapshot.parent.mkdir(mode=0o700)
    # The snapshot of an earlier, restored incident: the next rollback replaces it with a fresh one.
    old = json.dumps({'environment': 'prod', 'oms_url': emulator_server.url, 'restored': True, 'targets': ['remote', 'config'],
                      'shops': [], 'product_stores': [], 'taken_at': 'earlier'}, indent=2)
    snapshot.write_text(old)
    snapshot.chmod(0o600)

    limit = 256 * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))  # inherited by ansible-playbook and its workers
    try:
        # No result file (it would pass the limit); pipelining keeps the module payloads off the disk.
        run = run_playbook('- import_playbook: hotwax.oms.rollback\n', '-l', 'all', inventory=hosts_file,
                           env={'HOTWAX_TEST_RESULTS': '', 'ANSIBLE_PIPELINING': '1'})
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert run.returncode != 0
    assert 'File too large' in run.output and 'take the lock and the snapshot' in run.output, run.output
    assert snapshot.read_text() == old  # the old snapshot, byte for byte
    assert stat.S_IMODE(snapshot.stat().st_mode) == 0o600
    assert [path.name for path in snapshot.parent.iterdir()] == [snapshot.name]
    assert emulator_server.writes() == []  # no snapshot, no rollback: nothing was closed without a record of it


# --- an OMS that dies mid-run ----------------------------------------------------------------------------------

def test_an_oms_that_dies_mid_run_fails_within_a_bound_saying_what_is_known(fleet_oms, run_playbook):
    """The OMS goes away after a few writes: the module stops sending, fails soon, and says what is closed,
    what is not, and what is unknown, with a short message and the full lists in the result."""
    fleet_oms.set_faults([{'kind': 'down', 'seconds': 120, 'method': 'PUT', 'after': 10}])
    run = run_playbook(play(fleet_oms, '''
- name: close
  hotwax.oms.hotwax_shop_access:
    shop_ids: [all]
    access_scope: no_access
    retries: 1
'''))
    assert run.returncode != 0
    result = run.result('close')
    pending = [r for shop in result['shops'] for r in shop['records'] if (r['before'] or 'SHOP_READ_ACCESS') != NO_ACCESS]
    assert len(pending) > 100
    puts = [entry for entry in fleet_oms.requests() if entry['method'] == 'PUT']
    assert len(puts) < 10 + 2 * (8 + 3)  # the answered ones, then a bounded number of tries: no growth with records
    answered = [entry for entry in puts if entry['status'] == 200]
    assert len(answered) == 10
    assert len(result['done']) == 10  # the read-back worked (GETs still answer): exactly the applied writes
    assert len(result['done']) + len(result['not_done']) + len(result['unknown']) == len(pending)
    assert result['not_done'] and 'not sent, the OMS is gone' in result['msg']
    assert len(result['msg']) < 3000 and result['msg'].count('the OMS is gone') <= 10
    state = fleet_oms.state()
    for shop in result['shops']:
        for record in shop['records']:
            scope = state['remotes'][record['id']] if record['target'] == 'remote' else \
                state['shops'][shop['shop_id']]['configs'][record['id']]
            if record['state'] == 'changed':
                assert scope == NO_ACCESS
            elif record['state'] == 'not_done':
                assert scope == record['before']


def verdict_of(run):
    return run.result('Verify every selected record is closed')


def emulator_scopes(oms):
    state = oms.state()
    scopes = dict((('remote', key), value) for key, value in state['remotes'].items())
    scopes.update((('config', key), value) for shop in state['shops'].values() for key, value in shop['configs'].items())
    return scopes


def test_a_rollback_whose_oms_dies_says_what_is_closed_what_is_not_and_what_to_do(fleet_oms, run_playbook, inventory, tmp_path):
    """The whole role: the OMS stops answering every request after 80 writes, in the middle of the close step."""
    hosts_file = inventory(prod=fleet_oms)
    fleet_oms.set_faults([{'kind': 'down', 'seconds': 600, 'after': 80, 'method': 'PUT'},
                          {'kind': 'down', 'seconds': 600, 'path': 'productStores', 'method': 'PUT'}])
    run = playbook(run_playbook, 'rollback', hosts_file, '-e', 'hotwax_oms_retries=1')
    assert run.returncode != 0
    verdict = verdict_of(run)
    records = verdict['records']
    scopes = emulator_scopes(fleet_oms)
    labelled = dict(('shop %s %s %s' % (shop['shop_id'], record['target'], record['id']), (record['target'], record['id']))
                    for shop in json.loads(snapshot_path(tmp_path).read_text())['shops'] for record in shop['records'])
    # known closed means closed; every record that is open is named, as open or as unknown
    assert records['done'] and all(scopes[labelled[label]] == NO_ACCESS for label in records['done'])
    open_now = set(label for label, key in labelled.items() if scopes[key] != NO_ACCESS)
    assert open_now and open_now <= set(records['open']) | set(records['unknown'])
    stores = fleet_oms.state()['stores']
    stores_on = set('store %s' % store for store, value in stores.items() if value != 'N')
    assert stores_on and stores_on <= set(verdict['stores']['open']) | set(verdict['stores']['unknown'])
    assert all(stores[label.split(' ', 1)[1]] == 'N' for label in verdict['stores']['done'])
    failure = run.result('Summary')['msg'][-1]
    assert failure.startswith('Rollback not complete on prod: ')
    assert 'Run the rollback again once the OMS answers: the snapshot is kept' in failure
    assert len(failure) < 3000 and 'none' not in failure.split(':')[1]
    assert json.loads(snapshot_path(tmp_path).read_text())['restored'] is False  # the way back is kept


def test_a_read_only_user_gets_one_readable_error_naming_what_stayed_open(demo_oms, run_playbook, hosts):
    viewer = {'hotwax_oms_url': demo_oms.url, 'hotwax_oms_username': 'hotwax.viewer',
              'hotwax_oms_password': [u['password'] for u in demo_oms.seed['users'] if u['username'] == 'hotwax.viewer'][0]}
    run = playbook(run_playbook, 'rollback', hosts(prod=viewer))
    assert run.returncode != 0
    failed = [entry for entry in run.results if entry['status'] == 'failed']
    assert [entry['task'].split(' : ')[-1] for entry in failed] == ['Summary']
    message = failed[0]['result']['msg'][-1]  # the summary's lines, then the failure
    assert 'still open: 2 of 2 access-scope records: shop SHOP remote SHOP_SHOPIFY_REMOTE, shop SHOP config SHOP_CONFIG' in message
    assert 'still open: 1 of 1 product stores: store STORE' in message and '403' in message
    assert demo_oms.state()['stores']['STORE'] == 'Y'
