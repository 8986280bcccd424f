# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of hotwax.oms.hotwax_readiness: the rules live in plugin_utils/readiness.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase

from ansible_collections.hotwax.oms.plugins.module_utils.controller_argument_specs import READINESS
from ansible_collections.hotwax.oms.plugins.plugin_utils.readiness import judge, write_report
from ansible_collections.hotwax.oms.plugins.plugin_utils.snapshot_store import SnapshotError, awx_job_of


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        dummy, args = self.validate_argument_spec(argument_spec=READINESS)
        task_vars = task_vars or {}
        check_mode = bool(self._task.check_mode)
        # AWX and AAP set one of these in every job they run.
        awx_job = awx_job_of(task_vars)
        report = judge(args['environment'], args['api'], args['snapshot_status'], args['variable_problems'],
                       awx_job=awx_job, check_mode=check_mode)
        result.update(changed=False, ready=report['ready'], line=report['line'], msg=report['line'], report=report,
                      report_path=None)
        if args['report_dir']:
            if check_mode:
                report['notes'].append('check mode: the report file was not written')
            else:
                try:
                    result['report_path'] = write_report(args['report_dir'], args['environment'], report)
                except SnapshotError as exc:
                    result.update(failed=True, msg=str(exc))
        return result
