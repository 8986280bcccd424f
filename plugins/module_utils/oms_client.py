# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one HTTP client of the collection: talks to the HotWax OMS (Maarg) REST API.

Every module goes through OmsClient. It owns authentication, retries, paging, the
two list shapes of the API and the removal of secrets from everything it returns.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import ssl
import threading
from concurrent.futures import ThreadPoolExecutor

try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.exceptions import MaxRetryError, ReadTimeoutError, SSLError as Urllib3SSLError
    from urllib3.util.retry import Retry
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the module as a missing library
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc
    Retry = object

API_PREFIX = '/rest/s1/'
PAGE_SIZE = 100  # the server caps pages at 100 rows
RETRY_STATUSES = (429, 502, 503, 504)
MAX_RETRY_AFTER = 60  # seconds; a longer Retry-After would stall a rollback, so it is capped
PARALLEL_REQUESTS = 8  # writes in flight at once: fast, yet gentle on a struggling server
ERROR_TEXT_LIMIT = 300

# Rows carry decrypted credentials (accessToken, sharedSecret, password, ...). Any key that
# looks like one is removed as soon as a response is parsed, so nothing above the client sees it.
SECRET_KEY = re.compile(r'password|secret|token|credential|api_?key', re.IGNORECASE)


class OmsApiError(Exception):
    """A failed OMS call: says what was called, what came back, and never a secret."""

    def __init__(self, message, method=None, path=None, status=None):
        super(OmsApiError, self).__init__(message)
        self.method = method
        self.path = path
        self.status = status


class _CappedRetry(Retry):
    """urllib3's Retry, with the server's Retry-After capped at MAX_RETRY_AFTER seconds.

    A certificate that failed verification is not retried: it would fail the same way after every backoff.
    """

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        if isinstance(error, Urllib3SSLError) and any(isinstance(arg, ssl.CertificateError) for arg in error.args):
            raise MaxRetryError(_pool, url, reason=error)
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


def list_rows(data):
    """Rows of a list answer: a bare array, or an object that wraps it as ``<entity>List`` (both shapes exist).

    A single object that merely holds a list (a shop with its ``shopifyConfig``) is not a list answer.
    """
    if data is None:
        return []
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        lists = [value for key, value in data.items() if key.endswith('List') and isinstance(value, list)]
        if len(lists) == 1:
            return lists[0]
    raise ValueError('expected a list of rows, got %s' % type(data).__name__)


