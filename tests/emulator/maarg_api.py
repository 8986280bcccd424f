"""The Maarg REST resources the collection calls (see README.md for the source of each behaviour), answered from the emulator database."""

import dataclasses
import json
import math
import re
import urllib.parse

from .database import ACCESS_SCOPE_TYPE, ACCESS_SCOPES, ENTITIES, ValidationError, now_ms

REST_PREFIX = "/rest/s1"
LOGIN_PATH = REST_PREFIX + "/admin/login"
OLD_LOGIN_PATH = REST_PREFIX + "/order-routing/login"  # OrderRouting orderrouting.rest.xml L28-29, the same service
ORDER_ROUTING_PREFIX = REST_PREFIX + "/order-routing/"
WRITE_METHODS = frozenset(("POST", "PUT", "PATCH", "DELETE"))
DEFAULT_PAGE_SIZE = 100  # Moqui's limit when no pageSize is asked (RestApi.groovy L379); a given pageSize is not capped
IGNORED_PAGE_SIZE = 20  # Moqui's own page, what a server that ignores pageSize answers (EntityFindBase.groovy L416)
NOT_FOUND_ON_UPDATE = "Tried to update a value that does not exist"
INVALID_JSON = object()  # stands for a request body that did not parse
ROUTING_JOB_PREFIX = "Order_Routing_Group_"  # OrderRoutingServices.xml L849
BROKERING_SERVICE = "co.hotwax.order.routing.OrderRoutingServices.run#OrderRoutingGroup"
PRE_V28_SCOPE_TYPE = "SHOPIFY_SHOP_ACCESS"  # ofbiz-oms-udm upgrade/v2.8.0/UpgradeSteps.md

DEFAULT_OPTIONS = {
    "remote_list_shape": "wrapped",
    "total_header": False,
    "page_index": "honoured",
    "page_size": "honoured",
    "login_failure_status": 400,
    "expired_token_status": 401,
    "token_ttl": 3600,
    "token_max_requests": 0,
    "order_routing": True,
    "store_api": "both",
    "latency_ms": 0,
    "csrf_check": True,
    "remote_list_count": False,
    "job_count": "total",
    "login_routes": "both",
    "scope_enum_type": "ShopifyShopAccessScope",
    "gateway_header": "",  # "Name: value": every API request must carry this header (a gateway in front; test device)
}
OPTION_CHOICES = {
    "remote_list_shape": ("array", "wrapped"),
    "store_api": ("admin", "oms", "both"),
    "page_index": ("honoured", "ignored"),
    "page_size": ("honoured", "ignored"),
    "login_failure_status": (400, 401),
    "expired_token_status": (401, 403),
    "job_count": ("total", "page"),
    "login_routes": ("both", "order-routing"),
    # SHOPIFY_SHOP_ACCESS: the access-scope enums typed as data from before the v2.8.0 upgrade types them
    "scope_enum_type": (ACCESS_SCOPE_TYPE, PRE_V28_SCOPE_TYPE),
}
BOOLEAN_OPTIONS = frozenset(("total_header", "order_routing", "csrf_check", "remote_list_count"))
BOOLEAN_WORDS = {"true": True, "false": False}


