"""The OMS client against the emulator over real HTTP: auth, retries, paging, list shapes, errors, secrets."""

import socket

import pytest

from ansible_collections.hotwax.oms.plugins.module_utils.oms_client import OmsApiError, OmsClient, PagingError, walk_pages
from tests.helpers import LOGIN_PATH, admin_token, assert_no_secret, login_vars, playbook, remote_owners, user_password

SHOPS = 'oms/shopifyShops/shops'
REMOTES = 'oms/systemMessageRemotes'


def client_for(oms, **kwargs):
    kwargs.setdefault('token', admin_token(oms))
    return OmsClient(oms.url, **kwargs)


def login_client(oms, **kwargs):
    return OmsClient(oms.url, username='hotwax.admin', password=user_password(oms, 'hotwax.admin'), **kwargs)


def requests_to(oms, path):
    return [entry for entry in oms.requests() if entry['path'] == path]


def test_token_reads_shops_without_secrets(demo_oms):
    shops = client_for(demo_oms).get_all(SHOPS)
    assert [shop['shopId'] for shop in shops] == ['SHOP']
    assert shops[0]['shopifyConfig'][0]['accessScopeEnumId'] == 'SHOP_READ_WRITE_ACCESS'
    assert 'accessToken' not in shops[0]['shopifyConfig'][0]
    assert_no_secret(demo_oms, repr(shops))
    assert all(entry['auth'] == 'token' for entry in demo_oms.requests())


def test_login_once_for_many_calls(demo_oms):
    client = login_client(demo_oms)
    for shop_count in (1, 1, 1):
        assert len(client.get_all(SHOPS)) == shop_count
    assert len(requests_to(demo_oms, LOGIN_PATH)) == 1


def test_expired_login_token_logs_in_again_once(demo_oms):
    client = login_client(demo_oms)
    client.get_all(SHOPS)
    demo_oms.expire_tokens()
    assert client.get_all(SHOPS)[0]['shopId'] == 'SHOP'
    assert len(requests_to(demo_oms, LOGIN_PATH)) == 2


def test_second_401_in_a_row_is_an_authentication_error(demo_oms):
    client = login_client(demo_oms)
    demo_oms.set_faults([{'kind': 'expire_tokens', 'path': 'shopifyShops'}])
    with pytest.raises(OmsApiError) as error:
        client.get_all(SHOPS)
    assert error.value.status == 401
    assert 'not accepted' in str(error.value)
    assert len(requests_to(demo_oms, LOGIN_PATH)) == 2  # the first login and one re-login, no loop


def test_bad_token_fails_clearly_without_echoing_it(demo_oms):
    bad = 'eyJhbGciOiJIUzI1NiJ9.not-a-real-token'
    with pytest.raises(OmsApiError) as error:
        OmsClient(demo_oms.url, token=bad).get_all(SHOPS)
    assert error.value.status == 401
    assert bad not in str(error.value)


@pytest.mark.parametrize('status', [400, 401])
def test_bad_password_fails_without_echoing_it(demo_oms, status):
    demo_oms.configure(login_failure_status=status)
    with pytest.raises(OmsApiError) as error:
        OmsClient(demo_oms.url, username='hotwax.admin', password='wrong-pass-123').get_all(SHOPS)
    assert "login as 'hotwax.admin' failed: the OMS refused the username or password" in str(error.value)
    assert 'HTTP %d' % status in str(error.value)
    assert 'wrong-pass-123' not in str(error.value)
    assert len(requests_to(demo_oms, LOGIN_PATH)) == 1  # a refused login is not repeated


@pytest.mark.parametrize('status', [401, 403])
def test_expired_login_token_answered_401_or_403_logs_in_again(demo_oms, status):
    demo_oms.configure(expired_token_status=status)
    client = login_client(demo_oms)
    client.get_all(SHOPS)
    demo_oms.expire_tokens()
    assert client.get_all(SHOPS)[0]['shopId'] == 'SHOP'
    assert [entry['status'] for entry in requests_to(demo_oms, '/rest/s1/' + SHOPS)] == [200, status, 200]
    assert len(requests_to(demo_oms, LOGIN_PATH)) == 2


