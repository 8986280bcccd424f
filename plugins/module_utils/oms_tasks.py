# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each OMS module's options (written once) and its work, as a plain function of an OmsTask.

``<MODULE>_SPEC`` is what the module's AnsibleModule and its action's validate_argument_spec both take (ansible-test's
validate-modules checks the module's DOCUMENTATION against it). ``run_<module>(task)`` reads, plans, writes, reads
back and returns the module's return values, or raises OmsTaskFailed; check mode and diff mode are the task's.
The action plugin of the same name runs it in Ansible's worker; the module runs it where a task is delegated.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from operator import itemgetter

from ansible_collections.hotwax.oms.plugins.module_utils.api_probe import probe_api
from ansible_collections.hotwax.oms.plugins.module_utils.in_flight import read_in_flight
from ansible_collections.hotwax.oms.plugins.module_utils.oms_module import ALL, FORCE_SPEC, TaskSpec, failed_result, work_result
from ansible_collections.hotwax.oms.plugins.module_utils.oms_values import ROLLED_BACK_SCOPE
from ansible_collections.hotwax.oms.plugins.module_utils.order_brokering import STORE_SELECTION_SPEC, OrderBrokering, stores_result
from ansible_collections.hotwax.oms.plugins.module_utils.order_brokering import restore_value as store_restore_value
from ansible_collections.hotwax.oms.plugins.module_utils.service_jobs import (
    JOB_SELECTION_SPEC, ServiceJobs, jobs_result, pause_wanted)
from ansible_collections.hotwax.oms.plugins.module_utils.service_jobs import restore_value as job_restore_value
from ansible_collections.hotwax.oms.plugins.module_utils.shop_access import (
    SCOPE_CHOICES, SHOP_SELECTION_SPEC, TARGETS, ShopAccess, scope_id, shops_result)
from ansible_collections.hotwax.oms.plugins.module_utils.shop_access import restore_value as scope_restore_value

# --- hotwax_api_info ---------------------------------------------------------------------------------------------

API_INFO_SPEC = TaskSpec(dict(
    shop_ids=dict(type='list', elements='str', default=[ALL]),
    targets=dict(type='list', elements='str', choices=TARGETS, default=TARGETS),
    product_store_ids=dict(type='list', elements='str', default=[ALL]),
    service_jobs=dict(type='bool', default=False),
    close_matching_remotes=dict(type='bool', default=False),
    probe_writes=dict(type='bool', default=False),
))


def run_api_info(task):
    """The probe's report. The write probe writes each record's own value back, which changes nothing."""
    params = task.params
    chosen = ('shop_ids', 'targets', 'product_store_ids', 'service_jobs', 'close_matching_remotes')
    selection = dict((key, params[key]) for key in chosen)
    return dict(probe_api(task, selection, params['probe_writes']), changed=False)


# --- hotwax_shop_access_info, hotwax_shop_access -----------------------------------------------------------------

SHOP_ACCESS_INFO_SPEC = TaskSpec(SHOP_SELECTION_SPEC)
SHOP_ACCESS_SPEC = TaskSpec(
    dict(SHOP_SELECTION_SPEC,
         shop_ids=dict(type='list', elements='str', required=True),
         access_scope=dict(type='str', choices=SCOPE_CHOICES),
         restore=dict(type='list', elements='dict'), **FORCE_SPEC),
    mutually_exclusive=[('access_scope', 'restore')],
    required_one_of=[('access_scope', 'restore')])


def run_shop_access_info(task):
    shop_access = ShopAccess(task)
    shops, records = shop_access.read(False)  # the return value shows shops without records
    return dict(changed=False, shops=shops_result(shops, records, with_state=False),
                ambiguous_remotes=shop_access.ambiguous_remotes, matching_remotes=shop_access.matching_result(records))


def saved_remote_ids(restore):
    """The remote ids a restore names: remotes the webhook filter matched, closed on request, come back too."""
    return [record.get('id') for shop in restore or [] if isinstance(shop, dict)
            for record in shop.get('records') or [] if isinstance(record, dict) and record.get('target') == 'remote']


def run_shop_access(task):
    params = task.params
    closing = scope_id(params['access_scope']) == ROLLED_BACK_SCOPE
    # closing reads the scope enums too (beside the shops and remotes): a closed value the connector reads as
    # read access is not closed
    shop_access = ShopAccess(task, check_scope_enum=closing, restore_remote_ids=saved_remote_ids(params['restore']))
    # which shops have no remote is worth a warning when access is being closed, not when it is put back
    shops, records = shop_access.read(params['restore'] is None)
    if closing and shop_access.scope_enum['problem']:
        task.warn(shop_access.scope_enum['problem'])

    restore = params['restore']
    if restore is not None:  # a missing scope restores as read access, what the OMS read it as
        saved_shops = task.saved_values(restore, itemgetter('shop_id'), itemgetter('records'))
        saved_records = [record for records in saved_shops.values() for record in records or []]
        restore = task.saved_values(saved_records, itemgetter('target', 'id'), scope_restore_value)
    task.want(records, scope_id(params['access_scope']), restore)

    return task.apply_changes(records, shop_access.write, shop_access.read_back, lambda: dict(
        shops=shops_result(shops, records), ambiguous_remotes=shop_access.ambiguous_remotes,
        matching_remotes=shop_access.matching_result(records), scope_enum=shop_access.scope_enum))


# --- hotwax_order_brokering_info, hotwax_order_brokering ---------------------------------------------------------

ORDER_BROKERING_INFO_SPEC = TaskSpec(STORE_SELECTION_SPEC)
ORDER_BROKERING_SPEC = TaskSpec(
    dict(STORE_SELECTION_SPEC,
         product_store_ids=dict(type='list', elements='str', required=True),
         enabled=dict(type='bool'),
         restore=dict(type='list', elements='dict'),
         report_in_flight=dict(type='bool', default=False), **FORCE_SPEC),
    mutually_exclusive=[('enabled', 'restore')],
    required_one_of=[('enabled', 'restore')])


def run_order_brokering_info(task):
    return dict(changed=False, product_stores=stores_result(OrderBrokering(task).read(), with_state=False))


def run_order_brokering(task):
    params = task.params
    brokering = OrderBrokering(task)
    report = {}  # what the switch does not stop, read after it (in check mode, where nothing is written, at once)

    def in_flight():
        return read_in_flight(task.client, task.selected_ids('product_store_ids'))

    def beside_in_flight(read):
        """``read()``, and beside it the report of what the switch does not stop."""
        (answer, error), (report['in_flight'], dummy) = task.client.map_parallel(lambda work: work(), [read, in_flight])
        if error is not None:
            raise error
        return answer

    reports_now = params['report_in_flight'] and task.check_mode
    records = beside_in_flight(brokering.read) if reports_now else brokering.read()
    restore = params['restore']
    task.want(records, params['enabled'],
              task.saved_values(restore, itemgetter('product_store_id'), store_restore_value) if restore is not None else None)

    def read_back():  # after the writes, as the report is
        return beside_in_flight(brokering.read_back) if params['report_in_flight'] else brokering.read_back()

    def result():
        values = {'product_stores': stores_result(records)}
        if params['report_in_flight']:  # nothing was written: read now
            values['in_flight'] = report.get('in_flight') or in_flight()
        return values

    return task.apply_changes(records, brokering.write, read_back, result)


# --- hotwax_service_job_info, hotwax_service_job -----------------------------------------------------------------

SERVICE_JOB_INFO_SPEC = TaskSpec(JOB_SELECTION_SPEC)
SERVICE_JOB_SPEC = TaskSpec(
    dict(JOB_SELECTION_SPEC, paused=dict(type='bool'), restore=dict(type='list', elements='dict'), **FORCE_SPEC),
    mutually_exclusive=[('paused', 'restore')],
    required_one_of=[('paused', 'restore')])


def run_service_job_info(task):
    if all(task.params[option] is None for option in JOB_SELECTION_SPEC):  # none given: every shop's and store's jobs
        task.params.update(shop_ids=[ALL], product_store_ids=[ALL])
    return dict(changed=False, service_jobs=jobs_result(ServiceJobs(task).read(), with_state=False))


def run_service_job(task):
    params = task.params
    service_jobs = ServiceJobs(task)
    records = service_jobs.read()
    restore = params['restore']
    task.want(records, pause_wanted(params['paused']),
              task.saved_values(restore, itemgetter('job_name'), job_restore_value) if restore is not None else None)
    return task.apply_changes(records, service_jobs.write, service_jobs.read_back,
                              lambda: {'service_jobs': jobs_result(records)})


# --- the state a rollback's snapshot keeps ----------------------------------------------------------------------

STATE_BEFORE_ROLLBACK_SPEC = TaskSpec(dict(SHOP_SELECTION_SPEC, pause_jobs=dict(type='bool', default=False), **STORE_SELECTION_SPEC))
STATE_PARTS = (  # each part of the reading: its name, the read-only work that gives it, and the options that work takes
    ('records', run_shop_access_info, ('shop_ids', 'targets', 'close_matching_remotes')),
    ('stores', run_order_brokering_info, ('product_store_ids',)),
    ('jobs', run_service_job_info, ('shop_ids', 'product_store_ids')),
)


def read_state_before_rollback(task):
    """What a rollback's snapshot keeps, its parts read side by side on the task's one client (one login).

    Returns ``{'records': ..., 'stores': ..., 'jobs': ...}``, each part the return values of hotwax_shop_access_info,
    hotwax_order_brokering_info and hotwax_service_job_info for the task's selection (``jobs`` only with
    ``pause_jobs``). A part that could not be read holds ``failed`` and ``msg`` instead, as that module's task would;
    the other parts are read all the same. Each part's warnings join the task's.
    """
    parts = [part for part in STATE_PARTS if part[0] != 'jobs' or task.params['pause_jobs']]

    def read(part):
        dummy, work, options = part
        reader = task.with_params(job_names=None, **dict((option, task.params[option]) for option in options))
        return work_result(work, reader), reader.warnings

    state = {}
    for (name, dummy, dummy), (answer, error) in zip(parts, task.client.map_parallel(read, parts)):
        result, warnings = answer if error is None else (failed_result(error), [])  # a refused login: every part
        task.warnings.extend(warnings)
        state[name] = result
    return state
