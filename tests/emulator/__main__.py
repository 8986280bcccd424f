"""Run the emulator until SIGINT or SIGTERM: python -m tests.emulator --seed demo --port 8765."""

import argparse
import logging
import os
import signal
import sys
import threading

from .make_fleet_seed import DEFAULT_SHOPS, DEFAULT_STORES, build_fleet_seed
from .oms_emulator import OmsEmulator


def _parser():
    parser = argparse.ArgumentParser(prog="python -m tests.emulator", description="HotWax OMS (Maarg) emulator.")
    parser.add_argument("--seed", default="demo", help="demo, fleet, or a path to a .json seed file (default: demo)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port (default: 8765)")
    parser.add_argument("--latency-ms", type=float, default=0, help="delay added to every API answer")
    parser.add_argument("--certfile", help="serve HTTPS with this certificate (PEM)")
    parser.add_argument("--keyfile", help="private key of --certfile, if not in the same file")
    parser.add_argument("--client-ca", help="with --certfile: require a TLS client certificate signed by this CA (PEM)")
    parser.add_argument("--gateway-header", default="", help="'Name: value': every API request must carry this header (401 without)")
    parser.add_argument("--remote-list-shape", choices=("array", "wrapped"), default="wrapped")
    parser.add_argument("--store-api", choices=("admin", "oms", "both"), default="both")
    parser.add_argument("--token-ttl", type=float, default=3600, help="lifetime of login tokens, in seconds")
    parser.add_argument("--token-max-requests", type=int, default=0, help="a login token expires after this many requests (0: no limit)")
    parser.add_argument("--total-header", choices=("true", "false"), default="false", help="wrapped lists carry X-Total-Count too")
    parser.add_argument("--page-index", choices=("honoured", "ignored"), default="honoured")
    parser.add_argument("--page-size", choices=("honoured", "ignored"), default="honoured")
    parser.add_argument("--login-failure-status", type=int, choices=(400, 401), default=400)
    parser.add_argument("--expired-token-status", type=int, choices=(401, 403), default=401)
    parser.add_argument("--order-routing", choices=("true", "false"), default="true", help="false: order-routing/* answers 404")
    parser.add_argument("--csrf-check", choices=("true", "false"), default="true",
                        help="refuse a non-GET request that sends the session cookie back without X-CSRF-Token")
    parser.add_argument("--remote-list-count", choices=("true", "false"), default="false",
                        help="the wrapped remote list carries systemMessageRemoteCount (older builds)")
    parser.add_argument("--job-count", choices=("total", "page"), default="total", help="what serviceJobCount counts")
    parser.add_argument("--login-routes", choices=("both", "order-routing"), default="both",
                        help="order-routing: no admin/login (a server older than Maarg 4.4.0)")
    parser.add_argument("--scope-enum-type", choices=("ShopifyShopAccessScope", "SHOPIFY_SHOP_ACCESS"), default="ShopifyShopAccessScope",
                        help="SHOPIFY_SHOP_ACCESS: the access-scope enums typed as before the v2.8.0 upgrade")
    parser.add_argument("--fleet-shops", type=int, help=f"serve a generated fleet of this many shops instead of --seed (fleet.json has {DEFAULT_SHOPS})")
    parser.add_argument("--fleet-stores", type=int, help=f"product stores of the generated fleet (default: {DEFAULT_STORES})")
    parser.add_argument("--pidfile", help="write the process id here while serving")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return parser


def main(argv=None):
    """Serve until told to stop; print the URL once ready."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    seed = args.seed
    if args.fleet_shops or args.fleet_stores:
        seed = build_fleet_seed(args.fleet_shops or DEFAULT_SHOPS, args.fleet_stores or DEFAULT_STORES)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    emulator = OmsEmulator(seed=seed, host=args.host, port=args.port, certfile=args.certfile, keyfile=args.keyfile,
                           client_ca=args.client_ca, gateway_header=args.gateway_header,
                           latency_ms=args.latency_ms, remote_list_shape=args.remote_list_shape, store_api=args.store_api, token_ttl=args.token_ttl,
                           token_max_requests=args.token_max_requests, total_header=args.total_header, page_index=args.page_index,
                           page_size=args.page_size, login_failure_status=args.login_failure_status,
                           expired_token_status=args.expired_token_status, order_routing=args.order_routing, csrf_check=args.csrf_check,
                           remote_list_count=args.remote_list_count, job_count=args.job_count, login_routes=args.login_routes,
                           scope_enum_type=args.scope_enum_type)
    with emulator:
        if args.pidfile:
            with open(args.pidfile, "w", encoding="utf-8") as handle:
                handle.write(f"{os.getpid()}\n")
        try:
            print(emulator.url, flush=True)
            while not stop.wait(0.5):
                pass
        finally:
            if args.pidfile and os.path.exists(args.pidfile):
                os.remove(args.pidfile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
