# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the readiness check asks the OMS: the API surface a rollback and a restore need, what a rollback would
touch now, and (only when asked) a write probe that writes records' current values back.

Reads go through OmsClient and the modules' own readers (ShopAccess, OrderBrokering, ServiceJobs), so the check
sees the OMS exactly as a rollback would. Nothing here fails the module for what the OMS answers: every problem
is named in the report, and the controller side (plugin_utils/readiness.py) judges it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from urllib.parse import quote

from ansible_collections.hotwax.oms.plugins.module_utils.oms_client import OmsApiError, body_count, list_rows
from ansible_collections.hotwax.oms.plugins.module_utils.oms_module import OmsTaskFailed
from ansible_collections.hotwax.oms.plugins.module_utils.order_brokering import (
    LEGACY_STORES_PATH, STORES_PATH, OrderBrokering)
from ansible_collections.hotwax.oms.plugins.module_utils.service_jobs import (
    JOBS_PATH, ROUTING_GROUPS_PATH, ServiceJobs, job_paused)
from ansible_collections.hotwax.oms.plugins.module_utils.shop_access import (
    REMOTES_PATH, ROLLED_BACK_SCOPE, SHOPS_PATH, ShopAccess)

PROBE_KINDS = ('remote', 'config', 'store', 'job')
# Bookkeeping a server may touch on any write, and fields jobDetail computes on each read (the next run and its
# description change between two reads of a job no one wrote): not values the probe changes.
STAMP_KEYS = ('lastUpdatedStamp', 'nextExecutionDateTime', 'cronDescription')


def _identity(row):
    return json.dumps(row, sort_keys=True, default=str)


def _raw_page(client, path, params):
    """One page as the server answers it: rows, shape, and where a total comes from.

    OmsClient.get_all hides shapes and headers (rightly, for the modules); the probe must see them.
    """
    data, headers = client.get_with_headers(path, params)
    if isinstance(data, list):
        shape = 'array'
    elif isinstance(data, dict) and any(key.endswith('List') and isinstance(value, list) for key, value in data.items()):
        shape = 'wrapped'
    else:
        shape = 'none' if data is None else 'other'
    rows = list_rows(data) if shape in ('array', 'wrapped', 'none') else []
    header = (headers.get('X-Total-Count') or '').strip()
    total_header = int(header) if header.isdigit() else None
    total_body = body_count(data)
    return dict(rows=rows, shape=shape, total_header=total_header, total_body=total_body,
                keys=sorted(data)[:10] if isinstance(data, dict) else None)


def probe_route(client, name, path, params=None, needed=True):
    """``{name, path, found, status, shape, total_from, total, paging, problem}`` of one list route.

    ``paging`` asks for two pages of one row: more than one row answered means the server ignores pageSize, a
    second page that repeats the first that it ignores pageIndex. Either makes the OMS not ready.
    """
    route = dict(name=name, path=path, found=False, needed=needed, status=None, shape=None, total_from=None,
                 total=None, paging=None, problem=None)
    query = dict(params or {}, pageSize=1, pageIndex=0)
    try:
        first = _raw_page(client, path, query)
    except OmsApiError as exc:
        route.update(status=exc.status, problem=str(exc), login_failed=exc.login_failed)
        return route
    route.update(found=True, status=200, shape=first['shape'])
    if first['shape'] == 'other':
        route['problem'] = 'GET /rest/s1/%s answered an object that is not a list (keys: %s)' % (
            path, ', '.join(first['keys'] or []) or 'none')
        return route
    if first['total_header'] is not None:
        route.update(total_from='header', total=first['total_header'])
    elif first['total_body'] is not None:
        route.update(total_from='body', total=first['total_body'])
    else:
        route['total_from'] = 'none'
    route['paging'] = _paging(client, path, params, first, route['total'])
    if route['paging'].get('problem'):
        route['problem'] = route['paging']['problem']
    return route


