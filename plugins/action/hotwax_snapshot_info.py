# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of hotwax.oms.hotwax_snapshot_info: the listing lives in plugin_utils/snapshot_store.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase

from ansible_collections.hotwax.oms.plugins.module_utils.controller_argument_specs import SNAPSHOT_INFO
from ansible_collections.hotwax.oms.plugins.plugin_utils.snapshot_store import (
    SnapshotError, SnapshotStore, history, history_header)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        dummy, args = self.validate_argument_spec(argument_spec=SNAPSHOT_INFO)
        try:
            store = SnapshotStore(args['folder'], args['environment'], args['oms_url'])
            rows = history(store)
        except SnapshotError as exc:
            return dict(result, failed=True, changed=False, msg=str(exc))
        except (IOError, OSError) as exc:
            return dict(result, failed=True, changed=False, msg='snapshot folder %s: %s' % (args['folder'], exc))
        if rows:
            lines = [history_header()] + [row['line'] for row in rows]
        else:
            lines = ['No snapshot of %s (%s) in %s' % (store.environment, store.oms_url, store.folder)]
        return dict(result, changed=False, folder=store.folder, oms_url=store.oms_url, snapshots=rows, lines=lines)
