# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one HTTP client of the collection: talks to the HotWax OMS (Maarg) REST API.

Every module goes through OmsClient. It owns authentication, retries, paging, the
two list shapes of the API and the removal of secrets from everything it returns.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import json
import os
import re
import socket
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor

try:
    from urllib.parse import unquote, urlencode
except ImportError:  # pragma: no cover - Python 2 is not supported by ansible-core 2.19
    from urllib import unquote, urlencode

try:
    # requests' own rules for the process environment (proxies, NO_PROXY, the CA bundle) and urllib3, which it sends
    # with, for every call: a requests Session costs twice the CPU per call, which a rollback's hundreds of writes feel.
    import requests.utils
    import urllib3
    from urllib3.exceptions import (HTTPError as Urllib3Error, MaxRetryError, NameResolutionError, NewConnectionError,
                                    ProtocolError, ProxyError as Urllib3ProxyError, SSLError as Urllib3SSLError,
                                    TimeoutError as Urllib3TimeoutError)
    from urllib3.util.retry import Retry
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the module as a missing library
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc
    Retry = object

REQUIRED_LIBRARIES = 'requests and urllib3 (2 or later)'  # what the import above needs, as a missing library is named
API_PREFIX = '/rest/s1/'
PAGE_SIZE = 500  # the server honours a given pageSize (HotWax's own apps ask for 200 to 1000): fewer requests
SMALLEST_SERVER_PAGE = 20  # Moqui's own page: what a server that ignores pageSize answers (tests/emulator/README.md)
MAX_PAGES = 1000  # a hard cap on one list walk, against a server that never ends a list
LOGIN_PATH = 'admin/login'
# Servers older than Maarg 4.4.0 log in at the OrderRouting component's route, the same service (tests/emulator/README.md)
OLD_LOGIN_PATH = 'order-routing/login'
RETRY_STATUSES = (429, 502, 503, 504)
MAX_RETRY_AFTER = 60  # seconds; a longer Retry-After would stall a rollback, so it is capped
PARALLEL_REQUESTS = 8  # writes in flight at once: fast, yet gentle on a struggling server
# what the OMS's access log shows for these calls, and the compressed answers a large list is worth; headers may
# replace either
DEFAULT_HEADERS = {'User-Agent': 'hotwax.oms (Ansible collection)', 'Accept-Encoding': 'gzip, deflate'}
GONE_AFTER = 3  # requests in a row without any answer (after their retries): the OMS is gone, stop sending
ERROR_TEXT_LIMIT = 300
TLS_PROBE_TIMEOUT = 3  # seconds
# A call the OMS accepted but did not answer within ``timeout`` is sent again at most this often (429, 503 and the
# other answers keep ``retries``): an OMS that never answers fails a call within 2 x timeout, 60 s by default.
UNANSWERED_RETRIES = 1
RETRY_ACTIONS = ('ignore', 'warn')
# Headers the client sets itself: the credential, the JSON it sends and wants, the framing, no cookie (see _NoCookies)
CLIENT_HEADERS = ('authorization', 'content-type', 'accept', 'content-length', 'host', 'cookie', 'transfer-encoding')
HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
WRITES_PER_PROGRESS = 100  # a progress line per this many writes
MASK = '********'
# TLS alerts a server sends about the client certificate: asked for and missing, or not trusted
CLIENT_CERT_ALERT = re.compile(r'alert (certificate required|unknown ca|bad certificate|certificate unknown|'
                               r'certificate expired|certificate revoked|access denied)', re.IGNORECASE)

# Rows carry decrypted credentials (accessToken, sharedSecret, password, privateKey, publicKey: a remote sends it
# as an api_key header, ...). Any key that
# looks like one is removed as soon as a response is parsed, so nothing above the client sees it.
SECRET_KEY = re.compile(r'password|secret|token|credential|api_?key|private_?key|public_?key', re.IGNORECASE)

# OmsApiError.outcome: what is known of a request that failed.
ANSWERED = 'answered'  # the OMS answered with an error status: a write was not applied
UNANSWERED = 'unanswered'  # sent, but no answer came (dropped, timed out): a write may have been applied
NOT_SENT = 'not_sent'  # never sent (the OMS was already gone, or the server cannot be talked to at all)


class OmsApiError(Exception):
    """A failed OMS call: says what was called, what came back, and never a secret."""

    def __init__(self, message, method=None, path=None, status=None, outcome=None, login_failed=False, meaning=None):
        super(OmsApiError, self).__init__(message)
        self.meaning = meaning  # of a 403: permission refused (to whom), or perhaps an expired token
        self.method = method
        self.path = path
        self.status = status
        self.login_failed = login_failed  # the OMS refused the login: nothing more may be sent with these credentials
        if outcome is None:
            outcome = ANSWERED if status is not None else UNANSWERED
        self.outcome = outcome


class _Answer:
    """An HTTP answer, as the client reads it: status, headers (any case), reason and body, parsed as JSON on demand.

    No cookie is kept or sent back: every request authenticates by its own header, and a request carrying the
    server's session cookie would need a CSRF token on every write (tests/emulator/README.md).
    """

    __slots__ = ('status_code', 'headers', 'reason', 'content')

    def __init__(self, raw):
        self.status_code, self.headers, self.reason, self.content = raw.status, raw.headers, raw.reason, raw.data

    def json(self):
        return json.loads(self.content)  # ValueError when it is not JSON