@pytest.mark.parametrize('status', [401, 403])
def test_tokens_expiring_every_few_requests_relogin_as_often_as_needed(fleet_oms, status):
    """A long run meets expiry many times: one login per expiry, never a fixed number per run."""
    fleet_oms.configure(expired_token_status=status, token_max_requests=2, page_size='ignored')
    client = login_client(fleet_oms)
    jobs = client.get_all('admin/serviceJobs')  # more than 100 jobs at 100 a page: several pages
    remotes = client.get_all(REMOTES)
    assert len(jobs) == len(fleet_oms.query('SELECT jobName FROM ServiceJob'))
    assert len(remotes) == len(fleet_oms.query('SELECT systemMessageRemoteId FROM SystemMessageRemote'))
    log = fleet_oms.requests()
    refused = [entry for entry in log if entry['status'] == status]
    assert len(refused) >= 2
    assert len(requests_to(fleet_oms, LOGIN_PATH)) == 1 + len(refused)  # one re-login per expiry, no loop


def test_403_to_a_token_just_issued_is_a_permission_error(demo_oms):
    client = OmsClient(demo_oms.url, username='hotwax.viewer', password=user_password(demo_oms, 'hotwax.viewer'))
    client.get_all(SHOPS)
    with pytest.raises(OmsApiError) as error:
        client.put('admin/productStores/STORE', {'productStoreId': 'STORE', 'enableBrokering': 'N'})
    message = str(error.value)
    assert error.value.status == 403
    # what it means comes right after the call, so a shortened message keeps it; the user is named
    assert message.startswith("PUT /rest/s1/admin/productStores/STORE: HTTP 403, permission refused to the OMS user "
                              "'hotwax.viewer' (on a token just issued, so not an expired login); ask an OMS admin for "
                              "the permission. The OMS said: ")
    assert 'expired token' not in message
    # the token from the earlier login might have expired: one re-login, then the fresh token's 403 is final
    assert len(requests_to(demo_oms, LOGIN_PATH)) == 2
    assert demo_oms.state()['stores']['STORE'] == 'Y'


def test_403_on_a_token_session_says_it_may_have_expired(demo_oms):
    demo_oms.configure(expired_token_status=403)
    expired = [token['token'] for token in demo_oms.seed['tokens'] if token.get('expirationTime')][0]
    with pytest.raises(OmsApiError) as error:
        OmsClient(demo_oms.url, token=expired).get_all(SHOPS)
    assert error.value.status == 403 and 'the token expired' in str(error.value)
    assert expired not in str(error.value)


def test_no_cookie_is_sent_back_so_writes_need_no_csrf_token(demo_oms):
    """The emulator sets a session cookie on every answer and refuses a write that sends it back without a CSRF token."""
    client = login_client(demo_oms)
    client.get_all(SHOPS)
    client.put('admin/productStores/STORE', {'productStoreId': 'STORE', 'enableBrokering': 'N'})
    client.put('admin/productStores/STORE', {'productStoreId': 'STORE', 'enableBrokering': 'Y'})
    assert [entry['status'] for entry in demo_oms.writes()] == [200, 200]
    assert not [entry for entry in demo_oms.requests() if entry["cookie"]]  # none sent back


def test_read_only_user_gets_403_on_write(demo_oms):
    client = OmsClient(demo_oms.url, username='hotwax.viewer', password=user_password(demo_oms, 'hotwax.viewer'))
    with pytest.raises(OmsApiError) as error:
        client.put('admin/productStores/STORE', {'productStoreId': 'STORE', 'enableBrokering': 'N'})
    assert error.value.status == 403 and "permission refused to the OMS user 'hotwax.viewer'" in str(error.value)


def test_403_on_a_write_after_reads_on_a_token_says_permission_and_maybe_expired(demo_oms):
    viewer = [token['token'] for token in demo_oms.seed['tokens'] if token['username'] == 'hotwax.viewer'][0]
    client = OmsClient(demo_oms.url, token=viewer)
    client.get_all(SHOPS)
    with pytest.raises(OmsApiError) as error:
        client.put('admin/productStores/STORE', {'productStoreId': 'STORE', 'enableBrokering': 'N'})
    assert str(error.value).startswith(
        "PUT /rest/s1/admin/productStores/STORE: HTTP 403, permission refused: the token's user may read but not make "
        "this call (reads with the same token were answered), or the token expired since (some OMS servers answer an "
        "expired token with 403)")


