# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the OMS's values mean: access scopes and a job's ``paused``.

Kept apart from the HTTP client, so that the controller-side snapshot store and verdict read values by the
modules' own rules without loading the client's libraries.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

SCOPE_IDS = ['SHOP_NO_ACCESS', 'SHOP_READ_ACCESS', 'SHOP_RW_ACCESS', 'SHOP_READ_WRITE_ACCESS']
EMPTY_SCOPE_MEANS = 'SHOP_READ_ACCESS'  # what the server reads a missing scope as
ROLLED_BACK_SCOPE = 'SHOP_NO_ACCESS'  # what a rollback leaves

PAUSED = 'Y'  # what a pause writes
ACTIVE = 'N'  # what a resume writes, and what a job without a value is restored to (never an empty value)


def job_paused(raw):
    """A job runs when ``paused`` is null or N; any other value pauses it (the scheduler skips it)."""
    return raw not in (None, '', ACTIVE)
