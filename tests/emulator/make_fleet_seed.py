"""Generate the "fleet" seed: many shops across several stores, built to exercise paging and every odd case.

    python -m tests.emulator.make_fleet_seed                # rewrites tests/emulator/seeds/fleet.json
    python -m tests.emulator.make_fleet_seed --shops 500 --stores 5 --output /tmp/big.json

The output depends only on the sizes, so the committed fleet.json can always be regenerated identically.
"""

import argparse
import json
import os
import random
import string

from .database import SEED_DIR, resolve_seed

DEFAULT_SHOPS = 130
DEFAULT_STORES = 4
# None stands for a row with no scope at all, which the server reads as SHOP_READ_ACCESS.
SCOPES = ("SHOP_RW_ACCESS", "SHOP_READ_ACCESS", "SHOP_READ_WRITE_ACCESS", "SHOP_NO_ACCESS", None)
SECRET_ALPHABET = string.ascii_letters + string.digits


class _SecretMaker:
    """Distinct, obviously secret values, so a leak scan can search for each one without false positives."""

    def __init__(self, rng):
        self._rng = rng
        self._issued = set()

    def __call__(self, kind):
        while True:
            value = f"{kind}-secret-fleet-{''.join(self._rng.choices(SECRET_ALPHABET, k=16))}"
            if value not in self._issued:
                self._issued.add(value)
                return value


def _store_rows(stores):
    rows = []
    for number in range(1, stores + 1):
        row = {"productStoreId": f"FLEET_STORE_{number}", "storeName": f"Fleet Store {number}", "companyName": "Fleet Retail"}
        # Store 2 already has brokering off (restore must leave it off); store 3 has no value, which means enabled.
        if number == 2:
            row["enableBrokering"] = "N"
        elif number != 3:
            row["enableBrokering"] = "Y"
        rows.append(row)
    return rows


def _configs(number, shop_id, secret):
    """Most shops have one config row, every 7th has two, every 11th has none."""
    if number % 11 == 0:
        return []
    scopes = [("CFG", SCOPES[number % 5])]
    if number % 7 == 0:
        scopes.append(("CFG2", SCOPES[(number + 2) % 5]))
    return [{
        "shopifyConfigId": f"{shop_id}_{suffix}", "accessScopeEnumId": scope, "apiVersion": "2024-01", "processRefund": "Y",
        "accessToken": secret("shpat"), "sharedSecret": secret("shpss"),
    } for suffix, scope in scopes]


def _remote_links(number, shop):
    """How each remote of a shop is tied to it, cycling through the three ownership rules."""
    by_internal_id = {"internalId": shop["shopId"], "internalIdType": "HOTWAX_SHOP_ID", "sendUrl": "https://shopify-gateway.example.test/graphql"}
    by_remote_id = {"remoteId": shop["shopifyShopId"], "remoteIdType": "SHOPIFY_SHOP_ID",
                    "sendUrl": f"https://shopify-gateway.example.test/shops/{shop['shopifyShopId']}"}
    by_send_url = {"sendUrl": f"https://{shop['myshopifyDomain']}/admin/api/2024-01"}
    return {
        0: [by_internal_id], 1: [by_internal_id], 2: [by_internal_id], 3: [by_internal_id],
        4: [by_remote_id], 5: [by_remote_id],
        6: [by_send_url],
        7: [by_internal_id, by_send_url],
        8: [by_remote_id, by_internal_id],
        9: [],
    }[number % 10]


def _orphan_remotes():
    """Remotes that belong to no shop: a rollback must leave them alone."""
    return [
        {"description": "Retired shop, matched by nothing", "internalId": "FLEET_SHOP_RETIRED", "internalIdType": "HOTWAX_SHOP_ID",
         "accessScopeEnumId": "SHOP_RW_ACCESS"},
        {"description": "Shopify shop id of a shop no longer in the OMS", "remoteId": "59999999999", "remoteIdType": "SHOPIFY_SHOP_ID",
         "accessScopeEnumId": "SHOP_READ_ACCESS"},
        {"description": "Old staging domain", "sendUrl": "https://retired-fleet.myshopify.com/admin/api/2023-04", "accessScopeEnumId": "SHOP_RW_ACCESS"},
        {"description": "ERP feed over SFTP, not Shopify", "sendUrl": "sftp://sftp.example-erp.test/outbound", "username": "fleet-feed"},
    ]


