# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a restore decides before it writes: which snapshot it puts back, and whether it only compares.

Plain Python with no Ansible import, so unit tests reach every rule; the hotwax_snapshot action (operation load)
applies them and the rollback role's restore tasks only read the answers.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

GIVEN = 'rollback_snapshot'
PUBLISHED = 'hotwax_oms_snapshots'  # the job artifact a rollback publishes; an AWX workflow passes it on as a variable
FILE = 'file'


def _given(value):
    return value is not None and value != '' and value != {}


def snapshot_source(given, published, environment):
    """``(source, value)``: what a restore of ``environment`` is given, first that is set of

    - ``given`` (rollback_snapshot: a snapshot, its JSON or a file's path), which a person chose for this run;
    - the snapshot the rollback job published for ``environment`` (``published``: the artifact hotwax_oms_snapshots);
    - else the file in the snapshot folder: ``(FILE, None)``.
    """
    if _given(given):
        return GIVEN, given
    entry = (published or {}).get(environment) if isinstance(published, dict) else None
    if _given(entry):
        return PUBLISHED, entry
    return FILE, None


def only_compares(check_mode, already_restored, force):
    """Whether the restore's steps only compare the OMS with the snapshot (run in check mode): in a check, and for a
    snapshot restored once, unless forced, since putting an old snapshot back again could undo changes made since."""
    return bool(check_mode or (already_restored and not force))


def already_restored_at(snapshot, already_restored, force):
    """For a snapshot restored once and not forced, when it was restored (for the verdict); None otherwise."""
    if not already_restored or force:
        return None
    return (snapshot or {}).get('restored_at') or 'an earlier run'