@pytest.mark.parametrize('fault', [
    {'kind': 'rate_limit', 'retry_after': 1, 'times': 2},
    {'kind': 'status', 'status': 502, 'times': 2},
    {'kind': 'status', 'status': 503, 'times': 2},
    {'kind': 'status', 'status': 504, 'times': 2},
    {'kind': 'drop', 'times': 2},
], ids=['429', '502', '503', '504', 'dropped'])
def test_transient_faults_are_retried(demo_oms, fault):
    demo_oms.set_faults([dict(fault, path='shopifyShops')])
    assert client_for(demo_oms).get_all(SHOPS)[0]['shopId'] == 'SHOP'
    assert len(requests_to(demo_oms, '/rest/s1/' + SHOPS)) == 3


def test_retry_after_is_honoured(demo_oms):
    demo_oms.set_faults([{'kind': 'rate_limit', 'retry_after': 1, 'times': 1, 'path': 'shopifyShops'}])
    client_for(demo_oms).get_all(SHOPS)
    first, second = requests_to(demo_oms, '/rest/s1/' + SHOPS)
    assert second['time'] - first['time'] >= 0.9


def test_retries_are_bounded(demo_oms):
    demo_oms.set_faults([{'kind': 'status', 'status': 503, 'path': 'shopifyShops'}])
    with pytest.raises(OmsApiError) as error:
        client_for(demo_oms, retries=2).get_all(SHOPS)
    assert error.value.status == 503 and 'after retries' in str(error.value)
    assert len(requests_to(demo_oms, '/rest/s1/' + SHOPS)) == 3


def test_puts_are_retried_too(demo_oms):
    demo_oms.set_faults([{'kind': 'status', 'status': 503, 'method': 'PUT', 'times': 1}])
    client_for(demo_oms).put('admin/productStores/STORE', {'productStoreId': 'STORE', 'enableBrokering': 'N'})
    assert demo_oms.state()['stores']['STORE'] == 'N'


def test_slow_server_times_out_after_bounded_retries(demo_oms):
    demo_oms.set_faults([{'kind': 'latency', 'ms': 1500, 'path': 'shopifyShops'}])
    with pytest.raises(OmsApiError) as error:
        client_for(demo_oms, timeout=0.3, retries=1).get_all(SHOPS)
    assert 'no answer within 0.3 seconds' in str(error.value)


def test_paging_asks_for_large_pages(fleet_oms):
    total = len(fleet_oms.query('SELECT shopId FROM ShopifyShop'))
    assert 100 < total < 500
    shops = client_for(fleet_oms).get_all(SHOPS)
    assert len(shops) == total == len(set(shop['shopId'] for shop in shops))
    pages = requests_to(fleet_oms, '/rest/s1/' + SHOPS)
    assert [(page['query']['pageIndex'], page['query']['pageSize']) for page in pages] == [('0', '500')]


@pytest.mark.parametrize('path, table', [(SHOPS, 'ShopifyShop'), (REMOTES, 'SystemMessageRemote'),
                                         ('admin/serviceJobs', 'ServiceJob')], ids=['array+header', 'remotes', 'jobs'])
def test_a_server_ignoring_page_size_still_gives_every_row(fleet_oms, path, table):
    fleet_oms.configure(page_size='ignored')  # Moqui's 20 rows whatever is asked
    rows = client_for(fleet_oms).get_all(path)
    total = len(fleet_oms.query('SELECT * FROM %s' % table))
    assert total > 100 and len(rows) == total
    assert len(set(repr(sorted(row.items())) for row in rows)) == total
    pages = requests_to(fleet_oms, '/rest/s1/' + path)
    # asked again at the size the server answered: no row skipped. With the header's total the walk knows where the list
    # ends; without a total (remotes: no count; jobs: a body count that is never trusted alone) it asks until a page
    # adds nothing: one request more
    assert len(pages) == (total + 19) // 20 + (0 if path == SHOPS else 1)
    assert [page['query']['pageSize'] for page in pages[1:]] == ['20'] * (len(pages) - 1)


