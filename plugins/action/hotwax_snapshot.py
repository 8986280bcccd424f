# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of hotwax.oms.hotwax_snapshot: the rules live in plugin_utils (snapshot_store.py for the store,
restore_rules.py for which snapshot a restore takes and whether it only compares, role_variables.py for the role's
defaults and what it refuses)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase

from ansible_collections.hotwax.oms.plugins.module_utils.controller_argument_specs import SNAPSHOT
from ansible_collections.hotwax.oms.plugins.module_utils.oms_tasks import STATE_BEFORE_ROLLBACK_SPEC, read_state_before_rollback
from ansible_collections.hotwax.oms.plugins.plugin_utils.oms_action import run_in_worker, validated, with_host_connection
from ansible_collections.hotwax.oms.plugins.plugin_utils.restore_rules import already_restored_at, only_compares, snapshot_source
from ansible_collections.hotwax.oms.plugins.plugin_utils.role_variables import (
    INPUT_PREFIXES, SNAPSHOT_FILE_FACT, has_credentials, input_problems, role_defaults, with_role_defaults)
from ansible_collections.hotwax.oms.plugins.plugin_utils.snapshot_store import (
    SnapshotError, SnapshotStore, awx_job_of, describe_run, keep_count, load_for_restore, mark_put_back, normalise_oms_url, operator,
    probe_folder, prune, restore_plan, run_entry, save_for_rollback, snapshot_of, still_closed_line, unfamiliar_scopes)

ARTIFACT = 'hotwax_oms_snapshots'
ALL = 'all'
MUST_READ = ('records', 'stores')  # without these the rollback has no way back: nothing is saved and nothing is closed
BEGINS = ('begin', 'take')  # the operations that check the role's inputs and the folder, and take the lock, first


def selected(ids):
    """A role selection variable as the store takes it: None for [all] (or unset)."""
    return None if not ids or ALL in ids else list(ids)


