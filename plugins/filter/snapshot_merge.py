# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: snapshot_merge
short_description: Add to a kept rollback snapshot the records it does not hold yet
version_added: 0.1.0
author:
  - hotwax.oms developers (@hotwax)
description:
  - The merge the P(hotwax.oms.rollback#role) role's snapshot store makes when a rollback finds the snapshot of an
    earlier rollback that was not restored, record by record. Where the fresh reading holds the rolled-back value,
    the kept value stands. Where it holds another value (the record was reopened since), that value replaces the kept
    one, which moves to the entry's C(history). A record the kept snapshot lacks (a shop, a record target, a product
    store or a job that the earlier rollback did not select) is added with the value read now.
options:
  _input:
    description: The kept snapshot.
    type: dict
    required: true
  fresh:
    description: The snapshot taken now, of the same shape.
    type: dict
    required: true
'''

EXAMPLES = r'''
- name: Merge what a wider second rollback selects into the first rollback's snapshot
  ansible.builtin.set_fact:
    snapshot: "{{ kept_snapshot | hotwax.oms.snapshot_merge(fresh_snapshot) }}"
'''

RETURN = r'''
_value:
  description: The kept snapshot brought up to date record by record, with the shops, records, product stores and jobs
    it lacked, and the union of targets.
  type: dict
'''


from ansible_collections.hotwax.oms.plugins.plugin_utils.snapshot_store import merge_snapshots


class FilterModule(object):
    """Filters of the hotwax.oms collection."""

    def filters(self):
        return {'snapshot_merge': merge_snapshots}
