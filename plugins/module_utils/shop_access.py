# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shopify shops and the two kinds of record that hold their access scope.

``remote``: a SystemMessageRemote, the scope current Maarg services check.
``config``: a legacy ShopifyConfig row, the scope the runbook's OFBiz screen edits.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools

from urllib.parse import quote, urlsplit

from ansible_collections.hotwax.oms.plugins.module_utils.oms_client import OmsApiError
from ansible_collections.hotwax.oms.plugins.module_utils.oms_module import ALL, LABELS_SHOWN, Record, shown_labels
from ansible_collections.hotwax.oms.plugins.module_utils.oms_values import EMPTY_SCOPE_MEANS, ROLLED_BACK_SCOPE, SCOPE_IDS

SHOPS_PATH = 'oms/shopifyShops/shops'
REMOTES_PATH = 'oms/systemMessageRemotes'
ENUMS_PATH = 'admin/enums'
SCOPE_ENUM_TYPE = 'ShopifyShopAccessScope'  # the type the Shopify connector honours SHOP_NO_ACCESS under
PRE_V28_ENUM_TYPE = 'SHOPIFY_SHOP_ACCESS'  # what data from before the v2.8.0 upgrade types the scopes as

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
    close_matching_remotes=dict(type='bool', default=False),
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
    """Whether one of the three ownership rules (tests/emulator/README.md) ties a remote to a shop (before the exclusion)."""
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


@functools.lru_cache(maxsize=4096)  # one parse per URL, however many shops a remote is compared with
def _host(url):
    try:
        return (urlsplit(url or '').hostname or '').lower()
    except ValueError:
        return ''


def _tie_candidates(shops):
    """``candidates(remote)``: the shops a rule could tie the remote to, in the order of ``shops``.

    Each rule compares one value of the remote with one of the shop (internalId with shopId, remoteId with
    shopifyShopId, the sendUrl's host with myshopifyDomain), so an index of the shops by those values finds every shop
    that remote_ties could accept without comparing the remote with every shop of the OMS.
    """
    index = {}
    for position, shop in enumerate(shops):
        for key in (('id', shop.get('shopId')), ('shopify', shop.get('shopifyShopId')),
                    ('domain', (shop.get('myshopifyDomain') or '').lower())):
            if key[1]:
                index.setdefault(key, []).append(position)

    def candidates(remote):
        keys = (('id', remote.get('internalId')), ('shopify', remote.get('remoteId')), ('domain', _host(remote.get('sendUrl'))))
        return [shops[position] for position in sorted(set(position for key in keys for position in index.get(key, ())))]
    return candidates


def remote_owners(remotes, shops):
    """Split remotes by owner: ``({remote id: shop id}, [ambiguous remote])`` over every shop of the OMS.

    A remote of unknown ownership (tied to two shops, tied to one shop while its internalId names another, or a
    Shopify remote that no rule ties to any shop) is not closed: it is reported, so that a person decides.
    Remotes of other systems (SFTP, NetSuite, ...) that no rule ties to a shop are left out silently.
    """
    shop_ids = set(shop['shopId'] for shop in shops)
    candidates = _tie_candidates(shops)
    owner = {}
    ambiguous = []
    for remote in remotes:
        remote_id = remote['systemMessageRemoteId']
        near = candidates(remote)
        owners = [shop['shopId'] for shop in near if remote_belongs_to(remote, shop, shop_ids)]
        if len(owners) == 1:
            owner[remote_id] = owners[0]
            continue
        tied = [shop['shopId'] for shop in near if remote_ties(remote, shop)]
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


def matching_remotes(remotes, all_shops, selected_shops, owner):
    """Remotes the webhook filter matches for a selected shop that no selected shop owns (section 4 rules).

    Each: ``{'id', 'shop_ids' (the selected shops it lets in), 'owner', 'outside_selection', 'current'}``.
    ``outside_selection``: another shop of the OMS owns it (its only owner, or the shop its internalId names): it is
    that shop's to close, never this run's.
    """
    selected = set(shop['shopId'] for shop in selected_shops)
    known = set(shop['shopId'] for shop in all_shops)
    domains = [(shop['shopId'], (shop.get('myshopifyDomain') or '').lower()) for shop in selected_shops]
    found = []
    for remote in remotes:
        remote_id = remote['systemMessageRemoteId']
        if owner.get(remote_id) in selected:
            continue  # a record of a selected shop: the rollback closes it anyway
        # The connector's webhook filter lets a shop in through any open remote whose sendUrl contains the shop's
        # myshopifyDomain, whatever its type or owner (tests/emulator/README.md).
        send_url = (remote.get('sendUrl') or '').lower()
        shop_ids = [shop_id for shop_id, domain in domains if domain and domain in send_url]
        if not shop_ids:
            continue
        named = remote.get('internalId') if remote.get('internalId') in known else None
        other_owner = owner.get(remote_id) or named
        raw = remote.get('accessScopeEnumId') or None
        found.append(dict(id=remote_id, shop_ids=shop_ids, owner=other_owner,
                          outside_selection=bool(other_owner) and other_owner not in selected,
                          before=raw, current=effective_scope(raw)))
    return found


