# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which snapshot a restore is given, and when its steps only compare: the rules hotwax_snapshot's load applies."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.hotwax.oms.plugins.plugin_utils.restore_rules import (
    FILE, GIVEN, PUBLISHED, already_restored_at, only_compares, snapshot_source)

GIVEN_SNAPSHOT = {'taken_at': 'given'}
PUBLISHED_SNAPSHOTS = {'prod': {'taken_at': 'published for prod'}, 'uat': {'taken_at': 'published for uat'}}


def test_rollback_snapshot_beats_the_artifact_which_beats_the_file():
    assert snapshot_source(GIVEN_SNAPSHOT, PUBLISHED_SNAPSHOTS, 'prod') == (GIVEN, GIVEN_SNAPSHOT)
    assert snapshot_source('/tmp/copied/prod.json', PUBLISHED_SNAPSHOTS, 'prod') == (GIVEN, '/tmp/copied/prod.json')
    assert snapshot_source(None, PUBLISHED_SNAPSHOTS, 'prod') == (PUBLISHED, PUBLISHED_SNAPSHOTS['prod'])
    assert snapshot_source(None, None, 'prod') == (FILE, None)


@pytest.mark.parametrize('empty', [None, '', {}])
def test_an_empty_rollback_snapshot_counts_as_not_given(empty):
    """An AWX survey field left empty must not hide the artifact the workflow passes on."""
    assert snapshot_source(empty, PUBLISHED_SNAPSHOTS, 'uat') == (PUBLISHED, PUBLISHED_SNAPSHOTS['uat'])
    assert snapshot_source(empty, {}, 'uat') == (FILE, None)


def test_the_artifact_of_another_environment_is_never_taken():
    assert snapshot_source(None, {'uat': {'taken_at': 'x'}}, 'prod') == (FILE, None)
    assert snapshot_source(None, {'prod': {}}, 'prod') == (FILE, None)
    assert snapshot_source(None, 'not a dict', 'prod') == (FILE, None)


@pytest.mark.parametrize('check_mode, already_restored, force, expected', [
    (False, False, False, False),  # a restore
    (True, False, False, True),  # --check
    (False, True, False, True),  # restored once: putting it back again could undo later changes
    (False, True, True, False),  # ... unless forced
    (True, True, True, True),  # --check wins over force
])
def test_a_restore_only_compares_in_a_check_and_for_a_snapshot_restored_once_unless_forced(
        check_mode, already_restored, force, expected):
    assert only_compares(check_mode, already_restored, force) is expected


def test_when_a_snapshot_was_restored_is_said_only_when_it_is_not_put_back_again():
    assert already_restored_at({'restored_at': '2026-01-02T00:00:00Z'}, True, False) == '2026-01-02T00:00:00Z'
    assert already_restored_at({}, True, False) == 'an earlier run'  # a snapshot of 0.1.0 has no time
    assert already_restored_at({'restored_at': '2026-01-02T00:00:00Z'}, True, True) is None
    assert already_restored_at({'restored_at': '2026-01-02T00:00:00Z'}, False, False) is None
