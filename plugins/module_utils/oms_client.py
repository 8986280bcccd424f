# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one HTTP client of the collection: talks to the HotWax OMS (Maarg) REST API.

Every module goes through OmsClient. It owns authentication, retries, paging, the
two list shapes of the API and the removal of secrets from everything it returns.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
import socket
import ssl
import threading
from concurrent.futures import ThreadPoolExecutor

try:
    from http.cookiejar import DefaultCookiePolicy
except ImportError:  # pragma: no cover - Python 2 is not supported by ansible-core 2.19
    DefaultCookiePolicy = object

try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.exceptions import (MaxRetryError, NameResolutionError, ProtocolError, ReadTimeoutError,
                                    SSLError as Urllib3SSLError)
    from urllib3.util.retry import Retry
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the module as a missing library
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc
    Retry = object

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
GONE_AFTER = 3  # requests in a row without any answer (after their retries): the OMS is gone, stop sending
ERROR_TEXT_LIMIT = 300
TLS_PROBE_TIMEOUT = 3  # seconds

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


class _NoCookies(DefaultCookiePolicy):
    """Keep no cookie and send none back: every request authenticates by its own header.

    A request carrying the server's session cookie would need a CSRF token on every write (tests/emulator/README.md).
    """

    def set_ok(self, cookie, request):
        return False

    def return_ok(self, cookie, request):
        return False


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
    plain_http = isinstance(error, ProtocolError) and getattr(pool, 'scheme', None) == 'http'
    if plain_http and _speaks_tls(pool.host, pool.port):
        return 'the server speaks HTTPS on this port: use https:// in oms_url'
    return None


class _CappedRetry(Retry):
    """urllib3's Retry, with the server's Retry-After capped at MAX_RETRY_AFTER seconds.

    Errors a retry cannot mend (a certificate that failed verification, TLS to a plain-HTTP port, plain HTTP
    to a TLS port, a host name that does not resolve) are not retried: they would fail the same way every time.
    """

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        if isinstance(error, Urllib3SSLError) and any(isinstance(arg, ssl.CertificateError) for arg in error.args):
            raise MaxRetryError(_pool, url, reason=error)
        if error is not None:
            advice = _unmendable(error, _pool)
            if advice:
                raise MaxRetryError(_pool, url, reason=_Unmendable(advice))
        return super(_CappedRetry, self).increment(method, url, response, error, _pool, _stacktrace)

    def get_retry_after(self, response):
        seconds = super(_CappedRetry, self).get_retry_after(response)
        return None if seconds is None else min(seconds, MAX_RETRY_AFTER)


def strip_secrets(value):
    """Return a copy of a parsed JSON value without any secret-looking key."""
    if isinstance(value, dict):
        return dict((k, strip_secrets(v)) for k, v in value.items() if not SECRET_KEY.search(k))
    if isinstance(value, list):
        return [strip_secrets(item) for item in value]
    return value


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


