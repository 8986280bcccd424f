"""The connection options over real HTTP: proxy, client certificate (mTLS), extra headers, retries counted and
reported, the bound on an OMS that never answers, and the per-request log and progress lines."""

import base64
import datetime
import http.client
import http.server
import ipaddress
import json
import re
import socket
import threading
import urllib.parse

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.hotwax.oms.plugins.module_utils.oms_client import OmsApiError, OmsClient
from tests.emulator.oms_emulator import OmsEmulator
from tests.helpers import admin_token, play, user_password

SHOPS = 'oms/shopifyShops/shops'
STORE = 'admin/productStores/STORE'
PROXY_USER, PROXY_PASSWORD = 'relay', 'proxy-pw-secret-Vb7Qx2'
GATEWAY_KEY = 'gateway-key-secret-Zr4Lm9'


def client_for(oms, **kwargs):
    kwargs.setdefault('token', admin_token(oms))
    return OmsClient(oms.url, **kwargs)


def api_requests(oms, path):
    return [entry for entry in oms.requests() if entry['path'] == '/rest/s1/' + path]


# --- a recording HTTP proxy ---------------------------------------------------------------------------------------

class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    """Forwards absolute-URI requests (plain http), tunnels CONNECT (https), and records each one; asks for Basic
    credentials when given."""

    protocol_version = 'HTTP/1.1'

    def _refused(self):
        """Record the request; answer 407 and return True when the proxy wants credentials it was not given."""
        proxy = self.server.proxy
        proxy.seen.append({'method': self.command, 'url': self.path, 'headers': dict(self.headers),
                           'header_names': [name.lower() for name in self.headers.keys()]})
        wanted = 'Basic ' + base64.b64encode(('%s:%s' % (PROXY_USER, PROXY_PASSWORD)).encode()).decode()
        given = self.headers.get('Proxy-Authorization')
        if not proxy.needs_credentials or given == wanted:
            return False
        # a careless proxy that echoes the credentials it refused: the client must not pass them on
        echo = base64.b64decode(given.split()[-1]).decode() if given else 'none'
        body = json.dumps({'errors': 'credentials refused: %s' % echo}).encode()
        self.send_response(407)
        self.send_header('Proxy-Authenticate', 'Basic realm="test"')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return True

    def do_CONNECT(self):
        """A tunnel to ``host:port``: the bytes go both ways untouched (the TLS is the client's and the server's)."""
        if self._refused():
            return
        host, port = self.path.rsplit(':', 1)
        upstream = socket.create_connection((host, int(port)), timeout=10)
        self.send_response(200, 'Connection established')
        self.end_headers()
        self.wfile.flush()

        def pump(source, sink):
            try:
                while True:
                    data = source.recv(65536)
                    if not data:
                        break
                    sink.sendall(data)
            except OSError:
                pass
            finally:
                for end in (source, sink):
                    try:
                        end.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        back = threading.Thread(target=pump, args=(upstream, self.connection), daemon=True)
        back.start()
        pump(self.connection, upstream)
        back.join(timeout=10)
        upstream.close()
        self.close_connection = True

    def _forward(self):
        body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
        if self._refused():
            return
        target = urllib.parse.urlsplit(self.path)
        upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
        headers = dict((name, value) for name, value in self.headers.items()
                       if name.lower() not in ('proxy-authorization', 'proxy-connection', 'connection'))
        upstream.request(self.command, target.path + ('?' + target.query if target.query else ''), body, headers)
        answer = upstream.getresponse()
        data = answer.read()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in ('content-length', 'connection', 'transfer-encoding'):
                self.send_header(name, value)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        upstream.close()

    do_GET = do_PUT = do_POST = _forward

    def log_message(self, *args):
        pass


