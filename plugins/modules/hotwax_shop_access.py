#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: hotwax_shop_access
short_description: Set the Shopify access scope of HotWax OMS shops
version_added: 0.1.0
description:
  - Sets the access scope of Shopify shops in HotWax Commerce OMS, the first step of the rollback runbook.
    V(no_access) stops every call between the OMS and Shopify (order import, inventory push, fulfillment updates).
  - A shop's scope lives in two kinds of record, and both are set by default. C(remote) records are the
    SystemMessageRemotes that current OMS services check; a remote belongs to a shop when its C(internalId) is the
    shop id with C(internalIdType) V(HOTWAX_SHOP_ID), its C(remoteId) is the Shopify shop id, or the host of its
    C(sendUrl) is the shop's myshopify domain; never when its C(internalId) names another shop. A remote of another
    system whose C(internalId) merely equals a shop id does not belong to it.
    C(config) records are the legacy ShopifyConfig rows that the OFBiz screen of the runbook edits.
  - A remote of unknown ownership (tied to two shops, tied to one while its C(internalId) names another, or a
    Shopify remote that no rule ties to any shop) is never written; it is returned in RV(ambiguous_remotes) and
    warned about, so that a person decides.
  - The connector's webhook filter lets a shop in while B(any) remote whose C(sendUrl) contains the shop's myshopify
    domain is open, whatever its type or owner. Such remotes that no selected shop owns are returned in
    RV(matching_remotes); with O(close_matching_remotes) they are set too, each as a record of the first selected
    shop it lets in. One that another shop of the OMS owns is never set.
  - Closing (V(no_access)) also reads the access-scope enums, side by side with the shops, and returns in
    RV(scope_enum) whether the connector honours V(SHOP_NO_ACCESS) on this OMS, which it does only when that enum is typed
    C(ShopifyShopAccessScope). Data from before the v2.8.0 upgrade types it C(SHOPIFY_SHOP_ACCESS), and then the
    connector reads the closed value as read access. The records are closed either way, with a warning.
  - Only records whose scope differs are written; every write is read back. A missing scope counts as
    V(SHOP_READ_ACCESS), which is how the OMS reads it; an empty scope is never written.
  - With O(restore), each record is put back to the C(before) value of an earlier run's result,
    record by record, legacy enum ids included, unless it changed since (see O(force)).
  - When a write fails or the OMS stops answering, the other records are still done, and the module fails naming
    what is not done and what is unknown; RV(done), RV(not_done) and RV(unknown) list every record, on success too.
author:
  - hotwax.oms developers (@hotwax)
extends_documentation_fragment:
  - hotwax.oms.connection
  - hotwax.oms.connection.ATTRIBUTES
