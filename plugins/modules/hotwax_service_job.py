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
  - Only jobs whose setting differs are written; every write is read back. A job runs when its C(paused) is null
    or V(N); any other value pauses it, so a job already paused with another value is left as it is. A pause writes
    V(Y), a resume V(N).
  - With O(restore), each job is put back to the exact C(paused) value an earlier run's result recorded in C(before)
    (a job that had none to V(N), never an empty value), unless it changed since (see O(force)). The 0.1.0 result,
    with C(before) true or false, is accepted too.
  - A brokering schedule is the job named on a routing group (C(jobName)), or in its schedule. An OMS without the
    order-routing component (it answers 404) has no schedules; that is a warning, not an error. A selection of
    product stores that finds no schedule is warned about as well.
  - When a write fails or the OMS stops answering, the other jobs are still done, and the module fails naming
    what is not done and what is unknown; RV(done), RV(not_done) and RV(unknown) list every job, on success too.
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
  force:
    description:
      - With O(restore), also restore the records that changed since the rollback (see RV(drifted)).
      - Without it, a restore puts a record back only while it holds its saved value (then nothing is written) or
        a value the rollback leaves (V(Y), or the saved C(after)); any other record is left as it is, reported in
        RV(drifted) and warned about.
    type: bool
    default: false
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
done:
  description:
    - Labels of the records that needed a change and now hold the wanted value (read back; when the read-back
      failed, those whose write the OMS answered with success). In check mode, the records that would change.
  returned: always
  type: list
  elements: str
  sample: ["service job queue_ShopifyOrderSync_10010 paused"]
not_done:
  description:
    - Labels of the records known not to hold the wanted value, because the OMS refused the write, the write was
      never sent (the OMS was gone), or the read-back shows another value. The module fails when this is not empty.
  returned: always
  type: list
  elements: str
  sample: []
unknown:
  description:
    - Labels of the records whose write got no answer and that could not be read back, so they may or may not hold
      the wanted value. The module fails when this is not empty.
  returned: always
  type: list
  elements: str
  sample: []
drifted:
  description:
    - With O(restore), labels of the records left as they are because they changed since the rollback (they hold
      neither their saved value nor a value the rollback leaves). Empty with O(force) or without O(restore).
  returned: always
  type: list
  elements: str
  sample: []
service_jobs:
  description: Each selected job with its paused setting before and after.
  returned: always
  type: list
  elements: dict
  contains:
    job_name:
      description: The job name.
      type: str
      sample: queue_ShopifyOrderSync_10010
    description:
      description: The job description.
      type: str
      sample: Import new orders from Shopify shop 10000
    before:
      description:
        - The exact C(paused) value before the task, null when the job had none. A job runs when it is null or
          V(N); any other value pauses it.
      type: str
      sample: N
    after:
      description: The exact C(paused) value after the task, as read back (in check mode, as it would be).
      type: str
      sample: Y
    paused_before:
      description: Whether the job was paused before the task (what RV(service_jobs[].before) means).
      type: bool
      sample: false
    paused_after:
      description: Whether the job is paused after the task (what RV(service_jobs[].after) means).
      type: bool
      sample: true
    state:
      description:
        - V(unchanged), V(changed) (in check mode, would change), V(not_done), V(unknown) or V(drifted); see RV(done),
          RV(not_done), RV(unknown) and RV(drifted).
      type: str
      sample: changed
    error:
      description: Why the record is not done or unknown.
      type: str
      returned: when the state is V(not_done) or V(unknown)
      sample: "PUT /rest/s1/admin/serviceJobs/queue_ShopifyOrderSync_10010: HTTP 500"
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hotwax.oms.plugins.module_utils.oms_module import exit_module
from ansible_collections.hotwax.oms.plugins.module_utils.oms_tasks import SERVICE_JOB_SPEC, run_service_job


def main():
    # The action of the same name runs this work in Ansible's worker; the module runs it where a task is delegated.
    module = AnsibleModule(supports_check_mode=True, **SERVICE_JOB_SPEC.validation_arguments())
    exit_module(module, run_service_job)


if __name__ == '__main__':
    main()
