"""The OMS emulator answers like HotWax's OMS over real HTTP: shapes, quirks, faults, log and control API."""

import concurrent.futures
import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.emulator.make_fleet_seed import build_fleet_seed
from tests.emulator.oms_emulator import OmsEmulator

REPO_ROOT = Path(__file__).resolve().parents[1]
SEED_DIR = REPO_ROOT / "tests" / "emulator" / "seeds"
DEMO = json.loads((SEED_DIR / "demo.json").read_text(encoding="utf-8"))
ADMIN_PASSWORD = DEMO["users"][0]["password"]
ADMIN_TOKEN, VIEWER_TOKEN, EXPIRED_TOKEN = (token["token"] for token in DEMO["tokens"])
SHOPS = "/rest/s1/oms/shopifyShops/shops"
REMOTES = "/rest/s1/oms/systemMessageRemotes"
STORES = "/rest/s1/admin/productStores"
JOBS = "/rest/s1/admin/serviceJobs"
LOGIN = "/rest/s1/admin/login"


class Answer:
    """One HTTP answer: status, headers, raw body and the parsed JSON (None when the body is empty)."""

    def __init__(self, status, headers, raw):
        self.status, self.headers, self.raw = status, headers, raw
        self.json = json.loads(raw) if raw and headers.get("Content-Type") == "application/json" else None