class _Unmendable(Exception):
    """A connection failure that no retry can mend; its message is the advice for the user."""


_TLS_PORTS = {}  # (host, port) -> whether it completes a TLS handshake; probed once per process
_TLS_PORTS_LOCK = threading.Lock()


def _speaks_tls(host, port):
    """Whether the server at host:port completes a TLS handshake (without verifying its certificate)."""
    with _TLS_PORTS_LOCK:
        if (host, port) in _TLS_PORTS:
            return _TLS_PORTS[(host, port)]
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection((host, port), timeout=TLS_PROBE_TIMEOUT) as raw:
            with context.wrap_socket(raw, server_hostname=host):
                answer = True
    except (OSError, ValueError):
        answer = False
    with _TLS_PORTS_LOCK:
        _TLS_PORTS[(host, port)] = answer
    return answer


def _unmendable(error, pool):
    """The advice for a connection error a retry cannot mend, or None when retrying may help."""
    if isinstance(error, NameResolutionError):
        host = getattr(pool, 'host', None) or 'the host'
        return 'the host name %s does not resolve: check the host name in oms_url' % host
    if isinstance(error, Urllib3SSLError):
        if any(isinstance(arg, ssl.CertificateError) for arg in error.args):
            return None  # reported as a certificate failure, with ca_path advice, by the caller
        if 'WRONG_VERSION_NUMBER' in str(error) or 'record layer failure' in str(error):
            return 'the server speaks plain HTTP, not HTTPS: use http:// in oms_url'
        refusal = CLIENT_CERT_ALERT.search(str(error))
        if refusal and getattr(pool, 'cert_file', None):
            return ('the server refused the TLS client certificate (%s): check client_cert and client_key, and that '
                    'the OMS trusts the CA that signed them' % refusal.group(0))
        if refusal:
            return ('the server asks for a TLS client certificate (%s): set client_cert and client_key'
                    % refusal.group(0))
    through_proxy = bool(getattr(pool, 'proxy', None))  # through a proxy, the port to probe is not the OMS's
    plain_http = isinstance(error, ProtocolError) and getattr(pool, 'scheme', None) == 'http' and not through_proxy
    if plain_http and _speaks_tls(pool.host, pool.port):
        return 'the server speaks HTTPS on this port: use https:// in oms_url'
    return None


def _unanswered(error):
    """Whether an attempt got no answer within its timeout (connected, or still connecting, and then silence)."""
    return isinstance(error, Urllib3TimeoutError) and not isinstance(error, NewConnectionError)


def retries_said(count, reasons):
    """``3 retries (2 x HTTP 429, 1 x HTTP 503)``: a count of retries and their reasons, the most frequent first."""
    why = ', '.join('%d x %s' % (times, reason) for reason, times in sorted(reasons.items(), key=lambda item: (-item[1], item[0])))
    return '%d %s (%s)' % (count, 'retry' if count == 1 else 'retries', why)


def retry_reason(response=None, error=None):
    """Why an attempt is retried, as counted in ``OmsClient.retries_made``: ``HTTP 429``, ``timeout``..."""
    if response is not None and error is None:
        return 'HTTP %s' % response.status
    if isinstance(error, NewConnectionError):
        return 'connection refused'
    if _unanswered(error):
        return 'timeout'
    if isinstance(error, Urllib3ProxyError):
        return 'proxy error'
    if isinstance(error, ProtocolError):
        return 'connection reset'
    if isinstance(error, Urllib3SSLError):
        return 'TLS error'
    return type(error).__name__


class _CappedRetry(Retry):
    """urllib3's Retry, with the server's Retry-After capped at MAX_RETRY_AFTER seconds.

    Errors a retry cannot mend (a certificate that failed verification, TLS to a plain-HTTP port, plain HTTP
    to a TLS port, a host name that does not resolve) are not retried: they would fail the same way every time.
    An attempt without an answer within the timeout is retried at most UNANSWERED_RETRIES times. ``on_retry``
    (carried to every copy urllib3 makes) hears the reason of each retry made.
    """

    on_retry = None

    def new(self, **kw):
        retry = super(_CappedRetry, self).new(**kw)
        retry.on_retry = self.on_retry
        return retry

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        if isinstance(error, Urllib3SSLError) and any(isinstance(arg, ssl.CertificateError) for arg in error.args):
            raise MaxRetryError(_pool, url, reason=error)
        if error is not None:
            advice = _unmendable(error, _pool)
            if advice:
                raise MaxRetryError(_pool, url, reason=_Unmendable(advice))
        if _unanswered(error) and sum(1 for past in self.history if _unanswered(past.error)) >= UNANSWERED_RETRIES:
            raise MaxRetryError(_pool, url, reason=error)
        retry = super(_CappedRetry, self).increment(method, url, response, error, _pool, _stacktrace)
        if self.on_retry:
            self.on_retry(retry_reason(response, error))
        return retry

    def get_retry_after(self, response):
        seconds = super(_CappedRetry, self).get_retry_after(response)
        return None if seconds is None else min(seconds, MAX_RETRY_AFTER)


def strip_secrets(value):
    """Return a copy of a parsed JSON value without any secret-looking key."""
    if isinstance(value, dict):
        return dict((k, strip_secrets(v)) for k, v in value.items() if not _secret_key(k))
    if isinstance(value, list):
        return [strip_secrets(item) for item in value]
    return value