def walk_pages(fetch, parallel_map=None, page_size=PAGE_SIZE, max_pages=MAX_PAGES):
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
    """
    parallel_map = parallel_map or (lambda func, items: [func(item) for item in items])
    rows, total, stated = fetch(0, page_size)
    rows = list(rows)
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
        second = fetch(1, size)[0]  # one page first: a server that ignores pageIndex is caught after two requests
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
        page = fetch(index, size)[0]
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


class OmsClient:
    """A keep-alive session to one OMS, authenticated by a token or by username and password.

    Retries (urllib3): 429 honouring Retry-After, 502, 503, 504, dropped connections and
    timeouts, at most ``retries`` times with exponential backoff. On a login session a 401 or
    403 to a token from an earlier login means the token expired: the client logs in again and
    repeats the request, as often as tokens expire. After GONE_AFTER requests in a row got no
    answer at all, the OMS counts as gone and every later request fails at once.
    """

    def __init__(self, oms_url, token=None, username=None, password=None,
                 validate_certs=True, ca_path=None, timeout=30, retries=5):
        if not HAS_REQUESTS:
            raise OmsApiError('the Python library requests is required: %s' % REQUESTS_IMPORT_ERROR)
        if not re.match(r'^https?://[^/\s]+', oms_url or ''):
            raise OmsApiError("oms_url must be an http(s) URL such as https://acme-maarg.hotwax.io, got %r" % oms_url)
        if not token and not (username and password):
            raise OmsApiError('give either token, or username and password')
        self.base_url = base_url(oms_url)
        self.timeout = timeout
        self._token = token
        self._username = username
        self._password = password
        self._auth_lock = threading.Lock()
        self._login_path = LOGIN_PATH
        self._login_error = None  # a failed login is final: sent once, however many readers wait for it
        self._read_ok = False  # a GET was answered 2xx: a later 403 on a write is about permission, not the credential
        self._accepted_tokens = set()  # login tokens the OMS accepted at least once: a later refusal means expiry
        self._gone_lock = threading.Lock()
        self._unanswered_in_a_row = 0
        self._gone = None  # the message once the OMS is gone
        self._session = requests.Session()
        self._session.cookies.set_policy(_NoCookies())
        # Passed with every request: a session-wide setting would lose to REQUESTS_CA_BUNDLE in the environment.
        self._verify = ca_path if (validate_certs and ca_path) else bool(validate_certs)
        retry = _CappedRetry(
            total=retries, connect=retries, read=retries, status=retries, other=retries,
            status_forcelist=RETRY_STATUSES, allowed_methods=None, backoff_factor=0.5,
            respect_retry_after_header=True, raise_on_status=False)
        adapter = HTTPAdapter(max_retries=retry, pool_connections=1, pool_maxsize=PARALLEL_REQUESTS)
        self._session.mount('http://', adapter)
        self._session.mount('https://', adapter)
        self._session.headers.update({'Accept': 'application/json'})

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
        headers = {'Authorization': 'Bearer %s' % token} if token else {}
        url = self.base_url + path
        try:
            response = self._session.request(method, url, params=params, json=json_body, headers=headers,
                                             timeout=self.timeout, verify=self._verify)
        except requests.exceptions.RequestException as exc:
            raise self._transport_error(method, url, path, exc)
        with self._gone_lock:
            self._unanswered_in_a_row = 0
        return response

    def _transport_error(self, method, url, path, exc):
        """The OmsApiError for a request that got no answer; counts towards the OMS being gone."""
        cause = self._cause(exc)
        if isinstance(cause, _Unmendable):
            return OmsApiError('%s %s: %s' % (method, url, cause), method=method, path=path, outcome=NOT_SENT)
        if isinstance(exc, requests.exceptions.SSLError):
            return OmsApiError('%s %s: TLS certificate verification failed (%s); set ca_path to the CA bundle that '
                               'signed the server certificate, or validate_certs to false for a test instance'
                               % (method, url, self._reason(exc)), method=method, path=path, outcome=NOT_SENT)
        if isinstance(exc, requests.exceptions.Timeout) or isinstance(cause, ReadTimeoutError):
            # after urllib3 used up its retries, a timeout arrives wrapped in a ConnectionError
            message = '%s %s: no answer within %s seconds, after retries' % (method, url, self.timeout)
        else:
            message = '%s %s: cannot reach the OMS (%s)' % (method, url, self._reason(exc))
        with self._gone_lock:
            self._unanswered_in_a_row += 1
            if self._unanswered_in_a_row >= GONE_AFTER and not self._gone:
                self._gone = 'the OMS is gone: %d requests in a row got no answer (the last: %s)' % (
                    self._unanswered_in_a_row, self._reason(exc))
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
        if response.status_code >= 400:
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

    def get_all(self, path, params=None):
        """Every row of a paged list (see walk_pages); OmsApiError rather than a partial list."""
        params = dict(params or {})

        def fetch(index, size):
            return self._page(path, dict(params, pageSize=size, pageIndex=index))

        try:
            return walk_pages(fetch, self._all_or_first_error)
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
                429: 'still rate limited after retries',
            }.get(status, 'still failing after retries' if status in RETRY_STATUSES else '')
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
        for secret in (self._token, self._password):
            if secret:
                text = text.replace(secret, '********')
        return text

    @staticmethod
    def _cause(exc):
        """The innermost exception of a requests/urllib3 exception chain."""
        while True:
            inner = exc.args[0] if getattr(exc, 'args', None) and isinstance(exc.args[0], Exception) else None
            inner = inner or (getattr(exc, 'reason', None) if isinstance(getattr(exc, 'reason', None), Exception) else None)
            if inner is None or inner is exc:
                return exc
            exc = inner

    @classmethod
    def _reason(cls, exc):
        """The innermost reason of a requests/urllib3 exception, as one short line."""
        reason = cls._cause(exc)
        return str(reason).splitlines()[0][:ERROR_TEXT_LIMIT] if str(reason) else type(reason).__name__


def base_url(oms_url):
    """The REST base of an OMS URL. A URL given with the REST path already on it (``.../rest/s1``) is taken as
    the same OMS: the path is dropped rather than doubled."""
    url = oms_url.strip().rstrip('/')
    url = re.sub(r'/rest/s1$', '', url, flags=re.IGNORECASE).rstrip('/')
    return url + API_PREFIX
