# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Product stores and their order brokering switch (``enableBrokering``)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from urllib.parse import quote

from ansible_collections.hotwax.oms.plugins.module_utils.oms_client import OmsApiError
from ansible_collections.hotwax.oms.plugins.module_utils.oms_module import ALL, Record, saved_bool

STORES_PATH = 'admin/productStores'
LEGACY_STORES_PATH = 'oms/productStores'  # servers older than Maarg 4.4.0

STORE_SELECTION_SPEC = dict(
    product_store_ids=dict(type='list', elements='str', default=[ALL]),
)


def brokering_enabled(raw):
    """``enableBrokering`` is Y or N; only N disables, a missing or any other value means enabled."""
    return raw != 'N'


def restore_value(entry):
    """``(enabled, left)`` from a saved store, for OmsTask.want: ``left`` are the settings a rollback leaves
    (brokering off, and the saved ``after``), in which the store may be restored."""
    left = set([False])
    if isinstance(entry.get('after'), bool):
        left.add(entry['after'])
    return saved_bool(entry), left


class OrderBrokering:
    """Reads the selected product stores as Records, and writes one store's brokering switch."""

    def __init__(self, task):
        self.task = task
        self.client = task.client
        self.store_ids = task.selected_ids('product_store_ids')
        self.path = STORES_PATH

    def _list_stores(self):
        try:
            return self.client.get_all(self.path)
        except OmsApiError as exc:
            if exc.status != 404 or self.path == LEGACY_STORES_PATH:
                raise
            self.path = LEGACY_STORES_PATH  # an unknown path answers 404; an unknown store never does
            return self.client.get_all(self.path)

    def read(self):
        stores = self._list_stores()
        stores = self.task.pick(stores, 'productStoreId', self.store_ids, 'product store ids')
        return [Record(store['productStoreId'], 'product store %s order brokering' % store['productStoreId'],
                       brokering_enabled(store.get('enableBrokering')), brokering_enabled(store.get('enableBrokering')),
                       info={'product_store_id': store['productStoreId'], 'name': store.get('storeName')})
                for store in stores]

    def read_back(self):
        return dict((record.key, (record.before, record.current)) for record in self.read())

    def write(self, record):
        store_id = record.key
        return self.client.put('%s/%s' % (self.path, quote(store_id, safe='')),
                               {'productStoreId': store_id, 'enableBrokering': 'Y' if record.wanted else 'N'})


def stores_result(records, with_state=True):
    """The ``product_stores`` return value."""
    return [dict(record.info, before=record.before, after=record.after, **(record.outcome() if with_state else {})) for record in records]
