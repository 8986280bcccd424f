# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: unknown_role_variables
short_description: Name the rollback_* variables the rollback role does not know
version_added: 0.2.0
author:
  - hotwax.oms developers (@hotwax)
description:
  - For playbooks of your own around the P(hotwax.oms.rollback#role) role. A mistyped variable such as
    C(rollback_shopids) would otherwise be ignored, and the rollback would act on every shop. The role makes the same
    check itself before it does anything.
  - Known variables are the options of the role's argument specification.
options:
  _input:
    description: Names of the defined variables, for example C(q('ansible.builtin.varnames', '^rollback_')).
    type: list
    elements: str
    required: true
'''

EXAMPLES = r'''
- name: Refuse unknown role variables
  ansible.builtin.fail:
    msg: "{{ q('ansible.builtin.varnames', '^rollback_') | hotwax.oms.unknown_role_variables }}"
  when: q('ansible.builtin.varnames', '^rollback_') | hotwax.oms.unknown_role_variables | length > 0
'''

RETURN = r'''
_value:
  description: One message naming each unknown variable with the closest known one, or an empty string.
  type: str
'''

from ansible_collections.hotwax.oms.plugins.plugin_utils.role_variables import unknown_variables_message


class FilterModule(object):
    """Filters of the hotwax.oms collection."""

    def filters(self):
        return {'unknown_role_variables': unknown_variables_message}