class RecordingProxy:
    def __init__(self, needs_credentials=False):
        self.seen = []
        self.needs_credentials = needs_credentials
        self._server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _ProxyHandler)
        self._server.daemon_threads = True
        self._server.proxy = self
        self.url = 'http://127.0.0.1:%d' % self._server.server_address[1]

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info):
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def unused_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def test_requests_go_through_the_proxy_even_if_the_environment_names_another(demo_oms, monkeypatch):
    monkeypatch.setenv('HTTP_PROXY', 'http://127.0.0.1:9')  # nothing listens there: the option must win
    monkeypatch.setenv('NO_PROXY', '')
    with RecordingProxy() as proxy:
        shops = client_for(demo_oms, proxy=proxy.url).get_all(SHOPS)
    assert [shop['shopId'] for shop in shops] == ['SHOP']
    assert [seen['url'] for seen in proxy.seen] == ['%s/rest/s1/%s?pageSize=500&pageIndex=0' % (demo_oms.url, SHOPS)]
    assert len(api_requests(demo_oms, SHOPS)) == 1


def _set_env(monkeypatch, name, value):
    """Both spellings: Python's proxy lookup prefers the lower-case one when both are set."""
    for spelling in (name.upper(), name.lower()):
        monkeypatch.setenv(spelling, value)


def test_without_the_option_the_environment_proxy_is_used_and_no_proxy_honoured(demo_oms, monkeypatch):
    before = len(api_requests(demo_oms, STORE))
    with RecordingProxy() as proxy:
        _set_env(monkeypatch, 'http_proxy', proxy.url)
        _set_env(monkeypatch, 'no_proxy', '')
        client_for(demo_oms).get(STORE)
        assert [seen['url'] for seen in proxy.seen] == ['%s/rest/s1/%s' % (demo_oms.url, STORE)]
        _set_env(monkeypatch, 'no_proxy', '127.0.0.1')
        client_for(demo_oms).get(STORE)
        assert len(proxy.seen) == 1  # NO_PROXY names the OMS's host: straight there
        _set_env(monkeypatch, 'no_proxy', '')
        _set_env(monkeypatch, 'http_proxy', proxy.url.replace('http://', ''))  # no scheme, as it is often written
        client_for(demo_oms).get(STORE)
        assert len(proxy.seen) == 2
    assert len(api_requests(demo_oms, STORE)) == before + 3


def test_a_socks_proxy_in_the_environment_is_refused_naming_it_without_its_password(demo_oms, monkeypatch):
    before = len(demo_oms.requests())
    _set_env(monkeypatch, 'http_proxy', 'socks5://relay:socks-pw-secret@127.0.0.1:1080')
    _set_env(monkeypatch, 'no_proxy', '')
    with pytest.raises(OmsApiError) as error:
        client_for(demo_oms).get(STORE)
    assert str(error.value) == ('the proxy socks5://********@127.0.0.1:1080, from the environment, is not an HTTP proxy '
                                '(SOCKS is not supported): set proxy to an http:// proxy, or add the OMS host to NO_PROXY')
    assert len(demo_oms.requests()) == before


def test_a_netrc_entry_for_the_oms_host_does_not_replace_the_token(demo_oms, monkeypatch, tmp_path):
    """requests would send a ~/.netrc entry's username and password in place of the bearer token."""
    netrc = tmp_path / '.netrc'
    netrc.write_text('machine 127.0.0.1 login someone password netrc-pw-secret\n')
    netrc.chmod(0o600)
    monkeypatch.setenv('HOME', str(tmp_path))
    monkeypatch.setenv('NETRC', str(netrc))
    shops = client_for(demo_oms).get_all(SHOPS)
    assert [shop['shopId'] for shop in shops] == ['SHOP']


def test_the_environment_ca_bundle_is_used_when_no_ca_path_is_given(tls_oms, monkeypatch):
    server, cert = tls_oms
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', cert)
    assert [shop['shopId'] for shop in client_for(server).get_all(SHOPS)] == ['SHOP']
    monkeypatch.delenv('REQUESTS_CA_BUNDLE')
    monkeypatch.delenv('CURL_CA_BUNDLE', raising=False)
    with pytest.raises(OmsApiError) as unverified:
        client_for(server, retries=0).get_all(SHOPS)
    assert 'certificate verification failed' in str(unverified.value)