class OmsClient:
    """A keep-alive session to one OMS, authenticated by a token or by username and password.

    Retries (urllib3): 429 honouring Retry-After, 502, 503, 504, dropped connections and
    timeouts, at most ``retries`` times with exponential backoff. On a login session a 401
    means the token expired: the client logs in again and repeats that request once.
    """

    def __init__(self, oms_url, token=None, username=None, password=None,
                 validate_certs=True, ca_path=None, timeout=30, retries=5):
        if not HAS_REQUESTS:
            raise OmsApiError('the Python library requests is required: %s' % REQUESTS_IMPORT_ERROR)
        if not re.match(r'^https?://[^/\s]+', oms_url or ''):
            raise OmsApiError("oms_url must be an http(s) URL such as https://acme-maarg.hotwax.io, got %r" % oms_url)
        if not token and not (username and password):
            raise OmsApiError('give either token, or username and password')
        self.base_url = oms_url.rstrip('/') + API_PREFIX
        self.timeout = timeout
        self._token = token
        self._username = username
        self._password = password
        self._auth_lock = threading.Lock()
        self._session = requests.Session()
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
        """Log in, unless another thread already replaced ``stale_token``."""
        with self._auth_lock:
            if self._token and self._token != stale_token:
                return
            response = self._send('POST', 'admin/login', json_body={'username': self._username, 'password': self._password},
                                  token=None)
            if response.status_code != 200:
                raise self._error('POST', 'admin/login', response, prefix='login as %r failed' % self._username)
            try:
                self._token = response.json()['token']
            except (ValueError, KeyError, TypeError):
                raise OmsApiError('login as %r answered without a token' % self._username,
                                  method='POST', path='admin/login', status=response.status_code)

    # --- requests --------------------------------------------------------------------

    def _send(self, method, path, params=None, json_body=None, token=None):
        headers = {'Authorization': 'Bearer %s' % token} if token else {}
        url = self.base_url + path
        try:
            return self._session.request(method, url, params=params, json=json_body, headers=headers,
                                         timeout=self.timeout, verify=self._verify)
        except requests.exceptions.SSLError as exc:
            raise OmsApiError('%s %s: TLS certificate verification failed (%s); set ca_path to the CA bundle that signed '
                              'the server certificate, or validate_certs to false for a test instance'
                              % (method, url, self._reason(exc)), method=method, path=path)
        except requests.exceptions.RequestException as exc:
            if isinstance(exc, requests.exceptions.Timeout) or isinstance(getattr(exc.args[0] if exc.args else None, 'reason', None),
                                                                          ReadTimeoutError):
                # after urllib3 used up its retries, a timeout arrives wrapped in a ConnectionError
                raise OmsApiError('%s %s: no answer within %s seconds, after retries' % (method, url, self.timeout),
                                  method=method, path=path)
            raise OmsApiError('%s %s: cannot reach the OMS (%s)' % (method, url, self._reason(exc)), method=method, path=path)

    def _call(self, method, path, params=None, json_body=None):
        """Send an authenticated request; on a login session, one re-login on 401. Returns the 2xx response."""
        if self._token is None:
            self._login(None)
        token = self._token
        response = self._send(method, path, params, json_body, token)
        if response.status_code == 401 and self._username:
            self._login(token)
            response = self._send(method, path, params, json_body, self._token)
        if response.status_code >= 400:
            raise self._error(method, path, response)
        return response

    def request(self, method, path, params=None, json_body=None):
        """Call ``/rest/s1/<path>``; return the parsed JSON answer (None for an empty body), secrets removed."""
        return self._parse(method, path, self._call(method, path, params, json_body))

    def get(self, path, params=None):
        return self.request('GET', path, params=params)

    def put(self, path, json_body):
        return self.request('PUT', path, json_body=json_body)

    def get_all(self, path, params=None):
        """Every row of a paged list: the first page says the total, the rest are fetched in parallel."""
        params = dict(params or {})

        def page(index):
            query = dict(params, pageSize=PAGE_SIZE, pageIndex=index)
            return self._page(path, query)

        rows, total = page(0)
        if total is None:  # no X-Total-Count: walk until a short page
            index = 0
            last = rows
            while len(last) == PAGE_SIZE:
                index += 1
                last = page(index)[0]
                rows.extend(last)
            return rows
        remaining = range(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
        for result, error in self.map_parallel(page, remaining):
            if error:
                raise error
            rows.extend(result[0])
        return rows

    def _page(self, path, query):
        response = self._call('GET', path, query)
        try:
            rows = list_rows(self._parse('GET', path, response))
        except ValueError as exc:
            raise OmsApiError('GET %s: %s' % (path, exc), method='GET', path=path, status=response.status_code)
        total = response.headers.get('X-Total-Count')
        return rows, (int(total) if total and total.isdigit() else None)

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

    def _error(self, method, path, response, prefix=None):
        status = response.status_code
        try:
            detail = response.json().get('errors')
        except (ValueError, AttributeError):
            detail = None
        detail = self._scrub(str(detail if detail is not None else (response.reason or '')))[:ERROR_TEXT_LIMIT]
        hint = {
            401: 'the token or the username and password were not accepted',
            403: 'the OMS user is not permitted to do this',
            404: 'no such API path on this OMS; check oms_url (the Maarg URL)',
            429: 'still rate limited after retries',
        }.get(status, 'still failing after retries' if status in RETRY_STATUSES else '')
        message = '%s %s%s: HTTP %s' % (method, API_PREFIX, path, status)
        if prefix:
            message = '%s: %s' % (prefix, message)
        if detail:
            message += ': %s' % detail
        if hint:
            message += ' (%s)' % hint
        return OmsApiError(message, method=method, path=path, status=status)

    def _scrub(self, text):
        for secret in (self._token, self._password):
            if secret:
                text = text.replace(secret, '********')
        return text

    @staticmethod
    def _reason(exc):
        """The innermost reason of a requests/urllib3 exception, as one short line."""
        while getattr(exc, 'args', None) and isinstance(exc.args[0], Exception):
            exc = exc.args[0]
        reason = getattr(exc, 'reason', None) or exc
        return str(reason).splitlines()[0][:ERROR_TEXT_LIMIT] if str(reason) else type(exc).__name__