def _lookalike_remotes(shop_rows):
    """Remotes that look like a shop's and are not (as HotWax's Company app decides).

    Non-Shopify remotes whose internalId happens to equal a shop id, without internalIdType HOTWAX_SHOP_ID, belong to no
    shop. A remote whose internalId names one shop while its sendUrl holds another shop's domain belongs to the first
    shop only when its type says HOTWAX_SHOP_ID, and never to the second.
    """
    def shop(number):
        return shop_rows[(number - 1) % len(shop_rows)]
    return [
        {"description": f"Warehouse feed over SFTP for {shop(12)['shopId']}", "sendUrl": "sftp://sftp.example-3pl.test/inbound",
         "internalId": shop(12)["shopId"], "username": "fleet-3pl", "accessScopeEnumId": "SHOP_RW_ACCESS"},
        {"description": f"NetSuite subsidiary feed for {shop(24)['shopId']}", "sendUrl": "https://1234567.suitetalk.api.netsuite.example.test/services",
         "internalId": shop(24)["shopId"], "internalIdType": "NETSUITE_SUBSIDIARY_ID", "remoteId": "7", "remoteIdType": "NETSUITE_SUBSIDIARY_ID"},
        {"description": f"Shopify connection of {shop(31)['shopId']} pointing at {shop(32)['shopId']}'s domain",
         "internalId": shop(31)["shopId"], "internalIdType": "HOTWAX_SHOP_ID",
         "sendUrl": f"https://{shop(32)['myshopifyDomain']}/admin/api/2024-01", "accessScopeEnumId": "SHOP_RW_ACCESS"},
        # Already closed: open, the webhook filter would still let the second shop in and every rollback of the fleet
        # would fail its verdict; seeds/safety.json holds the open case.
        {"description": f"Untyped remote naming {shop(41)['shopId']} with {shop(42)['shopId']}'s domain",
         "internalId": shop(41)["shopId"], "sendUrl": f"https://{shop(42)['myshopifyDomain']}/admin/api/2024-01", "accessScopeEnumId": "SHOP_NO_ACCESS"},
    ]


def _shop_row(number, width, store_rows, secret):
    shop_id = f"FLEET_SHOP_{number:0{width}d}"
    return {
        "shopId": shop_id, "shopifyShopId": str(60000000000 + number * 7919), "productStoreId": store_rows[(number - 1) % len(store_rows)]["productStoreId"],
        "name": f"Fleet Shop {number}", "myshopifyDomain": f"fleet-shop-{number:0{width}d}.myshopify.com", "isEnabled": "N" if number % 13 == 0 else "Y",
        "shopifyConfig": _configs(number, shop_id, secret),
    }


def _remote_rows(shop_rows, secret):
    """Every remote, and {shopId: [ids of the Shopify remotes made for that shop]} to hang the order import jobs on."""
    remotes, made_for = [], []
    for number, shop in enumerate(shop_rows, start=1):
        for index, link in enumerate(_remote_links(number, shop)):
            remotes.append(dict(link, description=f"Shopify connection {index + 1} of {shop['shopId']}", accessScopeEnumId=SCOPES[(number + 3 * index) % 5]))
            made_for.append(shop["shopId"])
    remotes.extend(_orphan_remotes())
    remotes.extend(_lookalike_remotes(shop_rows))  # last, so that the ids of the rows above stay what they were
    shop_remotes = {}
    for position, remote in enumerate(remotes, start=1):
        # Ids unrelated to the shop ids, so a client can only find a shop's remotes by the real rules.
        remote["systemMessageRemoteId"] = f"FLEET_RMT_{position:04d}"
        remote["password"], remote["sharedSecret"] = secret("remote-pass"), secret("remote-hmac")
        if position <= len(made_for):
            shop_remotes.setdefault(made_for[position - 1], []).append(remote["systemMessageRemoteId"])
    return [{key: value for key, value in remote.items() if value is not None} for remote in remotes], shop_remotes


ORDER_SYNC_TEMPLATE = "queue_ShopifyOrderSync"
PRODUCT_SYNC_TEMPLATE = "sync_ShopifyProductUpdates"
ORDER_SYNC_SERVICE = "co.hotwax.shopify.order.ShopifyOrderServices.queue#ShopifyOrderSync"
PRODUCT_SYNC_SERVICE = "co.hotwax.shopify.product.ShopifyProductServices.sync#ProductUpdates"
ORDER_QUEUE_SERVICE = "co.hotwax.shopify.order.ShopifyOrderServices.consume#ShopifyOrders"
BROKERING_SERVICE = "co.hotwax.order.routing.OrderRoutingServices.run#OrderRoutingGroup"
# Older order import jobs name the remote under another parameter.
ORDER_SYNC_REMOTE_PARAMETERS = ("systemMessageRemoteId", "systemMessageRemoteId", "remoteId", "systemMessageRemoteId", "shopifyRemoteId")


def _job(job_name, service_name, cron, paused, parameters=None, list_parameters=True):
    job = {"jobName": job_name, "serviceName": service_name, "cronExpression": cron, "paused": paused}
    if parameters:
        job["serviceJobParameters"] = [{"parameterName": name, "parameterValue": value} for name, value in parameters.items()]
    if not list_parameters:
        job["listParameters"] = False
    return job


def _clone_suffix(number, shop_rows):
    """The suffix of a shop's job clones: mostly its shop id, but names lie (HotWax's live queue_ShopifyOrderSync_10010
    serves shop 10000). Every 12th shop from the 5th has a number that is no shop id; shops 1 and 2 of every 20 swap
    names, so a job named after one shop serves the other."""
    if number % 12 == 5:
        return str(10000 + number)
    if number % 20 == 1 and number < len(shop_rows):
        return shop_rows[number]["shopId"]
    if number % 20 == 2:
        return shop_rows[number - 2]["shopId"]
    return shop_rows[number - 1]["shopId"]


