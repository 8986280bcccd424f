# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A firing alert that asks for a rollback: which one environment it names, why, and whether it is too soon.

Used by the playbook hotwax.oms.rollback_on_alert, which the rulebook of the same name runs once per firing alert.
ansible-rulebook limits that playbook to the rulebook's hosts (group hotwax_oms), never to what the alert says, so
the environment is chosen here, against the inventory, and anything but exactly one host of hotwax_oms is refused.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import os
import re
import tempfile

from ansible_collections.hotwax.oms.plugins.plugin_utils.snapshot_store import normalise_oms_url, resolve_folder, utc_now

GROUP = 'hotwax_oms'
LABEL = 'hotwax_environment'
# The form of ansible-rulebook's own throttle windows ("30 minutes"), so the variable reads like one.
WINDOW = re.compile(r'^\s*(\d+)\s+(millisecond|second|minute|hour|day)s?\s*$')
SECONDS = {'millisecond': 0.001, 'second': 1, 'minute': 60, 'hour': 3600, 'day': 86400}
THROTTLE_FILE = '.rollback_on_alert.json'  # beside the snapshots; a dot file, so no snapshot listing sees it
TIME_FORMAT = '%Y-%m-%dT%H:%M:%SZ'


class AlertRefused(Exception):
    """An alert the rulebook must not act on: the message says what it named and why that is refused."""


def _label(alert):
    labels = alert.get('labels') if isinstance(alert, dict) else None
    return labels.get(LABEL) if isinstance(labels, dict) else None


def alert_environment(alert, groups):
    """The one host of group hotwax_oms that ``alert`` names in labels.hotwax_environment; else AlertRefused.

    ``groups`` is Ansible's ``groups``: every group name and its hosts. A group name (``all``, ``hotwax_oms``), a
    pattern, a host outside hotwax_oms or an unknown name is refused: an alert rolls back one environment.
    """
    name = _label(alert)
    what = 'alert %s' % describe(alert)
    if not isinstance(alert, dict) or alert.get('status') != 'firing':
        raise AlertRefused('%s is not firing: only a firing alert rolls back' % what)
    if not isinstance(name, str) or not name.strip():
        raise AlertRefused('%s has no label %s: name the one environment (a host of group %s) to roll back'
                           % (what, LABEL, GROUP))
    environments = list(groups.get(GROUP) or [])
    if name in groups:
        raise AlertRefused('%s names %s=%r, which is a group, not one environment: an alert rolls back exactly one host '
                           'of group %s (%s)' % (what, LABEL, name, GROUP, ', '.join(environments) or 'none in this inventory'))
    if name not in environments:
        raise AlertRefused('%s names %s=%r, which is not a host of group %s in this inventory (%s): nothing was rolled back'
                           % (what, LABEL, name, GROUP, ', '.join(environments) or 'none'))
    return name


def describe(alert):
    """The alert as its reason names it: alertname, startsAt, fingerprint (a missing one says so)."""
    alert = alert if isinstance(alert, dict) else {}
    labels = alert.get('labels') if isinstance(alert.get('labels'), dict) else {}
    return '%s (startsAt %s, fingerprint %s)' % (labels.get('alertname') or 'without alertname',
                                                 alert.get('startsAt') or 'unknown', alert.get('fingerprint') or 'unknown')


def alert_reason(alert):
    """The rollback_reason of a rollback started by ``alert``."""
    return 'Alertmanager alert %s firing, by the rulebook hotwax.oms.rollback_on_alert' % describe(alert)


def window_seconds(text, name='hotwax_eda_once_within'):
    """Seconds in a window written as ansible-rulebook writes throttles: ``30 minutes``, ``1 hour``, ``90 seconds``."""
    match = WINDOW.match(str(text))
    if not match:
        raise AlertRefused('%s must read like "30 minutes" (a whole number and milliseconds, seconds, minutes, hours '
                           'or days), got %r' % (name, text))
    return int(match.group(1)) * SECONDS[match.group(2)]


def _parse_time(text):
    try:
        return datetime.datetime.strptime(text, TIME_FORMAT).replace(tzinfo=datetime.timezone.utc)
    except (TypeError, ValueError):
        return None


class AlertThrottle:
    """When an alert last started a rollback of each OMS (by its normalised URL), in one file of the snapshot folder."""

    def __init__(self, folder):
        self.folder = resolve_folder(folder)
        self.path = os.path.join(self.folder, THROTTLE_FILE)

    def _read(self):
        try:
            with open(self.path) as handle:
                records = json.load(handle)
        except (OSError, ValueError):  # none yet, or unreadable: an unreadable record never blocks a rollback
            return {}
        return records if isinstance(records, dict) else {}

    def last(self, oms_url, window, now=None):
        """The record of a rollback of ``oms_url`` started by an alert less than ``window`` seconds ago, else None."""
        record = self._read().get(normalise_oms_url(oms_url))
        when = _parse_time(record.get('at')) if isinstance(record, dict) else None
        if when is None:
            return None
        now = now or datetime.datetime.now(datetime.timezone.utc)
        return record if now - when < datetime.timedelta(seconds=window) else None

    def record(self, oms_url, environment, reason, now=None):
        """Note that an alert starts a rollback of ``oms_url`` now (atomically; the folder is made 0700 if missing)."""
        if not os.path.isdir(self.folder):
            os.makedirs(self.folder, 0o700)
        records = self._read()
        entry = dict(at=now or utc_now(), environment=environment, reason=reason)
        records[normalise_oms_url(oms_url)] = entry
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix='.rollback_on_alert.')
        try:
            with os.fdopen(handle, 'w') as out:
                json.dump(records, out, indent=1, sort_keys=True)
            os.rename(temporary, self.path)
        except BaseException:
            os.unlink(temporary)
            raise
        return entry