def _option_value(name, value):
    """One option, with the spellings a command line or a JSON body gives ("true", "403") turned into values."""
    if name == "gateway_header":
        if not isinstance(value, str) or (value and ":" not in value):
            raise ValueError(f"gateway_header must be 'Name: value' or empty, got {value!r}")
        return value
    if name in BOOLEAN_OPTIONS:
        value = BOOLEAN_WORDS.get(value.lower(), value) if isinstance(value, str) else value
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false, got {value!r}")
        return value
    if name in ("login_failure_status", "expired_token_status") and isinstance(value, str) and value.isdigit():
        value = int(value)
    if name in OPTION_CHOICES:
        if value not in OPTION_CHOICES[name] or isinstance(value, bool):
            raise ValueError(f"{name} must be one of {OPTION_CHOICES[name]}, got {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    if name == "token_max_requests" and value != int(value):
        raise ValueError(f"token_max_requests must be a whole number, got {value!r}")
    return value


def validate_options(options):
    """Check configure() options and return them; raise ValueError on anything unknown or out of range."""
    unknown = set(options) - set(DEFAULT_OPTIONS)
    if unknown:
        raise ValueError(f"unknown emulator options: {sorted(unknown)}; known: {sorted(DEFAULT_OPTIONS)}")
    return {name: _option_value(name, value) for name, value in options.items()}


def is_write(method, path):
    """Whether a request would change data: every write method except the login call."""
    return method in WRITE_METHODS and path.rstrip("/") not in (LOGIN_PATH, OLD_LOGIN_PATH)


def parse_json_body(raw):
    """The parsed request body, None when there is none, or INVALID_JSON."""
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return INVALID_JSON


class ApiError(Exception):
    """An error the server answers with {"errorCode": status, "errors": message}."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclasses.dataclass
class ApiResponse:
    """Status, JSON body (None: an empty body) and extra headers of one answer."""

    status: int = 200
    body: object = None
    headers: dict = dataclasses.field(default_factory=dict)


def error_response(status, message, headers=None):
    """The Maarg error body for a status."""
    return ApiResponse(status, {"errorCode": status, "errors": message}, headers or {})


@dataclasses.dataclass
class ApiRequest:
    """One request to the Maarg API as the HTTP layer saw it; `body` comes from parse_json_body()."""

    method: str
    path: str
    query: dict
    authorization: str
    body: object

    @property
    def is_login(self):
        """Whether this is the login call, the one call that needs no token."""
        return self.path.rstrip("/") in (LOGIN_PATH, OLD_LOGIN_PATH)

    @property
    def is_write(self):
        """Whether the request could change data."""
        return is_write(self.method, self.path)


@dataclasses.dataclass
class ApiCall:
    """What a resource handler gets: query parameters, JSON body, the id in the path and the caller."""

    query: dict
    body: dict
    key: str
    user: dict


@dataclasses.dataclass
class Page:
    """One page of a list: its rows, the total count of matching rows, and the page asked for (size None: no limit)."""

    rows: list
    total: int
    index: int
    size: object


def _paging(query, options):
    """(pageIndex, pageSize) from the query and the paging switches; pageSize None means no limit (pageNoLimit=true)."""
    try:
        index = int(query.get("pageIndex") or 0)
        size = int(query.get("pageSize") or DEFAULT_PAGE_SIZE)
    except ValueError as err:
        raise ApiError(400, f"pageIndex and pageSize must be integers: {err}") from err
    if index < 0 or size < 1:
        raise ApiError(400, "pageIndex must be >= 0 and pageSize >= 1")
    if options["page_size"] == "ignored":
        size = IGNORED_PAGE_SIZE  # a server with its own fixed page: pageSize and pageNoLimit change nothing
    elif query.get("pageNoLimit", "").lower() == "true":
        return 0, None
    if options["page_index"] == "ignored":
        index = 0  # a server that ignores pageIndex answers the first page again
    return index, size


def _page_headers(total, index, size):
    """The paging headers Moqui sets on every list."""
    low = index * size + 1 if total else 0
    return {
        "X-Total-Count": str(total),
        "X-Page-Index": str(index),
        "X-Page-Size": str(size),
        "X-Page-Max-Index": str(max(0, math.ceil(total / size) - 1)),
        "X-Page-Range-Low": str(min(low, total)),
        "X-Page-Range-High": str(min((index + 1) * size, total)),
    }


def _computed_schedule(job):
    """The fields jobDetail computes on each read: they change between two reads of a job no one
    wrote. A stand-in for the next cron time (now + 1 minute), only for an active job."""
    if job["paused"] not in (None, "N") or not job["cronExpression"]:
        return {}
    next_run = now_ms() + 60000
    return {"nextExecutionDateTime": next_run,
            "cronDescription": f"{job['cronExpression']} (next run at {next_run} ms)"}


class MaargApi:
    """Routes /rest/s1 requests to resource handlers; `options` is the emulator's live switch dict."""

    def __init__(self, db, options):
        self._db = db
        self._options = options
        routes = (
            (r"/admin/login", {"POST": self.login}),
            (r"/order-routing/login", {"POST": self.login}),
            (r"/oms/shopifyShops/shops", {"GET": self.list_shops}),
            (r"/oms/shopifyShops/shops/(?P<key>[^/]+)", {"GET": self.get_shop, "PUT": self.update_shop}),
            (r"/oms/systemMessageRemotes", {"GET": self.list_remotes}),
            # Only PUT: GET by id is the 405 the real server answers.
            (r"/oms/systemMessageRemotes/(?P<key>[^/]+)", {"PUT": self.update_remote}),
            (r"/admin/enums", {"GET": self.list_enums}),
            (r"/(?P<api>admin|oms)/productStores", {"GET": self.list_stores}),
            (r"/(?P<api>admin|oms)/productStores/(?P<key>[^/]+)", {"GET": self.get_store, "PUT": self.update_store}),
            (r"/admin/serviceJobs", {"GET": self.list_jobs}),
            (r"/admin/serviceJobs/(?P<key>[^/]+)", {"GET": self.get_job, "PUT": self.update_job}),
            (r"/admin/serviceJobs/(?P<key>[^/]+)/runs", {"GET": self.list_job_runs}),
            (r"/admin/user/sessions", {"GET": self.list_user_sessions}),
            (r"/order-routing/groups/(?P<key>[^/]+)/routingRuns", {"GET": self.list_routing_runs}),
            (r"/order-routing/groups", {"GET": self.list_routing_groups}),
            (r"/order-routing/groups/(?P<key>[^/]+)/schedule", {"GET": self.get_routing_schedule, "POST": self.schedule_routing_group}),
        )
        self._routes = [(re.compile(re.escape(REST_PREFIX) + pattern), methods) for pattern, methods in routes]

    def dispatch(self, request):
        """Answer one ApiRequest with an ApiResponse."""
        try:
            handler, key = self._resolve(request.method, request.path.rstrip("/"))
            user = None
            if not request.is_login:
                user = self._authenticate(request.authorization)
                if request.is_write and user["permission"] != "admin":
                    raise ApiError(403, f"User {user['username']} is not authorized to {request.method} {request.path}")
            body = request.body
            if request.method in WRITE_METHODS:
                if body is INVALID_JSON:
                    raise ApiError(400, "The request body is not valid JSON")
                body = {} if body is None else body
                if not isinstance(body, dict):
                    raise ApiError(400, "The request body must be a JSON object")
            return handler(ApiCall(request.query, body, key, user))
        except ValidationError as err:
            return error_response(400, str(err))
        except ApiError as err:
            return error_response(err.status, err.message)

    def _resolve(self, method, path):
        if not self._options["order_routing"] and (path + "/").startswith(ORDER_ROUTING_PREFIX):
            raise ApiError(404, f"Resource not found: {path}")  # an instance without the order-routing component
        if self._options["login_routes"] == "order-routing" and path == LOGIN_PATH:
            raise ApiError(404, f"Resource not found: {path}")  # older than Maarg 4.4.0: no admin/login
        for pattern, methods in self._routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            api = match.groupdict().get("api")
            if api and self._options["store_api"] not in (api, "both"):
                continue  # this server version does not have that copy of the resource
            if method not in methods:
                raise ApiError(405, f"Method {method} is not allowed for {path}")
            key = match.groupdict().get("key")
            return methods[method], urllib.parse.unquote(key) if key else None
        raise ApiError(404, f"Resource not found: {path}")

    def _authenticate(self, authorization):
        # 401 when the JWT check records a login error; 403 when the token is ignored and the anonymous request is
        # refused by the REST path's authorization: expired_token_status picks which.
        status = self._options["expired_token_status"]
        scheme, _space, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(status, "User must be logged in: send Authorization: Bearer <token>")
        user, reason = self._db.user_for_token(token.strip(), int(self._options["token_max_requests"]))
        if user is None:
            raise ApiError(status, reason)
        return user

    # -- shared helpers ---------------------------------------------------------------------

    def _list(self, entity_name, call):
        """One Page of rows, filtered on any field given in the query (blank values ignored, as Moqui does)."""
        index, size = _paging(call.query, self._options)
        entity = ENTITIES[entity_name]
        filterable = set(entity.columns) - set(entity.hidden_fields) - set(entity.secret_fields)
        filters = {field: value for field, value in call.query.items() if value and field in filterable}
        rows, total = self._db.find(entity_name, filters, size, index * (size or 0))
        return Page([self._db.public(entity_name, row) for row in rows], total, index, size)

    @staticmethod
    def _bare(page, rows=None):
        """An entity list: a bare array, the count in X-Total-Count (RestApi.groovy L388)."""
        return ApiResponse(200, page.rows if rows is None else rows, _page_headers(page.total, page.index, page.size or max(page.total, 1)))

    def _wrapped(self, name, page, rows=None, count=True):
        """A service answer {"<name>List": [...], "<name>Count": N}: the count in the body (unless `count` is False, or
        the page's rows, when `count` is "page"), paging headers only if switched on."""
        rows = page.rows if rows is None else rows
        headers = _page_headers(page.total, page.index, page.size or max(page.total, 1)) if self._options["total_header"] else {}
        body = {f"{name}List": rows}
        if count:
            body[f"{name}Count"] = len(rows) if count == "page" else page.total
        return ApiResponse(200, body, headers)

    @staticmethod
    def _check_body_key(call, field, required):
        """The id in a PUT body must match the one in the path; some resources insist it is there."""
        value = call.body.get(field)
        if value is None and required:
            raise ApiError(400, f"Missing required field {field} in the request body")
        if value is not None and value != call.key:
            raise ApiError(400, f"{field} in the body ({value}) does not match the one in the path ({call.key})")

    def _require_row(self, entity_name, key, pk_field):
        if self._db.get(entity_name, key) is None:
            raise ApiError(400, f"{NOT_FOUND_ON_UPDATE} [{entity_name} {pk_field}:{key}]")

    # -- authentication ---------------------------------------------------------------------

    def login(self, call):
        """POST admin/login: trade a username and password for a bearer token."""
        username, password = call.body.get("username"), call.body.get("password")
        if not isinstance(username, str) or not isinstance(password, str):
            raise ApiError(400, "username and password are required")
        if self._db.check_password(username, password) is None:
            # A failed login is a service error, which Moqui answers 400 (WebFacadeImpl.groovy L1095-1099).
            raise ApiError(self._options["login_failure_status"], "Invalid username or password")
        token, expiration = self._db.issue_token(username, self._options["token_ttl"])
        return ApiResponse(200, {"token": token, "expirationTime": expiration})

    # -- Shopify shops and their legacy config rows -----------------------------------------

    def _with_configs(self, shops):
        """Nest each shop's config rows as Moqui's master does: without the parent key, with `_entity` (EntityValueBase L1246-1259)."""
        configs = self._db.find("ShopifyConfig")[0]
        for shop in shops:
            shop["shopifyConfig"] = [dict({key: value for key, value in config.items() if key != "shopId"}, _entity="ShopifyConfig")
                                     for config in configs if config["shopId"] == shop["shopId"]]
        return shops

    def list_shops(self, call):
        """GET shopifyShops/shops: a bare array of shops, each with its shopifyConfig rows."""
        page = self._list("ShopifyShop", call)
        return self._bare(page, self._with_configs(page.rows))

    def get_shop(self, call):
        """GET shopifyShops/shops/{shopId}: one shop; an unknown id gets the same empty 200 as a product store."""
        shop = self._db.get("ShopifyShop", call.key)
        return ApiResponse(200, self._with_configs([shop])[0] if shop else None)

    def update_shop(self, call):
        """PUT shopifyShops/shops/{shopId}: partial update of the shop, then a create-or-update of each nested config row.

        As Moqui's entity-auto update with storeRelated does: the path id wins over the body's,
        an unknown shop is no error by itself, a config of another shop is moved to this one, an unknown or missing
        shopifyConfigId creates a row. Only the foreign key of ShopifyConfig to ShopifyShop refuses a config of a shop
        that does not exist.
        """
        configs = call.body.get("shopifyConfig", [])
        if not isinstance(configs, list) or not all(isinstance(config, dict) for config in configs):
            raise ApiError(400, "shopifyConfig must be a list of objects")
        if self._db.get("ShopifyShop", call.key) is not None:
            self._db.update("ShopifyShop", call.key, call.body)
        elif configs:
            raise ApiError(400, f"Foreign key SHPFY_SHOP violated: no ShopifyShop {call.key} for the shopifyConfig rows")
        stored = []
        for config in configs:
            config_id = config.get("shopifyConfigId") or None
            if config_id is not None and not isinstance(config_id, str):
                raise ApiError(400, "shopifyConfigId must be a string")
            values = dict(config, shopId=call.key)
            if config_id and self._db.get("ShopifyConfig", config_id) is not None:
                self._db.update("ShopifyConfig", config_id, values)
            else:
                # The quirk the contract warns about: no (or an unknown) shopifyConfigId creates a row.
                config_id = self._db.insert("ShopifyConfig", values, key=config_id)
            stored.append({"shopifyConfigId": config_id})
        return ApiResponse(200, {"shopifyConfig": stored} if stored else {})

    # -- shop remotes -----------------------------------------------------------------------

    def list_remotes(self, call):
        """GET systemMessageRemotes: a bare array or a wrapped list, depending on the server version."""
        page = self._list("SystemMessageRemote", call)
        if self._options["remote_list_shape"] == "array":
            return self._bare(page)
        # Live instances answer the wrapped list with no count at all
        return self._wrapped("systemMessageRemote", page, count=self._options["remote_list_count"])

    def update_remote(self, call):
        """PUT systemMessageRemotes/{id}: partial update of the remote the body names; the answer says nothing.

        The path segment lands in the context as `systemMessageRemote`, not as the primary key (RestApi.groovy L795),
        so the id in the body is the one updated, and a body without it is a missing primary key.
        """
        remote_id = call.body.get("systemMessageRemoteId")
        if not remote_id:
            raise ApiError(400, "Missing required field systemMessageRemoteId in the request body")
        self._require_row("SystemMessageRemote", remote_id, "systemMessageRemoteId")
        self._db.update("SystemMessageRemote", remote_id, call.body)
        return ApiResponse(200, {})

    def list_enums(self, call):
        """GET admin/enums?enumTypeId=: an array of enumerations; the access scopes typed as the switch says."""
        retype = self._options["scope_enum_type"]
        if retype == ACCESS_SCOPE_TYPE:
            return self._bare(self._list("Enumeration", call))
        scopes = {enum_id for enum_id, _label in ACCESS_SCOPES}
        rows = [dict(row, enumTypeId=retype) if row["enumId"] in scopes else row for row in self._db.find("Enumeration")[0]]
        return self._bare(*self._filtered_page("Enumeration", call, rows))

    def _filtered_page(self, entity_name, call, rows, **fixed):
        """(Page, rows) of ``rows`` filtered on the query's fields and ``fixed``, ordered by ``orderByField``
        (``-field`` or ``field DESC``, as Moqui reads it), then paged."""
        index, size = _paging(call.query, self._options)
        entity = ENTITIES[entity_name]
        filterable = set(entity.columns) - set(entity.hidden_fields) - set(entity.secret_fields)
        filters = dict({field: value for field, value in call.query.items() if value and field in filterable}, **fixed)
        rows = [row for row in rows if all(str(row.get(field)) == str(value) for field, value in filters.items())]
        order = (call.query.get("orderByField") or "").strip()
        if order:
            descending = order.startswith("-") or order.upper().endswith(" DESC")
            field = order.lstrip("-+").split()[0]
            rows.sort(key=lambda row: (row.get(field) is not None, row.get(field) or 0), reverse=descending)
        start = index * (size or 0)
        shown = rows[start:start + size] if size else rows
        page = Page([self._db.public(entity_name, row) for row in shown], len(rows), index, size)
        return page, page.rows

    # -- what may still be moving -----------------------------------

    def list_routing_runs(self, call):
        """GET order-routing/groups/{id}/routingRuns: the group's OrderRoutingRun rows, a bare entity list."""
        self._routing_group(call.key)
        return self._bare(*self._filtered_page("OrderRoutingRun", call, self._db.find("OrderRoutingRun")[0], routingGroupId=call.key))

    def list_job_runs(self, call):
        """GET admin/serviceJobs/{jobName}/runs: the job's ServiceJobRun rows, a bare array (as Job Manager reads it)."""
        if self._db.get("ServiceJob", call.key) is None:
            raise ApiError(404, f"Service job {call.key} not found")
        return self._bare(*self._filtered_page("ServiceJobRun", call, self._db.find("ServiceJobRun")[0], jobName=call.key))

    def list_user_sessions(self, call):
        """GET admin/user/sessions?sessionTypeEnumId=&productStoreId=: UserSession rows (test-drive sessions among them)."""
        return self._bare(*self._filtered_page("UserSession", call, self._db.find("UserSession")[0]))

    # -- product stores ---------------------------------------------------------------------

    def list_stores(self, call):
        """GET admin/productStores (or the deprecated oms/productStores): an array of stores."""
        return self._bare(self._list("ProductStore", call))

    def get_store(self, call):
        """GET productStores/{id}: one store; an unknown id answers 200 with an empty body, not 404."""
        store = self._db.get("ProductStore", call.key)
        return ApiResponse(200, self._db.public("ProductStore", store) if store else None)

    def update_store(self, call):
        """PUT productStores/{id}: partial update; the id in the path wins over one in the body (RestApi.groovy L795)."""
        self._require_row("ProductStore", call.key, "productStoreId")
        self._db.update("ProductStore", call.key, dict(call.body, productStoreId=call.key))
        return ApiResponse(200, {})

    # -- scheduled jobs and brokering runs --------------------------------------------------

    def _job_row(self, job, with_parameters=True):
        row = self._db.public("ServiceJob", job)
        if with_parameters:
            row["serviceJobParameters"] = self._db.job_parameters(job["jobName"])
        return row

    def list_jobs(self, call):
        """GET admin/serviceJobs: {"serviceJobList": [...], "serviceJobCount": N}; most rows carry their parameters."""
        page = self._list("ServiceJob", call)
        jobs = [self._db.get("ServiceJob", row["jobName"]) for row in page.rows]
        return self._wrapped("serviceJob", page, [self._job_row(job, job["listParameters"] != "N") for job in jobs],
                             count="page" if self._options["job_count"] == "page" else True)

    def get_job(self, call):
        """GET admin/serviceJobs/{jobName}: {"jobDetail": {..., "serviceJobParameters": [...]}}; unknown jobs are a 404."""
        job = self._db.get("ServiceJob", call.key)
        if job is None:
            raise ApiError(404, f"Service job {call.key} not found")
        return ApiResponse(200, {"jobDetail": dict(self._job_row(job), **_computed_schedule(job))})

    def update_job(self, call):
        """PUT admin/serviceJobs/{jobName}: partial update, typically {"paused": "Y"}; paused is stored verbatim."""
        self._check_body_key(call, "jobName", required=False)
        self._require_row("ServiceJob", call.key, "jobName")
        self._db.update("ServiceJob", call.key, call.body)
        return ApiResponse(200, {})

    def list_routing_groups(self, call):
        """GET order-routing/groups?productStoreId=: a bare array of routing groups, with the jobName that runs each."""
        return self._bare(self._list("OrderRoutingGroup", call))

    def _routing_group(self, group_id):
        group = self._db.get("OrderRoutingGroup", group_id)
        if group is None:
            # The schedule services return an error for an unknown group, which Moqui answers 400 (L777-778).
            raise ApiError(400, f"Order routing group {group_id} not found")
        return group

    def get_routing_schedule(self, call):
        """GET order-routing/groups/{id}/schedule: {"schedule": {...}}, or {"messages": ...} for a group without a job."""
        group = self._routing_group(call.key)
        job = self._db.get("ServiceJob", group["jobName"]) if group["jobName"] else None
        if job is None:
            return ApiResponse(200, {"messages": f"No schedule found for order routing group {call.key}"})
        active = job["paused"] in (None, "N")
        schedule = {"jobName": job["jobName"], "paused": job["paused"], "cronExpression": job["cronExpression"],
                    # A stand-in for the next cron time: only an active job has one.
                    "nextExecutionDateTime": now_ms() + 60000 if active else None}
        return ApiResponse(200, {"schedule": schedule})

    def schedule_routing_group(self, call):
        """POST order-routing/groups/{id}/schedule {routingGroupId, paused, cronExpression}: update (or create) the group's job."""
        group = self._routing_group(call.key)
        values = {field: call.body[field] for field in ("paused", "cronExpression") if field in call.body}
        job_name = group["jobName"]
        if job_name and self._db.get("ServiceJob", job_name) is not None:
            self._db.update("ServiceJob", job_name, values)
        else:
            if not values.get("cronExpression"):
                raise ApiError(400, "cronExpression is required to schedule a routing group")
            job_name = job_name or ROUTING_JOB_PREFIX + call.key
            self._db.insert("ServiceJob", dict(values, serviceName=BROKERING_SERVICE), key=job_name)
            self._db.update("OrderRoutingGroup", call.key, {"jobName": job_name})
        return ApiResponse(200, {})
