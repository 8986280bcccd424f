"""The connection options over real HTTP: proxy, client certificate (mTLS), extra headers, retries counted and
reported, the bound on an OMS that never answers, and the per-request log and progress lines."""

import base64
import datetime
import http.client
import http.server
import ipaddress
import threading
import urllib.parse

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.hotwax.oms.plugins.module_utils.oms_client import OmsApiError, OmsClient
from tests.emulator.oms_emulator import OmsEmulator
from tests.helpers import admin_token, user_password

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
    """Forwards absolute-URI requests (plain http) and records each one; asks for Basic credentials when given."""

    protocol_version = 'HTTP/1.1'

    def _forward(self):
        proxy = self.server.proxy
        body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
        proxy.seen.append({'method': self.command, 'url': self.path, 'headers': dict(self.headers)})
        wanted = 'Basic ' + base64.b64encode(('%s:%s' % (PROXY_USER, PROXY_PASSWORD)).encode()).decode()
        if proxy.needs_credentials and self.headers.get('Proxy-Authorization') != wanted:
            self.send_response(407)
            self.send_header('Proxy-Authenticate', 'Basic realm="test"')
            self.send_header('Content-Length', '0')
            self.end_headers()
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


def test_requests_go_through_the_proxy_even_if_the_environment_names_another(demo_oms, monkeypatch):
    monkeypatch.setenv('HTTP_PROXY', 'http://127.0.0.1:9')  # nothing listens there: the option must win
    monkeypatch.setenv('NO_PROXY', '')
    with RecordingProxy() as proxy:
        shops = client_for(demo_oms, proxy=proxy.url).get_all(SHOPS)
    assert [shop['shopId'] for shop in shops] == ['SHOP']
    assert [seen['url'] for seen in proxy.seen] == ['%s/rest/s1/%s?pageSize=500&pageIndex=0' % (demo_oms.url, SHOPS)]
    assert len(api_requests(demo_oms, SHOPS)) == 1


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
    assert 'HTTP 407' in message and 'the proxy asks for credentials' in message
    for text in [message] + lines:
        assert PROXY_PASSWORD not in text and 'wrong-pw-secret' not in text


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


@pytest.fixture
def unused_port():
    import socket
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


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


def test_a_missing_certificate_file_or_a_key_alone_is_refused_before_sending(tmp_path):
    with pytest.raises(OmsApiError, match='client_cert: cannot read the file'):
        OmsClient('https://oms.example', token='x', client_cert=str(tmp_path / 'none.pem'))
    with pytest.raises(OmsApiError, match='client_key is set without client_cert'):
        OmsClient('https://oms.example', token='x', client_key=str(tmp_path / 'none.key'))
