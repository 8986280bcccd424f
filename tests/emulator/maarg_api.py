"""The Maarg REST resources of shared/oms-api.md (sections 2-8), answered from the emulator database."""

import dataclasses
import json
import math
import re
import urllib.parse

from .database import ENTITIES, ValidationError

REST_PREFIX = "/rest/s1"
LOGIN_PATH = REST_PREFIX + "/admin/login"
WRITE_METHODS = frozenset(("POST", "PUT", "PATCH", "DELETE"))
MAX_PAGE_SIZE = 100
NOT_FOUND_ON_UPDATE = "Tried to update a value that does not exist"
INVALID_JSON = object()  # stands for a request body that did not parse

DEFAULT_OPTIONS = {"remote_list_shape": "wrapped", "store_api": "both", "token_ttl": 3600, "latency_ms": 0}
OPTION_CHOICES = {"remote_list_shape": ("array", "wrapped"), "store_api": ("admin", "oms", "both")}


def validate_options(options):
    """Check configure() options and return them; raise ValueError on anything unknown or out of range."""
    unknown = set(options) - set(DEFAULT_OPTIONS)
    if unknown:
        raise ValueError(f"unknown emulator options: {sorted(unknown)}; known: {sorted(DEFAULT_OPTIONS)}")
    for name, value in options.items():
        if name in OPTION_CHOICES and value not in OPTION_CHOICES[name]:
            raise ValueError(f"{name} must be one of {OPTION_CHOICES[name]}, got {value!r}")
        if name not in OPTION_CHOICES and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
            raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    return dict(options)


def is_write(method, path):
    """Whether a request would change data: every write method except the login call."""
    return method in WRITE_METHODS and path.rstrip("/") != LOGIN_PATH


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
        return self.path.rstrip("/") == LOGIN_PATH

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


def _paging(query):
    """(pageIndex, pageSize) from the query; pageSize None means no limit (pageNoLimit=true)."""
    try:
        index = int(query.get("pageIndex") or 0)
        size = int(query.get("pageSize") or MAX_PAGE_SIZE)
    except ValueError as err:
        raise ApiError(400, f"pageIndex and pageSize must be integers: {err}") from err
    if index < 0 or size < 1:
        raise ApiError(400, "pageIndex must be >= 0 and pageSize >= 1")
    if query.get("pageNoLimit", "").lower() == "true":
        return 0, None
    return index, min(size, MAX_PAGE_SIZE)


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


