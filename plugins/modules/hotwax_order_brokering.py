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
  - With O(restore), each store is put back to the C(before) value of an earlier run's result.
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
'''

from operator import itemgetter

from ansible_collections.hotwax.oms.plugins.module_utils.oms_module import OmsModule, saved_bool
from ansible_collections.hotwax.oms.plugins.module_utils.order_brokering import (
    STORE_SELECTION_SPEC, OrderBrokering, stores_result)


def main():
    module = OmsModule(
        argument_spec=dict(STORE_SELECTION_SPEC,
                           product_store_ids=dict(type='list', elements='str', required=True),
                           enabled=dict(type='bool'),
                           restore=dict(type='list', elements='dict')),
        mutually_exclusive=[('enabled', 'restore')],
        required_one_of=[('enabled', 'restore')],
        supports_check_mode=True)
    brokering = OrderBrokering(module)
    records = module.call(brokering.read)

    restore = module.params['restore']
    module.want(records, module.params['enabled'],
                module.saved_values(restore, itemgetter('product_store_id'), saved_bool) if restore is not None else None)

    module.apply_and_exit(records, brokering.write, brokering.read_back, lambda: {'product_stores': stores_result(records)})


if __name__ == '__main__':
    main()