def artifact(store, snapshot):
    """The job artifact AWX/AAP keeps with the job, for a later restore job: what set_stats would publish."""
    return dict(data={ARTIFACT: {store.environment: snapshot}}, per_host=False, aggregate=True)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        self._task_vars = task_vars or {}  # take reads the OMS with the connection of the task's host
        dummy, args = self.validate_argument_spec(argument_spec=SNAPSHOT)
        check_mode = bool(self._task.check_mode)
        if args['role_inputs'] is not None:
            # Before the folder is touched: what the role was given must be fit to act on. A variable not given is the
            # role's default, so that the readiness check (which gives only what is set) judges what a rollback would.
            defined = [name for name in task_vars or {} if name.startswith(INPUT_PREFIXES)]
            role_inputs = with_role_defaults(args['role_inputs'])
            problems = input_problems(defined, args['environment'], role_inputs, purpose=args['purpose'])
            if args['operation'] in BEGINS and problems:
                return dict(result, failed=True, changed=False, msg='. '.join(problems))
            result['role_problems'] = problems  # the readiness check reports them with everything else
            if args['operation'] == 'status':  # what the readiness check probes the OMS for, and whether it can
                result.update(role_inputs=role_inputs, has_credentials=has_credentials(defined))
        if args['folder'] is None:
            args['folder'] = role_defaults()['rollback_snapshot_dir']
        try:
            # Relative folders are taken from where ansible-playbook was started, never from the role's folder.
            store = SnapshotStore(args['folder'], args['environment'], args['oms_url'])
            args['operator'] = operator(awx_job_of(task_vars))
            result.update(getattr(self, '_' + args['operation'])(store, args, check_mode))
        except SnapshotError as exc:
            if args['operation'] == 'end':  # releasing a lock never fails a run: the error that matters was said before
                return dict(result, changed=False, released=False)
            result.update(failed=True, msg=str(exc))
        except (IOError, OSError) as exc:
            result.update(failed=True, msg='snapshot folder %s: %s' % (args['folder'], exc))
        result.setdefault('changed', False)
        return result

    @staticmethod
    def _begin(store, args, check_mode):
        """Check the folder and take the lock, before anything reads or writes the OMS (begin, and take first)."""
        keep_count(args['keep'])  # a bad rollback_snapshot_keep is refused before anything is touched
        warnings = store.check_folder(create=not check_mode, purpose=args['purpose'])
        if not check_mode:  # a check writes nothing, so it needs no lock and leaves none behind
            warning = store.lock(args['purpose'])
            if warning:
                warnings.append(warning)
        return dict(folder=store.folder, path=store.path, oms_url=store.oms_url, warnings=warnings)

    @staticmethod
    def _save(store, args, check_mode):
        fresh = snapshot_of(store.environment, store.oms_url, args['targets'], args['shops'], args['product_stores'],
                            args['service_jobs'], who=args['operator'], reason=args['reason'])
        saved = save_for_rollback(store, fresh, args['jobs_selected'], check_mode)
        saved['notes'].insert(0, 'This %s' % describe_run(fresh['runs'][0]))
        if check_mode:
            saved['msg'] = 'check mode: the snapshot would be saved at %s' % store.path
        else:
            saved['ansible_stats'] = artifact(store, saved['snapshot'])
        saved['removed'] = prune(store, args['keep'], check_mode)  # a rollback moved a restored one aside: keep N
        return dict(saved, changed=saved.pop('written'), warnings=saved.pop('warnings'))

    def _take(self, store, args, check_mode):
        """Begin (the folder checked, the lock taken), then read the state the rollback is about (not in check mode,
        which saves nothing) and save it, as save does; note where it is in the rollback role's fact (SET_BY_THE_ROLE)."""
        params = None if check_mode else self._read_params(store, args)  # a connection it cannot use: before the lock
        began = self._begin(store, args, check_mode)['warnings']
        if check_mode:
            saved = self._save(store, args, check_mode)
            return self._taken(saved, reads={}, jobs_selected=False, warnings=began + saved['warnings'])
        state = run_in_worker(read_state_before_rollback, STATE_BEFORE_ROLLBACK_SPEC, params, self._task, self._task_vars)
        if state.get('failed'):  # no client could be made (the connection's values): the reason, as an OMS task says it
            return dict(state, warnings=began + state.get('warnings', []))
        reads = dict((name, state[name]) for name in ('records', 'stores', 'jobs') if name in state)
        failures = [reads[name] for name in MUST_READ if reads[name].get('failed')]
        if failures:  # every reason once: a refused login fails every part alike
            return dict(failed=True, msg='. '.join(dict.fromkeys(part['msg'] for part in failures)), reads=reads,
                        login_failed=any(part.get('login_failed') for part in failures), retries=state.get('retries'),
                        warnings=began)
        jobs = reads.get('jobs')
        jobs_selected = jobs is not None and not jobs.get('failed')  # a job read that failed is said by the verdict
        args.update(shops=reads['records']['shops'], product_stores=reads['stores']['product_stores'],
                    service_jobs=jobs['service_jobs'] if jobs_selected else [], jobs_selected=jobs_selected)
        saved = self._save(store, args, check_mode)
        return self._taken(saved, reads=reads, jobs_selected=jobs_selected, retries=state.get('retries'),
                           warnings=began + state.get('warnings', []) + saved['warnings'])

    @staticmethod
    def _taken(saved, **more):
        """A take's result: the save's without the snapshot itself, which the artifact carries (a large result costs
        every later task of the run); when it was taken instead, and the role's fact."""
        snapshot = saved.pop('snapshot')
        return dict(saved, taken_at=snapshot['taken_at'], ansible_facts={SNAPSHOT_FILE_FACT: saved['path']}, **more)

    def _read_params(self, store, args):
        """The options of read_state_before_rollback: the connection of the task's host (its hotwax_oms_* variables,
        as every OMS task of the host takes it), which must be the OMS this store keeps, and the selection."""
        connection = with_host_connection({}, self._task_vars, self._templar.template)
        if connection.get('oms_url') is None:
            raise SnapshotError('operation take reads the OMS with the connection of the task\'s host, its hotwax_oms_* '
                                'variables: %s has no hotwax_oms_url' % store.environment)
        if normalise_oms_url(connection['oms_url']) != store.oms_url:
            raise SnapshotError('operation take reads the OMS of %s, %s, but oms_url names another, %s: give the host\'s '
                                'hotwax_oms_url' % (store.environment, normalise_oms_url(connection['oms_url']), store.oms_url))
        connection.update(shop_ids=args['shop_ids'] or [ALL], targets=args['targets'], pause_jobs=args['pause_jobs'],
                          close_matching_remotes=args['close_matching_remotes'], product_store_ids=args['product_store_ids'] or [ALL])
        params, error = validated(STATE_BEFORE_ROLLBACK_SPEC, connection, 'hotwax.oms.hotwax_snapshot')
        if error:
            raise SnapshotError('the connection of %s (its hotwax_oms_* variables): %s' % (store.environment, error))
        return params

    @staticmethod
    def _load(store, args, check_mode):
        source, given = snapshot_source(args['snapshot'], args['published_snapshots'], store.environment)
        loaded = load_for_restore(store, given, args['force'])
        snapshot = loaded['snapshot']
        plan = restore_plan(snapshot, selected(args['shop_ids']), selected(args['product_store_ids']),
                            [job.get('job_name') for job in args['tied_jobs'] or []])
        notes = ['This %s' % describe_run(run_entry('restore', args['operator'], args['reason']))]
        notes.extend('Earlier: %s' % describe_run(run) for run in snapshot.get('runs') or [])
        unfamiliar = unfamiliar_scopes(plan['put_back'])
        if unfamiliar:
            notes.append('%d records get back a scope this collection does not know, written exactly as recorded: %s'
                         % (len(unfamiliar), ', '.join(unfamiliar)))
        if plan['partial']:
            notes.append(still_closed_line(plan['still_closed']))
        return dict(loaded, put_back=plan['put_back'], partial=plan['partial'], still_closed=plan['still_closed'], notes=notes,
                    source=source, check_only=only_compares(check_mode, loaded['already_restored'], args['force']),
                    already_restored_at=already_restored_at(snapshot, loaded['already_restored'], args['force']))

    @staticmethod
    def _mark_restored(store, args, check_mode):
        if check_mode:
            return dict(msg='check mode: the snapshot would be marked restored')
        put_back = args['put_back'] or {}
        marked, snapshot = mark_put_back(store, args['taken_at'], put_back,
                                         run_entry('restore', args['operator'], args['reason']), args['path'])
        result = dict(changed=bool(marked), path=marked)
        if snapshot is not None:
            result.update(restored=bool(snapshot.get('restored')), ansible_stats=artifact(store, snapshot))
            if snapshot.get('restored'):
                result['removed'] = prune(store, args['keep'])
        return result

    @staticmethod
    def _end(store, args, check_mode):
        return dict(released=store.unlock())

    @staticmethod
    def _status(store, args, check_mode):
        """Where the environment stands, for the readiness check: the current file, kept files, the lock."""
        state, snapshot, problem = store.read_current()
        status = dict(folder=store.folder, path=store.path, state=state, problem=problem,
                      taken_at=(snapshot or {}).get('taken_at'), restored_at=(snapshot or {}).get('restored_at'),
                      already_rolled_back=bool((snapshot or {}).get('already_rolled_back')),
                      snapshot_oms_url=(snapshot or {}).get('oms_url'),
                      kept=[path for path, dummy in store.kept_aside()], writable=None, locked_by=store.lock_holder() or None)
        if args['probe'] and not check_mode:
            try:
                probe_folder(store)
                status['writable'] = True
            except SnapshotError as exc:
                status.update(writable=False, write_problem=str(exc))
        return status