def _paging(client, path, params, first, total):
    rows = first['rows']
    if not rows or (total is not None and total < 2):
        return dict(checked=False, reason='fewer than 2 rows: nothing to page through')
    ignores_size = len(rows) > 1  # asked for one row, got more: the server pages at its own size
    size_problem = None
    if ignores_size:
        size_problem = ('GET /rest/s1/%s: asked for 1 row a page, the server answered %d, so it ignores pageSize; without '
                        'a total a client cannot tell the end of such a list from a short page, and a rollback walks it '
                        '%d rows at a time' % (path, len(rows), len(rows)))
    try:
        second = _raw_page(client, path, dict(params or {}, pageSize=1, pageIndex=1))['rows']
    except OmsApiError as exc:
        return dict(checked=True, second_page_differs=None, ignores_page_size=ignores_size,
                    problem='the second page of %s failed: %s' % (path, exc))
    if not second:
        if total is not None and total > len(rows):
            return dict(checked=True, second_page_differs=False, ignores_page_size=ignores_size,
                        problem='GET /rest/s1/%s: the second page is empty, yet the server states %d rows' % (path, total))
        if size_problem:
            return dict(checked=True, second_page_differs=None, ignores_page_size=True, problem=size_problem)
        return dict(checked=False, reason='only one row: nothing to page through')
    differs = set(_identity(row) for row in second) != set(_identity(row) for row in rows)
    paging = dict(checked=True, second_page_differs=differs, ignores_page_size=ignores_size)
    if not differs:
        paging['problem'] = ('GET /rest/s1/%s: the second page repeats the first, so the server ignores pageIndex; a '
                             'rollback fails on any list longer than one page' % path)
    elif size_problem:
        paging['problem'] = size_problem
    return paging


def probe_surface(client, selection):
    """Every route the rollback and the restore need; ``store_path`` is the product store path found."""
    routes = [probe_route(client, 'shops', SHOPS_PATH)]
    if routes[0]['problem'] and (routes[0]['status'] is None or routes[0].get('login_failed')):
        return routes, None  # no answer at all, or no login: asking further only repeats the same failure
    if 'remote' in selection['targets']:
        routes.append(probe_route(client, 'remotes', REMOTES_PATH))
    stores = probe_route(client, 'product_stores', STORES_PATH)
    store_path = STORES_PATH if stores['found'] else None
    if stores['status'] == 404:  # servers older than Maarg 4.4.0 have only the legacy path, as the modules know
        legacy = probe_route(client, 'product_stores', LEGACY_STORES_PATH)
        if legacy['found']:
            stores = dict(legacy, legacy=True, note='admin/productStores answers 404; the legacy oms/productStores '
                                                    'is used (Maarg older than 4.4.0)')
            store_path = LEGACY_STORES_PATH
    routes.append(stores)
    if selection['service_jobs']:
        routes.append(probe_route(client, 'service_jobs', JOBS_PATH))
        groups = probe_route(client, 'routing_groups', ROUTING_GROUPS_PATH, needed=False)
        if groups['status'] == 404:
            # no order-routing component: no brokering schedules to pause, which is not an error of the rollback
            groups.update(problem=None, absent=True,
                          note='order-routing answers 404: this OMS has no order routing, so no brokering schedule '
                               'to pause')
        routes.append(groups)
    return routes, store_path


def _records(records, closed):
    return [dict(record.info, before=record.before, closed=closed(record)) for record in records]


def safety_problems(access):
    """What would fail a rollback's verdict although every record closes: a closed value the connector reads as read
    access (or an enum list that cannot be read), and open remotes the webhook filter matches that it leaves open."""
    problems = []
    if access.scope_enum and access.scope_enum['problem']:
        problems.append('a rollback would not be safe: %s' % access.scope_enum['problem'])
    left_open = ['%s (lets in shop %s)' % (remote['id'], ', '.join(remote['shop_ids'])) for remote in access.matching_remotes
                 if not remote['included'] and not remote['outside_selection'] and remote['current'] != ROLLED_BACK_SCOPE]
    if left_open:
        problems.append('a rollback would leave open remotes that the webhook filter matches for a selected shop, and '
                        'fail its verdict unless rollback_close_matching_remotes is true: %s' % ', '.join(left_open))
    return problems


