"""A HotWax OMS (Maarg) emulator: a real HTTP server over a real SQLite database, with faults and a request log.

    with OmsEmulator(seed="demo") as emu:
        ...  # point a client at emu.url, then assert on emu.state(), emu.writes(), emu.query(...)
"""

import copy
import dataclasses
import http.cookies
import http.server
import json
import logging
import secrets
import socket
import _socket
import socketserver
import ssl
import threading
import time
import urllib.parse

from .database import OmsDatabase
from .faults import FaultPlan
from .maarg_api import DEFAULT_OPTIONS, ApiRequest, ApiResponse, INVALID_JSON, MaargApi, error_response, is_write, parse_json_body, validate_options

LOG = logging.getLogger("oms_emulator")
CONTROL_PREFIX = "/_emulator/"
SECRET_BODY_FIELDS = ("password",)
SESSION_COOKIE = "JSESSIONID"
CSRF_HEADER = "X-CSRF-Token"
MAX_SESSIONS = 10000


@dataclasses.dataclass
class Reply:
    """Bytes on the wire for one answer; the HTTP layer adds Content-Length."""

    status: int
    body: bytes = b""
    headers: dict = dataclasses.field(default_factory=dict)


def _drop_nulls(value):
    """Maarg leaves null fields out of every object it returns."""
    if isinstance(value, dict):
        return {key: _drop_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_drop_nulls(item) for item in value]
    return value


def _to_reply(response, drop_nulls=True):
    headers = dict(response.headers)
    if response.body is None:
        return Reply(response.status, b"", headers)
    headers["Content-Type"] = "application/json"
    body = _drop_nulls(response.body) if drop_nulls else response.body
    return Reply(response.status, json.dumps(body).encode("utf-8"), headers)


class _RequestHandler(http.server.BaseHTTPRequestHandler):
    """Moves bytes between the socket and OmsEmulator.serve(); no API logic lives here."""

    protocol_version = "HTTP/1.1"  # keep-alive, as real clients and their connection pools expect
    server_version = "OmsEmulator/1.0"
    # The headers and the body leave in two writes; with Nagle's algorithm on, the body of a reply on a kept-alive
    # connection waits for the client's delayed ACK of the headers (about 40 ms on Linux), a stall no real server adds.
    disable_nagle_algorithm = True

    def version_string(self):
        return self.server_version

    def setup(self):
        # The TLS handshake runs here, in the connection's own thread, so a slow client cannot stall accept().
        if isinstance(self.request, ssl.SSLSocket):
            try:
                self.request.do_handshake()
            except (ssl.SSLError, OSError):
                self._linger()
                raise
        super().setup()

    def _linger(self):
        """A lingering close, as web servers do: a close with the client's request unread would be a reset, which
        can destroy the TLS alert (say, a client certificate required) on its way to the client."""
        raw = _socket.socket  # the plain socket's methods, under the TLS layer
        try:
            raw.shutdown(self.request, socket.SHUT_WR)
            self.request.settimeout(1)
            while raw.recv(self.request, 65536):
                pass
        except OSError:
            pass

    def _handle(self):
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            self._send(_to_reply(error_response(400, "Bad Content-Length header")))
            return
        raw = self.rfile.read(length) if length else b""
        reply = self.server.emulator.serve(self.command, self.path, self.headers, raw, client_cert=self._client_cert())
        if reply is None:  # a "drop" fault: close the connection without a word
            self.close_connection = True
            return
        self._send(reply)

    def _client_cert(self):
        """The common name of the TLS client certificate presented on this connection, or None."""
        peer = self.request.getpeercert() if isinstance(self.request, ssl.SSLSocket) else None
        names = [value for field in (peer or {}).get("subject", ()) for key, value in field if key == "commonName"]
        return names[0] if names else None

    def _send(self, reply):
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _handle

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        LOG.info("%s %s", self.address_string(), format % args)