options:
  shop_ids:
    description:
      - Ids of the shops (C(shopId)) to set, or V(all) for every shop of the OMS.
    type: list
    elements: str
    required: true
  access_scope:
    description:
      - The scope to set. V(no_access), V(read) and V(read_write) name V(SHOP_NO_ACCESS), V(SHOP_READ_ACCESS) and
        V(SHOP_RW_ACCESS); an enum id, including the legacy V(SHOP_READ_WRITE_ACCESS), is set as given.
      - Required unless O(restore) is given.
    type: str
    choices: [no_access, read, read_write, SHOP_NO_ACCESS, SHOP_READ_ACCESS, SHOP_RW_ACCESS, SHOP_READ_WRITE_ACCESS]
  targets:
    description:
      - Which records to set. V(remote) are SystemMessageRemotes, V(config) legacy ShopifyConfig rows.
    type: list
    elements: str
    choices: [remote, config]
    default: [remote, config]
  close_matching_remotes:
    description:
      - Also set the remotes that the webhook filter matches for a selected shop (their C(sendUrl) contains the
        shop's myshopify domain) while no selected shop owns them; each becomes a record of the first selected shop
        it lets in, so a restore puts it back like any other record. Remotes owned by a shop that is not selected
        are never set.
      - With O(restore), the remotes the restore list names are read this way whatever this option says.
    type: bool
    default: false
  restore:
    description:
      - The RV(shops) list of an earlier run of this module or of M(hotwax.oms.hotwax_shop_access_info),
        for example from a snapshot. Each record it lists is set back to its C(before) scope (an empty one
        to V(SHOP_READ_ACCESS)). Records it does not list are left alone.
      - Every listed shop must be among O(shop_ids). Mutually exclusive with O(access_scope).
    type: list
    elements: dict
  force:
    description:
      - With O(restore), also restore the records that changed since the rollback (see RV(drifted)).
      - Without it, a restore puts a record back only while it holds its saved value (then nothing is written) or
        a value the rollback leaves (V(SHOP_NO_ACCESS), or the saved C(after)); any other record is left as it is, reported in
        RV(drifted) and warned about.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Cut every shop off from Shopify
  hotwax.oms.hotwax_shop_access:
    oms_url: https://acme-maarg.hotwax.io
    token: "{{ vault_hotwax_token }}"
    shop_ids: [all]
    access_scope: no_access
  register: closed

- name: Give one shop read access, on its remote records only
  hotwax.oms.hotwax_shop_access:
    oms_url: https://acme-maarg.hotwax.io
    username: automation
    password: "{{ vault_hotwax_password }}"
    shop_ids: [SHOP]
    access_scope: read
    targets: [remote]

- name: Put back exactly what the first task found
  hotwax.oms.hotwax_shop_access:
    oms_url: https://acme-maarg.hotwax.io
    token: "{{ vault_hotwax_token }}"
    shop_ids: [all]
    restore: "{{ closed.shops }}"
'''

RETURN = r'''
done:
  description:
    - Labels of the records that needed a change and now hold the wanted value (read back; when the read-back
      failed, those whose write the OMS answered with success). In check mode, the records that would change.
  returned: always
  type: list
  elements: str
  sample: ["shop SHOP remote SHOP_SHOPIFY_REMOTE", "shop SHOP config SHOP_CONFIG"]
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
ambiguous_remotes:
  description:
    - Remotes of unknown ownership that touch the selected shops (with V(all), every one), left as they are.
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
      sample: "its internalId names shop SHOP_EU, but it is tied to shop SHOP"
    scope:
      description: Its scope, untouched.
      type: str
      sample: SHOP_RW_ACCESS
matching_remotes:
  description:
    - Remotes the webhook filter matches for a selected shop (their C(sendUrl) contains its myshopify domain) that
      no selected shop owns. While one is open, Shopify's webhooks for that shop are still accepted.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The C(systemMessageRemoteId).
      type: str
      sample: SHOP_WEBHOOK_RELAY
    shop_ids:
      description: The selected shops it lets in.
      type: list
      elements: str
      sample: [SHOP]
    owner:
      description: The shop of the OMS that owns it (or that its C(internalId) names); null when none.
      type: str
      sample: SHOP_EU
    outside_selection:
      description: Whether that owner is a shop outside the selection (then the remote is never set).
      type: bool
      sample: false
    included:
      description: Whether it was set as a record of the run (O(close_matching_remotes), or named by O(restore)).
      type: bool
      sample: false
    scope:
      description: Its scope after the task (read back when it was set; in check mode, as it would be).
      type: str
      sample: SHOP_RW_ACCESS
    open:
      description: Whether that scope lets the shop in (anything but V(SHOP_NO_ACCESS)).
      type: bool
      sample: true
scope_enum:
  description:
    - When closing, whether the Shopify connector honours V(SHOP_NO_ACCESS) on this OMS, from the access-scope
      enums (C(GET admin/enums?enumTypeId=ShopifyShopAccessScope)). Null when not closing.
  returned: always
  type: dict
  contains:
    checked:
      description: Whether the enum list could be read.
      type: bool
    listed:
      description: Whether V(SHOP_NO_ACCESS) is an enum of type C(ShopifyShopAccessScope).
      type: bool
    enum_type:
      description: The type V(SHOP_NO_ACCESS) has, when known.
      type: str
      sample: SHOPIFY_SHOP_ACCESS
    problem:
      description: What is wrong and what to do; null when the connector honours the closed value.
      type: str
shops:
  description: Each selected shop with its records and their scope before and after.
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
          sample: remote
        id:
          description: The record id (C(systemMessageRemoteId) or C(shopifyConfigId)).
          type: str
          sample: SHOP_CONFIG
        shop_id:
          description: The shop the record belongs to.
          type: str
          sample: SHOP
        before:
          description: The scope enum id before the task; null when the record had none.
          type: str
          sample: SHOP_RW_ACCESS
        after:
          description: The scope read back after the task (in check mode, the scope it would have).
          type: str
          sample: SHOP_NO_ACCESS
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
          sample: "PUT /rest/s1/oms/systemMessageRemotes/SHOP_SHOPIFY_REMOTE: HTTP 500"
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hotwax.oms.plugins.module_utils.oms_module import exit_module
from ansible_collections.hotwax.oms.plugins.module_utils.oms_tasks import SHOP_ACCESS_SPEC, run_shop_access


def main():
    # The action of the same name runs this work in Ansible's worker; the module runs it where a task is delegated.
    module = AnsibleModule(supports_check_mode=True, **SHOP_ACCESS_SPEC.validation_arguments())
    exit_module(module, run_shop_access)


if __name__ == '__main__':
    main()