def what_rollback_touches(task, selection):
    """What a rollback with this selection would read and close now, through the modules' own readers.

    The readers see the rollback's selection as their options; a selection they refuse (an unknown shop id, say)
    fails them as it would fail a rollback, and is reported here as a problem.
    """
    touch = dict(shops=[], records=[], product_stores=[], service_jobs=[], skipped=[], warnings=[], problems=[],
                 store_path=None)
    view = task.with_params(shop_ids=selection['shop_ids'], targets=selection['targets'],
                            product_store_ids=selection['product_store_ids'],
                            close_matching_remotes=bool(selection.get('close_matching_remotes')))
    readers = {}
    try:
        access = ShopAccess(view, check_scope_enum=True)  # the rollback's own safety judgements (docs/safety.md)
        shops, records = access.read()
        touch['problems'] += safety_problems(access)
        touch['skipped'] += [dict(kind='remote', id=remote['id'], shop_ids=remote['shop_ids'],
                                  reason='owned by shop %s, outside the selection, although the webhook filter matches it '
                                         'for the selected shop: never closed' % remote['owner'])
                             for remote in access.matching_remotes if remote['outside_selection']]
        readers['access'] = (access, records)
        touch['shops'] = [dict(shop_id=shop['shopId'], name=shop.get('name'), product_store_id=shop.get('productStoreId'))
                          for shop in shops]
        touch['records'] = _records(records, lambda record: record.current == ROLLED_BACK_SCOPE)
        touch['skipped'] += [dict(kind='remote', id=remote['id'], shop_ids=remote['shop_ids'],
                                  reason='unknown ownership: %s' % remote['reason']) for remote in access.ambiguous_remotes]
        if 'remote' in selection['targets']:
            with_remote = set(record.info['shop_id'] for record in records if record.info['target'] == 'remote')
            touch['skipped'] += [dict(kind='shop', id=shop['shopId'], reason='no SystemMessageRemote belongs to it: only '
                                      'its config rows would be closed') for shop in shops if shop['shopId'] not in with_remote]
    except (OmsApiError, OmsTaskFailed) as exc:
        touch['problems'].append('reading the shops as a rollback would: %s' % exc)
    try:
        brokering = OrderBrokering(view)
        stores = brokering.read()
        readers['brokering'] = (brokering, stores)
        touch['store_path'] = brokering.path
        touch['product_stores'] = _records(stores, lambda record: not record.current)
    except (OmsApiError, OmsTaskFailed) as exc:
        touch['problems'].append('reading the product stores as a rollback would: %s' % exc)
    if selection['service_jobs']:
        jobs_view = task.with_params(job_names=None, shop_ids=selection['shop_ids'],
                                     product_store_ids=selection['product_store_ids'])
        try:
            jobs = ServiceJobs(jobs_view)
            job_records = jobs.read()
            readers['jobs'] = (jobs, job_records)
            touch['service_jobs'] = _records(job_records, lambda record: job_paused(record.before))
        except (OmsApiError, OmsTaskFailed) as exc:
            touch['problems'].append('reading the service jobs as a rollback would: %s' % exc)
        touch['warnings'] += jobs_view.warnings
    touch['warnings'] += view.warnings
    counts = dict((target, dict(records=len([r for r in touch['records'] if r['target'] == target]),
                                closed=len([r for r in touch['records'] if r['target'] == target and r['closed']])))
                  for target in selection['targets'])
    counts['product_stores'] = dict(records=len(touch['product_stores']),
                                    closed=len([s for s in touch['product_stores'] if s['closed']]))
    if selection['service_jobs']:
        counts['service_jobs'] = dict(records=len(touch['service_jobs']),
                                      closed=len([j for j in touch['service_jobs'] if j['closed']]))
    touch['counts'] = counts
    return touch, readers


# --- the write probe -------------------------------------------------------------------------------------------


def _without_stamps(row):
    return dict((key, value) for key, value in (row or {}).items() if key not in STAMP_KEYS)


def _row_ids(client, store_path, with_jobs):
    """Every id of every kind of record the probe writes: after the probe, none may be new."""
    ids = dict(remotes=sorted(row.get('systemMessageRemoteId') for row in client.get_all(REMOTES_PATH)),
               configs=sorted(config.get('shopifyConfigId') for shop in client.get_all(SHOPS_PATH)
                              for config in shop.get('shopifyConfig') or []))
    if store_path:
        ids['stores'] = sorted(row.get('productStoreId') for row in client.get_all(store_path))
    if with_jobs:
        ids['jobs'] = sorted(row.get('jobName') for row in client.get_all(JOBS_PATH))
    return ids


def _read_remote(client, record):
    rows = client.get_all(REMOTES_PATH, {'systemMessageRemoteId': record.key[1]})
    return ([row for row in rows if row.get('systemMessageRemoteId') == record.key[1]] or [None])[0]


def _read_config(client, record):
    shop = client.get('%s/%s' % (SHOPS_PATH, quote(record.info['shop_id'], safe=''))) or {}
    return ([row for row in shop.get('shopifyConfig') or [] if row.get('shopifyConfigId') == record.key[1]] or [None])[0]


def _probe_one(client, kind, label, record, field, read, write, value):
    """Write ``value`` (what ``field`` holds now) back with the rollback's own writer, read back, compare."""
    result = dict(kind=kind, id=record.key[1] if isinstance(record.key, tuple) else record.key, label=label,
                  field=field, value=value, written=False, ok=False)
    try:
        before = read()
        if before is None or before.get(field) != value:
            result['error'] = 'the record changed between the read and the probe (now %r)' % (
                before or {}).get(field)
            return result
        write()
        result['written'] = True
        after = read()
    except OmsApiError as exc:
        result['error'] = str(exc)
        result['status'] = exc.status
        return result
    result['read_back'] = (after or {}).get(field)
    if _without_stamps(after) != _without_stamps(before):
        changed = sorted(key for key in set(before or {}) | set(after or {})
                         if key not in STAMP_KEYS and (before or {}).get(key) != (after or {}).get(key))
        result['error'] = 'writing the current value back changed the record: %s' % ', '.join(changed)
        return result
    result['ok'] = True
    return result