@pytest.mark.parametrize('path', [SHOPS, REMOTES, 'admin/serviceJobs'])
def test_a_server_ignoring_page_index_fails_loudly_within_two_requests(fleet_oms, path):
    fleet_oms.configure(page_index='ignored', page_size='ignored')  # every page is the same first 20 rows
    with pytest.raises(OmsApiError) as error:
        client_for(fleet_oms).get_all(path)
    message = str(error.value)
    assert 'GET /rest/s1/%s' % path in message and 'ignores pageIndex' in message and '20 rows seen' in message
    assert 'partial list' in message
    # without the header's total, one request more: a smaller page shows that the server ignores pageSize too
    assert len(requests_to(fleet_oms, '/rest/s1/' + path)) == (2 if path == SHOPS else 3)


@pytest.mark.parametrize('job_count', ['total', 'page'])
def test_a_body_count_never_ends_the_walk_alone(fleet_oms, job_count):
    """serviceJobCount may count the page (private code): the walk goes on until a page adds nothing, one request more."""
    fleet_oms.configure(total_header=False, job_count=job_count)
    client = client_for(fleet_oms)
    assert len(client.get_all('admin/serviceJobs')) == len(fleet_oms.query('SELECT jobName FROM ServiceJob'))
    pages = requests_to(fleet_oms, '/rest/s1/admin/serviceJobs')
    assert [page['query']['pageIndex'] for page in pages] == ['0', '1']


def test_a_remote_list_without_any_count_and_pages_of_20_is_walked_to_the_end(fleet_oms):
    """The live shape (no header, no body count) from a server that ignores pageSize: a short page is not the end."""
    fleet_oms.configure(page_size='ignored')
    first_page = client_for(fleet_oms).get(REMOTES, {'pageSize': 500})
    assert len(first_page['systemMessageRemoteList']) == 20 and 'systemMessageRemoteCount' not in first_page
    remotes = client_for(fleet_oms).get_all(REMOTES)
    assert sorted(remote['systemMessageRemoteId'] for remote in remotes) == sorted(
        row['systemMessageRemoteId'] for row in fleet_oms.query('SELECT systemMessageRemoteId FROM SystemMessageRemote'))


def test_a_body_count_above_the_rows_walked_fails_loudly(demo_oms):
    demo_oms.set_faults([{'kind': 'status', 'status': 200, 'path': 'serviceJobs$',
                          'body': '{"serviceJobList": [{"jobName": "one"}], "serviceJobCount": 999}'}])
    with pytest.raises(OmsApiError) as error:
        client_for(demo_oms).get_all('admin/serviceJobs')
    assert 'only 1 of the 999 rows the server states' in str(error.value) and 'partial list' in str(error.value)


def test_a_list_that_keeps_growing_fails_loudly():
    """A server that always answers new rows: the walk stops at its bound, failing rather than running forever."""
    def fetch(index, size):
        return [{'jobName': 'job_%d_%d' % (index, row)} for row in range(size)], None, None
    with pytest.raises(PagingError) as error:
        walk_pages(fetch, page_size=5, max_pages=4)
    assert 'still more rows after 4 pages of 5' in str(error.value)


@pytest.mark.parametrize('suffix', ['/rest/s1', '/rest/s1/', '/'])
def test_oms_url_with_the_rest_path_or_a_slash_is_the_same_oms(demo_oms, suffix):
    client = OmsClient(demo_oms.url + suffix, token=admin_token(demo_oms))
    assert client.get_all(SHOPS)[0]['shopId'] == 'SHOP'
    assert [entry['path'] for entry in demo_oms.requests()] == ['/rest/s1/' + SHOPS]


@pytest.mark.parametrize('shape', ['array', 'wrapped'])
def test_both_remote_list_shapes(fleet_oms, shape):
    fleet_oms.configure(remote_list_shape=shape)
    remotes = client_for(fleet_oms).get_all(REMOTES)
    assert len(remotes) == len(fleet_oms.query('SELECT * FROM SystemMessageRemote')) > 100
    assert_no_secret(fleet_oms, repr(remotes))


