#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: hotwax_readiness
short_description: Judge whether a rollback and a restore would work on an environment now
version_added: 0.2.0
description:
  - The last step of the playbook C(hotwax.oms.readiness), run on the controller (an action plugin). From what
    M(hotwax.oms.hotwax_api_info) found in the OMS and what M(hotwax.oms.hotwax_snapshot) (O(hotwax.oms.hotwax_snapshot#module:operation=status))
    found in the snapshot folder, it says V(ready), or V(not ready) with the first reason, and builds the full report.
  - Not ready when the OMS cannot be reached or refuses the credential, a call the rollback needs is missing or
    answers unexpectedly, paging does not work, the write probe was refused or changed something, a snapshot is open
    or unusable, another run holds the lock, the snapshot folder is not writable, or the OMS looks already rolled back.
  - It does not fail itself for a not-ready environment; RV(ready) and RV(line) let the play fail with one line.
author:
  - hotwax.oms developers (@hotwax)
extends_documentation_fragment:
  - hotwax.oms.controller
attributes:
  check_mode:
    description: Can run in check mode and return what would be done.
    support: full
    details: Judges what was read; writes no report file in check mode.
options:
  environment:
    description: The environment's name (the inventory host), for the report and its file name.
    type: str
    required: true
  api:
    description: The registered result of M(hotwax.oms.hotwax_api_info), failed or not.
    type: raw
    required: true
  snapshot_status:
    description: The registered result of M(hotwax.oms.hotwax_snapshot) with O(hotwax.oms.hotwax_snapshot#module:operation=status).
    type: raw
    required: true
  variable_problems:
    description: Problems the play found in the role variables or host vars (each a reason the rollback would fail).
    type: list
    elements: str
    default: []
  report_dir:
    description: A folder to write the report to, as C(<environment>.json). Not written in check mode.
    type: str
notes:
  - AWX and AAP are recognised by the variables C(awx_job_id) or C(tower_job_id); the report then says that the
    rollback publishes its snapshot as the job artifact C(hotwax_oms_snapshots.<environment>).
'''

EXAMPLES = r'''
- name: Judge readiness
  hotwax.oms.hotwax_readiness:
    environment: "{{ inventory_hostname }}"
    api: "{{ api }}"
    snapshot_status: "{{ snapshot_status }}"
    report_dir: reports
  register: readiness

- name: One line per environment; fail when not ready
  ansible.builtin.assert:
    that: readiness.ready
    fail_msg: "{{ readiness.line }}"
    success_msg: "{{ readiness.line }}"
'''

RETURN = r'''
ready:
  description: Whether a rollback and a restore would work now.
  returned: always
  type: bool
line:
  description: V(ready), or V(not ready) and the first reason.
  returned: always
  type: str
  sample: "not ready: write probe: shop SHOP remote SHOP_SHOPIFY_REMOTE (accessScopeEnumId SHOP_RW_ACCESS): ... HTTP 403 ..."
report:
  description:
    - The full report - C(ready), C(line), C(reasons) (every reason, most important first), C(connection),
      C(routes), C(would_touch), C(where_it_stands), C(way_back), C(permissions) (the write probe), C(not_visible)
      (what no REST call can show, and how to confirm on the real system) and C(notes).
  returned: always
  type: dict
report_path:
  description: Where the report file was written; null when O(report_dir) was not given or in check mode.
  returned: always
  type: str
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hotwax.oms.plugins.module_utils.controller_argument_specs import READINESS, refuse_to_run_on_a_target


def main():
    # The action plugin of the same name does the work, on the controller, validating against this same spec.
    refuse_to_run_on_a_target(AnsibleModule(argument_spec=READINESS, supports_check_mode=True), 'hotwax.oms.hotwax_readiness')


if __name__ == '__main__':
    main()
