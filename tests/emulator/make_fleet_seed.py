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
    """How each remote of a shop is tied to it, cycling through the three matching rules of oms-api.md section 4."""
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


def _shop_row(number, width, store_rows, secret):
    shop_id = f"FLEET_SHOP_{number:0{width}d}"
    return {
        "shopId": shop_id, "shopifyShopId": str(60000000000 + number * 7919), "productStoreId": store_rows[(number - 1) % len(store_rows)]["productStoreId"],
        "name": f"Fleet Shop {number}", "myshopifyDomain": f"fleet-shop-{number:0{width}d}.myshopify.com", "isEnabled": "N" if number % 13 == 0 else "Y",
        "shopifyConfig": _configs(number, shop_id, secret),
    }


def _remote_rows(shop_rows, secret):
    remotes = []
    for number, shop in enumerate(shop_rows, start=1):
        for index, link in enumerate(_remote_links(number, shop)):
            remotes.append(dict(link, description=f"Shopify connection {index + 1} of {shop['shopId']}", accessScopeEnumId=SCOPES[(number + 3 * index) % 5]))
    remotes.extend(_orphan_remotes())
    for position, remote in enumerate(remotes, start=1):
        # Ids unrelated to the shop ids, so a client can only find a shop's remotes by the real rules.
        remote["systemMessageRemoteId"] = f"FLEET_RMT_{position:04d}"
        remote["password"], remote["sharedSecret"] = secret("remote-pass"), secret("remote-hmac")
    return [{key: value for key, value in remote.items() if value is not None} for remote in remotes]


ORDER_SYNC_SERVICE = "co.hotwax.shopify.order.ShopifyOrderServices.queue#ShopifyOrderSync"
PRODUCT_SYNC_SERVICE = "co.hotwax.shopify.product.ShopifyProductServices.sync#ProductUpdates"
ORDER_QUEUE_SERVICE = "co.hotwax.shopify.order.ShopifyOrderServices.consume#ShopifyOrders"
BROKERING_SERVICE = "co.hotwax.order.routing.OrderRoutingServices.run#OrderRoutingGroup"


def _job(job_name, service_name, cron, paused):
    return {"jobName": job_name, "serviceName": service_name, "cronExpression": cron, "paused": paused}


def _jobs_and_groups(shop_rows, store_rows):
    """Order import and product sync jobs per shop (every 9th already paused), one brokering group per store."""
    jobs = [_job("consume_ShopifyOrders_SQS", ORDER_QUEUE_SERVICE, "0 * * * * ?", "N")]
    for number, shop in enumerate(shop_rows, start=1):
        paused = "Y" if number % 9 == 0 else "N"
        jobs.append(_job(f"queue_ShopifyOrderSync_{shop['shopId']}", ORDER_SYNC_SERVICE, "0 0/15 * * * ?", paused))
        jobs.append(_job(f"sync_ShopifyProductUpdates_{shop['shopId']}", PRODUCT_SYNC_SERVICE, "0 0 * * * ?", paused))
    groups = []
    for index, store in enumerate(store_rows):
        group_id = str(20001 + 10 * index)
        job_name = f"brokering_OrderRoutingGroup_{group_id}"
        groups.append({"routingGroupId": group_id, "productStoreId": store["productStoreId"], "groupName": f"Brokering {store['storeName']}",
                       "jobName": job_name})
        paused = "Y" if store.get("enableBrokering") == "N" else "N"
        jobs.append(_job(job_name, BROKERING_SERVICE, "0 0/30 * * * ?", paused))
    # A group with no schedule at all: its .../schedule answers {}.
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
    remotes = _remote_rows(shop_rows, secret)
    jobs, groups = _jobs_and_groups(shop_rows, store_rows)
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