def test_unknown_store_is_none(demo_oms):
    client = client_for(demo_oms)
    assert client.get('admin/productStores/NOPE') is None
    assert client.get('admin/productStores/STORE')['storeName'] == 'New Era Cap Store'


def test_error_mapping_names_method_path_status_and_message(demo_oms):
    client = client_for(demo_oms)
    with pytest.raises(OmsApiError) as error:
        client.get(REMOTES + '/ANY')
    assert error.value.status == 405 and 'GET /rest/s1/oms/systemMessageRemotes/ANY: HTTP 405' in str(error.value)
    with pytest.raises(OmsApiError) as error:
        client.put(REMOTES + '/NOPE', {'systemMessageRemoteId': 'NOPE', 'accessScopeEnumId': 'SHOP_NO_ACCESS'})
    assert error.value.status == 400 and 'does not exist' in str(error.value)
    with pytest.raises(OmsApiError) as error:
        client.get('no/such/path')
    assert error.value.status == 404 and 'check oms_url' in str(error.value)


def test_malformed_url_is_refused():
    with pytest.raises(OmsApiError) as error:
        OmsClient('acme-maarg.hotwax.io', token='x')
    assert 'oms_url must be an http(s) URL' in str(error.value)


def test_missing_credentials_are_refused():
    with pytest.raises(OmsApiError) as error:
        OmsClient('https://acme-maarg.hotwax.io')
    assert 'token, or username and password' in str(error.value)


def count_connections(server, monkeypatch):
    """The connections the emulator accepts (a failed TLS handshake never reaches its request log)."""
    connections = []
    accept = server._server.process_request  # pylint: disable=protected-access

    def counting(request, client_address):
        connections.append(client_address)
        return accept(request, client_address)

    monkeypatch.setattr(server._server, 'process_request', counting)  # pylint: disable=protected-access
    return connections


def test_https_to_a_plain_http_port_fails_at_once_saying_use_http(demo_oms, monkeypatch):
    connections = count_connections(demo_oms, monkeypatch)
    url = demo_oms.url.replace('http://', 'https://')
    with pytest.raises(OmsApiError) as error:
        OmsClient(url, token=admin_token(demo_oms), retries=5).get_all(SHOPS)
    message = str(error.value)
    assert 'the server speaks plain HTTP, not HTTPS: use http://' in message
    assert 'validate_certs' not in message and 'certificate' not in message
    assert len(connections) == 1  # not retried


def test_http_to_a_tls_port_fails_at_once_saying_use_https(tls_oms, monkeypatch):
    server, dummy = tls_oms
    connections = count_connections(server, monkeypatch)
    with pytest.raises(OmsApiError) as error:
        OmsClient(server.url.replace('https://', 'http://'), token=admin_token(server), retries=5).get_all(SHOPS)
    assert 'the server speaks HTTPS on this port: use https://' in str(error.value)
    assert len(connections) <= 2  # the request and one TLS probe, no retries


def test_a_dropped_connection_on_plain_http_is_still_retried(demo_oms):
    """The probe that tells a TLS port apart must not turn a transient drop into a refusal."""
    demo_oms.set_faults([{'kind': 'drop', 'times': 1, 'path': 'shopifyShops'}])
    assert client_for(demo_oms).get_all(SHOPS)[0]['shopId'] == 'SHOP'


def test_a_host_name_that_does_not_resolve_fails_at_once_saying_check_it():
    with pytest.raises(OmsApiError) as error:
        OmsClient('http://no-such-oms.invalid', token='x', retries=5).get('admin/productStores')
    assert 'the host name no-such-oms.invalid does not resolve: check the host name' in str(error.value)


def test_an_oms_that_is_gone_is_not_asked_again(demo_oms):
    demo_oms.set_faults([{'kind': 'down', 'seconds': 30}])
    client = client_for(demo_oms, retries=0)
    errors = []
    for dummy in range(6):
        with pytest.raises(OmsApiError) as error:
            client.get('admin/productStores/STORE')
        errors.append(error.value)
    assert [e.outcome for e in errors] == ['unanswered'] * 3 + ['not_sent'] * 3
    assert 'not sent, the OMS is gone: 3 requests in a row got no answer' in str(errors[-1])
    assert len(demo_oms.requests()) == 3