def scope_enum_check(rows, error, no_access_row=None):
    """Whether the Shopify connector on this OMS honours SHOP_NO_ACCESS, from the enum list of its type.

    The connector reads the scope through its Enumeration row and honours SHOP_NO_ACCESS only when that row's type is
    ShopifyShopAccessScope; data from before v2.8 typed it SHOPIFY_SHOP_ACCESS (tests/emulator/README.md).
    ``no_access_row`` is SHOP_NO_ACCESS read by id, when the list of the type did not have it.
    """
    check = dict(checked=error is None, listed=False, enum_type=None, problem=None)
    if error is not None:
        check['problem'] = (
            'the access-scope enums could not be read (%s), so whether the Shopify connector on this OMS honours '
            'SHOP_NO_ACCESS could not be checked: where SHOP_NO_ACCESS is not typed %s (data from before the v2.8.0 '
            'upgrade), the connector reads the closed value as read access and order import keeps reading from Shopify. '
            'Give the rollback user permission to read admin/enums, or check the Enumeration row of SHOP_NO_ACCESS '
            'on the OMS' % (error, SCOPE_ENUM_TYPE))
        return check
    listed = [row for row in rows or [] if row.get('enumId') == ROLLED_BACK_SCOPE]
    if listed and all(row.get('enumTypeId') in (None, SCOPE_ENUM_TYPE) for row in listed):
        check.update(listed=True, enum_type=SCOPE_ENUM_TYPE)
        return check
    enum_type = (no_access_row or {}).get('enumTypeId')
    check['enum_type'] = enum_type
    check['problem'] = (
        'SHOP_NO_ACCESS is not an enum of type %s on this OMS (%s): the Shopify connector here reads the closed value '
        'as read access, so order import keeps reading from Shopify although every record reads back closed '
        '(webhooks are still refused). Run the v2.8.0 upgrade step that retypes the access-scope enums (UPDATE '
        'ENUMERATION SET ENUM_TYPE_ID = "%s" WHERE ENUM_TYPE_ID = "%s", after creating the EnumerationType if it is '
        'missing), then run the rollback again' % (
            SCOPE_ENUM_TYPE, 'it is typed %s' % enum_type if enum_type else 'it is not listed at all',
            SCOPE_ENUM_TYPE, PRE_V28_ENUM_TYPE))
    return check


