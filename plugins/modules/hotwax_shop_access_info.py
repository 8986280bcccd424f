#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: hotwax_shop_access_info
short_description: Read the Shopify access scope of HotWax OMS shops
version_added: 0.1.0
description:
  - Reads the access scope of Shopify shops in HotWax Commerce OMS, from their SystemMessageRemotes and their legacy
    ShopifyConfig rows, in the same shape M(hotwax.oms.hotwax_shop_access) returns. Writes nothing.
  - The result can be saved and later given to the O(hotwax.oms.hotwax_shop_access#module:restore) option of
    M(hotwax.oms.hotwax_shop_access) to put every record back as it was.
author:
  - hotwax.oms developers (@hotwax)
extends_documentation_fragment:
  - hotwax.oms.connection
  - hotwax.oms.connection.INFO_ATTRIBUTES
options:
  shop_ids:
    description:
      - Ids of the shops to read, or V(all) for every shop.
    type: list
    elements: str
    default: [all]
  targets:
    description:
      - Which records to read. V(remote) are SystemMessageRemotes, V(config) legacy ShopifyConfig rows.
    type: list
    elements: str
    choices: [remote, config]
    default: [remote, config]
  close_matching_remotes:
    description:
      - Also read, as records of the first selected shop they let in, the remotes the webhook filter matches for a
        selected shop (their C(sendUrl) contains its myshopify domain) that no selected shop owns, as
        M(hotwax.oms.hotwax_shop_access) with O(hotwax.oms.hotwax_shop_access#module:close_matching_remotes) sets
        them.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Read the access scope of every shop
  hotwax.oms.hotwax_shop_access_info:
    oms_url: https://acme-maarg.hotwax.io
    token: "{{ vault_hotwax_token }}"
  register: access

- name: Show the shops that can still write to Shopify
  ansible.builtin.debug:
    msg: "{{ access.shops | map(attribute='records') | flatten | selectattr('before', 'equalto', 'SHOP_RW_ACCESS')
             | map(attribute='shop_id') | unique }}"
'''

RETURN = r'''
ambiguous_remotes:
  description:
    - Remotes of unknown ownership that touch the selected shops (with V(all), every one); see
      M(hotwax.oms.hotwax_shop_access). They belong to no shop's records.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The C(systemMessageRemoteId).
      type: str
      sample: SHOP_OLD_REMOTE
    shop_ids:
      description: The shops it is tied to or names.
      type: list
      elements: str
      sample: [SHOP, SHOP_EU]
    reason:
      description: Why its owner is unknown.
      type: str
      sample: "tied to 2 shops (SHOP, SHOP_EU)"
    scope:
      description: Its scope.
      type: str
      sample: SHOP_RW_ACCESS
matching_remotes:
  description:
    - Remotes the webhook filter matches for a selected shop that no selected shop owns, in the shape
      M(hotwax.oms.hotwax_shop_access) returns them (C(scope) is the scope now). See
      RV(hotwax.oms.hotwax_shop_access#module:matching_remotes).
  returned: always
  type: list
  elements: dict
shops:
  description: Each selected shop with its records. C(before) and C(after) are both the scope the record has now.
  returned: always
  type: list
  elements: dict
  contains:
    shop_id:
      description: The shop id.
      type: str
      sample: SHOP
    name:
      description: The shop name.
      type: str
      sample: New Era Cap Japan
    product_store_id:
      description: The product store the shop belongs to.
      type: str
      sample: STORE
    records:
      description: The shop's remote and config records.
      type: list
      elements: dict
      contains:
        target:
          description: V(remote) for a SystemMessageRemote, V(config) for a ShopifyConfig row.
          type: str
          sample: config
        id:
          description: The record id.
          type: str
          sample: SHOP_CONFIG
        shop_id:
          description: The shop the record belongs to.
          type: str
          sample: SHOP
        before:
          description: The scope enum id; null when the record has none (the OMS reads that as read access).
          type: str
          sample: SHOP_READ_WRITE_ACCESS
        after:
          description: The same as RV(shops[].records[].before).
          type: str
          sample: SHOP_READ_WRITE_ACCESS
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hotwax.oms.plugins.module_utils.oms_module import exit_module
from ansible_collections.hotwax.oms.plugins.module_utils.oms_tasks import SHOP_ACCESS_INFO_SPEC, run_shop_access_info


def main():
    # The action of the same name runs this work in Ansible's worker; the module runs it where a task is delegated.
    module = AnsibleModule(supports_check_mode=True, **SHOP_ACCESS_INFO_SPEC.validation_arguments())
    exit_module(module, run_shop_access_info)


if __name__ == '__main__':
    main()
