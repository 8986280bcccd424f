"""The OMS client against the emulator over real HTTP: auth, retries, paging, list shapes, errors, secrets."""

import socket

import pytest

from ansible_collections.hotwax.oms.plugins.module_utils.oms_client import OmsApiError, OmsClient
from tests.helpers import LOGIN_PATH, admin_token, assert_no_secret, user_password

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


def test_bad_password_fails_without_echoing_it(demo_oms):
    with pytest.raises(OmsApiError) as error:
        OmsClient(demo_oms.url, username='hotwax.admin', password='wrong-pass-123').get_all(SHOPS)
    assert 'login' in str(error.value) and '401' in str(error.value)
    assert 'wrong-pass-123' not in str(error.value)


def test_read_only_user_gets_403_on_write(demo_oms):
    client = OmsClient(demo_oms.url, username='hotwax.viewer', password=user_password(demo_oms, 'hotwax.viewer'))
    with pytest.raises(OmsApiError) as error:
        client.put('admin/productStores/STORE', {'productStoreId': 'STORE', 'enableBrokering': 'N'})
    assert error.value.status == 403 and 'not permitted' in str(error.value)


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


def test_paging_walks_past_100_rows(fleet_oms):
    total = len(fleet_oms.query('SELECT shopId FROM ShopifyShop'))
    assert total > 100
    shops = client_for(fleet_oms).get_all(SHOPS)
    assert len(shops) == total == len(set(shop['shopId'] for shop in shops))
    pages = requests_to(fleet_oms, '/rest/s1/' + SHOPS)
    assert len(pages) == (total + 99) // 100
    assert sorted(int(page['query']['pageIndex']) for page in pages) == list(range(len(pages)))


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
