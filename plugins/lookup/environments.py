# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: environments
short_description: The group of environments a playbook acts on, or an error when the limit selects none of them
version_added: 0.3.0
author:
  - hotwax.oms developers (@hotwax)
description:
  - Used as the C(hosts) of the collection's playbooks C(hotwax.oms.rollback), C(hotwax.oms.restore) and
    C(hotwax.oms.readiness). Ansible skips a play whose hosts match nothing and exits 0, so a mistyped
    inventory path or limit would be a green run that did nothing. This lookup runs while Ansible prepares the play,
    before any host is chosen, and fails the run naming the inventory and the limit when the limit (or, without one,
    the inventory) selects no host of the group.
  - With O(single=true), a limit that selects several environments is refused too, for a run that acts on one; with
    O(require_limit=true), a run without a limit.
  - A syntax check (C(--syntax-check)) acts on nothing, so nothing is checked there.
options:
  _terms:
    description: The group of environments, normally C(hotwax_oms).
    type: list
    elements: str
    required: true
  single:
    description: Refuse a limit that selects more than one environment.
    type: bool
    default: false
  require_limit:
    description:
      - Refuse a run without a limit (C(-l)), so that no one acts on every environment by accident; C(-l hotwax_oms)
        still selects every environment on purpose.
    type: bool
    default: false
    version_added: 0.3.0
'''

EXAMPLES = r'''
- name: Roll back HotWax OMS
  hosts: "{{ lookup('hotwax.oms.environments', 'hotwax_oms', require_limit=true) }}"
  gather_facts: false
  roles:
    - role: hotwax.oms.rollback
'''

RETURN = r'''
_raw:
  description: The group name, unchanged, when the limit selects at least one of its hosts.
  type: list
  elements: str
'''

from ansible import context
from ansible.errors import AnsibleLookupError
from ansible.plugins.loader import lookup_loader
from ansible.plugins.lookup import LookupBase

SHOWN = 10  # environments named in a message


def selection_problem(group, environments, limit, limited_hosts, sources, single=False):
    """Why a run with this inventory and limit must not go on, or None.

    ``environments`` are the hosts of ``group``; ``limited_hosts`` the hosts the limit selects (None: no limit).
    """
    inventory = ', '.join(sources) or 'none'
    if not environments:
        return ('the inventory %s has no host in group %s, so there is no environment to act on%s: nothing was done. '
                'Check the inventory path given with -i (Ansible warns above when it cannot parse one)'
                % (inventory, group, (' (limit: %s)' % limit) if limit else ''))
    known = ', '.join(sorted(environments)[:SHOWN]) + (', ...' if len(environments) > SHOWN else '')
    selected = environments if limited_hosts is None else [host for host in environments if host in set(limited_hosts)]
    if not selected:
        return ('the limit %s selects no environment of group %s in the inventory %s: nothing was done. Environments '
                'there: %s. Check the limit given with -l, and the inventory given with -i' % (limit, group, inventory, known))
    if single and len(selected) > 1:
        return ('the limit %s selects %d environments (%s) in the inventory %s, and this run acts on one: name one '
                'environment with -l' % (limit or '(none)', len(selected), ', '.join(sorted(selected)[:SHOWN]), inventory))
    return None


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        variables = variables or {}
        group = terms[0] if terms else 'hotwax_oms'
        if context.CLIARGS.get('syntax'):
            return [group]  # a syntax check runs no play: there is nothing to refuse
        limit = variables.get('ansible_limit')
        if self.get_option('require_limit') and not limit:
            raise AnsibleLookupError('Name the environment with -l, for example -l prod (-l %s selects every environment '
                                     'on purpose): without a limit nothing was done' % group)
        limited_hosts = None
        if limit:
            # Ansible's own reading of a host pattern (groups, wildcards, ranges, !, &), on this inventory's groups
            hostnames = lookup_loader.get('ansible.builtin.inventory_hostnames', loader=self._loader, templar=self._templar)
            limited_hosts = hostnames.run([limit], variables=variables)
        groups = variables.get('groups') or {}
        problem = selection_problem(group, list(groups.get(group) or []), limit, limited_hosts,
                                    list(variables.get('ansible_inventory_sources') or []), self.get_option('single'))
        if problem:
            raise AnsibleLookupError(problem)
        return [group]