def test_proxy_credentials_are_used_and_never_shown(demo_oms):
    lines = []
    with RecordingProxy(needs_credentials=True) as proxy:
        authed = proxy.url.replace('http://', 'http://%s:%s@' % (PROXY_USER, PROXY_PASSWORD))
        client_for(demo_oms, proxy=authed, log=lines.append).get(STORE)
        assert proxy.seen[-1]['headers']['Proxy-Authorization'].startswith('Basic ')
        wrong = proxy.url.replace('http://', 'http://%s:wrong-pw-secret-Kp3@' % PROXY_USER)
        with pytest.raises(OmsApiError) as error:
            client_for(demo_oms, proxy=wrong, log=lines.append).get(STORE)
    message = str(error.value)
    assert 'HTTP 407: credentials refused: ********' in message and 'the proxy asks for credentials' in message
    for text in [message] + lines:
        assert PROXY_PASSWORD not in text and 'wrong-pw-secret' not in text


def test_an_https_oms_is_reached_through_the_proxy_by_a_tunnel_and_its_certificate_still_checked(tls_oms):
    server, cert = tls_oms
    host_port = server.url.split('://', 1)[1]
    with RecordingProxy(needs_credentials=True) as proxy:
        authed = proxy.url.replace('http://', 'http://%s:%s@' % (PROXY_USER, PROXY_PASSWORD))
        shops = client_for(server, proxy=authed, ca_path=cert).get_all(SHOPS)
        assert [shop['shopId'] for shop in shops] == ['SHOP']
        tunnels = [seen for seen in proxy.seen if seen['method'] == 'CONNECT']
        assert tunnels and all(seen['url'] == host_port for seen in tunnels)  # the proxy sees the host, never a path
        assert all(seen['method'] == 'CONNECT' for seen in proxy.seen)
        assert tunnels[-1]['headers']['Proxy-Authorization'].startswith('Basic ')
        # through the tunnel the OMS's certificate is checked as without a proxy
        with pytest.raises(OmsApiError) as unverified:
            client_for(server, proxy=authed, retries=0).get_all(SHOPS)
        # a tunnel the proxy refuses: its answer named, the password nowhere
        wrong = proxy.url.replace('http://', 'http://%s:wrong-pw-secret-Kp3@' % PROXY_USER)
        with pytest.raises(OmsApiError) as refused:
            client_for(server, proxy=wrong, ca_path=cert, retries=0).get_all(SHOPS)
    assert 'certificate verification failed' in str(unverified.value)
    assert '407' in str(refused.value)
    for text in (str(unverified.value), str(refused.value)):
        assert PROXY_PASSWORD not in text and 'wrong-pw-secret' not in text
    assert api_requests(server, SHOPS)  # the OMS itself answered, through the tunnel


def test_a_proxy_that_is_not_a_url_is_refused_without_showing_its_password():
    with pytest.raises(OmsApiError) as error:
        OmsClient('http://oms.example', token='x', proxy='socks5://relay:%s@proxy:1080' % PROXY_PASSWORD)
    assert 'proxy must be an http(s) URL' in str(error.value) and PROXY_PASSWORD not in str(error.value)


def test_an_unreachable_proxy_is_named_in_the_error_without_its_password(demo_oms, unused_port):
    proxy = 'http://%s:%s@127.0.0.1:%d' % (PROXY_USER, PROXY_PASSWORD, unused_port)
    with pytest.raises(OmsApiError) as error:
        client_for(demo_oms, proxy=proxy, retries=0).get(STORE)
    message = str(error.value)
    assert 'cannot go through the proxy http://********@127.0.0.1:%d' % unused_port in message
    assert PROXY_PASSWORD not in message and PROXY_USER not in message
    assert demo_oms.requests() == []


# --- a client certificate (mTLS) ----------------------------------------------------------------------------------

def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _issue(subject, key, issuer, issuer_key, ca=False, server=False):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if server:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]),
                                        critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _write(path, cert=None, key=None):
    if cert is not None:
        path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    else:
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(path)


