"""The emulator's SQLite database: entity definitions, seed loading and row access."""

import base64
import contextlib
import copy
import dataclasses
import json
import os
import secrets
import sqlite3
import threading
import time

SEED_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")
ACCESS_SCOPE_TYPE = "ShopifyShopAccessScope"
ACCESS_SCOPES = (
    ("SHOP_NO_ACCESS", "Shopify shop no access"),
    ("SHOP_READ_ACCESS", "Shopify shop read access"),
    ("SHOP_READ_WRITE_ACCESS", "Shopify shop read and write access"),
    ("SHOP_RW_ACCESS", "Shopify shop read and write access"),
)
PERMISSIONS = ("admin", "read")
# Moqui stores these as one-character indicators and does not check them; the emulator refuses anything but Y/N,
# on purpose, to catch a client bug loudly. ServiceJob.paused is not among them: the scheduler reads any value but
# null and "N" as paused (ScheduledJobRunner.groovy L124-125), so the emulator stores whatever is sent.
INDICATOR_FIELDS = frozenset(("enableBrokering", "isEnabled", "processRefund"))
# Fields the real server backs with a foreign key to Enumeration.
ENUM_FIELDS = {"accessScopeEnumId": ACCESS_SCOPE_TYPE}
FIRST_GENERATED_ID = 100000


@dataclasses.dataclass(frozen=True)
class Entity:
    """One table: its primary key, its other columns, and which of them are secret or internal."""

    name: str
    pk: str
    fields: tuple
    secret_fields: tuple = ()
    hidden_fields: tuple = ()

    @property
    def columns(self):
        """Every column, primary key first."""
        return (self.pk,) + self.fields


ENTITIES = {entity.name: entity for entity in (
    Entity("ProductStore", "productStoreId", ("storeName", "companyName", "externalId", "defaultCurrencyUomId", "enableBrokering", "lastUpdatedStamp")),
    Entity("ShopifyShop", "shopId", ("shopifyShopId", "productStoreId", "name", "myshopifyDomain", "domain", "isEnabled", "lastUpdatedStamp")),
    Entity("ShopifyConfig", "shopifyConfigId",
           ("shopId", "shopifyConfigName", "accessScopeEnumId", "apiVersion", "processRefund", "accessToken", "sharedSecret", "lastUpdatedStamp"),
           secret_fields=("accessToken", "sharedSecret")),
    Entity("SystemMessageRemote", "systemMessageRemoteId",
           ("description", "sendUrl", "remoteId", "remoteIdType", "internalId", "internalIdType", "accessScopeEnumId",
            "username", "password", "sharedSecret", "publicKey", "lastUpdatedStamp"),
           # publicKey is a secret field, sent as an api_key header
           secret_fields=("password", "sharedSecret", "publicKey")),
    Entity("Enumeration", "enumId", ("enumTypeId", "description", "lastUpdatedStamp")),
    # listParameters is the emulator's own switch ("N": the list row comes without its parameters), not an OMS field.
    Entity("ServiceJob", "jobName", ("description", "serviceName", "cronExpression", "paused", "listParameters", "lastUpdatedStamp"),
           hidden_fields=("listParameters",)),
    Entity("OrderRoutingGroup", "routingGroupId", ("productStoreId", "groupName", "description", "jobName", "lastUpdatedStamp")),
    # What may still be moving after a rollback: brokering runs, job runs, test-drive sessions.
    Entity("OrderRoutingRun", "routingRunId", ("orderRoutingId", "routingGroupId", "routingBatchId", "productStoreId", "hasError",
                                               "startDate", "endDate", "routingResult", "lastUpdatedStamp")),
    Entity("ServiceJobRun", "jobRunId", ("jobName", "userId", "hasError", "startTime", "endTime", "messages", "lastUpdatedStamp")),
    Entity("UserSession", "userSessionId", ("userId", "sessionTypeEnumId", "productStoreId", "fromDate", "thruDate", "comments",
                                            "lastUpdatedStamp")),
    Entity("UserAccount", "username", ("password", "permission"), secret_fields=("password",)),
    Entity("AuthToken", "token", ("username", "expirationTime", "fromLogin"), secret_fields=("token",)),
)}
INTEGER_COLUMNS = frozenset(("lastUpdatedStamp", "expirationTime", "startDate", "endDate", "startTime", "endTime", "fromDate", "thruDate"))
# moqui.service.job.ServiceJobParameter: one row per (jobName, parameterName); seeds nest them in their job.
JOB_PARAMETER_TABLE = "ServiceJobParameter"

