#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: hotwax_snapshot_info
short_description: List an environment's snapshots, newest first, like helm history
version_added: 0.3.0
description:
  - Reads the snapshot folder of the P(hotwax.oms.rollback#role) role on the controller (an action plugin) and lists
    every snapshot of the environment's OMS, newest first, one line each, as the playbook C(hotwax.oms.history)
    shows them. Snapshots belong to the OMS (its normalised URL), so a host of another name pointing at the same OMS
    lists the same snapshots.
  - For each snapshot, when it was taken, its state (V(open); V(renewed), open and brought up to date by a later
    rollback that found records reopened since; V(partly restored); V(restored); V(unusable), a file kept aside that
    an operator must look at), who took it (user, controller host, AWX job), why (C(rollback_reason)), what it
    holds (records, shops, product stores, service jobs) and its last run.
  - Files hotwax.oms 0.2.0 named by the inventory host (C(<environment>.json)) that record this OMS are listed too.
  - Reads only; never writes, takes no lock and never touches the OMS.
author:
  - hotwax.oms developers (@hotwax)
extends_documentation_fragment:
  - hotwax.oms.controller
attributes:
  check_mode:
    description: Can run in check mode and return what would be done.
    support: full
    details: Reads only, in check mode as otherwise.
options:
  environment:
    description: The environment's name (its inventory host), for the messages and for files hotwax.oms 0.2.0 named.
    type: str
    required: true
  oms_url:
    description: The environment's OMS URL; its normalised form names the snapshots.
    type: str
    required: true
  folder:
    description: The snapshot folder (C(rollback_snapshot_dir)); C(~) and environment variables are expanded, a
      relative path is taken from the directory ansible-playbook runs in.
    type: str
    default: ~/.hotwax_oms/snapshots
'''

EXAMPLES = r'''
- name: List the snapshots of an environment
  hotwax.oms.hotwax_snapshot_info:
    environment: "{{ inventory_hostname }}"
    oms_url: "{{ hotwax_oms_url }}"
    folder: "{{ rollback_snapshot_dir | default(omit) }}"
  register: history

- name: Show them
  ansible.builtin.debug:
    msg: "{{ history.lines }}"
'''

RETURN = r'''
folder:
  description: The snapshot folder, absolute.
  returned: success
  type: str
  sample: /home/ops/.hotwax_oms/snapshots
oms_url:
  description: The normalised OMS URL the snapshots belong to.
  returned: success
  type: str
  sample: https://acme-maarg.hotwax.io
snapshots:
  description: Every snapshot of the OMS, newest first.
  returned: success
  type: list
  elements: dict
  contains:
    path:
      description: The snapshot file.
      type: str
    taken_at:
      description: When its first rollback took it (UTC); null for an unusable file.
      type: str
    state:
      description: V(open), V(renewed), V(partly restored), V(restored) or V(unusable).
      type: str
    restored_at:
      description: When a restore completed it; null while it is open.
      type: str
    holds:
      description: How many C(records), C(shops), C(product_stores) and C(service_jobs) it holds.
      type: dict
    operator:
      description: Who took it, C(user), controller C(host), C(awx_job_id).
      type: dict
    reason:
      description: Why (C(rollback_reason) of its first rollback); null when none was given.
      type: str
    runs:
      description: Every rollback and restore of it, in order, with C(action), C(at), C(operator), C(reason).
      type: list
      elements: dict
    line:
      description: The snapshot on one line.
      type: str
lines:
  description: A header, then one line per snapshot, newest first; one line saying there is none when so.
  returned: success
  type: list
  elements: str
  sample:
    - "TAKEN                 STATE            HOLDS, WHO, WHY, LAST"
    - "2026-12-03T13:40:00Z  restored         260 records of 130 shops, 4 stores, 0 jobs  by uid 1000 (ops) on ctl
      why: INC-42 order import broken; last: restore at 2026-12-03T14:10:00Z by uid 1000 (ops) on ctl: INC-42"
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hotwax.oms.plugins.module_utils.controller_argument_specs import SNAPSHOT_INFO, refuse_to_run_on_a_target


def main():
    # The action plugin of the same name does the work, on the controller, validating against this same spec.
    refuse_to_run_on_a_target(AnsibleModule(argument_spec=SNAPSHOT_INFO, supports_check_mode=True),
                              'hotwax.oms.hotwax_snapshot_info')


if __name__ == '__main__':
    main()
