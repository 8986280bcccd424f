#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: hotwax_order_brokering_info
short_description: Read whether order brokering is on in HotWax OMS product stores
version_added: 0.1.0
description:
  - Reads the order brokering setting of product stores in HotWax Commerce OMS, in the same shape
    M(hotwax.oms.hotwax_order_brokering) returns. Writes nothing.
  - The result can be saved and later given to the O(hotwax.oms.hotwax_order_brokering#module:restore) option of
    M(hotwax.oms.hotwax_order_brokering).
author:
  - hotwax.oms developers (@hotwax)
extends_documentation_fragment:
  - hotwax.oms.connection
  - hotwax.oms.connection.INFO_ATTRIBUTES
options:
  product_store_ids:
    description:
      - Ids of the product stores to read, or V(all) for every store.
    type: list
    elements: str
    default: [all]
'''

EXAMPLES = r'''
- name: Read the brokering setting of every product store
  hotwax.oms.hotwax_order_brokering_info:
    oms_url: https://acme-maarg.hotwax.io
    token: "{{ vault_hotwax_token }}"
  register: brokering

- name: List the stores that broker orders
  ansible.builtin.debug:
    msg: "{{ brokering.product_stores | selectattr('before') | map(attribute='product_store_id') }}"
'''

RETURN = r'''
product_stores:
  description: Each selected product store. C(before) and C(after) are both the setting it has now.
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
      description: Whether brokering is on (a store without the setting brokers).
      type: bool
      sample: true
    after:
      description: The same as RV(product_stores[].before).
      type: bool
      sample: true
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hotwax.oms.plugins.module_utils.oms_module import exit_module
from ansible_collections.hotwax.oms.plugins.module_utils.oms_tasks import ORDER_BROKERING_INFO_SPEC, run_order_brokering_info


def main():
    # The action of the same name runs this work in Ansible's worker; the module runs it where a task is delegated.
    module = AnsibleModule(supports_check_mode=True, **ORDER_BROKERING_INFO_SPEC.validation_arguments())
    exit_module(module, run_order_brokering_info)


if __name__ == '__main__':
    main()
