# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shopify shops and the two kinds of record that hold their access scope.

``remote``: a SystemMessageRemote, the scope current Maarg services check.
``config``: a legacy ShopifyConfig row, the scope the runbook's OFBiz screen edits.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.six.moves.urllib.parse import quote, urlsplit

from ansible_collections.hotwax.oms.plugins.module_utils.oms_module import ALL, LABELS_SHOWN, Record, listing
from ansible_collections.hotwax.oms.plugins.module_utils.oms_values import EMPTY_SCOPE_MEANS, ROLLED_BACK_SCOPE, SCOPE_IDS

SHOPS_PATH = 'oms/shopifyShops/shops'
REMOTES_PATH = 'oms/systemMessageRemotes'

SCOPE_ALIASES = {
    'no_access': 'SHOP_NO_ACCESS',
    'read': 'SHOP_READ_ACCESS',
    'read_write': 'SHOP_RW_ACCESS',
}
SCOPE_CHOICES = list(SCOPE_ALIASES) + SCOPE_IDS
SHOP_ID_TYPE = 'HOTWAX_SHOP_ID'  # internalIdType of a shop's Shopify remote
SHOPIFY_ID_TYPE = 'SHOPIFY_SHOP_ID'  # remoteIdType of a Shopify shop id
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
    """The scope to restore a saved record to: its ``before`` exactly, whatever enum id the OMS held (the OMS accepts
    any enum of the type), a missing one as read access (an empty value is never written)."""
    scope = effective_scope(record.get('before'))
    if not isinstance(scope, str):
        raise ValueError('a scope must be an enum id, got %r' % (scope,))
    return scope


def remote_ties(remote, shop):
    """Whether one of the three rules of oms-api.md section 4 ties a remote to a shop (before the exclusion)."""
    if remote.get('internalId') and remote.get('internalId') == shop.get('shopId') and (
            remote.get('internalIdType') == SHOP_ID_TYPE):
        return True
    if remote.get('remoteId') and remote.get('remoteId') == shop.get('shopifyShopId') and (
            remote.get('remoteIdType') in (None, SHOPIFY_ID_TYPE)):
        return True
    domain = (shop.get('myshopifyDomain') or '').lower()
    return bool(domain) and _host(remote.get('sendUrl')) == domain


def remote_belongs_to(remote, shop, shop_ids=()):
    """Whether a remote belongs to a shop: a rule ties them, and its internalId names no other shop of ``shop_ids``."""
    internal_id = remote.get('internalId')
    if internal_id and internal_id != shop.get('shopId') and internal_id in shop_ids:
        return False  # what stops one shop claiming another's remote
    return remote_ties(remote, shop)


def looks_like_shopify(remote):
    """A remote typed or addressed as a Shopify connection."""
    typed = remote.get('internalIdType') == SHOP_ID_TYPE or remote.get('remoteIdType') == SHOPIFY_ID_TYPE
    return typed or _host(remote.get('sendUrl')).endswith('.myshopify.com')


def _host(url):
    try:
        return (urlsplit(url or '').hostname or '').lower()
    except ValueError:
        return ''


def remote_owners(remotes, shops):
    """Split remotes by owner: ``({remote id: shop id}, [ambiguous remote])`` over every shop of the OMS.

    A remote of unknown ownership (tied to two shops, tied to one shop while its internalId names another, or a
    Shopify remote that no rule ties to any shop) is not closed: it is reported, so that a person decides.
    Remotes of other systems (SFTP, NetSuite, ...) that no rule ties to a shop are left out silently.
    """
    shop_ids = set(shop['shopId'] for shop in shops)
    owner = {}
    ambiguous = []
    for remote in remotes:
        remote_id = remote['systemMessageRemoteId']
        owners = [shop['shopId'] for shop in shops if remote_belongs_to(remote, shop, shop_ids)]
        if len(owners) == 1:
            owner[remote_id] = owners[0]
            continue
        tied = [shop['shopId'] for shop in shops if remote_ties(remote, shop)]
        internal_id = remote.get('internalId')
        if len(owners) > 1:
            reason = 'tied to %d shops (%s)' % (len(owners), ', '.join(owners))
        elif tied:
            reason = 'its internalId names shop %s, but it is tied to shop %s' % (internal_id, ', '.join(tied))
        elif internal_id in shop_ids and looks_like_shopify(remote):
            tied = [internal_id]
            reason = 'its internalId is shop %s, but its internalIdType is %s, not %s' % (
                internal_id, remote.get('internalIdType') or 'missing', SHOP_ID_TYPE)
        elif looks_like_shopify(remote):
            reason = 'a Shopify remote that no rule ties to any shop'
        else:
            continue
        ambiguous.append({'id': remote_id, 'shop_ids': sorted(set(owners + tied + ([internal_id] if internal_id in shop_ids else []))),
                          'reason': reason, 'scope': remote.get('accessScopeEnumId')})
    return owner, ambiguous


