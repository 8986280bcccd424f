#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: hotwax_service_job_info
short_description: Read whether scheduled service jobs of HotWax OMS are paused
version_added: 0.1.0
description:
  - Reads the paused setting of scheduled service jobs in HotWax Commerce OMS, selected as
    M(hotwax.oms.hotwax_service_job) selects them, in the same shape it returns. Writes nothing.
author:
  - hotwax.oms developers (@hotwax)
extends_documentation_fragment:
  - hotwax.oms.connection
  - hotwax.oms.connection.INFO_ATTRIBUTES
  - hotwax.oms.service_jobs
notes:
  - When none of O(job_names), O(shop_ids) and O(product_store_ids) is given, the jobs of every shop and every
    product store are read.
'''

EXAMPLES = r'''
- name: Read the Shopify and brokering jobs of every shop and store
  hotwax.oms.hotwax_service_job_info:
    oms_url: https://acme-maarg.hotwax.io
    token: "{{ vault_hotwax_token }}"
  register: jobs

- name: List the jobs that are running
  ansible.builtin.debug:
    msg: "{{ jobs.service_jobs | rejectattr('paused_before') | map(attribute='job_name') }}"
'''

RETURN = r'''
service_jobs:
  description: Each selected job. C(before) and C(after) are both the C(paused) value it has now.
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
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hotwax.oms.plugins.module_utils.oms_module import exit_module
from ansible_collections.hotwax.oms.plugins.module_utils.oms_tasks import SERVICE_JOB_INFO_SPEC, run_service_job_info


def main():
    # The action of the same name runs this work in Ansible's worker; the module runs it where a task is delegated.
    module = AnsibleModule(supports_check_mode=True, **SERVICE_JOB_INFO_SPEC.validation_arguments())
    exit_module(module, run_service_job_info)


if __name__ == '__main__':
    main()
