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
  - Used by the P(hotwax.oms.rollback#role) role when a rollback finds the snapshot of an earlier rollback that was
    not restored. The kept snapshot wins for every record it holds, since the OMS now holds the rolled-back values;
    a record it lacks (a shop, a record target, a product store or a job that the earlier rollback did not select)
    is added with the value read now, which is still the value from before the incident.
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
  description: The kept snapshot with the shops, records, product stores and jobs it lacked, and the union of targets.
  type: dict
'''


def _by(entries, key):
    return dict((entry[key], entry) for entry in entries or [])


def snapshot_merge(kept, fresh):
    merged = dict(kept)
    merged['targets'] = list(kept.get('targets') or []) + [t for t in fresh.get('targets') or [] if t not in (kept.get('targets') or [])]

    kept_shops = _by(kept.get('shops'), 'shop_id')
    fresh_shops = _by(fresh.get('shops'), 'shop_id')
    shops = []
    for shop in kept.get('shops') or []:
        fresh_shop = fresh_shops.get(shop['shop_id'], {})
        known = set((record['target'], record['id']) for record in shop.get('records') or [])
        extra = [record for record in fresh_shop.get('records') or [] if (record['target'], record['id']) not in known]
        shops.append(dict(shop, records=list(shop.get('records') or []) + extra))
    shops.extend(shop for shop in fresh.get('shops') or [] if shop['shop_id'] not in kept_shops)
    merged['shops'] = shops

    for section, key in (('product_stores', 'product_store_id'), ('service_jobs', 'job_name')):
        if section in kept or section in fresh:
            kept_ids = _by(kept.get(section), key)
            merged[section] = list(kept.get(section) or []) + [
                entry for entry in fresh.get(section) or [] if entry[key] not in kept_ids]
    return merged


class FilterModule(object):
    """Filters of the hotwax.oms collection."""

    def filters(self):
        return {'snapshot_merge': snapshot_merge}