def write_probe(client, readers, store_path, with_jobs):
    """Write each kind of record's current value back to one record, read back, and check that no row appeared.

    Only records holding a value are probed (an empty value is never written). The writers are the modules' own,
    so the probe sends exactly the request a rollback sends, with the value it holds now.
    """
    probes = []
    skipped = []
    ids_before = _row_ids(client, store_path, with_jobs)
    access, records = readers.get('access', (None, []))
    for target, reader in (('remote', _read_remote), ('config', _read_config)):
        if access is None or target not in access.targets:
            continue
        record = next((r for r in records if r.info['target'] == target and r.before), None)
        if record is None:
            skipped.append(dict(kind=target, reason='no selected %s record holds a scope to write back' % target))
            continue
        record.wanted = record.before
        probes.append(_probe_one(client, target, record.label, record, 'accessScopeEnumId',
                                 lambda record=record, reader=reader: reader(client, record),
                                 lambda record=record: access.write(record), record.before))
    brokering, stores = readers.get('brokering', (None, []))
    if brokering is not None:
        probes_before = len(probes)
        for record in stores:
            path = '%s/%s' % (brokering.path, quote(record.key, safe=''))
            raw = (client.get(path) or {}).get('enableBrokering')
            if raw not in ('Y', 'N'):
                continue  # the modules write only Y or N: writing one to a store without the field would change it
            record.wanted = raw == 'Y'
            probes.append(_probe_one(client, 'store', record.label, record, 'enableBrokering',
                                     lambda path=path: client.get(path), lambda record=record: brokering.write(record), raw))
            break
        if len(probes) == probes_before:
            skipped.append(dict(kind='store', reason='no selected product store holds enableBrokering Y or N'))
    jobs, job_records = readers.get('jobs', (None, []))
    if with_jobs and jobs is not None:
        record = next((r for r in job_records if r.before), None)
        if record is None:
            skipped.append(dict(kind='job', reason='no selected service job holds a paused value to write back'))
        else:
            record.wanted = record.before
            path = '%s/%s' % (JOBS_PATH, quote(record.key, safe=''))
            probes.append(_probe_one(client, 'job', record.label, record, 'paused',
                                     lambda path=path: (client.get(path) or {}).get('jobDetail'),
                                     lambda record=record: jobs.write(record), record.before))
    ids_after = _row_ids(client, store_path, with_jobs)
    created = dict((kind, sorted(set(ids_after[kind]) - set(ids_before[kind]))) for kind in ids_before
                   if set(ids_after[kind]) - set(ids_before[kind]))
    return dict(checked=True, probes=probes, skipped=skipped, rows_created=created,
                ok=all(probe['ok'] for probe in probes) and not created)


# --- the whole probe --------------------------------------------------------------------------------------------


def probe_api(task, selection, probe_writes):
    """The report of hotwax_api_info: connection, routes, what a rollback would touch, the write probe."""
    params = task.params
    client = task.client
    report = dict(oms_url=params['oms_url'], credential='token' if params['token'] else 'login',
                  username=params['username'], reachable=False, logged_in=False, connection_problem=None,
                  routes=[], touch=None, write_probe=None, reader_warnings=[], problems=[])
    routes, store_path = probe_surface(client, selection)
    report['routes'] = routes
    shops = routes[0]
    if shops['status'] is None and shops['problem']:
        report['connection_problem'] = shops['problem']
        report['problems'].append(shops['problem'])
        return report
    report['reachable'] = True
    if shops['status'] is not None and (shops.get('login_failed') or shops['status'] == 401):
        report['connection_problem'] = shops['problem']
        report['problems'].append(shops['problem'])
        return report
    report['logged_in'] = True
    for route in routes:
        if route['problem']:
            report['problems'].append(route['problem'])
    touch, readers = what_rollback_touches(task, selection)
    report['touch'] = touch
    report['problems'] += touch['problems']
    report['reader_warnings'] += touch['warnings']
    if not probe_writes:
        report['write_probe'] = dict(checked=False, reason='write permission was not checked (probe_writes is false)')
    elif task.check_mode:
        report['write_probe'] = dict(checked=False, reason='check mode: nothing is written, so write permission was '
                                                           'not checked')
    elif touch['problems']:
        report['write_probe'] = dict(checked=False, reason='not run: the records to probe could not be read')
    else:
        try:
            report['write_probe'] = write_probe(client, readers, touch['store_path'] or store_path,
                                                selection['service_jobs'])
        except OmsApiError as exc:
            report['write_probe'] = dict(checked=True, ok=False, probes=[], skipped=[], rows_created={},
                                         error='the write probe could not list the records: %s' % exc)
    return report
