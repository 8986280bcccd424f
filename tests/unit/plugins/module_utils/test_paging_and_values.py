# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic: the list walk against servers with each paging quirk, job paused values, remote ownership."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.hotwax.oms.plugins.module_utils.oms_client import PagingError, base_url, body_count, walk_pages
from ansible_collections.hotwax.oms.plugins.module_utils.service_jobs import job_paused, restore_value, saved_paused
from ansible_collections.hotwax.oms.plugins.module_utils.shop_access import remote_owners


class FakeServer:
    """A list of ``rows`` rows served page by page, with the quirks of section 3, counting requests.

    ``count``: where the server states a count: ``header`` (X-Total-Count), ``body`` (the total, in the body),
    ``page`` (a body count of the page's rows, as ``serviceJobCount`` may be), or None.
    """

    def __init__(self, rows, default=20, count='header', honour_size=True, honour_index=True, cap=None):
        self.rows = [{'id': i} for i in range(rows)]
        self.default, self.count = default, count
        self.honour_size, self.honour_index, self.cap = honour_size, honour_index, cap
        self.requests = 0
        self.asked = []

    def fetch(self, index, size):
        self.requests += 1
        self.asked.append((index, size))
        size = (min(size, self.cap) if self.cap else size) if self.honour_size else self.default
        index = index if self.honour_index else 0
        page = self.rows[index * size:(index + 1) * size]
        stated = {'header': (len(self.rows), None), 'body': (None, len(self.rows)), 'page': (None, len(page))}
        return (page,) + stated.get(self.count, (None, None))


@pytest.mark.parametrize('rows', [0, 1, 19, 20, 99, 100, 499, 500, 501, 1234])
@pytest.mark.parametrize('count', ['header', 'body', 'page', None])
@pytest.mark.parametrize('honour_size', [True, False])
def test_every_row_whatever_the_page_size_the_server_uses(rows, count, honour_size):
    server = FakeServer(rows, count=count, honour_size=honour_size)
    assert walk_pages(server.fetch, page_size=500) == server.rows
    if count != 'header' and rows:
        pages = (rows + (500 if honour_size else 20) - 1) // (500 if honour_size else 20)
        assert server.requests == pages + 1  # no trusted total: one request more, for the page that adds nothing


@pytest.mark.parametrize('rows', [0, 1, 19, 20, 99, 100, 101, 499, 500, 501, 1234])
@pytest.mark.parametrize('count', ['header', 'body', 'page', None])
@pytest.mark.parametrize('pages_as', ['asked', 'capped', 'own size'])
@pytest.mark.parametrize('honour_index', [True, False])
def test_the_second_page_asked_ahead_gives_the_same_walk(rows, count, pages_as, honour_index):
    """However the server pages, asking for the second page beside the first gives the same rows (or the same
    failure) with the same requests as asking for it after; only a walk the first page ends (an empty list, or one
    that fits the first page of a server that states its total) costs the one request it did not need."""
    def walk(second_page_ahead):
        server = FakeServer(rows, count=count, honour_size=pages_as != 'own size', honour_index=honour_index,
                            cap=100 if pages_as == 'capped' else None)
        try:
            outcome = walk_pages(server.fetch, page_size=500, second_page_ahead=second_page_ahead)
        except PagingError as exc:
            outcome = str(exc)
        return outcome, server.requests, server.asked[:2]

    after, ahead = walk(False), walk(True)
    assert ahead[0] == after[0]
    assert ahead[2] == [(0, 500), (1, 500)]
    first_page = {'asked': 500, 'capped': 100, 'own size': 20}[pages_as]
    first_page_ends = rows == 0 or (count == 'header' and rows <= first_page)
    assert ahead[1] == after[1] + (1 if first_page_ends else 0)


@pytest.mark.parametrize('count', ['header', None])
def test_a_server_ignoring_page_index_fails_within_two_requests(count):
    server = FakeServer(250, count=count, honour_size=False, honour_index=False)
    with pytest.raises(PagingError, match='ignores pageIndex'):
        walk_pages(server.fetch, page_size=500)
    # without a total, one request more: a smaller page shows that the server ignores pageSize too
    assert server.requests == (2 if count else 3)