class MaargApi:
    """Routes /rest/s1 requests to resource handlers; `options` is the emulator's live switch dict."""

    def __init__(self, db, options):
        self._db = db
        self._options = options
        routes = (
            (r"/admin/login", {"POST": self.login}),
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
            (r"/order-routing/groups", {"GET": self.list_routing_groups}),
            (r"/order-routing/groups/(?P<key>[^/]+)/schedule", {"GET": self.get_routing_schedule}),
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
        scheme, _space, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "User must be logged in: send Authorization: Bearer <token>")
        user, reason = self._db.user_for_token(token.strip())
        if user is None:
            raise ApiError(401, reason)
        return user

    # -- shared helpers ---------------------------------------------------------------------

    def _list(self, entity_name, call):
        """One page of rows, filtered on any field given in the query (blank values ignored, as Moqui does)."""
        index, size = _paging(call.query)
        entity = ENTITIES[entity_name]
        filterable = set(entity.columns) - set(entity.hidden_fields) - set(entity.secret_fields)
        filters = {field: value for field, value in call.query.items() if value and field in filterable}
        rows, total = self._db.find(entity_name, filters, size, index * (size or 0))
        page_size = size or max(total, 1)
        return [self._db.public(entity_name, row) for row in rows], _page_headers(total, index, page_size)

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
            raise ApiError(401, "Invalid username or password")
        token, expiration = self._db.issue_token(username, self._options["token_ttl"])
        return ApiResponse(200, {"token": token, "expirationTime": expiration})

    # -- Shopify shops and their legacy config rows -----------------------------------------

    def _with_configs(self, shops):
        configs = self._db.find("ShopifyConfig")[0]
        for shop in shops:
            shop["shopifyConfig"] = [config for config in configs if config["shopId"] == shop["shopId"]]
        return shops

    def list_shops(self, call):
        """GET shopifyShops/shops: a bare array of shops, each with its shopifyConfig rows."""
        shops, headers = self._list("ShopifyShop", call)
        return ApiResponse(200, self._with_configs(shops), headers)

    def get_shop(self, call):
        """GET shopifyShops/shops/{shopId}: one shop; an unknown id gets the same empty 200 as a product store."""
        shop = self._db.get("ShopifyShop", call.key)
        return ApiResponse(200, self._with_configs([shop])[0] if shop else None)

    def update_shop(self, call):
        """PUT shopifyShops/shops/{shopId}: partial update of the shop and of each nested config row."""
        self._check_body_key(call, "shopId", required=False)
        self._require_row("ShopifyShop", call.key, "shopId")
        configs = call.body.get("shopifyConfig", [])
        if not isinstance(configs, list) or not all(isinstance(config, dict) for config in configs):
            raise ApiError(400, "shopifyConfig must be a list of objects")
        self._db.update("ShopifyShop", call.key, call.body)
        for config in configs:
            config_id = config.get("shopifyConfigId") or None
            if config_id is not None and not isinstance(config_id, str):
                raise ApiError(400, "shopifyConfigId must be a string")
            existing = self._db.get("ShopifyConfig", config_id) if config_id else None
            if existing and existing["shopId"] != call.key:
                raise ApiError(400, f"ShopifyConfig {config_id} belongs to shop {existing['shopId']}, not {call.key}")
            values = dict(config, shopId=call.key)
            if existing:
                self._db.update("ShopifyConfig", config_id, values)
            else:
                # The quirk the contract warns about: no (or an unknown) shopifyConfigId creates a row.
                self._db.insert("ShopifyConfig", values, key=config_id)
        return ApiResponse(200, {})

    # -- shop remotes -----------------------------------------------------------------------

    def list_remotes(self, call):
        """GET systemMessageRemotes: a bare array or a wrapped list, depending on the server version."""
        remotes, headers = self._list("SystemMessageRemote", call)
        body = remotes if self._options["remote_list_shape"] == "array" else {"systemMessageRemoteList": remotes}
        return ApiResponse(200, body, headers)

    def update_remote(self, call):
        """PUT systemMessageRemotes/{id}: partial update; the id must be in the body; the answer says nothing."""
        self._check_body_key(call, "systemMessageRemoteId", required=True)
        self._require_row("SystemMessageRemote", call.key, "systemMessageRemoteId")
        self._db.update("SystemMessageRemote", call.key, call.body)
        return ApiResponse(200, {})

    def list_enums(self, call):
        """GET admin/enums?enumTypeId=: an array of enumerations."""
        enums, headers = self._list("Enumeration", call)
        return ApiResponse(200, enums, headers)

    # -- product stores ---------------------------------------------------------------------

    def list_stores(self, call):
        """GET admin/productStores (or the deprecated oms/productStores): an array of stores."""
        stores, headers = self._list("ProductStore", call)
        return ApiResponse(200, stores, headers)

    def get_store(self, call):
        """GET productStores/{id}: one store; an unknown id answers 200 with an empty body, not 404."""
        store = self._db.get("ProductStore", call.key)
        return ApiResponse(200, self._db.public("ProductStore", store) if store else None)

    def update_store(self, call):
        """PUT productStores/{id}: partial update."""
        self._check_body_key(call, "productStoreId", required=False)
        self._require_row("ProductStore", call.key, "productStoreId")
        self._db.update("ProductStore", call.key, call.body)
        return ApiResponse(200, {})

    # -- scheduled jobs and brokering runs --------------------------------------------------

    def list_jobs(self, call):
        """GET admin/serviceJobs: {"serviceJobList": [...]}, paged."""
        jobs, headers = self._list("ServiceJob", call)
        return ApiResponse(200, {"serviceJobList": jobs}, headers)

    def get_job(self, call):
        """GET admin/serviceJobs/{jobName}: {"jobDetail": {...}}; unknown jobs are a 404."""
        job = self._db.get("ServiceJob", call.key)
        if job is None:
            raise ApiError(404, f"Service job {call.key} not found")
        return ApiResponse(200, {"jobDetail": job})

    def update_job(self, call):
        """PUT admin/serviceJobs/{jobName}: partial update, typically {"paused": "Y"}."""
        self._check_body_key(call, "jobName", required=False)
        self._require_row("ServiceJob", call.key, "jobName")
        self._db.update("ServiceJob", call.key, call.body)
        return ApiResponse(200, {})

    def list_routing_groups(self, call):
        """GET order-routing/groups?productStoreId=: an array of routing groups."""
        groups, headers = self._list("OrderRoutingGroup", call)
        return ApiResponse(200, groups, headers)

    def get_routing_schedule(self, call):
        """GET order-routing/groups/{id}/schedule: the group's brokering job; {} when it has none."""
        group = self._db.get("OrderRoutingGroup", call.key)
        if group is None:
            raise ApiError(404, f"Routing group {call.key} not found")
        job = self._db.get("ServiceJob", group["jobName"]) if group["jobName"] else None
        return ApiResponse(200, dict(job, routingGroupId=call.key) if job else {})