@functools.lru_cache(maxsize=1024)
def _secret_key(key):
    """Whether a JSON key looks like a secret's; the answers repeat the same few keys on every row."""
    return bool(SECRET_KEY.search(key))


def _list_key(data):
    keys = [key for key, value in data.items() if key.endswith('List') and isinstance(value, list)]
    return keys[0] if len(keys) == 1 else None


def list_rows(data):
    """Rows of a list answer: a bare array, or an object that wraps it as ``<entity>List`` (both shapes exist).

    A single object that merely holds a list (a shop with its ``shopifyConfig``) is not a list answer.
    """
    if data is None:
        return []
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        key = _list_key(data)
        if key:
            return data[key]
    raise ValueError('expected a list of rows, got %s' % type(data).__name__)


def body_count(data):
    """The total a wrapped list answer states in its body (``<entity>Count`` beside ``<entity>List``), or None."""
    if not isinstance(data, dict):
        return None
    key = _list_key(data)
    count = data.get(key[:-len('List')] + 'Count') if key else None
    if isinstance(count, bool):
        return None
    if isinstance(count, int) or (isinstance(count, str) and count.isdigit()):
        return int(count)
    return None


class PagingError(Exception):
    """A list walk that cannot be trusted to be complete."""


# The key that names a row of each list the collection walks; a row with none of them is named by its whole content.
# Order matters: a routing group also carries a productStoreId, a shop a productStoreId.
ROW_ID_KEYS = ('systemMessageRemoteId', 'jobName', 'routingGroupId', 'shopId', 'enumId', 'productStoreId')


def _row_identity(row):
    if isinstance(row, dict):
        for key in ROW_ID_KEYS:
            if row.get(key) is not None:
                return '%s=%s' % (key, row[key])
    return json.dumps(row, sort_keys=True, default=str)


def walk_pages(fetch, parallel_map=None, page_size=PAGE_SIZE, max_pages=MAX_PAGES, second_page_ahead=False):
    """Every row of a paged list, or PagingError; never a partial list.

    ``fetch(index, size)`` returns one page as ``(rows, header_total, body_count)``: the ``X-Total-Count`` header,
    and the ``<entity>Count`` of a wrapped body, each None when absent.

    Only the header is a total to stop on (Moqui's entity lists set it from a count query): the remaining pages are
    asked for side by side and the rows must add up to it. A body count's meaning is private (the total, or the
    page's rows), so it never ends a walk alone: like a list without any count, the walk goes
    on until a page adds no row (an empty page), which is one request more than the rows need. A page shorter than
    asked is not the end (a server that ignores pageSize answers its own 20 rows): the next pages are asked at the
    size it answered, so no row is skipped. A page that only repeats rows means the server ignores pageIndex; the
    list has then ended only if it is shorter than any page a server answers, or shorter than asked from a server
    that honours pageSize (one more request tells), else the walk fails. A walk past ``max_pages`` fails, and so
    does one that ends with fewer rows than a body count states.

    ``second_page_ahead``, for a list known to carry no total: the second page is asked for beside the first, at
    the same size, rather than after it at the size the first answered. It is the same page whichever way the server
    pages (it honours pageSize; it caps it; it ignores it and answers its own size), so the walk makes the same
    requests, one round trip sooner (one request more only where the first page ends the walk: an empty list, or a
    stated total the first page holds).
    """
    parallel_map = parallel_map or (lambda func, items: [func(item) for item in items])
    ahead = None
    if second_page_ahead:
        (rows, total, stated), ahead = parallel_map(lambda index: fetch(index, page_size), [0, 1])
        ahead = ahead[0]
    else:
        rows, total, stated = fetch(0, page_size)
    rows = list(rows)

    def second_page(size):
        return ahead if ahead is not None else fetch(1, size)[0]
    seen = set(_row_identity(row) for row in rows)

    def add(index, page):
        new = [row for row in page if _row_identity(row) not in seen]
        seen.update(_row_identity(row) for row in new)
        rows.extend(new)
        return new

    def repeats(index):
        return PagingError('page %d repeats rows already seen, so the server ignores pageIndex; the list cannot be '
                           'walked (%d rows seen)' % (index, len(rows)))

    if total is not None:
        if len(rows) >= total:
            return rows
        if not rows:
            raise PagingError('the first page is empty, yet the server states %d rows' % total)
        size = min(page_size, len(rows))  # fewer than asked: the server pages at its own size
        pages = (total + size - 1) // size
        if pages > max_pages:
            raise PagingError('%d rows at %d a page is more than %d pages' % (total, size, max_pages))
        second = second_page(size)  # one page first: a server that ignores pageIndex is caught after two requests
        if second and not add(1, second):
            raise repeats(1)
        for index, page in zip(range(2, pages), parallel_map(lambda i: fetch(i, size)[0], range(2, pages))):
            if page and not add(index, page):
                raise repeats(index)
        if len(rows) < total:
            raise PagingError('only %d of the %d rows the server states were returned' % (len(rows), total))
        return rows

    if not rows:
        return rows
    size = min(page_size, len(rows))  # maybe the end, maybe a server that ignores pageSize: the next page tells
    for index in range(1, max_pages):
        page = second_page(size) if index == 1 else fetch(index, size)[0]
        if not page:
            break
        if not add(index, page):
            # A server that ignores pageIndex: the list has ended if it is shorter than any page a server answers, or
            # if the first page was shorter than asked and the server honours pageSize (a smaller page tells)
            if len(rows) < SMALLEST_SERVER_PAGE or (
                    index == 1 and size < page_size and len(fetch(0, size - 1)[0]) == size - 1):
                break
            raise repeats(index)
    else:
        raise PagingError('still more rows after %d pages of %d: the list keeps growing' % (max_pages, size))
    if stated is not None and len(rows) < stated:
        raise PagingError('only %d of the %d rows the server states were returned' % (len(rows), stated))
    return rows


