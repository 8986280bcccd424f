# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure functions the modules' decisions rest on: secret removal, list shapes, record ownership, value readings."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.hotwax.oms.plugins.module_utils.oms_client import list_rows, strip_secrets
from ansible_collections.hotwax.oms.plugins.module_utils.order_brokering import brokering_enabled
from ansible_collections.hotwax.oms.plugins.module_utils.service_jobs import job_paused
from ansible_collections.hotwax.oms.plugins.module_utils.shop_access import effective_scope, remote_belongs_to, scope_id

SHOP = {'shopId': 'SHOP', 'shopifyShopId': '26064650298', 'myshopifyDomain': 'newera-stg.myshopify.com'}


def test_strip_secrets_removes_every_credential_key_at_any_depth():
    row = {'shopId': 'SHOP', 'shopifyConfig': [{'shopifyConfigId': 'C', 'accessToken': 'a', 'sharedSecret': 'b'}],
           'password': 'c', 'apiKey': 'd', 'nested': {'clientCredential': 'e', 'name': 'n'}}
    assert strip_secrets(row) == {'shopId': 'SHOP', 'shopifyConfig': [{'shopifyConfigId': 'C'}], 'nested': {'name': 'n'}}


@pytest.mark.parametrize('body, rows', [
    ([{'a': 1}], [{'a': 1}]),
    ({'systemMessageRemoteList': [{'a': 1}]}, [{'a': 1}]),
    ({'serviceJobList': [], 'count': 0}, []),
    (None, []),
])
def test_list_rows_accepts_both_list_shapes(body, rows):
    assert list_rows(body) == rows


@pytest.mark.parametrize('body', [{'aList': [], 'bList': []}, {'shopId': 'SHOP', 'shopifyConfig': [{'shopifyConfigId': 'C'}]}])
def test_list_rows_refuses_what_is_not_a_list_answer(body):
    with pytest.raises(ValueError):
        list_rows(body)


@pytest.mark.parametrize('remote, belongs', [
    ({'internalId': 'SHOP', 'internalIdType': 'HOTWAX_SHOP_ID'}, True),
    ({'internalId': 'SHOP'}, False),  # an untyped internalId (an SFTP or NetSuite remote) is no tie
    ({'internalId': 'SHOP', 'internalIdType': 'NETSUITE_SUBSIDIARY_ID'}, False),
    ({'remoteId': '26064650298'}, True),
    ({'sendUrl': 'https://newera-stg.myshopify.com/admin/api/2024-01'}, True),
    ({'internalId': 'OTHER', 'remoteId': '1', 'sendUrl': 'https://other.myshopify.com'}, False),
    ({'internalId': None, 'remoteId': None, 'sendUrl': None}, False),
])
def test_remote_belongs_to_shop_by_any_of_three_rules(remote, belongs):
    assert remote_belongs_to(remote, SHOP) is belongs


def test_a_remote_whose_internal_id_names_another_shop_never_belongs():
    remote = {'internalId': 'OTHER', 'sendUrl': 'https://newera-stg.myshopify.com/admin', 'remoteId': '26064650298'}
    assert remote_belongs_to(remote, SHOP, shop_ids={'SHOP', 'OTHER'}) is False
    assert remote_belongs_to(remote, SHOP, shop_ids={'SHOP'}) is True  # OTHER is no shop: only the ties count


@pytest.mark.parametrize('url', ['https://acme-newera-stg.myshopify.com/admin', 'https://newera-stg.myshopify.com.evil.io/x',
                                 'https://xnewera-stg.myshopify.com'])
def test_a_host_name_that_only_ends_or_starts_like_the_domain_does_not_match(url):
    assert remote_belongs_to({'sendUrl': url}, SHOP) is False


def test_the_domain_matches_whatever_its_case_and_port():
    assert remote_belongs_to({'sendUrl': 'https://NewEra-Stg.myshopify.com:443/admin/api'}, SHOP) is True


def test_a_shop_without_domain_claims_no_remote_by_url():
    assert remote_belongs_to({'sendUrl': 'https://x.myshopify.com'}, {'shopId': 'S', 'myshopifyDomain': None}) is False


@pytest.mark.parametrize('value, enum_id', [
    ('no_access', 'SHOP_NO_ACCESS'), ('read', 'SHOP_READ_ACCESS'), ('read_write', 'SHOP_RW_ACCESS'),
    ('SHOP_READ_WRITE_ACCESS', 'SHOP_READ_WRITE_ACCESS'),
])
def test_scope_aliases(value, enum_id):
    assert scope_id(value) == enum_id


def test_missing_values_read_as_the_server_reads_them():
    assert effective_scope(None) == effective_scope('') == 'SHOP_READ_ACCESS'
    assert effective_scope('SHOP_NO_ACCESS') == 'SHOP_NO_ACCESS'
    assert brokering_enabled(None) is True and brokering_enabled('Y') is True and brokering_enabled('N') is False
    assert job_paused(None) is False and job_paused('N') is False and job_paused('Y') is True
