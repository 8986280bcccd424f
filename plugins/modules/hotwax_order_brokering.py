#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: hotwax_order_brokering
short_description: Turn order brokering of HotWax OMS product stores on or off
version_added: 0.1.0
description:
  - Turns order brokering (C(enableBrokering)) of product stores in HotWax Commerce OMS on or off, the second step
    of the rollback runbook. With brokering off, new orders wait in the Brokering Queue and no brokered feeds go out.
  - Only stores whose setting differs are written; every write is read back. A store without the setting counts
    as enabled, which is how the OMS reads it.
  - With O(restore), each store is put back to the C(before) value of an earlier run's result, unless it changed
    since (see O(force)).
  - When a write fails or the OMS stops answering, the other stores are still done, and the module fails naming
    what is not done and what is unknown; RV(done), RV(not_done) and RV(unknown) list every store, on success too.
author:
  - hotwax.oms developers (@hotwax)
extends_documentation_fragment:
  - hotwax.oms.connection
  - hotwax.oms.connection.ATTRIBUTES
options:
  product_store_ids:
    description:
      - Ids of the product stores (C(productStoreId)) to set, or V(all) for every store of the OMS.
    type: list
    elements: str
    required: true
  enabled:
    description:
      - Whether order brokering is on. Required unless O(restore) is given.
    type: bool
  restore:
    description:
      - The RV(product_stores) list of an earlier run of this module or of M(hotwax.oms.hotwax_order_brokering_info),
        for example from a snapshot. Each store it lists is set back to its C(before) value; stores it does not
        list are left alone. Every listed store must be among O(product_store_ids).
      - Mutually exclusive with O(enabled).
    type: list
    elements: dict
  force:
    description:
      - With O(restore), also restore the records that changed since the rollback (see RV(drifted)).
      - Without it, a restore puts a record back only while it holds its saved value (then nothing is written) or
        a value the rollback leaves (brokering off, or the saved C(after)); any other record is left as it is, reported in
        RV(drifted) and warned about.
    type: bool
    default: false
  report_in_flight:
    description:
      - After the switch, also read what it does not stop in the selected stores, and return it in RV(in_flight), namely
        routing runs that started and have no end (a run reads C(enableBrokering) once, at its start), runs in
        progress of the stores' routing jobs and of the real-time intake C(consume_ShopifyOrders_SQS), open
        test-drive sessions (which broker while brokering is off), and whether the intake is paused.
      - It is read once the writes are answered, beside the read-back; in check mode, where nothing is written,
        beside the reading of the stores.
      - The routes are those HotWax's Order Routing and Job Manager apps read. A route the OMS refuses is listed in
        RV(in_flight.not_readable); it never fails the module.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Stop order brokering in every product store
  hotwax.oms.hotwax_order_brokering:
    oms_url: https://acme-maarg.hotwax.io
    token: "{{ vault_hotwax_token }}"
    product_store_ids: [all]
    enabled: false
  register: stopped

- name: Turn brokering back on where it was on before
  hotwax.oms.hotwax_order_brokering:
    oms_url: https://acme-maarg.hotwax.io
    token: "{{ vault_hotwax_token }}"
    product_store_ids: [all]
    restore: "{{ stopped.product_stores }}"
'''

RETURN = r'''
done:
  description:
    - Labels of the records that needed a change and now hold the wanted value (read back; when the read-back
      failed, those whose write the OMS answered with success). In check mode, the records that would change.
  returned: always
  type: list
  elements: str
  sample: ["product store STORE order brokering"]
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
in_flight:
  description: With O(report_in_flight), what may still be moving in the selected stores, read after the switch.
  returned: when O(report_in_flight) is true
  type: dict
  contains:
    checked_at:
      description: When it was read (UTC).
      type: str
    brokering_runs:
      description: Routing runs with a start and no end (C(order-routing/groups/{id}/routingRuns)).
      type: list
      elements: dict
    job_runs:
      description: Runs with a start and no end of the stores' routing jobs and of the intake (C(admin/serviceJobs/{job}/runs)).
      type: list
      elements: dict
    test_drive_sessions:
      description: C(ROUTING_TEST_DRIVE) sessions of the stores without an end, or ending later (C(admin/user/sessions)).
      type: list
      elements: dict
    intake:
      description: C(job_name), C(found) and C(paused) (now, before any job step) of C(consume_ShopifyOrders_SQS).
      type: dict
    not_readable:
      description: Each read the OMS refused, with its error.
      type: list
      elements: str
    notes:
      description: What is absent rather than refused (an OMS without order routing).
      type: list
      elements: str
product_stores:
  description: Each selected product store with its brokering setting before and after.
  returned: always
  type: list
  elements: dict
  contains:
    product_store_id:
      description: The product store id.
      type: str
      sample: STORE
    name:
      description: The store name.
      type: str
      sample: New Era Cap Store
    before:
      description: Whether brokering was on before the task.
      type: bool
      sample: true
    after:
      description: Whether brokering is on after the task, as read back (in check mode, as it would be).
      type: bool
      sample: false
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
      sample: "PUT /rest/s1/admin/productStores/STORE: HTTP 500"
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hotwax.oms.plugins.module_utils.oms_module import exit_module
from ansible_collections.hotwax.oms.plugins.module_utils.oms_tasks import ORDER_BROKERING_SPEC, run_order_brokering


def main():
    # The action of the same name runs this work in Ansible's worker; the module runs it where a task is delegated.
    module = AnsibleModule(supports_check_mode=True, **ORDER_BROKERING_SPEC.validation_arguments())
    exit_module(module, run_order_brokering)


if __name__ == '__main__':
    main()