class ShopAccess:
    """Reads the selected shops with their records, and writes one record's scope."""

    def __init__(self, module):
        self.module = module
        self.client = module.client
        self.targets = module.params['targets']
        self.shop_ids = module.selected_ids('shop_ids')
        self.ambiguous_remotes = []
        if not self.targets:
            module.fail_json(msg='targets is empty: give remote, config or both')

    def read(self, warn=True):
        """The selected shops, and a Record for each of their remotes and config rows."""
        if 'remote' in self.targets:
            all_shops, remotes = self.client.get_all_of([SHOPS_PATH, REMOTES_PATH])
        else:
            all_shops, remotes = self.client.get_all(SHOPS_PATH), []
        shops = self.module.pick(all_shops, 'shopId', self.shop_ids, 'shop ids')
        owner, ambiguous = {}, []
        if 'remote' in self.targets:
            owner, ambiguous = remote_owners(remotes, all_shops)
        selected = set(shop['shopId'] for shop in shops)
        self.ambiguous_remotes = [remote for remote in ambiguous
                                  if self.shop_ids is None or selected.intersection(remote['shop_ids'])]
        records = self._records(shops, remotes, owner)
        if warn and self.ambiguous_remotes:
            labels = ['%s (%s)' % (r['id'], r['reason']) for r in self.ambiguous_remotes]
            self.module.warn('%d remotes of unknown ownership were left as they are (see ambiguous_remotes): %s' % (
                len(self.ambiguous_remotes), listing(labels, '; ', LABELS_SHOWN)))
        if warn and 'remote' in self.targets:
            lonely = [shop_id for shop_id in selected if shop_id not in owner.values()]
            if len(lonely) == 1:
                self.module.warn('no SystemMessageRemote belongs to shop %s, so only its config rows are set' % lonely[0])
            elif lonely:
                self.module.warn('%d shops have no SystemMessageRemote (%s), so only their config rows are set'
                                 % (len(lonely), listing(sorted(lonely), ', ', LABELS_SHOWN)))
        return shops, records

    def _records(self, shops, remotes, owner):
        records = []
        for shop in shops:
            shop_id = shop['shopId']
            for remote in remotes:
                if owner.get(remote['systemMessageRemoteId']) == shop_id:
                    records.append(self._record('remote', remote['systemMessageRemoteId'], shop_id, remote))
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


def restore_value(entry):
    """``(scope, left)`` from a saved record, for OmsModule.want: ``left`` are the scopes a rollback leaves (its
    own, and the saved ``after``), in which the record may be restored."""
    left = set([ROLLED_BACK_SCOPE])
    if 'after' in entry:
        left.add(effective_scope(entry['after']))
    return saved_scope(entry), left


def shops_result(shops, records, with_state=True):
    """The ``shops`` return value: each shop with its records' before and after scopes."""
    result = []
    for shop in shops:
        result.append({
            'shop_id': shop['shopId'],
            'name': shop.get('name'),
            'product_store_id': shop.get('productStoreId'),
            'records': [dict(record.info, before=record.before, after=record.after, **(record.outcome() if with_state else {}))
                        for record in records if record.info['shop_id'] == shop['shopId']],
        })
    return result