def test_unreachable_server_fails_clearly():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    with pytest.raises(OmsApiError) as error:
        OmsClient('http://127.0.0.1:%d' % port, token='x', retries=1).get('admin/productStores')
    assert 'cannot reach the OMS' in str(error.value)


def test_tls_self_signed_fails_verification_then_ca_path_works(tls_oms):
    server, cert = tls_oms
    assert server.url.startswith('https://')
    with pytest.raises(OmsApiError) as error:
        client_for(server, retries=0).get_all(SHOPS)
    assert 'certificate verification failed' in str(error.value) and 'ca_path' in str(error.value)
    assert client_for(server, ca_path=cert).get_all(SHOPS)[0]['shopId'] == 'SHOP'
    assert client_for(server, validate_certs=False).get_all(SHOPS)[0]['shopId'] == 'SHOP'


OLD_LOGIN_PATH = '/rest/s1/order-routing/login'


def test_a_wrong_password_costs_one_login_request_for_side_by_side_reads(demo_oms):
    client = OmsClient(demo_oms.url, username='hotwax.admin', password='wrong-pass-123')
    with pytest.raises(OmsApiError) as error:
        client.get_all_of([SHOPS, REMOTES])  # how the shop reader reads: two lists side by side
    assert error.value.login_failed and 'refused the username or password' in str(error.value)
    assert 'nothing more was sent to the OMS' in str(error.value)
    with pytest.raises(OmsApiError):
        client.get_all(SHOPS)  # a later call of the same client sends nothing either
    assert len(requests_to(demo_oms, LOGIN_PATH)) == 1
    assert [entry['path'] for entry in demo_oms.requests()] == [LOGIN_PATH]


def test_an_old_server_without_admin_login_is_logged_in_at_order_routing(demo_oms):
    demo_oms.configure(login_routes='order-routing')
    client = login_client(demo_oms)
    assert client.get_all(SHOPS)[0]['shopId'] == 'SHOP'
    demo_oms.expire_tokens()
    assert client.get_all(SHOPS)[0]['shopId'] == 'SHOP'
    logins = [(entry['path'], entry['status']) for entry in demo_oms.requests() if entry['path'].endswith('/login')]
    # admin/login once (404), then the old route, also for the re-login after the token expired
    assert logins == [(LOGIN_PATH, 404), (OLD_LOGIN_PATH, 200), (OLD_LOGIN_PATH, 200)]


def test_a_server_with_neither_login_route_says_to_use_a_token(demo_oms):
    demo_oms.configure(login_routes='order-routing', order_routing=False)
    with pytest.raises(OmsApiError) as error:
        login_client(demo_oms).get_all(SHOPS)
    assert 'neither /rest/s1/admin/login nor /rest/s1/order-routing/login' in str(error.value)
    assert 'give a token' in str(error.value)


def test_remote_public_keys_are_stripped_like_every_secret(demo_oms):
    remotes = client_for(demo_oms).get_all(REMOTES)
    assert remotes and all('publicKey' not in remote for remote in remotes)
    public_key = demo_oms.query('SELECT publicKey FROM SystemMessageRemote')[0]['publicKey']
    assert public_key in demo_oms.secrets()
    assert_no_secret(demo_oms, repr(remotes))


@pytest.mark.parametrize('check', [False, True], ids=['run', 'check'])
def test_a_wrong_password_stops_the_rollback_after_one_login_request(demo_oms, run_playbook, hosts, check):
    inventory = hosts(prod=dict(login_vars(demo_oms), hotwax_oms_password='wrong-pass-123'))
    args = ('-e', 'rollback_pause_jobs=true') + (('--check',) if check else ())
    run = playbook(run_playbook, 'rollback', inventory, '-l', 'prod', *args)
    assert run.returncode != 0
    assert len(requests_to(demo_oms, LOGIN_PATH)) == 1  # no second reader, no later task logs in again
    assert [entry['path'] for entry in demo_oms.requests()] == [LOGIN_PATH]
    assert "login as 'hotwax.admin' failed: the OMS refused the username or password" in run.output
    assert run.output.count('fatal: [prod]') == 1  # one failed task says it; none before or after it
    assert 'Verify every selected record is closed' not in run.output  # the run ended at the refused login
    assert 'wrong-pass-123' not in run.output