# Seed file section -> entity; shops carry their ShopifyConfig rows nested, as the API returns them.
SEED_SECTIONS = {
    "productStores": "ProductStore",
    "shopifyShops": "ShopifyShop",
    "systemMessageRemotes": "SystemMessageRemote",
    "enums": "Enumeration",
    "serviceJobs": "ServiceJob",
    "routingGroups": "OrderRoutingGroup",
    "routingRuns": "OrderRoutingRun",
    "serviceJobRuns": "ServiceJobRun",
    "userSessions": "UserSession",
    "users": "UserAccount",
    "tokens": "AuthToken",
}
SEED_INFO_KEYS = frozenset(("description",))


class ValidationError(ValueError):
    """A value the real server would refuse (the API answers it with 400)."""


def now_ms():
    """The current time in epoch milliseconds, the unit Moqui uses."""
    return int(time.time() * 1000)


def resolve_seed(seed):
    """Return a seed as a dict: a bundled name ("demo", "fleet"), a path to a .json file, or a dict."""
    if isinstance(seed, dict):
        return copy.deepcopy(seed)
    if not isinstance(seed, str):
        raise ValueError(f"seed must be a name, a path or a dict, not {type(seed).__name__}")
    path = seed if seed.endswith(".json") or os.sep in seed else os.path.join(SEED_DIR, seed + ".json")
    if not os.path.isfile(path):
        raise ValueError(f"no such seed: {seed}")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_jwt_like(username, expiration_ms):
    """Build a random token that looks like the JWT Maarg issues; nothing ever verifies its signature."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64(json.dumps({"sub": username, "exp": expiration_ms // 1000, "jti": secrets.token_hex(8)}, separators=(",", ":")).encode())
    return f"{header}.{payload}.{_b64(secrets.token_bytes(32))}"


class _Transaction:
    """Handle given to a transaction block; clear `commit` to roll the block back."""

    def __init__(self):
        self.commit = True


class OmsDatabase:
    """An in-memory SQLite database holding the OMS entities, shared by every request thread."""

    def __init__(self, seed):
        # One connection shared by all threads: requests are serialised by the lock, as SQLite wants.
        self._conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self.lock = threading.RLock()
        self.seed = {}
        self._next_id = FIRST_GENERATED_ID
        self.token_uses = {}  # login token -> authenticated requests so far; kept outside SQL so a failed call still counts
        self.load(seed)

    def close(self):
        """Close the connection."""
        with self.lock:
            self._conn.close()

    # -- seed -------------------------------------------------------------------------------

    def load(self, seed):
        """Drop every table and fill the database from a seed (name, path or dict)."""
        data = resolve_seed(seed)
        unknown = set(data) - set(SEED_SECTIONS) - SEED_INFO_KEYS
        if unknown:
            raise ValueError(f"unknown seed sections: {', '.join(sorted(unknown))}")
        # Schema and rows change in one transaction, so a bad seed leaves the previous world in place.
        with self.transaction():
            for entity in ENTITIES.values():
                self._conn.execute(f"DROP TABLE IF EXISTS {entity.name}")
                columns = ", ".join(f"{column} {'INTEGER' if column in INTEGER_COLUMNS else 'TEXT'}" for column in entity.columns)
                self._conn.execute(f"CREATE TABLE {entity.name} ({columns}, PRIMARY KEY ({entity.pk}))")
            self._conn.execute(f"DROP TABLE IF EXISTS {JOB_PARAMETER_TABLE}")
            self._conn.execute(f"CREATE TABLE {JOB_PARAMETER_TABLE} (jobName TEXT, parameterName TEXT, parameterValue TEXT, "
                               "PRIMARY KEY (jobName, parameterName))")
            stamp = now_ms()
            for enum_id, description in ACCESS_SCOPES:
                self._insert_seed_row("Enumeration", {"enumId": enum_id, "enumTypeId": ACCESS_SCOPE_TYPE, "description": description}, stamp)
            for section, entity_name in SEED_SECTIONS.items():
                for row in data.get(section, []):
                    row = dict(row)
                    configs = row.pop("shopifyConfig", []) if section == "shopifyShops" else []
                    parameters = row.pop("serviceJobParameters", []) if section == "serviceJobs" else []
                    if section == "serviceJobs" and "listParameters" in row:
                        row["listParameters"] = "N" if row["listParameters"] is False else "Y"
                    self._insert_seed_row(entity_name, row, stamp)
                    for config in configs:
                        self._insert_seed_row("ShopifyConfig", dict(config, shopId=row["shopId"]), stamp)
                    for parameter in parameters:
                        self._insert_job_parameter(row["jobName"], parameter)
            self.seed = data
            self._next_id = FIRST_GENERATED_ID
            self.token_uses = {}

    def _insert_seed_row(self, entity_name, row, stamp):
        entity = ENTITIES[entity_name]
        unknown = set(row) - set(entity.columns)
        if unknown or not row.get(entity.pk):
            raise ValueError(f"bad {entity_name} seed row {row.get(entity.pk)!r}: unknown fields {sorted(unknown)} or no {entity.pk}")
        if entity_name == "UserAccount" and row.get("permission") not in PERMISSIONS:
            raise ValueError(f"user {row['username']!r}: permission must be one of {PERMISSIONS}")
        if entity_name == "AuthToken":
            row.setdefault("fromLogin", "N")
        if "lastUpdatedStamp" in entity.fields:
            row.setdefault("lastUpdatedStamp", stamp)
        if self.get(entity_name, row[entity.pk]) is not None:
            raise ValueError(f"duplicate {entity_name} {row[entity.pk]!r} in seed")
        self._write_insert(entity, row)

    def _insert_job_parameter(self, job_name, parameter):
        if set(parameter) != {"parameterName", "parameterValue"}:
            raise ValueError(f"job {job_name!r}: a parameter needs exactly parameterName and parameterValue, got {parameter!r}")
        self._conn.execute(f"INSERT INTO {JOB_PARAMETER_TABLE} VALUES (?, ?, ?)", (job_name, parameter["parameterName"], parameter["parameterValue"]))

    def job_parameters(self, job_name):
        """A job's serviceJobParameters, ordered by name, as the API shows them."""
        return self.query(f"SELECT parameterName, parameterValue FROM {JOB_PARAMETER_TABLE} WHERE jobName = ? ORDER BY parameterName",
                          (job_name,))

    # -- transactions -----------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self):
        """Run a block in one transaction: committed unless it raises or clears `commit`."""
        with self.lock:
            self._conn.execute("BEGIN")
            handle = _Transaction()
            try:
                yield handle
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT" if handle.commit else "ROLLBACK")

    # -- reads ------------------------------------------------------------------------------

    def query(self, sql, params=()):
        """Run any SQL and return the rows as dicts."""
        with self.lock:
            return [dict(row) for row in self._conn.execute(sql, params)]

    def get(self, entity_name, key):
        """One row by primary key, or None."""
        entity = ENTITIES[entity_name]
        rows = self.query(f"SELECT * FROM {entity.name} WHERE {entity.pk} = ?", (key,))
        return rows[0] if rows else None

    def find(self, entity_name, filters=None, limit=None, offset=0):
        """Rows matching every filter (field -> value), ordered by primary key, and the total count."""
        entity = ENTITIES[entity_name]
        filters = filters or {}
        if set(filters) - set(entity.columns):
            raise ValueError(f"unknown {entity_name} filter fields: {sorted(set(filters) - set(entity.columns))}")
        where = " AND ".join(f"{field} = ?" for field in filters) or "1 = 1"
        params = tuple(filters.values())
        total = self.query(f"SELECT COUNT(*) AS n FROM {entity.name} WHERE {where}", params)[0]["n"]
        sql = f"SELECT * FROM {entity.name} WHERE {where} ORDER BY {entity.pk}"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += (limit, offset)
        return self.query(sql, params), total

    @staticmethod
    def public(entity_name, row):
        """A row as the API shows it: internal columns left out (null dropping happens at serialisation)."""
        hidden = ENTITIES[entity_name].hidden_fields
        return {key: value for key, value in row.items() if key not in hidden}

    # -- writes -----------------------------------------------------------------------------

    def update(self, entity_name, key, values):
        """Partial update of the writable fields present in `values`; other keys are ignored, like Moqui does.

        As in Moqui, a value equal to the stored one is no change, and a row with no change keeps its lastUpdatedStamp.
        """
        entity = ENTITIES[entity_name]
        current = self.get(entity_name, key)
        changes = {field: value for field, value in self._clean(entity, values).items() if current[field] != value}
        if not changes:
            return False
        changes["lastUpdatedStamp"] = now_ms()
        assignments = ", ".join(f"{field} = ?" for field in changes)
        with self.lock:
            self._conn.execute(f"UPDATE {entity.name} SET {assignments} WHERE {entity.pk} = ?", (*changes.values(), key))
        return True

    def insert(self, entity_name, values, key=None):
        """Create a row; without a key, generate one the way Moqui's sequencer does."""
        entity = ENTITIES[entity_name]
        row = self._clean(entity, values)
        row[entity.pk] = key or self.generate_id(entity_name)
        row["lastUpdatedStamp"] = now_ms()
        self._write_insert(entity, row)
        return row[entity.pk]

    def generate_id(self, entity_name):
        """The next free sequenced id (100000, 100001, ...)."""
        with self.lock:
            while self.get(entity_name, str(self._next_id)) is not None:
                self._next_id += 1
            self._next_id += 1
            return str(self._next_id - 1)

    def _write_insert(self, entity, row):
        fields = ", ".join(row)
        marks = ", ".join("?" * len(row))
        with self.lock:
            self._conn.execute(f"INSERT INTO {entity.name} ({fields}) VALUES ({marks})", tuple(row.values()))

    def _clean(self, entity, values):
        """Keep the writable fields, turning "" into null as Moqui does, and refuse values the server would."""
        writable = set(entity.fields) - {"lastUpdatedStamp"} - set(entity.hidden_fields)
        clean = {}
        for field, value in values.items():
            if field not in writable:
                continue
            if value == "":
                value = None
            if value is not None and not isinstance(value, str):
                raise ValidationError(f"Field {field} must be a string, got {json.dumps(value)}")
            if value is not None and field in INDICATOR_FIELDS and value not in ("Y", "N"):
                raise ValidationError(f"Field {field} must be Y or N, got {value!r}")
            if value is not None and field in ENUM_FIELDS and not self._is_enum(value, ENUM_FIELDS[field]):
                raise ValidationError(f"Field {field}: {value!r} is not a valid {ENUM_FIELDS[field]} enumeration")
            clean[field] = value
        return clean

    def _is_enum(self, enum_id, enum_type_id):
        row = self.get("Enumeration", enum_id)
        return row is not None and row["enumTypeId"] == enum_type_id

    # -- authentication ---------------------------------------------------------------------

    def check_password(self, username, password):
        """The user row when the credentials are right, else None."""
        user = self.get("UserAccount", username)
        if user is None or not secrets.compare_digest(str(user["password"] or ""), str(password)):
            return None
        return user

    def issue_token(self, username, ttl_seconds):
        """A new login token for the user and its expiration time (epoch ms)."""
        expiration = now_ms() + int(ttl_seconds * 1000)
        token = make_jwt_like(username, expiration)
        self._write_insert(ENTITIES["AuthToken"], {"token": token, "username": username, "expirationTime": expiration, "fromLogin": "Y"})
        return token, expiration

    def user_for_token(self, token, max_requests=0):
        """(user row, None) for a valid token, else (None, why it was refused).

        With max_requests, a login token is good for that many authenticated requests; seeded tokens have no such limit.
        """
        row = self.get("AuthToken", token)
        if row is None:
            return None, "Bearer token is not valid"
        if row["expirationTime"] is not None and row["expirationTime"] <= now_ms():
            return None, "Bearer token has expired"
        if max_requests and row["fromLogin"] == "Y":
            with self.lock:
                uses = self.token_uses.get(token, 0)
                if uses >= max_requests:
                    return None, "Bearer token has expired"
                self.token_uses[token] = uses + 1
        return self.get("UserAccount", row["username"]), None

    def expire_login_tokens(self):
        """Expire every token issued by a login; seeded long-lived tokens keep working."""
        with self.lock:
            self._conn.execute("UPDATE AuthToken SET expirationTime = 0 WHERE fromLogin = 'Y'")

    # -- snapshots for tests ----------------------------------------------------------------

    def state(self):
        """The values a rollback and a restore change, keyed by id."""
        shops = {row["shopId"]: {"configs": {}} for row in self.query("SELECT shopId FROM ShopifyShop ORDER BY shopId")}
        for row in self.query("SELECT shopId, shopifyConfigId, accessScopeEnumId FROM ShopifyConfig ORDER BY shopifyConfigId"):
            shops.setdefault(row["shopId"], {"configs": {}})["configs"][row["shopifyConfigId"]] = row["accessScopeEnumId"]
        return {
            "shops": shops,
            "remotes": self._column_map("SystemMessageRemote", "accessScopeEnumId"),
            "stores": self._column_map("ProductStore", "enableBrokering"),
            "jobs": self._column_map("ServiceJob", "paused"),
        }

    def _column_map(self, entity_name, field):
        entity = ENTITIES[entity_name]
        return {row[entity.pk]: row[field] for row in self.query(f"SELECT {entity.pk}, {field} FROM {entity.name} ORDER BY {entity.pk}")}

    def secrets(self):
        """Every secret value in the database and in the seed, for leak scans."""
        found = set()
        for entity in ENTITIES.values():
            for field in entity.secret_fields:
                found.update(row[field] for row in self.query(f"SELECT {field} FROM {entity.name} WHERE {field} IS NOT NULL"))
        secret_names = {field for entity in ENTITIES.values() for field in entity.secret_fields}
        found.update(_values_named(self.seed, secret_names))
        return sorted(value for value in found if isinstance(value, str) and value)


def _values_named(data, names):
    """Yield every value stored under one of `names`, at any depth of a JSON document."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in names and isinstance(value, str):
                yield value
            else:
                yield from _values_named(value, names)
    elif isinstance(data, list):
        for item in data:
            yield from _values_named(item, names)