@pytest.fixture(scope='module')
def mtls_oms(tmp_path_factory):
    """A demo OMS over HTTPS that requires a client certificate from its own CA; yields (server, files)."""
    folder = tmp_path_factory.mktemp('mtls')
    ca_key, server_key, client_key, stranger_key = (ec.generate_private_key(ec.SECP256R1()) for dummy in range(4))
    ca = _issue('test CA', ca_key, 'test CA', ca_key, ca=True)
    files = {
        'ca': _write(folder / 'ca.pem', ca),
        'server_cert': _write(folder / 'server.pem', _issue('127.0.0.1', server_key, 'test CA', ca_key, server=True)),
        'server_key': _write(folder / 'server.key', key=server_key),
        'client_cert': _write(folder / 'client.pem', _issue('release-bot', client_key, 'test CA', ca_key)),
        'client_key': _write(folder / 'client.key', key=client_key),
        'stranger_cert': _write(folder / 'stranger.pem', _issue('stranger', stranger_key, 'stranger', stranger_key)),
        'stranger_key': _write(folder / 'stranger.key', key=stranger_key),
    }
    server = OmsEmulator(seed='demo', certfile=files['server_cert'], keyfile=files['server_key'], client_ca=files['ca'])
    server.start()
    yield server, files
    server.stop()


def test_the_client_certificate_is_presented(mtls_oms):
    server, files = mtls_oms
    server.reset()
    client = client_for(server, ca_path=files['ca'], client_cert=files['client_cert'], client_key=files['client_key'])
    assert client.get(STORE)['productStoreId'] == 'STORE'
    assert [entry['client_cert'] for entry in server.requests()] == ['release-bot']


def test_without_a_client_certificate_the_error_says_to_give_one_and_is_not_retried(mtls_oms):
    server, files = mtls_oms
    server.reset()
    with pytest.raises(OmsApiError) as error:
        client_for(server, ca_path=files['ca'], retries=5).get(STORE)
    assert 'client certificate' in str(error.value) and 'client_cert' in str(error.value)
    assert server.requests() == []  # refused in the handshake, before any request


def test_a_client_certificate_the_server_does_not_trust_is_named(mtls_oms):
    server, files = mtls_oms
    server.reset()
    with pytest.raises(OmsApiError) as error:
        client_for(server, ca_path=files['ca'], client_cert=files['stranger_cert'], client_key=files['stranger_key']).get(STORE)
    assert 'refused the TLS client certificate' in str(error.value) and 'client_cert' in str(error.value)
    assert server.requests() == []


def test_a_ca_path_that_is_not_there_is_refused_before_sending(tls_oms, tmp_path):
    server, dummy = tls_oms
    before = len(server.requests())
    with pytest.raises(OmsApiError) as error:
        client_for(server, ca_path=str(tmp_path / 'no-such-ca.pem')).get(STORE)
    assert str(error.value) == ('ca_path: there is no file or folder %s (a PEM bundle of the CAs that sign the OMS '
                                'certificate is expected)' % (tmp_path / 'no-such-ca.pem'))
    assert len(server.requests()) == before


def test_a_missing_certificate_file_or_a_key_alone_is_refused_before_sending(tmp_path):
    with pytest.raises(OmsApiError, match='client_cert: cannot read the file'):
        OmsClient('https://oms.example', token='x', client_cert=str(tmp_path / 'none.pem'))
    with pytest.raises(OmsApiError, match='client_key is set without client_cert'):
        OmsClient('https://oms.example', token='x', client_key=str(tmp_path / 'none.key'))


# --- extra headers (an API gateway in front of the OMS) -----------------------------------------------------------

def test_extra_headers_reach_the_server_and_their_values_never_reach_output(demo_oms):
    demo_oms.configure(gateway_header='X-Gateway-Key: %s' % GATEWAY_KEY)
    with pytest.raises(OmsApiError) as refused:
        client_for(demo_oms).get(STORE)
    assert refused.value.status == 401  # the gateway lets nothing through without its header
    lines = []
    demo_oms.configure(gateway_header='X-Gateway-Key: %s' % GATEWAY_KEY)
    client = OmsClient(demo_oms.url, username='hotwax.admin', password=user_password(demo_oms, 'hotwax.admin'),
                       headers={'X-Gateway-Key': GATEWAY_KEY}, log=lines.append)
    assert client.get(STORE)['productStoreId'] == 'STORE'  # the login and the read both passed the gateway
    demo_oms.set_faults([{'kind': 'status', 'status': 400, 'path': 'productStores',
                          'body': json.dumps({'errors': 'bad request carrying X-Gateway-Key: %s' % GATEWAY_KEY})}])
    with pytest.raises(OmsApiError) as echoed:
        client.get(STORE)
    assert 'X-Gateway-Key' in str(echoed.value) and GATEWAY_KEY not in str(echoed.value)
    assert lines and not [line for line in lines if GATEWAY_KEY in line]


