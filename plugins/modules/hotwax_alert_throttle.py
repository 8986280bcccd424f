#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: hotwax_alert_throttle
short_description: Let an alert roll back an environment at most once within a window
version_added: 0.3.0
description:
  - Used by the playbook C(hotwax.oms.rollback_on_alert), which the rulebook of the same name runs once per firing
    alert. ansible-rulebook's own throttle is fixed text in the rulebook, so the window, C(hotwax_eda_once_within),
    is kept here instead.
  - Reports RV(throttled) when an alert started a rollback of the same OMS (by its normalised URL) less than
    O(once_within) ago; otherwise notes that one starts now, in C(.rollback_on_alert.json) of the snapshot folder.
author:
  - hotwax.oms developers (@hotwax)
extends_documentation_fragment:
  - hotwax.oms.controller
attributes:
  check_mode:
    description: Can run in check mode and return what would be done.
    support: full
    details: Reads only; nothing is noted.
options:
  environment:
    description: The environment's name, for the messages.
    type: str
    required: true
  oms_url:
    description: The environment's OMS URL, which identifies it.
    type: str
    required: true
  folder:
    description: The snapshot folder (C(rollback_snapshot_dir)).
    type: str
    default: ~/.hotwax_oms/snapshots
  once_within:
    description: The window, written as ansible-rulebook writes throttles, for example V(30 minutes) or V(1 hour).
    type: str
    default: 30 minutes
  reason:
    description: Why the rollback starts (the alert), kept with the time.
    type: str
    required: true
'''

EXAMPLES = r'''
- name: Roll back an environment at most once per hotwax_eda_once_within on alerts
  hotwax.oms.hotwax_alert_throttle:
    environment: "{{ inventory_hostname }}"
    oms_url: "{{ hotwax_oms_url }}"
    once_within: 30 minutes
    reason: Alertmanager alert OrderImportStopped firing
  register: throttle
'''

RETURN = r'''
throttled:
  description: Whether an alert started a rollback of this OMS within the window, so this one must do nothing.
  returned: success
  type: bool
last:
  description: When that rollback was started (C(at)), of which C(environment), and its C(reason); null when none.
  returned: success
  type: dict
recorded:
  description: What was noted for this rollback.
  returned: when not throttled, outside check mode
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hotwax.oms.plugins.module_utils.controller_argument_specs import ALERT_THROTTLE, refuse_to_run_on_a_target


def main():
    # The action plugin of the same name does the work, on the controller, validating against this same spec.
    refuse_to_run_on_a_target(AnsibleModule(argument_spec=ALERT_THROTTLE, supports_check_mode=True), 'hotwax.oms.hotwax_alert_throttle')


if __name__ == '__main__':
    main()