class _Server(http.server.ThreadingHTTPServer):
    """A threading HTTP server that can close its idle keep-alive connections when it stops."""

    daemon_threads = True

    def __init__(self, address, emulator):
        self.emulator = emulator
        self._open = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _RequestHandler)

    def server_bind(self):
        # HTTPServer.server_bind looks up the host's FQDN, which can hang on a machine without DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def process_request(self, request, client_address):
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self):
        """Wake every handler thread blocked on an idle connection so that server_close() can join it."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by the client

    def handle_error(self, request, client_address):
        LOG.debug("connection from %s failed", client_address, exc_info=True)


def _session_cookie(header):
    """The JSESSIONID a request sends back, or None."""
    if not header:
        return None
    cookies = http.cookies.SimpleCookie()
    try:
        cookies.load(header)
    except http.cookies.CookieError:
        return None
    return cookies[SESSION_COOKIE].value if SESSION_COOKIE in cookies else None


class OmsEmulator:
    """The emulator and its control surface for tests (see tests/emulator/README.md)."""

    def __init__(self, seed="demo", host="127.0.0.1", port=0, certfile=None, keyfile=None, client_ca=None, **options):
        """`options` are configure() options; they are also what reset() goes back to.

        `client_ca` (with `certfile`): the TLS handshake requires a client certificate signed by this CA (mTLS)."""
        self._seed = seed
        self._address = (host, port)
        self._tls = (certfile, keyfile) if certfile else None
        if client_ca and not certfile:
            raise ValueError("client_ca needs certfile: a client certificate is asked for in a TLS handshake")
        self._client_ca = client_ca
        self._baseline = dict(DEFAULT_OPTIONS, **validate_options(options))
        self._options = dict(self._baseline)
        self._lock = threading.RLock()
        self._log = []
        self._seq = 0
        self._faults = FaultPlan()
        self._sessions = {}  # session cookie value -> its CSRF token, as a servlet session holds Moqui's session token
        self._db = None
        self._api = None
        self._server = None
        self._thread = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self):
        """Load the seed, bind the socket and serve in a background thread; returns self."""
        context = None
        if self._tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self._tls)
            if self._client_ca:
                context.verify_mode = ssl.CERT_REQUIRED
                context.load_verify_locations(self._client_ca)
        self._db = OmsDatabase(self._seed)
        self._api = MaargApi(self._db, self._options)
        try:
            self._server = _Server(self._address, self)
        except OSError:
            self._db.close()
            raise
        if context:
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True, do_handshake_on_connect=False)
        self._thread = threading.Thread(target=self._server.serve_forever, name="oms-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Stop serving, close every connection and the database."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join()
        self._db.close()
        self._server = self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def url(self):
        """The Maarg base URL (the API is under /rest/s1/)."""
        host, port = self._server.server_address[:2]
        host = "127.0.0.1" if host == "0.0.0.0" else host
        return f"{'https' if self._tls else 'http'}://{host}:{port}"

    @property
    def seed(self):
        """A copy of the loaded seed, e.g. to read a user's password or a long-lived token."""
        return copy.deepcopy(self._db.seed)

    # -- control API (the same operations are served under /_emulator/) ----------------------

    def requests(self):
        """Every API request so far, in arrival order."""
        with self._lock:
            return copy.deepcopy(self._log)

    def writes(self):
        """The logged requests that could change data (write methods, login excluded)."""
        return [entry for entry in self.requests() if is_write(entry["method"], entry["path"])]

    def clear_requests(self):
        """Empty the request log."""
        with self._lock:
            self._log.clear()

    def set_faults(self, rules):
        """Replace the fault rules (a list of dicts); [] clears them."""
        plan = FaultPlan(rules)
        with self._lock:
            self._faults = plan

    def configure(self, **options):
        """Change switches (tests/emulator/README.md lists them): remote_list_shape, total_header, page_index, page_size,
        login_failure_status, expired_token_status, token_ttl, token_max_requests, order_routing, store_api, latency_ms,
        csrf_check."""
        options = validate_options(options)
        with self._lock:
            self._options.update(options)

    def expire_tokens(self):
        """Expire every token issued by a login so far; seeded long-lived tokens keep working."""
        with self._lock:
            self._db.expire_login_tokens()

    def reset(self, seed=None):
        """Reload a seed (the current one by default); clear the log and the faults, restore the start options."""
        with self._lock:
            self._db.load(self._seed if seed is None else seed)
            if seed is not None:
                self._seed = seed
            self._log.clear()
            self._faults = FaultPlan()
            self._sessions.clear()
            self._options.clear()
            self._options.update(self._baseline)

    def query(self, sql, params=()):
        """Run SQL on the emulator database; rows come back as dicts."""
        with self._lock:
            return self._db.query(sql, params)

    def secrets(self):
        """Every secret value in the database and the seed, to scan output for leaks."""
        with self._lock:
            return self._db.secrets()

    def state(self):
        """{"shops": {id: {"configs": {id: scope}}}, "remotes": {id: scope}, "stores": {id: enableBrokering}, "jobs": {name: paused}}."""
        with self._lock:
            return self._db.state()

    # -- request handling -------------------------------------------------------------------

    def serve(self, method, raw_path, headers, raw_body, client_cert=None):
        """Answer one HTTP request; None means drop the connection. `client_cert`: the TLS client certificate's CN."""
        split = urllib.parse.urlsplit(raw_path)
        body = parse_json_body(raw_body)
        if split.path.startswith(CONTROL_PREFIX):
            return self._serve_control(method, split.path[len(CONTROL_PREFIX):].rstrip("/"), body)
        query = dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
        return self._serve_api(ApiRequest(method, split.path, query, headers.get("Authorization"), body), headers, client_cert)

    def _serve_api(self, request, headers, client_cert=None):
        session = _session_cookie(headers.get("Cookie"))
        entry = self._record(request, cookie=session is not None)
        if self._client_ca:
            entry["client_cert"] = client_cert
        refusal = self._gateway_refusal(headers)
        if refusal:
            entry["status"] = refusal.status
            return refusal
        with self._lock:
            effects = self._faults.effects(request.method, request.path, request.is_write)
            delay_ms = self._options["latency_ms"] + effects.latency_ms
        if effects.down:
            entry["status"] = 0
            return None  # the OMS is gone: no handling, no answer
        if delay_ms:
            time.sleep(delay_ms / 1000)  # outside the lock, so slow answers still overlap
        with self._lock:
            if effects.expire_tokens:
                self._db.expire_login_tokens()
            if effects.answer:
                reply = self._injected_reply(effects.answer)
            else:
                reply = self._csrf_refusal(request, session, headers.get(CSRF_HEADER)) or self._dispatch(request, effects.ignore_write)
                self._add_session(reply, session)
            if effects.lose_answer:
                reply = None
            entry["status"] = reply.status if reply else 0
        return reply

    def _gateway_refusal(self, headers):
        """A test device: the gateway_header switch makes every API request need that header, as a gateway would."""
        with self._lock:
            wanted = self._options["gateway_header"]
        if not wanted:
            return None
        name, value = (part.strip() for part in wanted.split(":", 1))
        if secrets.compare_digest((headers.get(name) or "").encode(), value.encode()):
            return None
        return _to_reply(error_response(401, f"Gateway: the {name} header is missing or wrong"))

    def _csrf_refusal(self, request, session, csrf_token):
        """Moqui's session-token check: a non-GET request of a cookie session needs the session's token (login excepted)."""
        if not self._options["csrf_check"] or request.method == "GET" or request.is_login or session not in self._sessions:
            return None
        if csrf_token and secrets.compare_digest(csrf_token, self._sessions[session]):
            return None
        return _to_reply(error_response(403, "Session token required (in X-CSRF-Token) for this request"))

    def _add_session(self, reply, session):
        """Open a session for a request that came without a known one, as a servlet container does; a client must not send it back."""
        if not self._options["csrf_check"] or session in self._sessions:
            return
        if len(self._sessions) >= MAX_SESSIONS:
            del self._sessions[next(iter(self._sessions))]  # forget the oldest, as sessions time out
        session = secrets.token_hex(16)
        self._sessions[session] = secrets.token_urlsafe(16)
        reply.headers["Set-Cookie"] = f"{SESSION_COOKIE}={session}; Path=/; HttpOnly"
        reply.headers[CSRF_HEADER] = self._sessions[session]

    def _dispatch(self, request, ignore_write):
        try:
            with self._db.transaction() as transaction:
                response = self._api.dispatch(request)
                # A failed call changes nothing; an ignore_write fault makes a successful one change nothing too.
                transaction.commit = response.status < 400 and not ignore_write
        except Exception:  # pylint: disable=broad-except
            # An emulator bug must surface as a 500 the test sees, not as a hung connection.
            LOG.exception("emulator failed on %s %s", request.method, request.path)
            response = error_response(500, "Internal emulator error")
        return _to_reply(response)

    @staticmethod
    def _injected_reply(rule):
        if rule["kind"] == "drop":
            return None
        if rule["kind"] == "rate_limit":
            retry_after = rule.get("retry_after", 1)
            return _to_reply(error_response(429, "Too many requests", {"Retry-After": str(retry_after)}))
        if "body" in rule:  # e.g. the HTML page a gateway sends with a 502
            return Reply(rule["status"], rule["body"].encode("utf-8"), {"Content-Type": "text/html"})
        return _to_reply(error_response(rule["status"], f"Injected fault: status {rule['status']}"))

    def _record(self, request, cookie=False):
        body = None if request.body is INVALID_JSON else copy.deepcopy(request.body)
        if isinstance(body, dict) and request.is_login:
            # The log is for assertions on what a client sent; it must not become a place where passwords sit.
            body = {key: "********" if key in SECRET_BODY_FIELDS else value for key, value in body.items()}
        with self._lock:
            self._seq += 1
            entry = {
                "seq": self._seq,
                "time": time.time(),
                "method": request.method,
                "path": request.path,
                "query": request.query,
                "status": None,
                "body": body,
                "auth": "token" if request.authorization else "none",
                "cookie": cookie,  # whether the request sent a session cookie back
            }
            self._log.append(entry)
        return entry

    def _serve_control(self, method, action, body):
        """The /_emulator/ endpoints: the Python control API over HTTP, unlogged and without auth."""
        body = None if body is INVALID_JSON else body
        handlers = {
            ("GET", "requests"): self.requests,
            ("GET", "writes"): self.writes,
            ("DELETE", "requests"): self.clear_requests,
            ("PUT", "faults"): lambda: self.set_faults(body if body is not None else []),
            ("PUT", "config"): lambda: self.configure(**(body or {})),
            ("POST", "expire-tokens"): self.expire_tokens,
            ("POST", "reset"): lambda: self.reset((body or {}).get("seed")),
            ("GET", "state"): self.state,
            ("GET", "secrets"): self.secrets,
        }
        if (method, action) not in handlers:
            known = {action_name for _method, action_name in handlers}
            return _to_reply(error_response(405 if action in known else 404, f"No control endpoint {method} {CONTROL_PREFIX}{action}"))
        try:
            result = handlers[(method, action)]()
        except (ValueError, TypeError, AttributeError) as err:
            return _to_reply(error_response(400, str(err)))
        # Control answers keep their nulls: a test compares state() over HTTP with the Python one.
        return _to_reply(ApiResponse(200, {} if result is None else result), drop_nulls=False)
