# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: alert_environment
short_description: The one environment a firing alert names, and the rollback reason that names the alert
version_added: 0.3.0
author:
  - hotwax.oms developers (@hotwax)
description:
  - Used by the playbook C(hotwax.oms.rollback_on_alert), which the rulebook of the same name runs once per firing
    Alertmanager alert.
  - The environment is the alert's label C(hotwax_environment), which must be exactly one host of group
    C(hotwax_oms). Anything else (C(all) or another group, a pattern, an unknown name, no label, an alert that is not
    firing) fails, naming what the alert said.
options:
  _input:
    description: One Alertmanager alert (C(status), C(labels), C(startsAt), C(fingerprint)).
    type: dict
    required: true
  groups:
    description: The inventory's groups and their hosts (Ansible's C(groups)).
    type: dict
    required: true
'''

EXAMPLES = r'''
- name: Refuse an alert that does not name exactly one environment of group hotwax_oms
  ansible.builtin.set_fact:
    hotwax_alert: "{{ ansible_eda.event | hotwax.oms.alert_environment(groups) }}"
  run_once: true
'''

RETURN = r'''
_value:
  description: C(environment), the host to roll back, and C(reason), the rollback_reason naming the alert (alertname,
    startsAt, fingerprint).
  type: dict
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.hotwax.oms.plugins.plugin_utils.alert import AlertRefused, alert_environment, alert_reason


def environment_and_reason(alert, groups):
    try:
        environment = alert_environment(alert, groups)
    except AlertRefused as exc:
        raise AnsibleFilterError('Refused by hotwax.oms.rollback_on_alert: %s' % exc)
    return dict(environment=environment, reason=alert_reason(alert))


class FilterModule(object):
    """Filters of the hotwax.oms collection."""

    def filters(self):
        return {'alert_environment': environment_and_reason}
