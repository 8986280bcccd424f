# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shopify shops and the two kinds of record that hold their access scope.

``remote``: a SystemMessageRemote, the scope current Maarg services check.
``config``: a legacy ShopifyConfig row, the scope the runbook's OFBiz screen edits.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.module_utils.six.moves.urllib.parse import quote

from ansible_collections.hotwax.oms.plugins.module_utils.oms_module import ALL, Record

SHOPS_PATH = 'oms/shopifyShops/shops'
REMOTES_PATH = 'oms/systemMessageRemotes'

SCOPE_ALIASES = {
    'no_access': 'SHOP_NO_ACCESS',
    'read': 'SHOP_READ_ACCESS',
    'read_write': 'SHOP_RW_ACCESS',
}
SCOPE_IDS = ['SHOP_NO_ACCESS', 'SHOP_READ_ACCESS', 'SHOP_RW_ACCESS', 'SHOP_READ_WRITE_ACCESS']
SCOPE_CHOICES = list(SCOPE_ALIASES) + SCOPE_IDS
EMPTY_SCOPE_MEANS = 'SHOP_READ_ACCESS'  # what the server reads a missing scope as
TARGETS = ['remote', 'config']

SHOP_SELECTION_SPEC = dict(
    shop_ids=dict(type='list', elements='str', default=[ALL]),
    targets=dict(type='list', elements='str', choices=TARGETS, default=TARGETS),
)


def scope_id(value):
    """The enum id a user's scope value names (an alias or an exact id)."""
    return SCOPE_ALIASES.get(value, value)


def effective_scope(raw):
    """The scope a record has for the server: a missing or empty value reads as read access."""
    return raw or EMPTY_SCOPE_MEANS


def saved_scope(record):
    """The scope to restore a saved record to: its ``before``, a missing one as read access."""
    scope = effective_scope(record.get('before'))
    if scope not in SCOPE_IDS:
        raise ValueError('unknown access scope %r (known: %s)' % (scope, ', '.join(SCOPE_IDS)))
    return scope


def remote_belongs_to(remote, shop):
    """The three ways a SystemMessageRemote is tied to a shop (oms-api.md section 4)."""
    if remote.get('internalId') and remote.get('internalId') == shop.get('shopId'):
        return True
    if remote.get('remoteId') and remote.get('remoteId') == shop.get('shopifyShopId'):
        return True
    domain = shop.get('myshopifyDomain')
    return bool(domain) and _names_host(remote.get('sendUrl') or '', domain)


def _names_host(url, host):
    """Whether ``url`` holds the host name ``host`` as a whole: eu.myshopify.com is not in acme-eu.myshopify.com."""
    pattern = r'(?<![a-z0-9.-])' + re.escape(host.lower()) + r'(?![a-z0-9-]|\.[a-z0-9])'
    return re.search(pattern, url.lower()) is not None


class ShopAccess:
    """Reads the selected shops with their records, and writes one record's scope."""

    def __init__(self, module):
        self.module = module
        self.client = module.client
        self.targets = module.params['targets']
        self.shop_ids = module.selected_ids('shop_ids')
        if not self.targets:
            module.fail_json(msg='targets is empty: give remote, config or both')

    def read(self, warn=True):
        """The selected shops, and a Record for each of their remotes and config rows."""
        shops = self.client.get_all(SHOPS_PATH)
        shops = self.module.pick(shops, 'shopId', self.shop_ids, 'shop ids')
        remotes = self.client.get_all(REMOTES_PATH) if 'remote' in self.targets else []
        records = self._records(shops, remotes)
        if warn and 'remote' in self.targets:
            lonely = [shop['shopId'] for shop in shops if not any(r.info['shop_id'] == shop['shopId'] and r.key[0] == 'remote'
                                                                  for r in records)]
            if lonely:
                self.module.warn('no SystemMessageRemote belongs to shop %s, so only its config rows were read' % ', '.join(lonely))
        return shops, records

    def _records(self, shops, remotes):
        records = []
        claimed = set()  # a remote that matches two shops is managed once, under the first
        for shop in shops:
            shop_id = shop['shopId']
            if 'remote' in self.targets:
                for remote in remotes:
                    remote_id = remote['systemMessageRemoteId']
                    if remote_id not in claimed and remote_belongs_to(remote, shop):
                        claimed.add(remote_id)
                        records.append(self._record('remote', remote_id, shop_id, remote))
            if 'config' in self.targets:
                for config in shop.get('shopifyConfig') or []:
                    records.append(self._record('config', config['shopifyConfigId'], shop_id, config))
        return records

    @staticmethod
    def _record(target, record_id, shop_id, row):
        raw = row.get('accessScopeEnumId') or None
        return Record((target, record_id), 'shop %s %s %s' % (shop_id, target, record_id), raw, effective_scope(raw),
                      info={'shop_id': shop_id, 'target': target, 'id': record_id})

    def read_back(self):
        """``{key: (raw, current)}`` for every record of the selected shops, read anew."""
        dummy, records = self.read(warn=False)
        return dict((record.key, (record.before, record.current)) for record in records)

    def write(self, record):
        target, record_id = record.key
        if target == 'remote':
            return self.client.put('%s/%s' % (REMOTES_PATH, quote(record_id, safe='')),
                                   {'systemMessageRemoteId': record_id, 'accessScopeEnumId': record.wanted})
        # shopifyConfigId is mandatory: without it the server would create a new config row.
        shop_id = record.info['shop_id']
        return self.client.put('%s/%s' % (SHOPS_PATH, quote(shop_id, safe='')), {
            'shopId': shop_id,
            'shopifyConfig': [{'shopifyConfigId': record_id, 'accessScopeEnumId': record.wanted}]})


def shops_result(shops, records):
    """The ``shops`` return value: each shop with its records' before and after scopes."""
    result = []
    for shop in shops:
        result.append({
            'shop_id': shop['shopId'],
            'name': shop.get('name'),
            'product_store_id': shop.get('productStoreId'),
            'records': [dict(record.info, before=record.before, after=record.after)
                        for record in records if record.info['shop_id'] == shop['shopId']],
        })
    return result
