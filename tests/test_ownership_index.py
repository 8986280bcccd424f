"""Remote ownership is decided through an index of the shops (shop_access._tie_candidates) rather than by comparing
every remote with every shop: on any OMS, random ones included, it must decide exactly what the rules decide pair by
pair (remote_belongs_to, remote_ties), ambiguities and their order included."""

from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.hotwax.oms.plugins.module_utils.shop_access import (
    SHOP_ID_TYPE, SHOPIFY_ID_TYPE, looks_like_shopify, remote_belongs_to, remote_owners, remote_ties)

# few values, so that remotes and shops collide on every rule often
SHOP_IDS = st.sampled_from(['S1', 'S2', 'S3', 'S4'])
SHOPIFY_IDS = st.sampled_from(['101', '102', '103', None])
DOMAINS = st.sampled_from(['a.myshopify.com', 'B.myshopify.com', 'c.myshopify.com', None])
URLS = st.sampled_from(['https://a.myshopify.com/admin', 'https://b.MYSHOPIFY.com/x', 'sftp://files.example.test',
                        'https://c.myshopify.com', 'not a url [', None])

shops = st.lists(st.fixed_dictionaries({'shopId': SHOP_IDS, 'shopifyShopId': SHOPIFY_IDS, 'myshopifyDomain': DOMAINS}),
                 max_size=6, unique_by=lambda shop: shop['shopId'])
remotes = st.lists(st.fixed_dictionaries({
    'internalId': st.one_of(SHOP_IDS, st.none()),
    'internalIdType': st.sampled_from([SHOP_ID_TYPE, 'OTHER', None]),
    'remoteId': SHOPIFY_IDS,
    'remoteIdType': st.sampled_from([SHOPIFY_ID_TYPE, 'OTHER', None]),
    'sendUrl': URLS,
}), max_size=8)


def owners_pair_by_pair(remote_list, shop_list):
    """The ownership rules applied to every pair of remote and shop, as their documentation states them."""
    shop_ids = set(shop['shopId'] for shop in shop_list)
    owner, ambiguous = {}, []
    for remote in remote_list:
        owners = [shop['shopId'] for shop in shop_list if remote_belongs_to(remote, shop, shop_ids)]
        if len(owners) == 1:
            owner[remote['systemMessageRemoteId']] = owners[0]
            continue
        tied = [shop['shopId'] for shop in shop_list if remote_ties(remote, shop)]
        internal_id = remote.get('internalId')
        if not (owners or tied or looks_like_shopify(remote)):
            continue
        if not owners and not tied and internal_id in shop_ids:
            tied = [internal_id]
        ambiguous.append((remote['systemMessageRemoteId'], owners, tied))
    return owner, ambiguous


@settings(max_examples=400, deadline=None)
@given(shops, remotes)
def test_the_index_decides_what_the_rules_decide_pair_by_pair(shop_list, remote_list):
    remote_list = [dict(remote, systemMessageRemoteId='R%d' % number) for number, remote in enumerate(remote_list)]
    owner, ambiguous = remote_owners(remote_list, shop_list)
    expected_owner, expected_ambiguous = owners_pair_by_pair(remote_list, shop_list)
    assert owner == expected_owner
    assert [entry['id'] for entry in ambiguous] == [remote_id for remote_id, dummy, dummy in expected_ambiguous]
    for entry, (dummy, owners, tied) in zip(ambiguous, expected_ambiguous):
        assert set(owners + tied) <= set(entry['shop_ids'])
        if len(owners) > 1:
            assert entry['reason'] == 'tied to %d shops (%s)' % (len(owners), ', '.join(owners))