def _masked_url(url):
    """``url`` with the credentials it carries (``user:password@``) masked."""
    return re.sub(r'^([a-zA-Z][a-zA-Z0-9+.-]*://)[^@/]*@', r'\1%s@' % MASK, url or '')


def _proxy_secrets(proxy):
    """The credentials a proxy URL carries (``user:password``, the password), as written and decoded."""
    userinfo = re.match(r'^[^:/]+://([^@/]*)@', proxy or '')
    if not userinfo:
        return []
    secrets = [userinfo.group(1)] + userinfo.group(1).split(':', 1)[1:]
    return secrets + [unquote(secret) for secret in secrets]


def _checked_proxies(proxy):
    """The ``proxies`` of every request for ``proxy``, or None to keep the process environment's settings."""
    if not proxy:
        return None
    if not re.match(r'^https?://[^/\s]+', proxy):
        raise OmsApiError('proxy must be an http(s) URL such as http://proxy.example.com:3128 (credentials may go '
                          'before the host: http://user:password@proxy.example.com:3128), got %r' % _masked_url(proxy))
    return {'http': proxy, 'https': proxy}


def _checked_cert(client_cert, client_key):
    """The ``cert`` of every request: the client certificate, with its key when that is a file of its own."""
    if client_key and not client_cert:
        raise OmsApiError('client_key is set without client_cert: give the client certificate (PEM) in client_cert')
    if not client_cert:
        return None
    if not os.access(client_cert, os.R_OK) or not os.path.isfile(client_cert):
        raise OmsApiError('client_cert: cannot read the file %s (a PEM certificate is expected)' % client_cert)
    if not client_key:
        return client_cert
    if not os.access(client_key, os.R_OK) or not os.path.isfile(client_key):
        raise OmsApiError('client_key: cannot read the file given (an unencrypted PEM private key is expected)')
    return (client_cert, client_key)


def _checked_headers(headers):
    """Extra request headers as strings; refuses a header the client sets itself, naming it."""
    checked = {}
    for name, value in (headers or {}).items():
        name = str(name)
        if not HEADER_NAME.match(name):
            raise OmsApiError('headers: %r is not a valid HTTP header name' % name)
        if name.lower() in CLIENT_HEADERS:
            raise OmsApiError('headers: %s is set by the collection itself (the credential comes from token or '
                              'username and password, and the OMS speaks JSON); remove %s from headers'
                              % (name, name))
        if value is None or isinstance(value, (dict, list, bool)):
            raise OmsApiError('headers: the value of %s must be a string' % name)
        value = str(value)
        if '\r' in value or '\n' in value:
            raise OmsApiError('headers: the value of %s holds a line break' % name)
        checked[name] = value
    return checked


