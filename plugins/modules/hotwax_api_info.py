#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: hotwax_api_info
short_description: Probe the HotWax OMS API a rollback and a restore need
version_added: 0.2.0
description:
  - Asks a HotWax Commerce OMS (Maarg) every call the rollback and the restore of M(hotwax.oms.hotwax_shop_access),
    M(hotwax.oms.hotwax_order_brokering) and M(hotwax.oms.hotwax_service_job) make, and returns what came back - the
    routes found, the shape of each list (a bare array or a wrapped C(<entity>List)), where its total comes from
    (the C(X-Total-Count) header, the body, or nowhere) and whether paging works (a page of one row asked holds one
    row, so the server honours C(pageSize); a second page differs from the first, so it honours C(pageIndex)).
  - Reads what a rollback with the same selection would touch right now - shops, records per target, product
    stores, service jobs - how many are already closed, and which records a rollback would skip and why.
  - With O(probe_writes=true) it also checks write permission - it writes each kind of record's current value back to
    one record, reads it back, and checks that nothing changed and no row was created.
  - Problems the OMS answers do not fail the module; they are listed in RV(problems). The playbook
    C(hotwax.oms.readiness) judges them.
author:
  - hotwax.oms developers (@hotwax)
extends_documentation_fragment:
  - hotwax.oms.connection
attributes:
  check_mode:
    description: Only reads in check mode, and skips the write probe.
    support: full
  diff_mode:
    description: Never writes a value other than the one a record holds, so there is never a diff.
    support: none
  action_group:
    description: Use C(group/hotwax.oms.hotwax) in C(module_defaults) to set default values for this module.
    support: full
    membership:
      - hotwax.oms.hotwax
options:
  shop_ids:
    description:
      - The shops a rollback would close, as the role variable C(rollback_shop_ids) - shop ids, or V(all).
    type: list
    elements: str
    default: [all]
  targets:
    description:
      - The records a rollback would close, as C(rollback_targets) - V(remote) (SystemMessageRemote), V(config) (legacy
        ShopifyConfig).
    type: list
    elements: str
    choices: [remote, config]
    default: [remote, config]
  product_store_ids:
    description:
      - The product stores whose brokering a rollback would stop, as C(rollback_product_store_ids) - ids, or V(all).
    type: list
    elements: str
    default: [all]
  service_jobs:
    description:
      - Whether the rollback's job step is on (C(rollback_pause_jobs)) - then the service job and order routing
        calls are probed too.
    type: bool
    default: false
  close_matching_remotes:
    description:
      - Whether the rollback closes the remotes the webhook filter matches for a selected shop
        (C(rollback_close_matching_remotes)); without it an open one makes the rollback's verdict fail, and the probe
        says so.
    type: bool
    default: false
  probe_writes:
    description:
      - Write each kind of record's current value back to one record (a remote, a config row, a product store, and a
        service job when O(service_jobs=true)), with the exact request a rollback sends, read it back, and check that
        nothing changed and no row was created.
      - A config row is written with its C(shopifyConfigId), which the OMS needs to update a row instead of creating
        one. Only records that hold a value are probed; an empty value is never written.
      - Off by default - permissions cannot be known without writing. Meant for a non-production environment or a
        quiet hour. Skipped in check mode.
    type: bool
    default: false
notes:
  - Nothing is written to the OMS unless O(probe_writes=true), and nothing at all in check mode.
  - No REST call can show the caches of a multi-node Maarg or of OFBiz; see the readiness guide in C(docs/readiness.md).
seealso:
  - module: hotwax.oms.hotwax_shop_access_info
  - module: hotwax.oms.hotwax_order_brokering_info
  - module: hotwax.oms.hotwax_service_job_info
'''

EXAMPLES = r'''
- name: Probe the OMS API before a release
  hotwax.oms.hotwax_api_info:
    oms_url: https://acme-maarg.hotwax.io
    token: "{{ vault_hotwax_token }}"
    service_jobs: true
  register: api

- name: Show what was unexpected
  ansible.builtin.debug:
    var: api.problems

- name: Check write permission on a test instance
  hotwax.oms.hotwax_api_info:
    oms_url: https://acme-maarg-uat.hotwax.io
    token: "{{ vault_hotwax_uat_token }}"
    probe_writes: true
  register: api_uat
'''

RETURN = r'''
oms_url:
  description: The OMS URL probed.
  returned: always
  type: str
  sample: https://acme-maarg.hotwax.io
credential:
  description: How the module authenticated - V(token) or V(login) (username and password).
  returned: always
  type: str
  sample: token
reachable:
  description: Whether the OMS answered at all.
  returned: always
  type: bool
logged_in:
  description: Whether the OMS accepted the credential.
  returned: always
  type: bool
connection_problem:
  description: Why the OMS could not be reached or refused the credential; null when it answered.
  returned: always
  type: str
routes:
  description: Each list route probed, in the order a rollback calls them.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: V(shops), V(remotes), V(product_stores), V(service_jobs) or V(routing_groups).
      type: str
    path:
      description: The path under C(/rest/s1/) that answered (for product stores, the legacy C(oms/productStores) when
        C(admin/productStores) answers 404).
      type: str
    found:
      description: Whether the route answered a list.
      type: bool
    status:
      description: The HTTP status of its first page; null when no answer came.
      type: int
    shape:
      description: V(array) (a bare array), V(wrapped) (C(<entity>List)), V(none) (an empty body) or V(other).
      type: str
    total_from:
      description: Where the list total comes from - V(header), V(body) or V(none).
      type: str
    total:
      description: The total the server states, when it states one.
      type: int
    paging:
      description: The paging check - C(checked), C(second_page_differs), C(ignores_page_size) (more than the one row
        asked came back, a problem), or C(reason) when it could not be checked (fewer than two rows).
      type: dict
    problem:
      description: What was unexpected, with what came back; null when nothing was.
      type: str
touch:
  description:
    - What a rollback with this selection would touch now; null when the OMS could not be read.
    - C(shops) (id, name, product store), C(records) (each remote and config row with its C(before) scope and
      C(closed)), C(product_stores) and C(service_jobs) (each with C(before) and C(closed)), C(counts) (records and
      already closed per kind), C(skipped) (records a rollback would leave alone, with the reason), C(store_path),
      C(warnings) and C(problems).
  returned: always
  type: dict
write_probe:
  description:
    - The write probe - C(checked) (false with a C(reason) when it did not run), C(ok), C(probes) (per kind, the
      record, the C(value) written, C(read_back), C(ok), and C(error) with the OMS answer), C(skipped), and
      C(rows_created) (ids of rows that appeared, by kind; empty when none did).
  returned: always
  type: dict
reader_warnings:
  description: What the readers warned of (for example no order routing), as a rollback would warn.
  returned: always
  type: list
  elements: str
problems:
  description: Everything unexpected, most important first; empty when the OMS answered as a rollback expects.
  returned: always
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hotwax.oms.plugins.module_utils.oms_module import exit_module
from ansible_collections.hotwax.oms.plugins.module_utils.oms_tasks import API_INFO_SPEC, run_api_info


def main():
    # The action of the same name runs this work in Ansible's worker; the module runs it where a task is delegated.
    module = AnsibleModule(supports_check_mode=True, **API_INFO_SPEC.validation_arguments())
    exit_module(module, run_api_info)


if __name__ == '__main__':
    main()