def test_the_client_says_who_it_is_and_asks_for_compressed_answers_unless_a_header_says_otherwise(demo_oms):
    with RecordingProxy() as proxy:
        client_for(demo_oms, proxy=proxy.url).get(STORE)
        client_for(demo_oms, proxy=proxy.url, headers={'user-agent': 'Gateway-Allowed/1'}).get(STORE)
    default, given = proxy.seen
    assert default['headers']['User-Agent'] == 'hotwax.oms (Ansible collection)'
    assert default['headers']['Accept-Encoding'] == 'gzip, deflate'
    assert given['header_names'].count('user-agent') == 1 and given['headers']['user-agent'] == 'Gateway-Allowed/1'


class _Redirecting(http.server.BaseHTTPRequestHandler):
    """Sends every call elsewhere, as a load balancer in front of an http:// URL does."""

    def _moved(self):
        self.server.seen.append(self.command)
        self.send_response(301)
        self.send_header('Location', 'https://acme-maarg.example.com' + self.path)
        self.send_header('Content-Length', '0')
        self.end_headers()

    do_GET = do_PUT = do_POST = _moved

    def log_message(self, *args):
        pass


def test_a_redirect_is_not_followed_and_the_error_names_where_the_oms_sends_the_call():
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Redirecting)
    server.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = OmsClient('http://127.0.0.1:%d' % server.server_address[1], token='token-secret-Qw3', retries=0)
        with pytest.raises(OmsApiError) as error:
            client.put(STORE, {'productStoreId': 'STORE', 'enableBrokering': 'N'})
        retries = client.retries_made
    finally:
        server.shutdown()
        server.server_close()
    assert str(error.value) == ('PUT /rest/s1/%s: HTTP 301: Moved Permanently (the OMS sends this call to '
                                'https://acme-maarg.example.com/rest/s1/%s: give https://acme-maarg.example.com as oms_url)'
                                % (STORE, STORE))
    assert server.seen == ['PUT'] and retries['count'] == 0  # sent once, not followed, no retry counted


def test_a_ca_bundle_the_environment_names_that_is_not_there_is_refused_naming_the_variable(tls_oms, tmp_path, monkeypatch):
    server, dummy = tls_oms
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', str(tmp_path / 'gone.pem'))
    with pytest.raises(OmsApiError) as error:
        client_for(server).get(STORE)
    assert str(error.value) == ('REQUESTS_CA_BUNDLE, in the environment, names no file or folder: %s; correct or unset '
                                'it, or give ca_path' % (tmp_path / 'gone.pem'))


def test_a_body_that_is_not_json_is_not_sent(demo_oms):
    before = len(demo_oms.requests())
    with pytest.raises(OmsApiError) as error:
        client_for(demo_oms).put(STORE, {'productStoreId': 'STORE', 'weight': float('nan')})
    assert str(error.value).startswith('PUT /rest/s1/%s: not sent, its body is not JSON' % STORE)
    assert len(demo_oms.requests()) == before


@pytest.mark.parametrize('name', ['Authorization', 'content-type', 'Cookie'])
def test_a_header_the_client_sets_itself_is_refused_naming_it(name):
    with pytest.raises(OmsApiError) as error:
        OmsClient('http://oms.example', token='x', headers={name: 'value', 'X-Fine': 'ok'})
    assert str(error.value).startswith('headers: %s is set by the collection itself' % name)
    assert 'remove %s from headers' % name in str(error.value)


# --- retries: counted, with their reasons, and a warning ----------------------------------------------------------

