"""The requests' critical path of a run, replayed by a plain Python script: the floor of what any client could do.

    python benchmarks/critical_path.py PLAN.json      # prints timings as JSON on stdout

PLAN.json (written by benchmarks/run.py):

    {"url": "http://127.0.0.1:PORT", "validate_certs": false,
     "token": "..."  or  "username": "...", "password": "...",
     "lists": ["oms/shopifyShops/shops", "oms/systemMessageRemotes", "admin/productStores"],
     "writes": [{"path": "admin/productStores/STORE", "body": {...}}, ...],
     "read_back": true}

It does only what a run cannot do without: one login (none with a token), the lists in pages as large as the server
honours (the contract says pageSize is not capped), every write at the client's parallelism, then one read-back of the
lists. It decides nothing: run.py gives it the writes to make. Times are time.time(), the emulator's clock too, so
they line up with the emulator's request log.
"""

import http.cookiejar
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from requests.adapters import HTTPAdapter

API_PREFIX = '/rest/s1/'
PARALLEL_REQUESTS = 8  # as plugins/module_utils/oms_client.py allows
PAGE_SIZE = 10000  # as large as the server honours; the walk goes on if it answers fewer rows than the total


def new_session(plan):
    session = requests.Session()
    # Send no cookie back, as the collection's client: a cookie session would need a CSRF token on every write.
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    session.verify = plan.get('validate_certs', True)
    adapter = HTTPAdapter(pool_connections=1, pool_maxsize=PARALLEL_REQUESTS)
    session.mount('http://', adapter)
    session.mount('https://', adapter)
    return session


def rows_and_total(response):
    """Rows of a bare-array or wrapped (``{"xList": [...], "xCount": N}``) list, and the total when it is given."""
    body = response.json()
    total = response.headers.get('X-Total-Count')
    total = int(total) if total and total.isdigit() else None
    if isinstance(body, dict):
        rows = next((value for key, value in body.items() if key.endswith('List') and isinstance(value, list)), [])
        count = next((value for key, value in body.items() if key.endswith('Count') and isinstance(value, int)), None)
        return rows, total if total is not None else count
    return body, total


def read_list(session, base, path):
    """Every row of one list; returns the number of pages read."""
    index, seen = 0, 0
    while True:
        response = session.get(base + path, params={'pageSize': PAGE_SIZE, 'pageIndex': index}, timeout=60)
        response.raise_for_status()
        rows, total = rows_and_total(response)
        seen += len(rows)
        index += 1
        # without a total a short page is not the end (a server may page at its own size): ask until one adds nothing
        if not rows or (total is not None and seen >= total):
            return index


def read_lists(session, base, paths):
    """The lists in parallel (they do not depend on one another); returns the pages read."""
    with ThreadPoolExecutor(max_workers=min(PARALLEL_REQUESTS, len(paths))) as pool:
        return sum(pool.map(lambda path: read_list(session, base, path), paths))


def write(session, base, item):
    response = session.put(base + item['path'], json=item['body'], timeout=60)
    response.raise_for_status()
    return time.time()


def replay(plan):
    started = time.time()
    session = new_session(plan)
    base = plan['url'].rstrip('/') + API_PREFIX
    logins = 0
    if plan.get('token'):
        token = plan['token']
    else:
        response = session.post(base + 'admin/login', json={'username': plan['username'], 'password': plan['password']},
                                timeout=60)
        response.raise_for_status()
        token = response.json()['token']
        logins = 1
    session.headers['Authorization'] = 'Bearer ' + token
    pages = read_lists(session, base, plan['lists'])
    reads_done = time.time()
    last_write = None
    writes = plan.get('writes') or []
    if writes:
        with ThreadPoolExecutor(max_workers=min(PARALLEL_REQUESTS, len(writes))) as pool:
            last_write = max(pool.map(lambda item: write(session, base, item), writes))
    if plan.get('read_back'):
        pages += read_lists(session, base, plan['lists'])
    ended = time.time()
    return {
        'started_at': started,
        'wall_s': round(ended - started, 4),
        'reads_s': round(reads_done - started, 4),
        'time_to_safe_s': round(last_write - started, 4) if last_write else None,
        'requests': {'login': logins, 'list_pages': pages, 'writes': len(writes)},
    }


def main(argv):
    if len(argv) != 2:
        sys.exit('usage: critical_path.py PLAN.json')
    with open(argv[1], encoding='utf-8') as handle:
        plan = json.load(handle)
    json.dump(replay(plan), sys.stdout)
    sys.stdout.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
