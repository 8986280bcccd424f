#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: hotwax_service_job
short_description: Pause or resume scheduled service jobs of HotWax OMS
version_added: 0.1.0
description:
  - Pauses or resumes scheduled service jobs in HotWax Commerce OMS. During a rollback, closing Shopify access
    makes every Shopify call fail, but the jobs keep firing and piling up errors; pausing them keeps the OMS quiet.
  - Jobs are selected by exact name, by shop (its Shopify import and sync jobs) and by product store (the brokering
    schedules of its routing groups).
  - Only jobs whose setting differs are written; every write is read back.
  - With O(restore), each job is put back to the C(before) value of an earlier run's result.
author:
  - hotwax.oms developers (@hotwax)
extends_documentation_fragment:
  - hotwax.oms.connection
  - hotwax.oms.connection.ATTRIBUTES
  - hotwax.oms.service_jobs
options:
  paused:
    description:
      - Whether the selected jobs are paused. Required unless O(restore) is given.
    type: bool
  restore:
    description:
      - The RV(service_jobs) list of an earlier run of this module or of M(hotwax.oms.hotwax_service_job_info),
        for example from a snapshot. Each job it lists is set back to its C(before) value, so a job that was
        paused before stays paused. Jobs it does not list are left alone; every listed job must be selected.
      - Mutually exclusive with O(paused).
    type: list
    elements: dict
notes:
  - At least one of O(job_names), O(shop_ids) and O(product_store_ids) selects the jobs.
'''

EXAMPLES = r'''
- name: Pause the Shopify import and brokering jobs of every shop and store
  hotwax.oms.hotwax_service_job:
    oms_url: https://acme-maarg.hotwax.io
    token: "{{ vault_hotwax_token }}"
    shop_ids: [all]
    product_store_ids: [all]
    paused: true
  register: paused_jobs

- name: Resume only the jobs that were running before
  hotwax.oms.hotwax_service_job:
    oms_url: https://acme-maarg.hotwax.io
    token: "{{ vault_hotwax_token }}"
    shop_ids: [all]
    product_store_ids: [all]
    restore: "{{ paused_jobs.service_jobs }}"

- name: Pause one job by name
  hotwax.oms.hotwax_service_job:
    oms_url: https://acme-maarg.hotwax.io
    token: "{{ vault_hotwax_token }}"
    job_names: [consume_ShopifyOrders_SQS]
    paused: true
'''

RETURN = r'''
service_jobs:
  description: Each selected job with its paused setting before and after.
  returned: always
  type: list
  elements: dict
  contains:
    job_name:
      description: The job name.
      type: str
      sample: queue_ShopifyOrderSync_SHOP
    description:
      description: The job description.
      type: str
      sample: Import new orders from Shopify shop SHOP
    before:
      description: Whether the job was paused before the task.
      type: bool
      sample: false
    after:
      description: Whether the job is paused after the task, as read back (in check mode, as it would be).
      type: bool
      sample: true
'''

from operator import itemgetter

from ansible_collections.hotwax.oms.plugins.module_utils.oms_module import OmsModule, saved_bool
from ansible_collections.hotwax.oms.plugins.module_utils.service_jobs import JOB_SELECTION_SPEC, ServiceJobs, jobs_result


def main():
    module = OmsModule(
        argument_spec=dict(JOB_SELECTION_SPEC, paused=dict(type='bool'), restore=dict(type='list', elements='dict')),
        mutually_exclusive=[('paused', 'restore')],
        required_one_of=[('paused', 'restore')],
        supports_check_mode=True)
    service_jobs = ServiceJobs(module)
    records = module.call(service_jobs.read)

    restore = module.params['restore']
    module.want(records, module.params['paused'],
                module.saved_values(restore, itemgetter('job_name'), saved_bool) if restore is not None else None)

    module.apply_and_exit(records, service_jobs.write, service_jobs.read_back, lambda: {'service_jobs': jobs_result(records)})


if __name__ == '__main__':
    main()