def test_retries_are_counted_with_their_reasons_and_warned_about(demo_oms):
    demo_oms.set_faults([{'kind': 'rate_limit', 'retry_after': 0, 'times': 2, 'path': 'productStores'},
                         {'kind': 'status', 'status': 503, 'times': 1, 'path': 'shopifyShops'}])
    client = client_for(demo_oms)
    assert client.retries_made == {'count': 0, 'reasons': {}} and client.retry_warning() is None
    client.get(STORE)
    client.get_all(SHOPS)
    assert len(api_requests(demo_oms, STORE)) == 3 and len(api_requests(demo_oms, SHOPS)) == 2
    assert client.retries_made == {'count': 3, 'reasons': {'HTTP 429': 2, 'HTTP 503': 1}}
    assert client.retry_warning() == 'the OMS needed 3 retries (2 x HTTP 429, 1 x HTTP 503): it is struggling'


def test_retry_action_ignore_counts_but_does_not_warn(demo_oms):
    demo_oms.set_faults([{'kind': 'drop', 'times': 1, 'path': 'productStores'}])
    client = client_for(demo_oms, retry_action='ignore')
    client.get(STORE)
    assert client.retries_made == {'count': 1, 'reasons': {'connection reset': 1}}
    assert client.retry_warning() is None


def test_a_retry_action_that_is_not_known_is_refused():
    with pytest.raises(OmsApiError, match="retry_action must be one of ignore, warn, got 'loud'"):
        OmsClient('http://oms.example', token='x', retry_action='loud')


# --- an OMS that accepts connections and never answers ------------------------------------------------------------

def test_a_call_without_an_answer_is_sent_again_once_only_and_says_what_it_waited_for(demo_oms):
    demo_oms.set_faults([{'kind': 'slow', 'ms': 3000, 'path': 'productStores'}])
    client = client_for(demo_oms, timeout=0.2, retries=5)
    with pytest.raises(OmsApiError) as error:
        client.get(STORE)
    assert len(api_requests(demo_oms, STORE)) == 2  # not 6: retries is for answers like 429 and 503
    assert str(error.value) == (
        'GET %s/rest/s1/%s: no answer within 0.2 seconds, twice (a call without an answer is sent again once only, so '
        '0.4 seconds waited in all)' % (demo_oms.url, STORE))
    assert error.value.outcome == 'unanswered'
    assert client.retries_made == {'count': 1, 'reasons': {'timeout': 1}}


def test_answers_keep_their_retries_after_a_silent_attempt(demo_oms):
    """503 and 429 answers use ``retries`` as before; only the unanswered attempts are limited to one retry."""
    demo_oms.set_faults([{'kind': 'slow', 'ms': 3000, 'times': 1, 'path': 'productStores'},
                         {'kind': 'status', 'status': 503, 'after': 1, 'times': 2, 'path': 'productStores'}])
    client = client_for(demo_oms, timeout=0.2, retries=5)
    assert client.get(STORE)['productStoreId'] == 'STORE'
    assert [entry['status'] for entry in api_requests(demo_oms, STORE)][1:] == [503, 503, 200]
    assert client.retries_made == {'count': 3, 'reasons': {'timeout': 1, 'HTTP 503': 2}}


def test_with_retries_0_a_silent_call_is_not_sent_again(demo_oms):
    demo_oms.set_faults([{'kind': 'slow', 'ms': 3000, 'path': 'productStores'}])
    with pytest.raises(OmsApiError) as error:
        client_for(demo_oms, timeout=0.2, retries=0).get(STORE)
    assert 'no answer within 0.2 seconds (not sent again: retries is 0)' in str(error.value)
    assert len(api_requests(demo_oms, STORE)) == 1


# --- one line per request (-vvv) and progress (-v) ----------------------------------------------------------------

