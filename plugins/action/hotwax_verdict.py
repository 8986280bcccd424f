# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of hotwax.oms.hotwax_verdict: the rules live in plugin_utils/verdict.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase

from ansible_collections.hotwax.oms.plugins.module_utils.controller_argument_specs import VERDICT
from ansible_collections.hotwax.oms.plugins.plugin_utils.restore_rules import PUBLISHED
from ansible_collections.hotwax.oms.plugins.plugin_utils.snapshot_store import awx_job_of
from ansible_collections.hotwax.oms.plugins.plugin_utils.verdict import (
    CACHE_CAVEAT, KINDS, abbreviated_list, after_restore, from_snapshot_result, judge, moving, read_errors, retries_line,
    safety, selection_from, webhook_deadline)


def _result(value):
    """A registered result, or None for a step that was skipped or never ran."""
    if not isinstance(value, dict) or value.get('skipped'):
        return None
    return value


class UndefinedName(Exception):
    pass


def _registered(option, value, task_vars):
    """A registered result, given as it is or by the name of the variable it was registered in (no copy made)."""
    if isinstance(value, str):
        if value not in (task_vars or {}):
            raise UndefinedName('%s names %s, which is not a defined variable' % (option, value))
        value = task_vars[value]
    return _result(value)


def _registered_each(option, names, task_vars):
    return dict((name, _registered('%s.%s' % (option, name), value, task_vars)) for name, value in (names or {}).items())


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        dummy, args = self.validate_argument_spec(argument_spec=VERDICT)
        check_mode = bool(self._task.check_mode)
        try:
            steps = _registered_each('steps', args['steps'], task_vars)
            reads = _registered_each('reads', args['reads'], task_vars)
            snapshot = _registered('snapshot', args['snapshot'], task_vars) if args['snapshot'] else None
        except UndefinedName as exc:
            return dict(result, failed=True, msg=str(exc))
        # What the snapshot task said (where the snapshot is, what it read, what it puts back), unless the task gives it.
        said = from_snapshot_result(snapshot)
        taken_reads = said.pop('reads')
        if not reads:
            reads = dict((name, _result(read)) for name, read in taken_reads.items())
        notes = said.pop('notes') + args['notes']
        step_errors = read_errors(reads) + said.pop('step_errors') + args['step_errors']
        for name, value in said.items():
            if args.get(name) is None:
                args[name] = value
        selection = args['selection'] if args['selection'] is not None else selection_from(reads, steps)
        already_restored = args['already_restored_at']
        # A snapshot restored once is only checked against the OMS (the steps ran in check mode): when the OMS still
        # holds its values there is nothing to do; when it does not, putting it back again could undo later changes.
        report = judge(args['mode'], args['environment'], selection, steps, step_errors,
                       check_mode=check_mode or bool(already_restored))
        lines = ['%s%s' % (args['environment'], ' (check mode: nothing was changed)' if check_mode else '')] + report['msg']
        if already_restored:
            differ = [kind.label(row) for kind in KINDS for row in kind.rows(steps.get(kind.name))
                      if row.get('before') != row.get('after')]  # what the check-mode steps would change
            if differ:
                report['ok'] = False
                report['problems'].insert(0, 'the snapshot was already restored at %s, and %d records differ from it now: %s. '
                                             'Set rollback_restore_force=true to put them back again, or run a rollback to '
                                             'take a fresh snapshot' % (already_restored, len(differ), abbreviated_list(differ)))
            else:
                lines = [args['environment'], 'The OMS already holds every value of the snapshot (restored at %s): '
                                              'nothing to do' % already_restored]
        elif args['mode'] == 'restore' and not check_mode and report['ok'] and not any(
                (step or {}).get('changed') for step in steps.values()):
            lines.append('The OMS already holds every value this restore puts back: nothing was written')
        if args['mode'] == 'rollback':
            lines.extend(self._safety_lines(args, steps, report))
        elif not check_mode and not already_restored:
            lines.extend(after_restore(steps.get('jobs'), args['snapshot_taken_at']))
        on_awx = awx_job_of(task_vars) is not None
        lines.extend(self._snapshot_lines(args, check_mode, on_awx or args.get('source') == PUBLISHED))
        retried = retries_line(list(steps.values()) + list(reads.values()) + [snapshot])
        if retried:
            lines.append(retried)
        lines.extend(notes)
        result.update(report, summary=lines, changed=False)
        if not report['ok']:
            heading = 'Rollback not complete' if args['mode'] == 'rollback' else 'Restore not complete'
            refused = any('permission refused' in problem for problem in report['problems'])  # a 403 (the client's words)
            if args['mode'] != 'rollback':
                what_now = 'Run the restore again once the cause is fixed: the snapshot stays open.'
            elif report['problems'] == report.get('unsafe'):  # every selected record is closed, yet Shopify still gets in
                heading = 'Rollback done but not safe'
                what_now = ('Every selected record is closed and the snapshot is kept: mend what is named, then run the '
                            'rollback again (a second rollback adds to the snapshot).')
            elif refused:
                what_now = ('Run the rollback again once the OMS user may make these calls: the snapshot is kept, and a '
                            'second rollback adds to it.')
            else:
                what_now = 'Run the rollback again once the OMS answers: the snapshot is kept, and a second rollback adds to it.'
            # Said by the task that fails the play, once; this result keeps every list for whoever registered it.
            result['failure'] = '%s on %s: %s %s' % (
                heading, args['environment'], '; '.join(problem.rstrip('.') for problem in report['problems']) + '.', what_now)
        # What the role's last task shows, and fails with unless ok: the summary, the failure (if any) its last line.
        result['report'] = lines + ([result['failure']] if 'failure' in result else [])
        return result

    @staticmethod
    def _safety_lines(args, steps, report):
        """What still lets Shopify in (a failure), and what the switches do not stop (a report); ``report`` gains
        the failures and the report's parts."""
        lines, problems = safety(steps.get('records'), args['close_matching_remotes'])
        in_flight = (steps.get('stores') or {}).get('in_flight')
        lines += moving(in_flight, steps.get('jobs'), args['pause_jobs'], args['every_shop'])
        lines.append(webhook_deadline(args['snapshot_taken_at']))
        lines.append(CACHE_CAVEAT)
        report['unsafe'] = problems
        report['problems'] = problems + report['problems']  # a rollback that is not safe says so first
        report['ok'] = report['ok'] and not problems
        report['in_flight'] = in_flight
        report['matching_remotes'] = (steps.get('records') or {}).get('matching_remotes') or []
        return lines

    @staticmethod
    def _snapshot_lines(args, check_mode, by_artifact):
        path = args['snapshot_path']
        # On AWX/AAP the job's container and its files are gone when the job ends: the artifact is what lasts.
        artifact = 'the job artifact hotwax_oms_snapshots.%s' % args['environment']
        if args['mode'] == 'restore':
            source = (artifact if by_artifact else path) or 'given as rollback_snapshot'
            return ['From the snapshot %s taken at %s' % (source, args['snapshot_taken_at'])]
        if check_mode:
            return ['The snapshot would be saved at %s' % (artifact if by_artifact else path)]
        kept = ' (kept from the rollback at %s)' % args['kept_from'] if args['kept_from'] else ''
        if by_artifact:
            return ['Snapshot of the state before: %s%s' % (artifact, kept),
                    'To put it all back: launch the restore job template with rollback_snapshot set to %s' % artifact]
        return ['Snapshot of the state before: %s%s' % (path, kept),
                'To put it all back: ansible-playbook hotwax.oms.restore -i <inventory> -l %s' % args['environment']]