@pytest.mark.parametrize('partial', [False, True], ids=['restore', 'partial restore'])
def test_a_wrong_password_stops_the_restore_after_one_login_request(demo_oms, run_playbook, hosts, tmp_path, partial):
    """A partial restore first reads which jobs serve its shops: a refused login there ends the run too."""
    assert playbook(run_playbook, 'rollback', hosts(prod=login_vars(demo_oms)), '-l', 'prod').returncode == 0
    demo_oms.clear_requests()
    inventory = hosts(prod=dict(login_vars(demo_oms), hotwax_oms_password='wrong-pass-123'))
    selection = ('-e', '{"rollback_shop_ids": ["SHOP"]}') if partial else ()
    run = playbook(run_playbook, 'restore', inventory, '-l', 'prod', *selection)
    assert run.returncode != 0
    assert [entry['path'] for entry in demo_oms.requests()] == [LOGIN_PATH]
    assert run.output.count('fatal: [prod]') == 1
    assert 'Verify every record is back' not in run.output
    assert 'wrong-pass-123' not in run.output


def test_a_403_on_the_rollback_writes_says_permission_and_names_the_user_call_and_record(demo_oms, run_playbook, hosts):
    """Reads succeed, every write is refused: the failure is about permission, not an OMS that did not answer."""
    inventory = hosts(prod={'hotwax_oms_url': demo_oms.url, 'hotwax_oms_username': 'hotwax.viewer',
                            'hotwax_oms_password': user_password(demo_oms, 'hotwax.viewer')})
    run = playbook(run_playbook, 'rollback', inventory, '-l', 'prod')
    assert run.returncode != 0
    failure = run.result('Summary')['msg'][-1]
    assert ("the product store step said: 1 of 1 records that needed a change were not changed: permission refused to "
            "the OMS user 'hotwax.viewer' (on a token just issued, so not an expired login). Not done: product store STORE "
            "order brokering (PUT /rest/s1/admin/productStores/STORE: HTTP 403)") in failure
    assert ("Not done: shop SHOP remote SHOP_SHOPIFY_REMOTE (PUT /rest/s1/oms/systemMessageRemotes/SHOP_SHOPIFY_REMOTE: "
            "HTTP 403)") in failure
    assert 'once the OMS answers' not in failure
    assert failure.endswith('Run the rollback again once the OMS user may make these calls: the snapshot is kept, and '
                            'a second rollback adds to it.')
    assert all(entry['status'] == 403 for entry in demo_oms.writes())


def test_a_rollback_on_a_server_that_ignores_page_size_closes_every_record(fleet_oms, run_playbook, inventory):
    """Moqui's own 20 rows a page, and the live remote list without any count: no short page is taken for the end."""
    fleet_oms.configure(page_size='ignored')
    remotes = len(fleet_oms.query('SELECT systemMessageRemoteId FROM SystemMessageRemote'))
    assert remotes > 100
    run = playbook(run_playbook, 'rollback', inventory(prod=fleet_oms), '-l', 'prod')
    assert run.returncode == 0, run.output
    owned = set(remote_id for remote_id, shops in remote_owners(fleet_oms).items() if shops)
    state = fleet_oms.state()
    assert owned and all(state['remotes'][remote_id] == 'SHOP_NO_ACCESS' for remote_id in owned)
    assert all(scope == 'SHOP_NO_ACCESS' for shop in state['shops'].values() for scope in shop['configs'].values())
    assert set(state['stores'].values()) == {'N'}
    pages = [int(entry['query']['pageIndex']) for entry in requests_to(fleet_oms, '/rest/s1/' + REMOTES)]
    assert max(pages) == (remotes + 19) // 20  # walked to the page that adds nothing