def call(base_url, method, path, body=None, token=ADMIN_TOKEN, context=None):
    """Send one request with urllib; HTTP errors are answers too."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base_url + path, data=data, method=method, headers={"Content-Type": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10, context=context) as response:
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as err:
        return Answer(err.code, err.headers, err.read())


@pytest.fixture(scope="module", name="demo_server")
def fixture_demo_server():
    with OmsEmulator(seed="demo") as emulator:
        yield emulator


@pytest.fixture(name="emu")
def fixture_emu(demo_server):
    demo_server.reset()
    return demo_server


@pytest.fixture(scope="module", name="fleet")
def fixture_fleet():
    with OmsEmulator(seed="fleet") as emulator:
        yield emulator


def login(emu, username="hotwax.admin", password=ADMIN_PASSWORD):
    return call(emu.url, "POST", LOGIN, {"username": username, "password": password}, token=None)


# -- authentication -----------------------------------------------------------------------------


def test_login_gives_a_bearer_token_that_works(emu):
    answer = login(emu)
    assert answer.status == 200
    assert answer.json["token"].count(".") == 2
    assert answer.json["expirationTime"] > time.time() * 1000
    assert call(emu.url, "GET", SHOPS, token=answer.json["token"]).status == 200


@pytest.mark.parametrize("token", [None, "not-a-token", EXPIRED_TOKEN])
def test_missing_unknown_or_expired_token_is_401(emu, token):
    answer = call(emu.url, "GET", SHOPS, token=token)
    assert answer.status == 401
    assert answer.json["errorCode"] == 401 and answer.json["errors"]


def test_bad_credentials_are_400_or_401_by_switch(emu):
    answer = login(emu, password="wrong")
    assert (answer.status, answer.json["errorCode"]) == (400, 400) and "token" not in answer.json
    assert call(emu.url, "POST", LOGIN, {"username": "hotwax.admin"}, token=None).status == 400
    emu.configure(login_failure_status=401)
    assert login(emu, password="wrong").json["errorCode"] == 401
    assert login(emu).status == 200


def test_read_user_may_read_but_not_write(emu):
    assert call(emu.url, "GET", STORES, token=VIEWER_TOKEN).status == 200
    viewer = login(emu, "hotwax.viewer", DEMO["users"][1]["password"]).json["token"]
    answer = call(emu.url, "PUT", STORES + "/STORE", {"enableBrokering": "N"}, token=viewer)
    assert (answer.status, answer.json["errorCode"]) == (403, 403)
    assert emu.state()["stores"]["STORE"] == "Y"


def test_token_ttl_and_expire_tokens(emu):
    token = login(emu).json["token"]
    emu.expire_tokens()
    assert call(emu.url, "GET", SHOPS, token=token).status == 401
    assert call(emu.url, "GET", SHOPS, token=ADMIN_TOKEN).status == 200
    emu.configure(token_ttl=0)
    assert call(emu.url, "GET", SHOPS, token=login(emu).json["token"]).status == 401


# -- shapes and quirks --------------------------------------------------------------------------


def test_shop_list_carries_nested_configs_with_secrets(emu):
    answer = call(emu.url, "GET", SHOPS + "?productStoreId=STORE")
    assert [shop["shopId"] for shop in answer.json] == ["SHOP"]
    config = answer.json[0]["shopifyConfig"][0]
    assert config["shopifyConfigId"] == "SHOP_CONFIG" and config["accessScopeEnumId"] == "SHOP_READ_WRITE_ACCESS"
    assert config["accessToken"] in emu.secrets()
    assert call(emu.url, "GET", SHOPS + "?productStoreId=OTHER").json == []
    assert call(emu.url, "GET", SHOPS + "/SHOP").json["myshopifyDomain"] == "newera-stg.myshopify.com"


def test_paging_defaults_to_100_and_honours_a_larger_page_size(fleet):
    first = call(fleet.url, "GET", SHOPS)
    assert len(first.json) == 100
    assert (first.headers["X-Total-Count"], first.headers["X-Page-Index"], first.headers["X-Page-Size"]) == ("130", "0", "100")
    big = call(fleet.url, "GET", SHOPS + "?pageSize=500")
    assert len(big.json) == 130 and big.headers["X-Page-Size"] == "500"
    second = call(fleet.url, "GET", SHOPS + "?pageIndex=1")
    assert len(second.json) == 30 and second.headers["X-Page-Index"] == "1"
    ids = [shop["shopId"] for shop in first.json + second.json]
    assert ids == sorted(ids) and len(set(ids)) == 130
    assert len(call(fleet.url, "GET", SHOPS + "?pageNoLimit=true").json) == 130
    small = call(fleet.url, "GET", STORES + "?pageSize=3&pageIndex=1")
    assert [store["productStoreId"] for store in small.json] == ["FLEET_STORE_4"]
    assert call(fleet.url, "GET", SHOPS + "?pageIndex=x").status == 400


def test_remote_list_shapes_and_filters(emu):
    wrapped = call(emu.url, "GET", REMOTES + "?internalId=SHOP")
    assert [row["systemMessageRemoteId"] for row in wrapped.json["systemMessageRemoteList"]] == ["SHOP_SHOPIFY_REMOTE"]
    emu.configure(remote_list_shape="array")
    bare = call(emu.url, "GET", REMOTES + "?remoteId=26064650298")
    assert [row["systemMessageRemoteId"] for row in bare.json] == ["SHOP_SHOPIFY_REMOTE"]
    assert bare.json[0]["password"] in emu.secrets()


def test_remote_get_by_id_is_405_and_unknown_path_404(emu):
    answer = call(emu.url, "GET", REMOTES + "/SHOP_SHOPIFY_REMOTE")
    assert (answer.status, answer.json["errorCode"]) == (405, 405)
    assert call(emu.url, "GET", "/rest/s1/oms/nothingHere").json["errorCode"] == 404


def test_unknown_store_is_an_empty_200(emu):
    answer = call(emu.url, "GET", STORES + "/NO_SUCH_STORE")
    assert (answer.status, answer.raw, answer.headers["Content-Length"]) == (200, b"", "0")


def test_store_api_switch(emu):
    assert call(emu.url, "GET", "/rest/s1/oms/productStores/STORE").json["storeName"] == "New Era Cap Store"
    emu.configure(store_api="oms")
    assert call(emu.url, "GET", STORES + "/STORE").status == 404
    assert call(emu.url, "PUT", "/rest/s1/oms/productStores/STORE", {"enableBrokering": "N"}).status == 200
    emu.configure(store_api="admin")
    assert call(emu.url, "GET", "/rest/s1/oms/productStores").status == 404
    assert call(emu.url, "GET", STORES + "/STORE").json["enableBrokering"] == "N"


def test_null_fields_are_dropped(fleet):
    store = call(fleet.url, "GET", STORES + "/FLEET_STORE_3").json
    assert "enableBrokering" not in store and store["storeName"] == "Fleet Store 3"
    assert fleet.state()["stores"]["FLEET_STORE_3"] is None
    configs = [config for shop in call(fleet.url, "GET", SHOPS + "?pageNoLimit=true").json for config in shop["shopifyConfig"]]
    assert any("accessScopeEnumId" not in config for config in configs)
    assert all(value is not None for config in configs for value in config.values())


def test_enums_jobs_and_routing_groups(emu):
    enums = call(emu.url, "GET", "/rest/s1/admin/enums?enumTypeId=ShopifyShopAccessScope").json
    assert sorted(enum["enumId"] for enum in enums) == ["SHOP_NO_ACCESS", "SHOP_READ_ACCESS", "SHOP_READ_WRITE_ACCESS", "SHOP_RW_ACCESS"]
    jobs = call(emu.url, "GET", JOBS)
    assert "consume_ShopifyOrders_SQS" in [job["jobName"] for job in jobs.json["serviceJobList"]]
    assert call(emu.url, "GET", JOBS + "/consume_ShopifyOrders_SQS").json["jobDetail"]["paused"] == "N"
    assert call(emu.url, "GET", JOBS + "/nope").json["errorCode"] == 404
    groups = call(emu.url, "GET", "/rest/s1/order-routing/groups?productStoreId=STORE").json
    assert [(group["routingGroupId"], group["groupName"], group["jobName"]) for group in groups] == [
        ("10001", "Default brokering", "Order_Routing_Group_10001")]
    schedule = call(emu.url, "GET", "/rest/s1/order-routing/groups/10001/schedule").json["schedule"]
    assert schedule["jobName"] == "Order_Routing_Group_10001" and schedule["paused"] == "N" and schedule["cronExpression"]
    assert schedule["nextExecutionDateTime"] > time.time() * 1000
    assert call(emu.url, "PUT", JOBS + "/Order_Routing_Group_10001", {"jobName": "Order_Routing_Group_10001", "paused": "Y"}).status == 200
    assert emu.state()["jobs"]["Order_Routing_Group_10001"] == "Y"
    assert "nextExecutionDateTime" not in call(emu.url, "GET", "/rest/s1/order-routing/groups/10001/schedule").json["schedule"]


# -- updates ------------------------------------------------------------------------------------


def test_shop_put_updates_a_known_config_partially(emu):
    body = {"shopId": "SHOP", "shopifyConfig": [{"shopifyConfigId": "SHOP_CONFIG", "accessScopeEnumId": "SHOP_NO_ACCESS"}]}
    assert call(emu.url, "PUT", SHOPS + "/SHOP", body).status == 200
    row = emu.query("SELECT * FROM ShopifyConfig WHERE shopifyConfigId = ?", ("SHOP_CONFIG",))[0]
    assert (row["accessScopeEnumId"], row["apiVersion"], row["processRefund"]) == ("SHOP_NO_ACCESS", "2024-01", "Y")


def test_shop_put_without_config_id_creates_a_row(emu):
    body = {"shopId": "SHOP", "shopifyConfig": [{"accessScopeEnumId": "SHOP_NO_ACCESS"}]}
    assert call(emu.url, "PUT", SHOPS + "/SHOP", body).status == 200
    assert emu.state()["shops"]["SHOP"]["configs"] == {"100000": "SHOP_NO_ACCESS", "SHOP_CONFIG": "SHOP_READ_WRITE_ACCESS"}


def test_shop_put_to_unknown_shop_is_no_error_but_its_configs_break_the_foreign_key(emu):
    assert call(emu.url, "PUT", SHOPS + "/GHOST", {"shopId": "GHOST", "shopifyConfig": []}).status == 200
    answer = call(emu.url, "PUT", SHOPS + "/GHOST", {"shopifyConfig": [{"shopifyConfigId": "SHOP_CONFIG", "accessScopeEnumId": "SHOP_NO_ACCESS"}]})
    assert answer.status == 400 and answer.json["errorCode"] == 400
    assert emu.state()["shops"] == {"SHOP": {"configs": {"SHOP_CONFIG": "SHOP_READ_WRITE_ACCESS"}}}


def test_shop_put_moves_a_config_of_another_shop_and_answers_the_stored_ids(emu):
    emu.query("INSERT INTO ShopifyShop (shopId, productStoreId, name) VALUES ('OTHER', 'STORE', 'Other shop')")
    body = {"shopId": "OTHER", "shopifyConfig": [{"shopifyConfigId": "SHOP_CONFIG", "accessScopeEnumId": "SHOP_NO_ACCESS"},
                                                 {"shopifyConfigId": "GONE", "accessScopeEnumId": "SHOP_READ_ACCESS"}]}
    answer = call(emu.url, "PUT", SHOPS + "/OTHER", body)
    assert (answer.status, answer.json) == (200, {"shopifyConfig": [{"shopifyConfigId": "SHOP_CONFIG"}, {"shopifyConfigId": "GONE"}]})
    assert emu.state()["shops"] == {"OTHER": {"configs": {"GONE": "SHOP_READ_ACCESS", "SHOP_CONFIG": "SHOP_NO_ACCESS"}}, "SHOP": {"configs": {}}}


def test_nested_config_rows_drop_the_parent_key_and_carry_entity(emu):
    config = call(emu.url, "GET", SHOPS + "/SHOP").json["shopifyConfig"][0]
    assert "shopId" not in config and config["_entity"] == "ShopifyConfig" and config["shopifyConfigId"] == "SHOP_CONFIG"


def test_remote_put_is_partial_and_needs_its_id(emu):
    path = REMOTES + "/SHOP_SHOPIFY_REMOTE"
    answer = call(emu.url, "PUT", path, {"systemMessageRemoteId": "SHOP_SHOPIFY_REMOTE", "accessScopeEnumId": "SHOP_NO_ACCESS"})
    assert (answer.status, answer.json) == (200, {})
    row = emu.query("SELECT * FROM SystemMessageRemote WHERE systemMessageRemoteId = 'SHOP_SHOPIFY_REMOTE'")[0]
    assert (row["accessScopeEnumId"], row["internalId"], row["sendUrl"]) == ("SHOP_NO_ACCESS", "SHOP", "https://newera-stg.myshopify.com/admin/api/2024-01")
    assert call(emu.url, "PUT", path, {"accessScopeEnumId": "SHOP_RW_ACCESS"}).status == 400
    unknown = call(emu.url, "PUT", REMOTES + "/GHOST", {"systemMessageRemoteId": "GHOST", "accessScopeEnumId": "SHOP_NO_ACCESS"})
    assert unknown.status == 400 and "Tried to update a value that does not exist" in unknown.json["errors"]


def test_store_put_is_partial_and_validated(emu):
    assert call(emu.url, "PUT", STORES + "/STORE", {"productStoreId": "STORE", "enableBrokering": "N"}).status == 200
    assert call(emu.url, "GET", STORES + "/STORE").json["storeName"] == "New Era Cap Store"
    assert call(emu.url, "PUT", STORES + "/STORE", {"enableBrokering": True}).status == 400
    assert call(emu.url, "PUT", STORES + "/GHOST", {"enableBrokering": "N"}).status == 400
    assert call(emu.url, "PUT", REMOTES + "/SHOP_SHOPIFY_REMOTE", {"systemMessageRemoteId": "SHOP_SHOPIFY_REMOTE", "accessScopeEnumId": "NOPE"}).status == 400
    assert emu.state()["stores"]["STORE"] == "N"


def test_bad_json_is_400(emu):
    request = urllib.request.Request(emu.url + STORES + "/STORE", data=b"{not json", method="PUT", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)  # pylint: disable=consider-using-with
    assert caught.value.code == 400 and json.loads(caught.value.read())["errorCode"] == 400


# -- faults -------------------------------------------------------------------------------------


def test_latency_fault_and_option(emu):
    emu.set_faults([{"kind": "latency", "ms": 200, "path": "productStores"}])
    started = time.monotonic()
    call(emu.url, "GET", STORES)
    assert time.monotonic() - started >= 0.2
    emu.set_faults([])
    emu.configure(latency_ms=150)
    started = time.monotonic()
    call(emu.url, "GET", SHOPS)
    assert time.monotonic() - started >= 0.15


def test_slow_answers_overlap(emu):
    emu.configure(latency_ms=300)
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(5) as pool:
        statuses = list(pool.map(lambda _number: call(emu.url, "GET", STORES).status, range(5)))
    assert statuses == [200] * 5 and time.monotonic() - started < 1.2


def test_status_fault_times_then_recovers(emu):
    emu.set_faults([{"kind": "status", "status": 503, "method": "GET", "times": 2}])
    statuses = [call(emu.url, "GET", STORES).status for _attempt in range(3)]
    assert statuses == [503, 503, 200]
    assert [entry["status"] for entry in emu.requests()] == [503, 503, 200]


def test_status_fault_every_nth_and_raw_body(emu):
    emu.set_faults([{"kind": "status", "status": 502, "every": 3, "body": "<html>Bad Gateway</html>"}])
    answers = [call(emu.url, "GET", STORES) for _attempt in range(6)]
    assert [answer.status for answer in answers] == [200, 200, 502, 200, 200, 502]
    assert answers[2].raw == b"<html>Bad Gateway</html>"


def test_rate_limit_fault(emu):
    emu.set_faults([{"kind": "rate_limit", "retry_after": 2, "times": 1}])
    answer = call(emu.url, "GET", SHOPS)
    assert (answer.status, answer.headers["Retry-After"], answer.json["errorCode"]) == (429, "2", 429)
    assert call(emu.url, "GET", SHOPS).status == 200


def test_drop_fault_closes_without_answer(emu):
    emu.set_faults([{"kind": "drop", "path": "productStores", "times": 1}])
    with pytest.raises((urllib.error.URLError, ConnectionError, http.client.HTTPException)):
        call(emu.url, "GET", STORES)
    assert call(emu.url, "GET", STORES).status == 200
    assert [entry["status"] for entry in emu.requests()] == [0, 200]


def test_ignore_write_fault_answers_ok_and_changes_nothing(emu):
    emu.set_faults([{"kind": "ignore_write"}])
    answer = call(emu.url, "PUT", STORES + "/STORE", {"enableBrokering": "N"})
    assert answer.status == 200
    assert emu.state()["stores"]["STORE"] == "Y"
    assert len(emu.writes()) == 1


def test_lose_answer_fault_makes_the_change_and_drops_the_answer(emu):
    emu.set_faults([{"kind": "lose_answer", "method": "PUT", "times": 1}])
    with pytest.raises((urllib.error.URLError, ConnectionError, http.client.HTTPException)):
        call(emu.url, "PUT", STORES + "/STORE", {"enableBrokering": "N"})
    assert emu.state()["stores"]["STORE"] == "N"
    assert [entry["status"] for entry in emu.requests()] == [0]


def test_expire_tokens_fault(emu):
    token = login(emu).json["token"]
    emu.set_faults([{"kind": "expire_tokens", "method": "PUT", "times": 1}])
    assert call(emu.url, "GET", STORES, token=token).status == 200
    assert call(emu.url, "PUT", STORES + "/STORE", {"enableBrokering": "N"}, token=token).status == 401
    fresh = login(emu).json["token"]
    assert call(emu.url, "PUT", STORES + "/STORE", {"enableBrokering": "N"}, token=fresh).status == 200


def test_bad_fault_rule_is_refused(emu):
    with pytest.raises(ValueError):
        emu.set_faults([{"kind": "explode"}])
    assert call(emu.url, "PUT", "/_emulator/faults", [{"kind": "status"}], token=None).status == 400


# -- the switches for points HotWax's public code leaves open ------------------------------------------------------------


def send(base_url, method, path, body=None, headers=None, timeout=10):
    """One request with http.client and full control of the headers (cookies included); HTTP errors are answers too."""
    host, port = base_url.rsplit("/", 1)[1].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        data = json.dumps(body) if body is not None else None
        connection.request(method, path, body=data, headers=dict({"Content-Type": "application/json"}, **(headers or {})))
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def test_wrapped_lists_carry_their_count_in_the_body_and_no_header_by_default(fleet):
    """Service jobs state their count in the body; the live remote list states none at all (no header, no body count)."""
    try:
        remotes = call(fleet.url, "GET", REMOTES + "?pageSize=50&pageIndex=3")
        total = len(fleet.query("SELECT * FROM SystemMessageRemote"))
        assert set(remotes.json) == {"systemMessageRemoteList"} and len(remotes.json["systemMessageRemoteList"]) == total - 150
        fleet.configure(remote_list_count=True)  # older builds: the count in the body
        assert call(fleet.url, "GET", REMOTES + "?pageSize=50").json["systemMessageRemoteCount"] == total
        fleet.configure(remote_list_count=False)
        jobs = call(fleet.url, "GET", JOBS)
        assert jobs.json["serviceJobCount"] == len(fleet.query("SELECT * FROM ServiceJob")) and len(jobs.json["serviceJobList"]) == 100
        assert not [name for name in ("X-Total-Count", "X-Page-Index") for answer in (remotes, jobs) if name in answer.headers]
        fleet.configure(total_header=True)
        assert call(fleet.url, "GET", JOBS).headers["X-Total-Count"] == str(jobs.json["serviceJobCount"])
        assert call(fleet.url, "GET", REMOTES).headers["X-Total-Count"] == str(total)
        fleet.configure(total_header=False, remote_list_shape="array")
        bare = call(fleet.url, "GET", REMOTES)
        assert bare.headers["X-Total-Count"] == str(total) and len(bare.json) == 100
    finally:
        fleet.reset()


def test_page_index_and_page_size_can_be_ignored(fleet):
    try:
        fleet.configure(page_index="ignored")
        first, second = (call(fleet.url, "GET", SHOPS + f"?pageSize=100&pageIndex={index}").json for index in (0, 1))
        assert [shop["shopId"] for shop in first] == [shop["shopId"] for shop in second] and len(second) == 100
        fleet.configure(page_index="honoured", page_size="ignored")  # Moqui's own page: 20 rows
        assert len(call(fleet.url, "GET", SHOPS + "?pageSize=100").json) == 20
        assert len(call(fleet.url, "GET", SHOPS + "?pageSize=500").json) == 20
        assert len(call(fleet.url, "GET", SHOPS + "?pageNoLimit=true").json) == 20
        total = len(fleet.query("SELECT shopId FROM ShopifyShop"))
        assert len(call(fleet.url, "GET", SHOPS + "?pageSize=500&pageIndex=%d" % (total // 20)).json) == total % 20
    finally:
        fleet.reset()


@pytest.mark.parametrize("token", [None, "not-a-token", EXPIRED_TOKEN])
def test_expired_token_status_switch(emu, token):
    emu.configure(expired_token_status=403)
    answer = call(emu.url, "GET", SHOPS, token=token)
    assert (answer.status, answer.json["errorCode"]) == (403, 403)
    assert call(emu.url, "GET", SHOPS).status == 200


def test_login_token_expires_after_a_number_of_requests(emu):
    emu.configure(token_max_requests=2)
    token = login(emu).json["token"]
    assert [call(emu.url, "GET", STORES, token=token).status for _attempt in range(3)] == [200, 200, 401]
    assert call(emu.url, "GET", STORES).status == 200  # a seeded long-lived token has no such limit
    fresh = login(emu).json["token"]
    assert call(emu.url, "PUT", STORES + "/STORE", {"enableBrokering": "N"}, token=fresh).status == 200
    assert emu.state()["stores"]["STORE"] == "N"


def test_order_routing_component_can_be_absent(emu):
    emu.configure(order_routing=False)
    for method, path in (("GET", "/groups?productStoreId=STORE"), ("GET", "/groups/10001/schedule"), ("POST", "/groups/10001/schedule")):
        answer = call(emu.url, method, "/rest/s1/order-routing" + path, {"paused": "Y"} if method == "POST" else None)
        assert (answer.status, answer.json["errorCode"]) == (404, 404)
    assert emu.state()["jobs"]["Order_Routing_Group_10001"] == "N"
    assert call(emu.url, "GET", JOBS + "/Order_Routing_Group_10001").status == 200


def test_csrf_check_refuses_a_write_that_sends_the_session_cookie_back(emu):
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    first = send(emu.url, "GET", STORES + "/STORE", headers=auth)
    cookie = first.headers["Set-Cookie"].split(";")[0]
    assert cookie.startswith("JSESSIONID=") and first.headers["X-CSRF-Token"]
    refused = send(emu.url, "PUT", STORES + "/STORE", {"enableBrokering": "N"}, dict(auth, Cookie=cookie))
    assert (refused.status, refused.json["errorCode"]) == (403, 403)
    assert emu.state()["stores"]["STORE"] == "Y"
    assert emu.requests()[-1]["cookie"] is True
    wrong = send(emu.url, "PUT", STORES + "/STORE", {"enableBrokering": "N"}, dict(auth, Cookie=cookie, **{"X-CSRF-Token": "guess"}))
    assert wrong.status == 403
    with_token = dict(auth, Cookie=cookie, **{"X-CSRF-Token": first.headers["X-CSRF-Token"]})
    assert send(emu.url, "PUT", STORES + "/STORE", {"enableBrokering": "N"}, with_token).status == 200
    assert "Set-Cookie" not in send(emu.url, "GET", STORES + "/STORE", headers=dict(auth, Cookie=cookie)).headers
    login_body = {"username": "hotwax.admin", "password": ADMIN_PASSWORD}
    assert send(emu.url, "POST", LOGIN, login_body, {"Cookie": cookie}).status == 200  # the login request itself is exempt
    assert send(emu.url, "PUT", STORES + "/STORE", {"enableBrokering": "Y"}, auth).status == 200  # no cookie: no check
    assert emu.state()["stores"]["STORE"] == "Y"


def test_csrf_check_off_sets_no_cookie(emu):
    emu.configure(csrf_check=False)
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    cookie = send(emu.url, "GET", STORES, headers=auth).headers.get("Set-Cookie")
    assert cookie is None
    assert send(emu.url, "PUT", STORES + "/STORE", {"enableBrokering": "N"}, dict(auth, Cookie="JSESSIONID=abc")).status == 200


def test_job_rows_carry_parameters_except_where_the_list_drops_them(fleet):
    rows = call(fleet.url, "GET", JOBS + "?pageNoLimit=true").json["serviceJobList"]
    by_name = {row["jobName"]: row for row in rows}
    assert by_name["sync_ShopifyProductUpdates_FLEET_SHOP_003"]["serviceJobParameters"] == [
        {"parameterName": "shopId", "parameterValue": "FLEET_SHOP_003"}]
    assert by_name["queue_ShopifyOrderSync"]["serviceJobParameters"] == []
    bare = [name for name, row in by_name.items() if "serviceJobParameters" not in row]
    assert bare and all(name.startswith(("queue_ShopifyOrderSync_", "sync_ShopifyProductUpdates_")) for name in bare)
    detail = call(fleet.url, "GET", JOBS + "/" + bare[0]).json["jobDetail"]
    assert detail["jobName"] == bare[0] and len(detail["serviceJobParameters"]) == 1
    assert "listParameters" not in detail
    assert by_name["queue_ShopifyOrderSync_10017"]["paused"] == "S" and fleet.state()["jobs"]["queue_ShopifyOrderSync_10017"] == "S"


def test_paused_is_stored_verbatim(emu):
    path = JOBS + "/queue_ShopifyOrderSync_SHOP"
    assert call(emu.url, "PUT", path, {"jobName": "queue_ShopifyOrderSync_SHOP", "paused": "T"}).status == 200
    assert emu.state()["jobs"]["queue_ShopifyOrderSync_SHOP"] == "T"
    assert call(emu.url, "GET", path).json["jobDetail"]["paused"] == "T"
    assert call(emu.url, "PUT", path, {"paused": ""}).status == 200
    assert emu.state()["jobs"]["queue_ShopifyOrderSync_SHOP"] is None  # Moqui stores "" as null, which means active


def test_routing_schedule_post_and_groups_without_a_job(fleet):
    try:
        schedule = "/rest/s1/order-routing/groups/{}/schedule"
        assert call(fleet.url, "GET", schedule.format("20002")).json == {"messages": "No schedule found for order routing group 20002"}
        answer = call(fleet.url, "GET", schedule.format("NOPE"))
        assert (answer.status, answer.json["errorCode"]) == (400, 400)
        body = {"routingGroupId": "20001", "paused": "Y", "cronExpression": "0 0/30 * * * ?"}
        assert call(fleet.url, "POST", schedule.format("20001"), body).status == 200
        assert fleet.state()["jobs"]["Order_Routing_Group_20001"] == "Y"
        assert call(fleet.url, "GET", schedule.format("20001")).json["schedule"]["paused"] == "Y"
        # Scheduling a group that never had a job creates Order_Routing_Group_<id>, as OrderRoutingServices.xml L849 names it.
        assert call(fleet.url, "POST", schedule.format("20002"), dict(body, routingGroupId="20002", paused="N")).status == 200
        groups = call(fleet.url, "GET", "/rest/s1/order-routing/groups?productStoreId=FLEET_STORE_1").json
        assert {group["routingGroupId"]: group.get("jobName") for group in groups} == {
            "20001": "Order_Routing_Group_20001", "20002": "Order_Routing_Group_20002"}
        assert fleet.state()["jobs"]["Order_Routing_Group_20002"] == "N"
    finally:
        fleet.reset()


def test_remote_put_updates_the_remote_its_body_names_and_store_put_the_path(emu):
    emu.query("INSERT INTO SystemMessageRemote (systemMessageRemoteId, accessScopeEnumId) VALUES ('OTHER_REMOTE', 'SHOP_RW_ACCESS')")
    body = {"systemMessageRemoteId": "SHOP_SHOPIFY_REMOTE", "accessScopeEnumId": "SHOP_NO_ACCESS"}
    assert call(emu.url, "PUT", REMOTES + "/OTHER_REMOTE", body).status == 200
    assert emu.state()["remotes"] == {"OTHER_REMOTE": "SHOP_RW_ACCESS", "SHOP_SHOPIFY_REMOTE": "SHOP_NO_ACCESS"}
    assert call(emu.url, "PUT", STORES + "/STORE", {"productStoreId": "ELSEWHERE", "enableBrokering": "N"}).status == 200
    assert emu.state()["stores"] == {"STORE": "N"}


def test_options_over_http_take_words_and_refuse_nonsense(emu):
    control = emu.url + "/_emulator"
    assert call(control, "PUT", "/config", {"expired_token_status": "403", "csrf_check": "false", "total_header": True}, token=None).status == 200
    assert call(emu.url, "GET", SHOPS, token="nope").status == 403
    for bad in ({"expired_token_status": 500}, {"page_size": "capped"}, {"csrf_check": "maybe"}, {"token_max_requests": -1}, {"nope": 1}):
        assert call(control, "PUT", "/config", bad, token=None).status == 400, bad
    with pytest.raises(ValueError):
        emu.configure(login_failure_status=403)


# -- new faults ---------------------------------------------------------------------------------


def test_down_fault_drops_every_request_for_its_seconds(emu):
    emu.set_faults([{"kind": "down", "seconds": 0.5, "after": 1}])
    assert call(emu.url, "GET", STORES).status == 200  # skipped by after
    for _attempt in range(3):
        with pytest.raises((urllib.error.URLError, ConnectionError, http.client.HTTPException)):
            call(emu.url, "PUT", STORES + "/STORE", {"enableBrokering": "N"})
    assert emu.state()["stores"]["STORE"] == "Y"  # nothing was handled
    time.sleep(0.6)
    assert call(emu.url, "GET", STORES).status == 200
    assert [entry["status"] for entry in emu.requests()] == [200, 0, 0, 0, 200]
    with pytest.raises(ValueError):
        emu.set_faults([{"kind": "down", "seconds": 1, "times": 2}])


def test_slow_fault_outlasts_a_client_timeout(emu):
    emu.set_faults([{"kind": "slow", "ms": 1500, "path": "productStores", "times": 1}])
    with pytest.raises((socket.timeout, TimeoutError, urllib.error.URLError)):
        send(emu.url, "GET", STORES, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=0.3)
    assert call(emu.url, "GET", STORES).status == 200


def test_after_skips_the_first_matches(emu):
    emu.set_faults([{"kind": "status", "status": 503, "after": 2, "times": 1}])
    assert [call(emu.url, "GET", STORES).status for _attempt in range(4)] == [200, 200, 503, 200]


# -- log, state, control API --------------------------------------------------------------------


def test_request_log_and_writes(emu):
    login(emu)
    call(emu.url, "GET", SHOPS + "?productStoreId=STORE&pageSize=5")
    call(emu.url, "PUT", STORES + "/STORE", {"enableBrokering": "N"})
    call(emu.url, "GET", "/_emulator/state", token=None)
    log = emu.requests()
    assert [(entry["seq"], entry["method"], entry["status"], entry["auth"]) for entry in log] == [
        (log[0]["seq"], "POST", 200, "none"), (log[0]["seq"] + 1, "GET", 200, "token"), (log[0]["seq"] + 2, "PUT", 200, "token")]
    assert log[0]["body"] == {"username": "hotwax.admin", "password": "********"}
    assert log[1]["path"] == SHOPS and log[1]["query"] == {"productStoreId": "STORE", "pageSize": "5"}
    assert [(entry["path"], entry["body"]) for entry in emu.writes()] == [(STORES + "/STORE", {"enableBrokering": "N"})]
    assert ADMIN_TOKEN not in json.dumps(log)
    emu.clear_requests()
    assert not emu.requests()


def test_state_of_the_demo_seed(emu):
    assert emu.state() == {
        "shops": {"SHOP": {"configs": {"SHOP_CONFIG": "SHOP_READ_WRITE_ACCESS"}}},
        "remotes": {"SHOP_SHOPIFY_REMOTE": "SHOP_RW_ACCESS"},
        "stores": {"STORE": "Y"},
        "jobs": {"Order_Routing_Group_10001": "N", "consume_ShopifyOrders_SQS": "N", "poll_ShopifyBulkImport_SHOP": "Y",
                 "queue_ShopifyOrderSync": "Y", "queue_ShopifyOrderSync_SHOP": "N", "sync_ShopifyProductUpdates": "Y",
                 "sync_ShopifyProductUpdates_SHOP": "N", "queue_UpdatedOrderIdsFeed": "N", "queue_ReturnedOrderIdsFeed": "N",
                 "sync_ShopifyOrderHistory": "Y", "sync_ShopifyOrderHistory_SHOP": "N", "resetShopifyInventoryQoh": "Y",
                 "resetShopifyInventoryQoh_SHOP": "N"},
    }


def test_control_api_over_http(emu):
    control = emu.url + "/_emulator"
    assert call(control, "GET", "/state", token=None).json == emu.state()
    assert call(control, "PUT", "/config", {"remote_list_shape": "array"}, token=None).status == 200
    assert isinstance(call(emu.url, "GET", REMOTES).json, list)
    assert call(control, "PUT", "/faults", [{"kind": "status", "status": 500, "times": 1}], token=None).status == 200
    assert call(emu.url, "GET", REMOTES).status == 500
    token = login(emu).json["token"]
    assert call(control, "POST", "/expire-tokens", token=None).status == 200
    assert call(emu.url, "GET", REMOTES, token=token).status == 401
    call(emu.url, "PUT", STORES + "/STORE", {"enableBrokering": "N"})
    assert len(call(control, "GET", "/writes", token=None).json) == 1
    assert [entry["status"] for entry in call(control, "GET", "/requests", token=None).json] == [200, 500, 200, 401, 200]
    assert call(control, "DELETE", "/requests", token=None).status == 200
    assert not emu.requests()
    assert call(control, "POST", "/reset", {"seed": "fleet"}, token=None).status == 200
    assert "FLEET_STORE_1" in emu.state()["stores"]
    assert isinstance(call(emu.url, "GET", REMOTES).json, dict)  # reset went back to the start options
    assert call(control, "POST", "/reset", token=None).status == 200
    assert "FLEET_STORE_1" in emu.state()["stores"]
    emu.reset(seed="demo")
    assert call(control, "GET", "/nothing", token=None).status == 404
    assert not emu.requests()


def test_seed_secrets_are_distinct_from_every_other_value(emu):
    found = emu.secrets()
    assert ADMIN_PASSWORD in found and ADMIN_TOKEN in found and "shpat-secret-demo-4Qx9Lm2Vt7Rk" in found
    others = []
    for row in emu.query("SELECT * FROM ShopifyShop") + emu.query("SELECT * FROM SystemMessageRemote") + emu.query("SELECT * FROM ProductStore"):
        others.extend(str(value) for key, value in row.items() if key not in ("password", "sharedSecret", "publicKey"))
    assert not [secret for secret in found for other in others if secret in other or (len(other) > 3 and other in secret)]


def test_fleet_seed_file_matches_its_generator_and_covers_the_cases():
    seed = build_fleet_seed()
    assert json.loads((SEED_DIR / "fleet.json").read_text(encoding="utf-8")) == seed
    shops, remotes = seed["shopifyShops"], seed["systemMessageRemotes"]
    assert len(shops) > 100 and len(remotes) > 100 and len(seed["productStores"]) == 4

    shop_ids = {shop["shopId"] for shop in shops}

    def owners(remote):
        internal_id = remote.get("internalId")
        return {shop["shopId"] for shop in shops
                if not (internal_id in shop_ids and internal_id != shop["shopId"])
                and ((internal_id == shop["shopId"] and remote.get("internalIdType") == "HOTWAX_SHOP_ID")
                     or remote.get("remoteId") == shop["shopifyShopId"] or f"//{shop['myshopifyDomain']}/" in remote.get("sendUrl", ""))}
    remote_owners = [owners(remote) for remote in remotes]
    # Lookalikes: a non-Shopify remote whose internalId is a shop id, and a remote naming one shop with another's domain.
    assert any(remote.get("internalId") in shop_ids and remote.get("internalIdType") != "HOTWAX_SHOP_ID" and not found
               for remote, found in zip(remotes, remote_owners))
    assert any(remote.get("internalId") in shop_ids and found == {remote["internalId"]} and remote.get("internalIdType") == "HOTWAX_SHOP_ID"
               and any(f"//{shop['myshopifyDomain']}/" in remote.get("sendUrl", "") and shop["shopId"] != remote["internalId"] for shop in shops)
               for remote, found in zip(remotes, remote_owners))
    assert sum(1 for found in remote_owners if not found) >= 3
    assert all(any(rule(remote) for remote in remotes) for rule in (
        lambda remote: remote.get("internalIdType") == "HOTWAX_SHOP_ID", lambda remote: remote.get("remoteIdType") == "SHOPIFY_SHOP_ID",
        lambda remote: "myshopify.com" in remote.get("sendUrl", "") and not remote.get("internalId") and not remote.get("remoteId")))
    per_shop = [sum(1 for found in remote_owners if shop["shopId"] in found) for shop in shops]
    assert {0, 1, 2} <= set(per_shop)
    scopes = {remote.get("accessScopeEnumId") for remote in remotes} | {config.get("accessScopeEnumId") for shop in shops for config in shop["shopifyConfig"]}
    assert scopes == {None, "SHOP_RW_ACCESS", "SHOP_READ_ACCESS", "SHOP_NO_ACCESS", "SHOP_READ_WRITE_ACCESS"}
    assert [store.get("enableBrokering") for store in seed["productStores"]] == ["Y", "N", None, "Y"]
    jobs = {job["jobName"]: job for job in seed["serviceJobs"]}
    assert len(jobs) > 200
    shop_of_remote = {remote["systemMessageRemoteId"]: found for remote, found in zip(remotes, remote_owners)}
    order_jobs = [job for name, job in jobs.items() if name.startswith("queue_ShopifyOrderSync_")]
    # Every order import clone names exactly one shop's remote; some names carry no shop id, some another shop's.
    served = {job["jobName"]: shop_of_remote[job["serviceJobParameters"][0]["parameterValue"]] for job in order_jobs}
    assert all(len(found) == 1 for found in served.values())
    assert any(not name.endswith(tuple(shop_ids)) for name in served)
    assert any(name.endswith(tuple(shop_ids)) and not name.endswith("_" + next(iter(found))) for name, found in served.items())
    assert {job["serviceJobParameters"][0]["parameterName"] for job in order_jobs} == {"systemMessageRemoteId", "remoteId", "shopifyRemoteId"}
    product_jobs = [job for name, job in jobs.items() if name.startswith("sync_ShopifyProductUpdates_")]
    assert all(job["serviceJobParameters"][0]["parameterName"] == "shopId" for job in product_jobs)
    assert "serviceJobParameters" not in jobs["queue_ShopifyOrderSync"] and "serviceJobParameters" not in jobs["sync_ShopifyProductUpdates"]
    assert "consume_ShopifyOrders_SQS" in jobs and any(job.get("listParameters") is False for job in jobs.values())
    assert {job["paused"] for job in jobs.values()} == {"Y", "N", "S"}
    assert all(group.get("jobName", "Order_Routing_Group_" + group["routingGroupId"]) == "Order_Routing_Group_" + group["routingGroupId"]
               and (group.get("jobName") is None or group["jobName"] in jobs) for group in seed["routingGroups"])


# -- transports ---------------------------------------------------------------------------------


def test_stop_closes_idle_keep_alive_connections():
    emulator = OmsEmulator(seed="demo").start()
    host, port = emulator.url.rsplit("/", 1)[1].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", STORES, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert connection.getresponse().read()
    started = time.monotonic()
    emulator.stop()
    assert time.monotonic() - started < 5
    connection.close()


def test_https(tmp_path):
    pem = tmp_path / "cert.pem"
    try:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(pem), "-out", str(pem)], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("openssl cannot make a test certificate here")
    with OmsEmulator(seed="demo", certfile=str(pem)) as emulator:
        assert emulator.url.startswith("https://")
        context = ssl.create_default_context(cafile=str(pem))
        assert call(emulator.url, "GET", STORES + "/STORE", context=context).json["enableBrokering"] == "Y"


def _start_cli(tmp_path, *args):
    pidfile = tmp_path / "emulator.pid"
    process = subprocess.Popen(  # pylint: disable=consider-using-with
        [sys.executable, "-m", "tests.emulator", "--port", "0", "--pidfile", str(pidfile), *args],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = process.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:"), process.stderr.read()
    return process, url, pidfile


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_until_signalled(tmp_path, stop_signal):
    process, url, pidfile = _start_cli(tmp_path, "--latency-ms", "1")
    try:
        assert int(pidfile.read_text(encoding="utf-8")) == process.pid
        assert call(url, "GET", STORES + "/STORE").json["storeName"] == "New Era Cap Store"
        os.kill(int(pidfile.read_text(encoding="utf-8")), stop_signal)
        assert process.wait(timeout=10) == 0
        assert not pidfile.exists()
    finally:
        process.kill()
        process.communicate()


def test_cli_fleet_size(tmp_path):
    process, url, _pidfile = _start_cli(tmp_path, "--fleet-shops", "105", "--fleet-stores", "2", "--remote-list-shape", "array")
    try:
        answer = call(url, "GET", SHOPS)
        assert answer.headers["X-Total-Count"] == "105"
        assert isinstance(call(url, "GET", REMOTES).json, list)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.communicate()


def test_cli_switches(tmp_path):
    process, url, _pidfile = _start_cli(tmp_path, "--expired-token-status", "403", "--order-routing", "false", "--page-size", "ignored",
                                        "--total-header", "true", "--login-failure-status", "401", "--csrf-check", "false")
    try:
        assert call(url, "GET", SHOPS, token="nope").status == 403
        assert call(url, "GET", "/rest/s1/order-routing/groups").status == 404
        jobs = call(url, "GET", JOBS + "?pageSize=2")
        assert len(jobs.json["serviceJobList"]) == jobs.json["serviceJobCount"] == int(jobs.headers["X-Total-Count"]) == 13
        assert "Set-Cookie" not in jobs.headers
        assert call(url, "POST", LOGIN, {"username": "hotwax.admin", "password": "wrong"}, token=None).status == 401
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.communicate()


def test_cli_switches_of_the_live_shapes(tmp_path):
    process, url, _pidfile = _start_cli(tmp_path, "--remote-list-count", "true", "--job-count", "page",
                                        "--login-routes", "order-routing")
    try:
        assert call(url, "GET", REMOTES).json["systemMessageRemoteCount"] == 1
        assert call(url, "GET", JOBS + "?pageSize=5").json["serviceJobCount"] == 5  # the page's rows, not the 13 jobs
        credentials = {"username": "hotwax.admin", "password": ADMIN_PASSWORD}
        assert call(url, "POST", LOGIN, credentials, token=None).status == 404  # older than Maarg 4.4.0
        assert call(url, "POST", "/rest/s1/order-routing/login", credentials, token=None).json["token"]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.communicate()


def test_port_in_use_fails_cleanly(emu):
    port = int(emu.url.rsplit(":", 1)[1])
    with pytest.raises(OSError):
        OmsEmulator(seed="demo", port=port).start()
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass  # the running emulator is unaffected


def test_job_detail_computes_the_next_run_on_each_read(emu):
    """jobDetail carries nextExecutionDateTime and cronDescription, computed per read: two reads differ, no write between."""
    first = call(emu.url, "GET", JOBS + "/queue_ShopifyOrderSync_SHOP").json["jobDetail"]
    time.sleep(0.005)  # the field has millisecond resolution: two reads in one millisecond would agree
    second = call(emu.url, "GET", JOBS + "/queue_ShopifyOrderSync_SHOP").json["jobDetail"]
    assert first["nextExecutionDateTime"] != second["nextExecutionDateTime"]
    assert first["cronDescription"] != second["cronDescription"]
    assert "nextExecutionDateTime" not in call(emu.url, "GET", JOBS + "/queue_ShopifyOrderSync").json["jobDetail"]  # paused
    assert emu.writes() == []


def test_a_service_job_count_that_counts_the_page(emu):
    emu.configure(job_count="page")
    try:
        page = call(emu.url, "GET", JOBS + "?pageSize=4&pageIndex=1").json
        assert len(page["serviceJobList"]) == page["serviceJobCount"] == 4
    finally:
        emu.reset()


def test_the_remote_public_key_is_a_secret_of_the_row(emu):
    remote = call(emu.url, "GET", REMOTES).json["systemMessageRemoteList"][0]
    assert remote["publicKey"] in emu.secrets()  # the API answers it, as the real one does: the client must strip it