class OmsClient:
    """A keep-alive session to one OMS, authenticated by a token or by username and password.

    Retries (urllib3): 429 honouring Retry-After, 502, 503, 504, dropped connections and
    timeouts, at most ``retries`` times with exponential backoff; an attempt without an answer within
    ``timeout`` is sent again at most once (UNANSWERED_RETRIES). Every retry is counted with its reason
    (``retries_made``, ``retry_warning``). On a login session a 401 or
    403 to a token from an earlier login means the token expired: the client logs in again and
    repeats the request, as often as tokens expire. After GONE_AFTER requests in a row got no
    answer at all, the OMS counts as gone and every later request fails at once.

    ``proxy``, ``client_cert``/``client_key`` and ``headers`` are passed with every request (so the process
    environment's proxy settings do not win over ``proxy``). ``log(line)``, if given, hears one line per request
    (method, path, status, milliseconds, retries; no secret), for ``-vvv``; ``progress(line)`` one line per page of
    a list walked and per WRITES_PER_PROGRESS writes, for ``-v``.
    """

    def __init__(self, oms_url, token=None, username=None, password=None,
                 validate_certs=True, ca_path=None, timeout=30, retries=5,
                 proxy=None, client_cert=None, client_key=None, headers=None, retry_action='warn',
                 log=None, progress=None):
        if not HAS_REQUESTS:
            raise OmsApiError('the Python libraries %s are required: %s' % (REQUIRED_LIBRARIES, REQUESTS_IMPORT_ERROR))
        if not re.match(r'^https?://[^/\s]+', oms_url or ''):
            raise OmsApiError("oms_url must be an http(s) URL such as https://acme-maarg.hotwax.io, got %r" % oms_url)
        if not token and not (username and password):
            raise OmsApiError('give either token, or username and password')
        if retry_action not in RETRY_ACTIONS:
            raise OmsApiError('retry_action must be one of %s, got %r' % (', '.join(RETRY_ACTIONS), retry_action))
        self.base_url = base_url(oms_url)
        self.timeout = timeout
        self.retries = retries
        self.retry_action = retry_action
        self._token = token
        self._username = username
        self._password = password
        self._proxy = proxy or None
        self._proxies = _checked_proxies(self._proxy)
        self._cert = _checked_cert(client_cert, client_key)
        self._headers = _checked_headers(headers)
        self._log = log
        self._progress = progress
        self._auth_lock = threading.Lock()
        self._login_path = LOGIN_PATH
        self._login_error = None  # a failed login is final: sent once, however many readers wait for it
        self._read_ok = False  # a GET was answered 2xx: a later 403 on a write is about permission, not the credential
        self._accepted_tokens = set()  # login tokens the OMS accepted at least once: a later refusal means expiry
        self._gone_lock = threading.Lock()
        self._unanswered_in_a_row = 0
        self._gone = None  # the message once the OMS is gone
        self._count_lock = threading.Lock()
        self._retry_reasons = {}  # reason -> retries made for it, over the client's life
        self._writes_sent = 0
        self._this_call = threading.local()  # the retries of the request the current thread is sending
        # The process environment is read once, here, by requests' rules: its proxies and NO_PROXY, and without
        # ca_path REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE, else requests' CA bundle. No ~/.netrc: the credential is ours.
        if self._proxies is None:
            self._proxies = requests.utils.get_environ_proxies(self.base_url)
        self._verify = ca_path if (validate_certs and ca_path) else bool(validate_certs)
        if self._verify is not True and self._verify and not os.path.exists(self._verify):
            raise OmsApiError('ca_path: there is no file or folder %s (a PEM bundle of the CAs that sign the OMS '
                              'certificate is expected)' % self._verify)
        if self._verify is True:
            for variable in ('REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'):
                bundle = os.environ.get(variable)
                if bundle and not os.path.exists(bundle):
                    raise OmsApiError('%s, in the environment, names no file or folder: %s; correct or unset it, or '
                                      'give ca_path' % (variable, bundle))
                if bundle:
                    self._verify = bundle
                    break
            else:
                self._verify = requests.utils.DEFAULT_CA_BUNDLE_PATH
        self._retry = _CappedRetry(
            total=retries, connect=retries, read=retries, status=retries, other=retries,
            status_forcelist=RETRY_STATUSES, allowed_methods=None, backoff_factor=0.5,
            respect_retry_after_header=True, raise_on_status=False)
        self._retry.on_retry = self._count_retry
        self._timeout = urllib3.Timeout(connect=timeout, read=timeout)
        self._pool = self._connection_pool()
        given = set(name.lower() for name in self._headers)  # a gateway may want its own User-Agent: it wins
        self._base_headers = dict((name, value) for name, value in DEFAULT_HEADERS.items() if name.lower() not in given)
        self._base_headers.update(self._headers, Accept='application/json')

    def _connection_pool(self):
        """The keep-alive connections to the OMS, at most PARALLEL_REQUESTS, through the proxy when there is one."""
        tls = {}
        if self.base_url.startswith('https://'):
            if self._verify is False:
                tls['cert_reqs'] = 'CERT_NONE'
            else:
                tls['cert_reqs'] = 'CERT_REQUIRED'
                tls['ca_cert_dir' if os.path.isdir(self._verify) else 'ca_certs'] = self._verify
            if self._cert:
                cert_file, key_file = self._cert if isinstance(self._cert, tuple) else (self._cert, None)
                tls.update(cert_file=cert_file, key_file=key_file)
        proxy = requests.utils.select_proxy(self.base_url, self._proxies)
        if not proxy:
            return urllib3.PoolManager(num_pools=1, maxsize=PARALLEL_REQUESTS, **tls)
        proxy = requests.utils.prepend_scheme_if_needed(proxy, 'http')  # HTTPS_PROXY=proxy:3128, as requests reads it
        if not re.match(r'^https?://', proxy, re.IGNORECASE):
            raise OmsApiError('the proxy %s, from the environment, is not an HTTP proxy (SOCKS is not supported): set '
                              'proxy to an http:// proxy, or add the OMS host to NO_PROXY' % _masked_url(proxy))
        username, password = requests.utils.get_auth_from_url(proxy)
        proxy_headers = None
        if username:
            credentials = urllib3.make_headers(proxy_basic_auth='%s:%s' % (username, password))['proxy-authorization']
            proxy_headers = {'Proxy-Authorization': credentials}
        return urllib3.ProxyManager(proxy, num_pools=1, maxsize=PARALLEL_REQUESTS, proxy_headers=proxy_headers, **tls)

    # --- retries made -----------------------------------------------------------------

    def _count_retry(self, reason):
        with self._count_lock:
            self._retry_reasons[reason] = self._retry_reasons.get(reason, 0) + 1
        getattr(self._this_call, 'retries', []).append(reason)

    @property
    def retries_made(self):
        """``{'count': N, 'reasons': {'HTTP 429': 12, 'timeout': 1, ...}}``: every retry this client made, and why."""
        with self._count_lock:
            reasons = dict(self._retry_reasons)
        return {'count': sum(reasons.values()), 'reasons': reasons}

    def retry_warning(self):
        """The warning that the OMS needed retries (``retry_action: warn``), or None (none made, or ``ignore``)."""
        made = self.retries_made
        if not made['count'] or self.retry_action != 'warn':
            return None
        return 'the OMS needed %s: it is struggling' % retries_said(made['count'], made['reasons'])

    # --- authentication -------------------------------------------------------------

    def _login(self, stale_token):
        """Log in, unless another thread already replaced ``stale_token``; return (token, issued by this call).

        A refused login is sent once: it is kept and raised again for every later call of this client, so a wrong
        password costs one login request, not one per reader (an OMS may lock an account after a few).
        """
        with self._auth_lock:
            if self._login_error:
                raise self._login_error
            if self._token and self._token != stale_token:
                return self._token, False
            try:
                self._token = self._login_request()
            except OmsApiError as exc:
                if exc.outcome == ANSWERED:
                    exc.login_failed = True
                    self._login_error = exc
                raise
            return self._token, True

    def _login_request(self):
        """POST the username and password; return the token. Servers without admin/login get order-routing/login."""
        body = {'username': self._username, 'password': self._password}
        response = self._send('POST', self._login_path, json_body=body, token=None)
        if response.status_code == 404 and self._login_path == LOGIN_PATH:
            self._login_path = OLD_LOGIN_PATH
            response = self._send('POST', self._login_path, json_body=body, token=None)
            if response.status_code == 404:
                raise self._error('POST', self._login_path, response, prefix='login as %r failed: this OMS has neither '
                                  '%s%s nor %s%s' % (self._username, API_PREFIX, LOGIN_PATH, API_PREFIX, OLD_LOGIN_PATH),
                                  hint='give a token from Settings > JWT Tokens instead of a username and password')
        path = self._login_path
        if response.status_code != 200:
            if response.status_code in (400, 401, 403):
                raise self._error('POST', path, response,
                                  prefix='login as %r failed: the OMS refused the username or password' % self._username,
                                  hint='nothing more was sent to the OMS: check the password before running again, '
                                       'as an OMS may lock an account after a few refused logins')
            raise self._error('POST', path, response, prefix='login as %r failed' % self._username)
        try:
            token = response.json()['token']
        except (ValueError, KeyError, TypeError):
            raise OmsApiError('login as %r answered without a token (a user with a second factor cannot log in '
                              'here: use a token from Settings > JWT Tokens)' % self._username,
                              method='POST', path=path, status=response.status_code)
        if not token:
            raise OmsApiError('login as %r answered without a token' % self._username,
                              method='POST', path=path, status=response.status_code)
        return token

    # --- requests --------------------------------------------------------------------

    def _send(self, method, path, params=None, json_body=None, token=None):
        if self._gone:
            raise OmsApiError('%s %s%s: not sent, %s' % (method, API_PREFIX, path, self._gone),
                              method=method, path=path, outcome=NOT_SENT)
        headers = dict(self._base_headers)
        if token:
            headers['Authorization'] = 'Bearer %s' % token
        body = None
        if json_body is not None:
            try:
                body = json.dumps(json_body, allow_nan=False).encode('utf-8')
            except ValueError as exc:  # NaN or infinity: not JSON
                raise OmsApiError('%s %s%s: not sent, its body is not JSON (%s)' % (method, API_PREFIX, path, exc),
                                  method=method, path=path, outcome=NOT_SENT)
            headers['Content-Type'] = 'application/json'
        url = self.base_url + path
        query = urlencode([(key, value) for key, value in (params or {}).items() if value is not None], doseq=True)
        self._this_call.retries = []
        started = time.time()
        try:
            response = _Answer(self._pool.request(method, url + ('?' + query if query else ''), body=body, headers=headers,
                                                  retries=self._retry, timeout=self._timeout, redirect=False))
        except Urllib3Error as exc:
            error = self._transport_error(method, url, path, exc)
            self._log_request(method, path, params, 'no answer' if error.outcome == UNANSWERED else 'not sent', started)
            raise error
        self._log_request(method, path, params, response.status_code, started)
        if method != 'GET' and path != self._login_path:
            self._count_write()
        with self._gone_lock:
            self._unanswered_in_a_row = 0
        return response

    def _log_request(self, method, path, params, status, started):
        """One line for ``log`` (-vvv): method, path and query (secret-looking values masked), status, time, retries."""
        if not self._log:
            return
        query = '&'.join('%s=%s' % (key, MASK if SECRET_KEY.search(str(key)) else value)
                         for key, value in (params or {}).items())
        retries = self._this_call.retries
        line = '%s %s%s%s -> %s in %d ms' % (method, API_PREFIX, path, '?' + query if query else '',
                                             status, (time.time() - started) * 1000)
        if retries:
            line += ' (%d %s: %s)' % (len(retries), 'retry' if len(retries) == 1 else 'retries', ', '.join(retries))
        self._log(self._scrub(line))

    def _count_write(self):
        with self._count_lock:
            self._writes_sent += 1
            sent = self._writes_sent
        if self._progress and sent % WRITES_PER_PROGRESS == 0:
            self._progress('%d writes answered' % sent)

    def _transport_error(self, method, url, path, exc):
        """The OmsApiError for a request that got no answer; counts towards the OMS being gone."""
        cause = self._cause(exc)
        if isinstance(cause, _Unmendable):
            return OmsApiError('%s %s: %s' % (method, url, cause), method=method, path=path, outcome=NOT_SENT)
        if isinstance(cause, Urllib3ProxyError):
            return OmsApiError('%s %s: cannot go through the proxy %s (%s); check proxy'
                               % (method, url, _masked_url(self._proxy), self._scrub(self._reason(exc))),
                               method=method, path=path, outcome=NOT_SENT)
        tls_error = isinstance(cause, (Urllib3SSLError, ssl.SSLError))
        if tls_error and not isinstance(cause, ssl.CertificateError):
            advice = 'check client_cert and client_key' if self._cert else 'set client_cert and client_key'
            return OmsApiError('%s %s: the TLS handshake failed (%s); if the server asks for a client certificate, %s'
                               % (method, url, self._reason(exc), advice), method=method, path=path, outcome=NOT_SENT)
        if tls_error:
            return OmsApiError('%s %s: TLS certificate verification failed (%s); set ca_path to the CA bundle that '
                               'signed the server certificate, or validate_certs to false for a test instance'
                               % (method, url, self._reason(exc)), method=method, path=path, outcome=NOT_SENT)
        if _unanswered(cause):
            # a timeout, or after urllib3 used up its retries one wrapped in MaxRetryError
            message = '%s %s: no answer within %s seconds' % (method, url, self.timeout)
            sent_again = self._this_call.retries.count('timeout')
            if sent_again:
                message += (', twice (a call without an answer is sent again once only, so %s seconds waited in all)'
                            % _seconds((sent_again + 1) * self.timeout))
            elif self.retries:
                message += ', after retries'
            else:
                message += ' (not sent again: retries is 0)'
        else:
            message = '%s %s: cannot reach the OMS (%s)' % (method, url, self._scrub(self._reason(exc)))
        with self._gone_lock:
            self._unanswered_in_a_row += 1
            if self._unanswered_in_a_row >= GONE_AFTER and not self._gone:
                self._gone = 'the OMS is gone: %d requests in a row got no answer (the last: %s)' % (
                    self._unanswered_in_a_row, self._scrub(self._reason(exc)))
        return OmsApiError(message, method=method, path=path, outcome=UNANSWERED)

    def _call(self, method, path, params=None, json_body=None):
        """Send an authenticated request and return its 2xx response.

        On a login session, a 401 or 403 to a token from an earlier login means it expired: log in again and
        repeat, as often as needed. A 403 to the token just issued is a permission error, and a token just
        issued refused twice in a row, with no request accepted with it in between (by any reader), is an
        authentication error (no loop).
        """
        fresh = False
        if self._token is None:
            token, fresh = self._login(None)
        token = self._token
        fresh_refusals = 0
        while True:
            response = self._send(method, path, params, json_body, token)
            if response.status_code not in (401, 403) or not self._username:
                break
            if fresh and token not in self._accepted_tokens:  # no request was ever accepted with it: not an expiry
                fresh_refusals += 1
                if response.status_code == 403 or fresh_refusals >= 2:
                    break
            token, fresh = self._login(token)
        if response.status_code >= 300:
            raise self._error(method, path, response)
        if token:
            self._accepted_tokens.add(token)
        if method == 'GET':
            self._read_ok = True
        return response

    def request(self, method, path, params=None, json_body=None):
        """Call ``/rest/s1/<path>``; return the parsed JSON answer (None for an empty body), secrets removed."""
        return self._parse(method, path, self._call(method, path, params, json_body))

    def get(self, path, params=None):
        return self.request('GET', path, params=params)

    def get_with_headers(self, path, params=None):
        """``(parsed answer, response headers)`` of one GET, for a caller that must see the shape and paging headers."""
        response = self._call('GET', path, params)
        return self._parse('GET', path, response), response.headers

    def put(self, path, json_body):
        return self.request('PUT', path, json_body=json_body)

    def post(self, path, json_body):
        return self.request('POST', path, json_body=json_body)

    def get_all(self, path, params=None, uncounted=False):
        """Every row of a paged list (see walk_pages); OmsApiError rather than a partial list.

        ``uncounted``: the list is known to carry no total (the live remote list), so its second page is asked for
        beside the first.
        """
        params = dict(params or {})

        def fetch(index, size):
            page = self._page(path, dict(params, pageSize=size, pageIndex=index))
            if self._progress:
                self._progress('GET %s%s: page %d read (%d rows, %d a page)'
                               % (API_PREFIX, path, index + 1, len(page[0]), size))
            return page

        try:
            return walk_pages(fetch, self._all_or_first_error, second_page_ahead=uncounted)
        except PagingError as exc:
            raise OmsApiError('GET %s%s: %s; nothing was done with a partial list' % (API_PREFIX, path, exc),
                              method='GET', path=path)

    def get_all_of(self, paths):
        """``get_all`` of each path, the lists fetched side by side; the first path's error when any failed."""
        return self._all_or_first_error(self.get_all, paths)

    def _all_or_first_error(self, func, items):
        """``func(item)`` for every item, side by side (map_parallel); raises the first item's error, if any."""
        results = []
        for result, error in self.map_parallel(func, items):
            if error:
                raise error
            results.append(result)
        return results

    def _page(self, path, query):
        response = self._call('GET', path, query)
        data = self._parse('GET', path, response)
        try:
            rows = list_rows(data)
        except ValueError as exc:
            raise OmsApiError('GET %s: %s' % (path, exc), method='GET', path=path, status=response.status_code)
        total = (response.headers.get('X-Total-Count') or '').strip()
        return rows, int(total) if total.isdigit() else None, body_count(data)

    def map_parallel(self, func, items):
        """``func(item)`` for every item, a few at a time; results in the order of ``items``.

        Raises nothing itself: each result is ``(value, None)`` or ``(None, OmsApiError)``.
        """
        def guarded(item):
            try:
                return func(item), None
            except OmsApiError as exc:
                return None, exc

        items = list(items)
        if len(items) > 1 and self._username and self._token is None:
            try:  # log in once, here, rather than in each reader side by side
                self._login(None)
            except OmsApiError as exc:
                return [(None, exc) for dummy in items]
        if len(items) <= 1:
            return [guarded(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(PARALLEL_REQUESTS, len(items))) as pool:
            return list(pool.map(guarded, items))

    # --- answers and errors -----------------------------------------------------------

    def _parse(self, method, path, response):
        if not response.content or not response.content.strip():
            return None  # e.g. an unknown product store answers 200 with an empty body
        try:
            return strip_secrets(response.json())
        except ValueError:
            raise OmsApiError('%s %s: the OMS answered HTTP %s with a body that is not JSON'
                              % (method, path, response.status_code), method=method, path=path, status=response.status_code)

    def _error(self, method, path, response, prefix=None, hint=None):
        status = response.status_code
        try:
            detail = response.json().get('errors')
        except (ValueError, AttributeError):
            detail = None
        detail = self._scrub(str(detail if detail is not None else (response.reason or '')))[:ERROR_TEXT_LIMIT]
        if hint is None:
            hint = {
                401: 'the token or the username and password were not accepted',
                403: '; '.join(self._refusal(method)),
                404: 'no such API path on this OMS; check oms_url (the Maarg URL)',
                407: 'the proxy asks for credentials: give them in proxy, as http://user:password@host:port',
                429: 'still rate limited after retries',
            }.get(status, 'still failing after retries' if status in RETRY_STATUSES else '')
            if 300 <= status < 400:  # not followed: where a write or a token may go is oms_url's to say, not the answer's
                location = self._scrub(response.headers.get('Location') or '')
                hint = ('the OMS sends this call to %s: give %s as oms_url' % (location, location.split(API_PREFIX)[0])
                        if location else 'the OMS sends this call elsewhere: check oms_url')
        message = '%s %s%s: HTTP %s' % (method, API_PREFIX, path, status)
        if prefix:
            message = '%s: %s' % (prefix, message)
        if status == 403 and hint:  # what it means first: a shortened message keeps it
            message += ', %s' % hint
            if detail:
                message += '. The OMS said: %s' % detail
        else:
            if detail:
                message += ': %s' % detail
            if hint:
                message += ' (%s)' % hint
        meaning = self._refusal(method)[0] if status == 403 else None
        return OmsApiError(message, method=method, path=path, status=status, meaning=meaning)

    def _refusal(self, method):
        """``(meaning, advice)`` of a 403 (tests/emulator/README.md): permission, or on a token session perhaps an expired token."""
        if self._username:
            # the client logs in again on a 403 to an older token, so this one was refused to a token just issued
            return ('permission refused to the OMS user %r (on a token just issued, so not an expired login)' % self._username,
                    'ask an OMS admin for the permission')
        if self._read_ok and method != 'GET':
            return ('permission refused: the token\'s user may read but not make this call (reads with the same token were '
                    'answered), or the token expired since (some OMS servers answer an expired token with 403)',
                    'check the token\'s user permissions, and the token, in Settings > JWT Tokens')
        return ('permission refused, or the token expired (some OMS servers answer an expired token with 403)',
                'check the token, and its user\'s permissions, in Settings > JWT Tokens')

    def _scrub(self, text):
        """``text`` without the token, the password, the proxy's credentials or an extra header's value."""
        secrets = [self._token, self._password] + _proxy_secrets(self._proxy) + list(self._headers.values())
        for secret in sorted((secret for secret in secrets if secret), key=len, reverse=True):
            if secret:
                text = text.replace(secret, MASK)
        return text

    @staticmethod
    def _cause(exc):
        """The innermost exception of a urllib3 exception chain."""
        while True:
            inner = exc.args[0] if getattr(exc, 'args', None) and isinstance(exc.args[0], Exception) else None
            inner = inner or (getattr(exc, 'reason', None) if isinstance(getattr(exc, 'reason', None), Exception) else None)
            if inner is None or inner is exc:
                return exc
            exc = inner

    @classmethod
    def _reason(cls, exc):
        """The innermost reason of a urllib3 exception, as one short line."""
        reason = cls._cause(exc)
        return str(reason).splitlines()[0][:ERROR_TEXT_LIMIT] if str(reason) else type(reason).__name__


def _seconds(value):
    """``60`` rather than ``60.0``; ``0.6`` as it is."""
    return int(value) if float(value).is_integer() else round(value, 3)


def base_url(oms_url):
    """The REST base of an OMS URL. A URL given with the REST path already on it (``.../rest/s1``) is taken as
    the same OMS: the path is dropped rather than doubled."""
    url = oms_url.strip().rstrip('/')
    url = re.sub(r'/rest/s1$', '', url, flags=re.IGNORECASE).rstrip('/')
    return url + API_PREFIX
