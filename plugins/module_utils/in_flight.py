# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What may still be moving after the two switches (tests/emulator/README.md), read through the routes HotWax's own
apps read: brokering runs without an end, job runs in progress, open test-drive sessions, and the real-time intake.

Stopping brokering ends no run that already started (a run reads ``enableBrokering`` once, at its start), and a
test-drive session brokers while the flag is N. Nothing here fails a module: a route the OMS refuses or lacks is
reported as not readable, never guessed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from urllib.parse import quote

from ansible_collections.hotwax.oms.plugins.module_utils.oms_values import job_paused
from ansible_collections.hotwax.oms.plugins.module_utils.service_jobs import JOBS_PATH, ROUTING_GROUPS_PATH, SHOPIFY_INTAKE_JOB

SESSIONS_PATH = 'admin/user/sessions'  # the Order Routing app's test-drive sessions (UserSession)
TEST_DRIVE = 'ROUTING_TEST_DRIVE'
# Newest rows read per group or job: a run still going is among the newest, and the history can be long.
RECENT_ROWS = 20


def _when(epoch_ms):
    """An OMS date-time (epoch milliseconds) as ISO 8601 UTC, or None."""
    try:
        return datetime.datetime.fromtimestamp(int(epoch_ms) / 1000.0, tz=datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _now_ms():
    return int(datetime.datetime.now(tz=datetime.timezone.utc).timestamp() * 1000)


def _rows(data):
    return [row for row in data if isinstance(row, dict)] if isinstance(data, list) else []


def read_in_flight(client, store_ids):
    """The report of what may still be moving in the product stores ``store_ids`` (None: every store).

    ``brokering_runs``: routing runs without an end date (order-routing/groups/{id}/routingRuns); ``job_runs``: runs
    of the stores' routing jobs and of the real-time intake with a start and no end (admin/serviceJobs/{job}/runs);
    ``test_drive_sessions``: ROUTING_TEST_DRIVE sessions not yet ended (admin/user/sessions); ``intake``: whether
    consume_ShopifyOrders_SQS is paused now; ``not_readable``: each read the OMS refused, with its error.
    """
    report = dict(checked_at=_when(_now_ms()), brokering_runs=[], job_runs=[], test_drive_sessions=[],
                  intake=dict(job_name=SHOPIFY_INTAKE_JOB, found=None, paused=None), not_readable=[], notes=[])
    first = [
        ('groups', lambda: client.get_all(ROUTING_GROUPS_PATH)),
        ('sessions', lambda: client.get_all(SESSIONS_PATH, {'sessionTypeEnumId': TEST_DRIVE})),
        ('intake', lambda: client.get('%s/%s' % (JOBS_PATH, quote(SHOPIFY_INTAKE_JOB, safe='')))),
    ]
    answers = dict((name, answer) for (name, dummy), answer in zip(first, client.map_parallel(lambda read: read[1](), first)))

    groups, error = answers['groups']
    if error is not None and error.status == 404:
        groups = []
        report['notes'].append('order-routing answers 404: this OMS has no order-routing component, so no routing runs')
    elif error is not None:
        groups = []
        report['not_readable'].append('brokering runs (GET /rest/s1/%s): %s' % (ROUTING_GROUPS_PATH, error))
    groups = [group for group in groups if store_ids is None or group.get('productStoreId') in store_ids]

    sessions, error = answers['sessions']
    if error is not None:
        report['not_readable'].append('test-drive sessions (GET /rest/s1/%s): %s' % (SESSIONS_PATH, error))
    now = _now_ms()
    for session in sessions or []:
        ends = session.get('thruDate')
        if (store_ids is None or session.get('productStoreId') in store_ids) and (not ends or int(ends) > now):
            report['test_drive_sessions'].append(dict(
                user_session_id=session.get('userSessionId'), product_store_id=session.get('productStoreId'),
                user_id=session.get('userId'), since=_when(session.get('fromDate'))))

    detail, error = answers['intake']
    job = (detail or {}).get('jobDetail') if isinstance(detail, dict) else None
    if error is not None and error.status != 404:
        report['not_readable'].append('the real-time intake job (GET /rest/s1/%s/%s): %s' % (JOBS_PATH, SHOPIFY_INTAKE_JOB, error))
    else:
        report['intake'].update(found=bool(job), paused=job_paused(job.get('paused')) if job else None)

    _read_runs(client, report, groups, with_intake=bool(job))
    return report


def _read_runs(client, report, groups, with_intake):
    """The newest routing runs of each group and the newest runs of each group's job (and the intake's), side by side."""
    reads = [('routing', group) for group in groups]
    reads += [('job', group.get('jobName')) for group in groups if group.get('jobName')]
    if with_intake:
        reads.append(('job', SHOPIFY_INTAKE_JOB))

    def read(item):
        kind, what = item
        if kind == 'routing':
            return client.get('%s/%s/routingRuns' % (ROUTING_GROUPS_PATH, quote(what['routingGroupId'], safe='')),
                              {'orderByField': 'startDate DESC', 'pageSize': RECENT_ROWS, 'pageIndex': 0})
        return client.get('%s/%s/runs' % (JOBS_PATH, quote(what, safe='')),
                          {'orderByField': '-jobRunId', 'pageSize': RECENT_ROWS, 'pageIndex': 0})

    for (kind, what), (data, error) in zip(reads, client.map_parallel(read, reads)):
        if kind == 'routing':
            if error is not None:
                report['not_readable'].append('brokering runs of routing group %s: %s' % (what.get('routingGroupId'), error))
                continue
            for run in _rows(data):
                if run.get('startDate') and not run.get('endDate'):
                    report['brokering_runs'].append(dict(
                        routing_group_id=what.get('routingGroupId'), group_name=what.get('groupName'),
                        product_store_id=what.get('productStoreId'), routing_run_id=run.get('routingRunId'),
                        order_routing_id=run.get('orderRoutingId'), started_at=_when(run.get('startDate'))))
        else:
            if error is not None:
                report['not_readable'].append('runs of job %s: %s' % (what, error))
                continue
            for run in _rows(data):  # Job Manager's reading: a start and no end is running
                if run.get('startTime') and not run.get('endTime'):
                    report['job_runs'].append(dict(job_name=what, job_run_id=run.get('jobRunId'),
                                                   started_at=_when(run.get('startTime'))))
