# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rollback's safety judgements and its report of what the switches do not stop (docs/safety.md)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.hotwax.oms.plugins.module_utils.shop_access import matching_remotes, scope_enum_check
from ansible_collections.hotwax.oms.plugins.plugin_utils.verdict import after_restore, moving, safety, webhook_deadline

SCOPE_ROWS = [{'enumId': 'SHOP_NO_ACCESS', 'enumTypeId': 'ShopifyShopAccessScope'},
              {'enumId': 'SHOP_RW_ACCESS', 'enumTypeId': 'ShopifyShopAccessScope'}]


def remote(remote_id, **fields):
    return dict(fields, systemMessageRemoteId=remote_id)


SHOPS = [{'shopId': 'A', 'myshopifyDomain': 'a-shop.myshopify.com'}, {'shopId': 'B', 'myshopifyDomain': 'b-shop.myshopify.com'}]


def test_the_webhook_filter_matches_any_remote_holding_the_domain_not_owned_by_a_selected_shop():
    remotes = [remote('OWN', sendUrl='https://a-shop.myshopify.com/admin'),  # A's record: closed anyway
               remote('RELAY', sendUrl='https://relay.test/?shop=A-SHOP.myshopify.com', accessScopeEnumId='SHOP_RW_ACCESS'),
               remote('OF_B', internalId='B', sendUrl='https://b.test/mirror/a-shop.myshopify.com'),
               remote('ELSE', sendUrl='https://c-shop.myshopify.com/')]
    found = matching_remotes(remotes, SHOPS, SHOPS[:1], {'OWN': 'A', 'OF_B': 'B'})
    assert [(r['id'], r['shop_ids'], r['owner'], r['outside_selection'], r['current']) for r in found] == [
        ('RELAY', ['A'], None, False, 'SHOP_RW_ACCESS'),
        ('OF_B', ['A'], 'B', True, 'SHOP_READ_ACCESS')]  # no scope reads as read access: open


def test_the_closed_value_is_honoured_only_under_its_type():
    assert scope_enum_check(SCOPE_ROWS, None)['problem'] is None
    wrong = scope_enum_check(SCOPE_ROWS[1:], None, {'enumId': 'SHOP_NO_ACCESS', 'enumTypeId': 'SHOPIFY_SHOP_ACCESS'})
    assert wrong['enum_type'] == 'SHOPIFY_SHOP_ACCESS' and 'it is typed SHOPIFY_SHOP_ACCESS' in wrong['problem']
    assert 'it is not listed at all' in scope_enum_check([], None)['problem']
    assert 'could not be checked' in scope_enum_check(None, 'GET /rest/s1/admin/enums: HTTP 403')['problem']


def test_only_open_matching_remotes_of_the_selection_fail():
    step = {'scope_enum': {'listed': True, 'problem': None}, 'matching_remotes': [
        {'id': 'RELAY', 'shop_ids': ['A'], 'owner': None, 'outside_selection': False, 'included': False, 'scope': 'SHOP_RW_ACCESS', 'open': True},
        {'id': 'SHUT', 'shop_ids': ['A'], 'owner': None, 'outside_selection': False, 'included': False, 'scope': 'SHOP_NO_ACCESS', 'open': False},
        {'id': 'OF_B', 'shop_ids': ['A'], 'owner': 'B', 'outside_selection': True, 'included': False, 'scope': None, 'open': True}]}
    lines, problems = safety(step, close_matching=False)
    assert len(problems) == 1 and 'remote RELAY (its sendUrl holds the domain of shop A; it holds SHOP_RW_ACCESS)' in problems[0]
    assert 'SHUT' not in problems[0] and 'OF_B' not in problems[0]
    assert any('remote OF_B (owned by shop B' in line for line in lines)


def test_a_step_that_failed_before_reading_adds_no_second_failure():
    assert safety({'msg': 'HTTP 500', 'failed': True}, False) == ([], [])


@pytest.mark.parametrize('jobs_step, pause_jobs, every_shop, expected', [
    (None, False, True, 'rollback_pause_jobs: true pauses it'),
    (None, True, False, 'real-time orders of the selected shops may still arrive'),
    ({'service_jobs': [{'job_name': 'consume_ShopifyOrders_SQS', 'after': 'Y'}]}, True, True, 'consume_ShopifyOrders_SQS is paused'),
    ({'service_jobs': [{'job_name': 'consume_ShopifyOrders_SQS', 'after': 'N'}]}, True, True, 'its pause did not take'),
])
def test_the_intake_line(jobs_step, pause_jobs, every_shop, expected):
    report = {'brokering_runs': [], 'job_runs': [], 'test_drive_sessions': [], 'checked_at': 'now',
              'intake': {'job_name': 'consume_ShopifyOrders_SQS', 'found': True, 'paused': False}}
    assert any(expected in line for line in moving(report, jobs_step, pause_jobs, every_shop))


def test_webhook_deadline_is_four_hours_after_the_first_rollback():
    assert 'from about 2026-01-01T12:00:00Z (4 hours after the first rollback of this snapshot, at 2026-01-01T08:00:00Z)' in (
        webhook_deadline('2026-01-01T08:00:00Z'))
    assert 'within 4 hours' in webhook_deadline(None)


def test_after_restore_names_resumed_jobs_and_the_webhook_check_when_closed_long():
    jobs = {'service_jobs': [{'job_name': 'J1', 'state': 'changed', 'after': 'N'},
                             {'job_name': 'J2', 'state': 'unchanged', 'after': 'Y'}]}
    lines = after_restore(jobs, '2026-01-01T08:00:00Z', now=datetime.datetime(2026, 1, 1, 13, 0, 0))
    assert 'catch-up run at once: job J1' in '\n'.join(lines) and 'J2' not in '\n'.join(lines)
    assert any('more than 4 hours' in line for line in lines)
    short = after_restore(None, '2026-01-01T08:00:00Z', now=datetime.datetime(2026, 1, 1, 9, 0, 0))
    assert any('less than 4 hours' in line for line in short)


def test_remotes_of_unknown_ownership_are_named_in_the_final_words_once():
    step = {'scope_enum': {'listed': True}, 'matching_remotes': [
        {'id': 'RELAY', 'shop_ids': ['A'], 'owner': None, 'outside_selection': False, 'included': True, 'scope': 'SHOP_NO_ACCESS', 'open': False}],
        'ambiguous_remotes': [{'id': 'TWO', 'reason': 'tied to 2 shops (A, B)', 'scope': 'SHOP_RW_ACCESS'},
                              {'id': 'RELAY', 'reason': 'a Shopify remote that no rule ties to any shop', 'scope': 'SHOP_RW_ACCESS'},
                              {'id': 'SHUT', 'reason': 'tied to 2 shops (A, B)', 'scope': 'SHOP_NO_ACCESS'}]}
    lines, problems = safety(step, close_matching=True)
    assert problems == []
    unknown = [line for line in lines if 'unknown ownership' in line]
    assert unknown == ['Left as they are, of unknown ownership (a person decides whether to close them): remote TWO '
                       '(tied to 2 shops (A, B); it holds SHOP_RW_ACCESS)']
