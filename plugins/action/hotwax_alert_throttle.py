# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of hotwax.oms.hotwax_alert_throttle: the rules live in plugin_utils/alert.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase

from ansible_collections.hotwax.oms.plugins.module_utils.controller_argument_specs import ALERT_THROTTLE
from ansible_collections.hotwax.oms.plugins.plugin_utils.alert import AlertRefused, AlertThrottle, window_seconds
from ansible_collections.hotwax.oms.plugins.plugin_utils.snapshot_store import SnapshotError


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        dummy, args = self.validate_argument_spec(argument_spec=ALERT_THROTTLE)
        try:
            window = window_seconds(args['once_within'])
            throttle = AlertThrottle(args['folder'])
            last = throttle.last(args['oms_url'], window)
            if last:
                # A warning, so the rulebook's log says why this alert did nothing.
                said = ('Throttled by hotwax.oms.rollback_on_alert: %s was rolled back on an alert at %s (%s), less than %s '
                        'ago; this alert does nothing' % (args['environment'], last.get('at'), last.get('reason'),
                                                          args['once_within']))
                return dict(result, changed=False, throttled=True, last=last, msg=said, warnings=[said])
            if self._task.check_mode:
                return dict(result, changed=True, throttled=False, last=None)
            entry = throttle.record(args['oms_url'], args['environment'], args['reason'])
        except (AlertRefused, SnapshotError) as exc:
            return dict(result, failed=True, changed=False, msg=str(exc))
        except (IOError, OSError) as exc:
            return dict(result, failed=True, changed=False, msg='snapshot folder %s: %s' % (args['folder'], exc))
        return dict(result, changed=True, throttled=False, last=None, recorded=entry)