def test_one_log_line_per_request_with_status_time_and_retries_and_no_secret(demo_oms):
    lines = []
    demo_oms.set_faults([{'kind': 'rate_limit', 'retry_after': 0, 'times': 2, 'path': 'productStores'}])
    client = OmsClient(demo_oms.url, username='hotwax.admin', password=user_password(demo_oms, 'hotwax.admin'),
                       log=lines.append)
    client.get(STORE)
    client.get('oms/shopifyShops/shops', params={'shopId': 'SHOP', 'accessToken': 'shpat-secret-in-a-query'})
    client.put(STORE, {'productStoreId': 'STORE', 'enableBrokering': 'Y'})
    assert len(lines) == 4  # login, two reads, one write: one line each, retries folded into their request's line
    pattern = (r'^(POST /rest/s1/admin/login|GET /rest/s1/admin/productStores/STORE|'
               r'GET /rest/s1/oms/shopifyShops/shops\?shopId=SHOP&accessToken=\*{8}|PUT /rest/s1/admin/productStores/STORE)'
               r' -> 200 in \d+ ms( \(2 retries: HTTP 429, HTTP 429\))?$')
    for line in lines:
        assert re.match(pattern, line), line
    assert lines[1].endswith('(2 retries: HTTP 429, HTTP 429)')
    for secret in demo_oms.secrets() + ['shpat-secret-in-a-query', user_password(demo_oms, 'hotwax.admin')]:
        assert not [line for line in lines if secret in line]


def test_a_request_without_an_answer_has_its_log_line_too(demo_oms):
    lines = []
    demo_oms.set_faults([{'kind': 'slow', 'ms': 3000, 'path': 'productStores'}])
    with pytest.raises(OmsApiError):
        client_for(demo_oms, timeout=0.2, log=lines.append).get(STORE)
    assert len(lines) == 1
    assert re.match(r'^GET /rest/s1/admin/productStores/STORE -> no answer in \d+ ms \(1 retry: timeout\)$', lines[0]), lines[0]


def test_progress_a_line_per_page_walked_and_per_hundred_writes(fleet_oms):
    shop_count = len(fleet_oms.query('SELECT shopId FROM ShopifyShop'))
    lines = []
    client = client_for(fleet_oms, progress=lines.append)
    rows = client.get_all(SHOPS)
    pages = [line for line in lines if line.startswith('GET /rest/s1/%s: page ' % SHOPS)]
    assert len(rows) == shop_count and pages
    assert sum(int(line.split('(')[1].split(' ')[0]) for line in pages) == shop_count
    del lines[:]
    store_ids = [row['productStoreId'] for row in fleet_oms.query('SELECT productStoreId FROM ProductStore')]
    writes = [store_ids[index % len(store_ids)] for index in range(205)]

    def write(store):
        return client.put('admin/productStores/' + store, {'productStoreId': store, 'enableBrokering': 'Y'})

    client.map_parallel(write, writes)
    assert lines == ['100 writes answered', '200 writes answered']


# --- the options through a module --------------------------------------------------------------------------------

def test_a_module_goes_through_the_proxy_gateway_and_client_certificate_and_shows_no_secret(
        demo_oms, mtls_oms, run_playbook):
    server, files = mtls_oms
    server.reset()
    demo_oms.configure(gateway_header='X-Gateway-Key: %s' % GATEWAY_KEY)
    with RecordingProxy(needs_credentials=True) as proxy:
        authed = proxy.url.replace('http://', 'http://%s:%s@' % (PROXY_USER, PROXY_PASSWORD))
        tasks = '''
- name: Read through the proxy and the gateway
  hotwax.oms.hotwax_order_brokering_info:
    product_store_ids: [STORE]
    proxy: "%s"
    headers: {X-Gateway-Key: "%s"}
    retry_action: ignore
- name: Read with a client certificate
  hotwax.oms.hotwax_order_brokering_info:
    oms_url: %s
    product_store_ids: [STORE]
    ca_path: %s
    client_cert: %s
    client_key: %s
''' % (authed, GATEWAY_KEY, server.url, files['ca'], files['client_cert'], files['client_key'])
        run = run_playbook(play(demo_oms, tasks), '-vvv')
    assert run.returncode == 0, run.output
    assert run.result('Read through the proxy and the gateway')['product_stores'][0]['product_store_id'] == 'STORE'
    assert proxy.seen and all(seen['url'].startswith(demo_oms.url) for seen in proxy.seen)
    assert [entry['status'] for entry in demo_oms.requests()] == [200] * len(proxy.seen)
    assert set(entry['client_cert'] for entry in server.requests()) == {'release-bot'}
    for secret in (PROXY_PASSWORD, GATEWAY_KEY, files['client_key']):
        assert secret not in run.output and secret not in json.dumps(run.results)