class ShopAccess:
    """Reads the selected shops with their records, and writes one record's scope.

    ``check_scope_enum``: also read the scope enums (once, beside the shops and remotes) and judge whether the
    connector honours SHOP_NO_ACCESS (``scope_enum``). ``matching_remotes`` are the remotes the webhook filter
    matches for a selected shop that no selected shop owns; with ``close_matching_remotes`` (or when a restore
    names them, ``restore_remote_ids``) each becomes a record of the first selected shop it lets in.
    """

    def __init__(self, task, check_scope_enum=False, restore_remote_ids=()):
        self.task = task
        self.client = task.client
        self.targets = task.params['targets']
        self.shop_ids = task.selected_ids('shop_ids')
        self.close_matching = bool(task.params.get('close_matching_remotes'))
        self.restore_remote_ids = set(restore_remote_ids)
        self.check_scope_enum = check_scope_enum
        self.scope_enum = None
        self.matching_remotes = []
        self.ambiguous_remotes = []
        if not self.targets:
            task.fail('targets is empty: give remote, config or both')

    def _read_lists(self):
        """Shops, remotes and (once) the scope enums, side by side; the enum list may fail without failing the read."""
        reads = [(SHOPS_PATH, None)]
        if 'remote' in self.targets:
            reads.append((REMOTES_PATH, None))
        with_enums = self.check_scope_enum and self.scope_enum is None
        if with_enums:
            reads.append((ENUMS_PATH, {'enumTypeId': SCOPE_ENUM_TYPE}))
        # the live remote list carries no total (tests/emulator/README.md): it ends on an empty page, asked for with the first
        answers = self.client.map_parallel(
            lambda read: self.client.get_all(read[0], read[1], uncounted=read[0] == REMOTES_PATH), reads)
        for (path, dummy), (rows, error) in zip(reads, answers):
            if error is not None and path != ENUMS_PATH:
                raise error
        all_shops = answers[0][0]
        remotes = answers[1][0] if 'remote' in self.targets else []
        if with_enums:
            rows, error = answers[-1]
            no_access_row = None
            if error is None and not any(row.get('enumId') == ROLLED_BACK_SCOPE and row.get('enumTypeId') in (
                    None, SCOPE_ENUM_TYPE) for row in rows):
                try:  # which type it has instead: worth one more request on the rare OMS that needs it
                    no_access_row = (self.client.get_all(ENUMS_PATH, {'enumId': ROLLED_BACK_SCOPE}) or [None])[0]
                except OmsApiError:
                    no_access_row = None
            self.scope_enum = scope_enum_check(rows, error, no_access_row)
        return all_shops, remotes

    def read(self, warn=True):
        """The selected shops, and a Record for each of their remotes and config rows."""
        all_shops, remotes = self._read_lists()
        shops = self.task.pick(all_shops, 'shopId', self.shop_ids, 'shop ids')
        owner, ambiguous = {}, []
        if 'remote' in self.targets:
            owner, ambiguous = remote_owners(remotes, all_shops)
        selected = set(shop['shopId'] for shop in shops)
        self.matching_remotes = matching_remotes(remotes, all_shops, shops, owner)
        for remote in self.matching_remotes:
            # A restore puts back every remote its snapshot names, whoever owns it now and whatever the selection:
            # nothing a rollback wrote may be refused by its restore. A rollback never closes another shop's.
            remote['included'] = remote['id'] in self.restore_remote_ids or (
                self.close_matching and not remote['outside_selection'])
            if remote['included']:
                owner[remote['id']] = remote['shop_ids'][0]  # a record of the first shop it lets in
        included = set(remote['id'] for remote in self.matching_remotes if remote['included'])
        self.ambiguous_remotes = [remote for remote in ambiguous if remote['id'] not in included and (
            self.shop_ids is None or selected.intersection(remote['shop_ids']))]
        records = self._records(shops, remotes, owner)
        if warn and self.ambiguous_remotes:
            labels = ['%s (%s)' % (r['id'], r['reason']) for r in self.ambiguous_remotes]
            self.task.warn('%d remotes of unknown ownership were left as they are (see ambiguous_remotes): %s' % (
                len(self.ambiguous_remotes), shown_labels(labels, '; ', LABELS_SHOWN)))
        if warn and 'remote' in self.targets:
            lonely = [shop_id for shop_id in selected if shop_id not in owner.values()]
            if len(lonely) == 1:
                self.task.warn('no SystemMessageRemote belongs to shop %s, so only its config rows are set' % lonely[0])
            elif lonely:
                self.task.warn('%d shops have no SystemMessageRemote (%s), so only their config rows are set'
                               % (len(lonely), shown_labels(sorted(lonely), ', ', LABELS_SHOWN)))
        return shops, records

    def matching_result(self, records):
        """The ``matching_remotes`` return value: each with its scope after the run (a record's, read back)."""
        after = dict((record.key[1], record.after) for record in records if record.info['target'] == 'remote')
        result = []
        for remote in self.matching_remotes:
            scope = after.get(remote['id'], remote['before']) if remote['included'] else remote['before']
            entry = dict((key, remote[key]) for key in ('id', 'shop_ids', 'owner', 'outside_selection', 'included'))
            entry.update(scope=scope, open=effective_scope(scope) != ROLLED_BACK_SCOPE)
            result.append(entry)
        return result

    def _records(self, shops, remotes, owner):
        owned = {}  # shop id -> its remotes, in the order of the list
        for remote in remotes:
            owned.setdefault(owner.get(remote['systemMessageRemoteId']), []).append(remote)
        records = []
        for shop in shops:
            shop_id = shop['shopId']
            for remote in owned.get(shop_id, ()):
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
    """``(scope, left)`` from a saved record, for OmsTask.want: ``left`` are the scopes a rollback leaves (its
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