def _paused(number):
    """Every 9th shop's jobs are already paused; one job holds a value other than Y/N, which the scheduler reads as paused."""
    if number == 17:
        return "S"
    return "Y" if number % 9 == 0 else "N"


def _jobs_and_groups(shop_rows, store_rows, shop_remotes):
    """Per-shop order import (on a remote) and product sync (on the shop id) clones, the templates, the real-time intake,
    and one brokering group per store with its Order_Routing_Group_<id> job."""
    jobs = [
        _job("consume_ShopifyOrders_SQS", ORDER_QUEUE_SERVICE, "0 * * * * ?", "N"),
        _job(ORDER_SYNC_TEMPLATE, ORDER_SYNC_SERVICE, "0 0/15 * * * ?", "Y"),
        _job(PRODUCT_SYNC_TEMPLATE, PRODUCT_SYNC_SERVICE, "0 0 * * * ?", "Y"),
    ]
    for number, shop in enumerate(shop_rows, start=1):
        suffix = _clone_suffix(number, shop_rows)
        remotes = shop_remotes.get(shop["shopId"], [])
        if remotes:  # a shop with no remote has no order import
            parameter = ORDER_SYNC_REMOTE_PARAMETERS[number % len(ORDER_SYNC_REMOTE_PARAMETERS)]
            jobs.append(_job(f"{ORDER_SYNC_TEMPLATE}_{suffix}", ORDER_SYNC_SERVICE, "0 0/15 * * * ?", _paused(number),
                             {parameter: remotes[-1]}, list_parameters=number % 6 != 4))
        if number % 11:  # every 11th shop has no product sync
            jobs.append(_job(f"{PRODUCT_SYNC_TEMPLATE}_{suffix}", PRODUCT_SYNC_SERVICE, "0 0 * * * ?", _paused(number),
                             {"shopId": shop["shopId"]}, list_parameters=number % 6 != 1))
    groups = []
    for index, store in enumerate(store_rows):
        group_id = str(20001 + 10 * index)
        job_name = f"Order_Routing_Group_{group_id}"
        groups.append({"routingGroupId": group_id, "productStoreId": store["productStoreId"], "groupName": f"Brokering {store['storeName']}",
                       "jobName": job_name})
        paused = "Y" if store.get("enableBrokering") == "N" else "N"
        jobs.append(_job(job_name, BROKERING_SERVICE, "0 0/30 * * * ?", paused, {"routingGroupId": group_id}))
    # A group with no schedule at all: its .../schedule answers {"messages": "No schedule found ..."}.
    groups.append({"routingGroupId": "20002", "productStoreId": store_rows[0]["productStoreId"], "groupName": "Manual brokering (unscheduled)"})
    return sorted(jobs, key=lambda job: job["jobName"]), sorted(groups, key=lambda group: group["routingGroupId"])


def build_fleet_seed(shops=DEFAULT_SHOPS, stores=DEFAULT_STORES):
    """Return the fleet seed dict for `shops` shops spread over `stores` product stores."""
    if shops < 1 or stores < 1:
        raise ValueError("a fleet needs at least one shop and one store")
    secret = _SecretMaker(random.Random(f"hotwax-fleet-{shops}-{stores}"))
    store_rows = _store_rows(stores)
    width = max(3, len(str(shops)))
    shop_rows = [_shop_row(number, width, store_rows, secret) for number in range(1, shops + 1)]
    remotes, shop_remotes = _remote_rows(shop_rows, secret)
    jobs, groups = _jobs_and_groups(shop_rows, store_rows, shop_remotes)
    demo = resolve_seed("demo")
    return {
        "description": f"Generated by make_fleet_seed.py: {shops} shops over {stores} stores.",
        "productStores": store_rows,
        "shopifyShops": shop_rows,
        "systemMessageRemotes": remotes,
        "serviceJobs": jobs,
        "routingGroups": groups,
        "users": demo["users"],
        "tokens": demo["tokens"],
    }


def dump_seed(seed, handle):
    """Write a seed with one row per line, so that a regenerated file gives a readable diff."""
    sections = []
    for name, value in seed.items():
        if isinstance(value, list):
            rows = ",\n".join(f"    {json.dumps(row)}" for row in value)
            sections.append(f'  "{name}": [\n{rows}\n  ]')
        else:
            sections.append(f'  "{name}": {json.dumps(value)}')
    handle.write("{\n" + ",\n".join(sections) + "\n}\n")


def main(argv=None):
    """Write the fleet seed file."""
    parser = argparse.ArgumentParser(prog="python -m tests.emulator.make_fleet_seed", description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=DEFAULT_SHOPS)
    parser.add_argument("--stores", type=int, default=DEFAULT_STORES)
    parser.add_argument("--output", default=os.path.join(SEED_DIR, "fleet.json"))
    args = parser.parse_args(argv)
    with open(args.output, "w", encoding="utf-8") as handle:
        dump_seed(build_fleet_seed(args.shops, args.stores), handle)
    print(args.output)


if __name__ == "__main__":
    main()