@pytest.mark.parametrize('rows, requests', [(10, 2), (40, 3)])
def test_a_short_list_on_a_server_ignoring_page_index_is_complete(rows, requests):
    """Shorter than any page a server answers; or shorter than asked from a server that honours pageSize."""
    server = FakeServer(rows, count=None, honour_index=False)
    assert walk_pages(server.fetch) == server.rows and server.requests == requests


def test_a_list_that_never_ends_stops_at_the_cap():
    def endless(index, size):
        return [{'id': (index, i)} for i in range(size)], None, None
    with pytest.raises(PagingError, match='after 5 pages'):
        walk_pages(endless, page_size=100, max_pages=5)


def test_rows_that_do_not_add_up_to_the_total_fail():
    def lying(index, size):
        return ([{'id': i} for i in range(size)] if index == 0 else []), 300, None  # a total it does not deliver
    with pytest.raises(PagingError, match='only 100 of the 300 rows'):
        walk_pages(lying, page_size=100)


def test_a_body_count_above_the_rows_fails():
    def lying(index, size):
        return ([{'id': i} for i in range(size)] if index == 0 else []), None, 300
    with pytest.raises(PagingError, match='only 100 of the 300 rows'):
        walk_pages(lying, page_size=100)


@pytest.mark.parametrize('body, count', [({'serviceJobList': [], 'serviceJobCount': 7}, 7),
                                         ({'systemMessageRemoteList': [], 'systemMessageRemoteCount': '3'}, 3),
                                         ({'serviceJobList': []}, None), ([], None)])
def test_body_count(body, count):
    assert body_count(body) == count


@pytest.mark.parametrize('url', ['https://acme-maarg.hotwax.io', 'https://acme-maarg.hotwax.io/',
                                 'https://acme-maarg.hotwax.io/rest/s1', 'https://acme-maarg.hotwax.io/rest/s1/'])
def test_base_url_takes_the_rest_path_as_the_same_oms(url):
    assert base_url(url) == 'https://acme-maarg.hotwax.io/rest/s1/'


@pytest.mark.parametrize('raw, paused', [(None, False), ('', False), ('N', False), ('Y', True), ('S', True), ('T', True)])
def test_any_paused_value_but_null_or_n_pauses(raw, paused):
    assert job_paused(raw) is paused


def test_restore_values_of_jobs_are_exact_and_never_empty():
    assert saved_paused('S') == 'S' and saved_paused(None) == 'N' and saved_paused('') == 'N'
    assert saved_paused(True) == 'Y' and saved_paused(False) == 'N'  # the 0.1.0 boolean shape
    assert restore_value({'before': 'S', 'after': 'S'}) == ('S', {'Y', 'S'})
    with pytest.raises(ValueError):
        saved_paused(3)


def test_remote_ownership_reports_what_it_cannot_decide():
    shops = [{'shopId': 'A', 'shopifyShopId': '1', 'myshopifyDomain': 'a.myshopify.com'},
             {'shopId': 'B', 'shopifyShopId': '2', 'myshopifyDomain': 'b.myshopify.com'}]
    remotes = [
        {'systemMessageRemoteId': 'R_A', 'internalId': 'A', 'internalIdType': 'HOTWAX_SHOP_ID'},
        {'systemMessageRemoteId': 'R_TWO', 'remoteId': '1', 'sendUrl': 'https://b.myshopify.com/admin'},
        {'systemMessageRemoteId': 'R_CLASH', 'internalId': 'A', 'sendUrl': 'https://b.myshopify.com/admin'},
        {'systemMessageRemoteId': 'R_ORPHAN', 'sendUrl': 'https://gone.myshopify.com/admin'},
        {'systemMessageRemoteId': 'R_SFTP', 'internalId': 'A', 'sendUrl': 'sftp://files.example.test'},
        {'systemMessageRemoteId': 'R_FIRST', 'internalId': 'A', 'internalIdType': 'HOTWAX_SHOP_ID',
         'sendUrl': 'https://b.myshopify.com/admin'},
    ]
    owner, ambiguous = remote_owners(remotes, shops)
    assert owner == {'R_A': 'A', 'R_FIRST': 'A'}  # R_FIRST: its internalId names A, so B's domain does not claim it
    assert dict((r['id'], r['shop_ids']) for r in ambiguous) == {'R_TWO': ['A', 'B'], 'R_CLASH': ['A', 'B'], 'R_ORPHAN': []}
