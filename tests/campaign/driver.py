"""Run one drawn scenario: seed the emulator with its world, run each action with the real playbooks, check."""

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from hypothesis import note
from hypothesis.errors import InvalidArgument

from ansible_collections.hotwax.oms.plugins.plugin_utils.snapshot_store import oms_file_name
from tests.campaign import invariants
from tests.campaign.processes import run_command
from tests.helpers import admin_token, user_password

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / 'build' / 'collections'
ENVIRONMENT = 'prod'
PLAYBOOKS = {'rollback': ('rollback', []), 'check': ('rollback', ['--check', '--diff']), 'restore': ('restore', [])}
# Small, so that a server slower than the timeout and a gone OMS cost seconds, not minutes.
CONNECTION = {'hotwax_oms_timeout': 2, 'hotwax_oms_retries': 2}
# The longest a request of a killed run may still be handled after the kill (the largest drawn latency).
IN_FLIGHT_SECONDS = 0.5


def _note(text):
    """A line of the example's story, printed with a failing example (or at once outside a Hypothesis test)."""
    try:
        note(text)
    except InvalidArgument:
        print(text)


class Campaign:
    """One emulator and one scratch folder for many scenarios, and the collection tree to test."""

    def __init__(self, emu, collections=COLLECTIONS):
        self.emu = emu
        self.collections = str(collections)
        self.scratch = tempfile.mkdtemp(prefix='hotwax-campaign-')

    def close(self):
        shutil.rmtree(self.scratch, ignore_errors=True)

    def play(self, scenario):
        """Run every action of ``scenario``; raise AssertionError at the first invariant that breaks."""
        workdir = tempfile.mkdtemp(dir=self.scratch)
        try:
            _Scenario(self, scenario, workdir).run()
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


class _Scenario:
    def __init__(self, campaign, scenario, workdir):
        self.campaign, self.scenario, self.workdir = campaign, scenario, workdir
        self.emu = campaign.emu
        self.folder = os.path.join(workdir, 'snapshots')
        self.count = 0

    def run(self):
        emu, scenario = self.emu, self.scenario
        emu.reset(seed=scenario.world.seed())
        emu.configure(**dict(scenario.world.switches + scenario.token_expiry))
        truth = invariants.Truth(emu, scenario.world, scenario.role_vars())
        inventory = self._inventory()
        for number, action in enumerate(scenario.actions):
            if action.command == 'rollback':
                if action.reopen:
                    reopened = truth.reopen(emu, *action.reopen)
                    _note('action %d: reopened by hand first: %s' % (number, ', '.join('%s %s' % key for key in reopened) or 'nothing closed'))
                truth.rollback_starts(emu, self._snapshot_open())
            killed = self._act(truth, inventory, number, action, action.kill_after, action.faults.specs())
            if action.kill_after is not None:
                # The operator runs the killed command again, once the weather has cleared.
                self._act(truth, inventory, number, action, None, [], rerun_of_kill=killed)

    def _snapshot_stem(self):
        """The snapshot file's name without .json: the store names it after the OMS, not the inventory host."""
        return oms_file_name(self.emu.url)

    def _snapshot_open(self):
        """Whether the environment's snapshot file is there and not restored (a rollback then keeps it)."""
        snapshot = invariants.read_snapshot(self.folder, self._snapshot_stem())
        return bool(snapshot) and not snapshot.get('restored')

    def _inventory(self):
        emu = self.emu
        host = dict(ansible_connection='local', rollback_snapshot_dir=self.folder, hotwax_oms_url=emu.url, **CONNECTION)
        if self.scenario.login:
            host.update(hotwax_oms_username='hotwax.admin', hotwax_oms_password=user_password(emu, 'hotwax.admin'))
        else:
            host['hotwax_oms_token'] = admin_token(emu)
        host.update(self.scenario.role_vars())
        path = os.path.join(self.workdir, 'hosts.yml')
        with open(path, 'w') as handle:
            json.dump({'hotwax_oms': {'hosts': {ENVIRONMENT: host}}}, handle)  # JSON is YAML
        return path

    def _act(self, truth, inventory, number, action, kill_after, faults, rerun_of_kill=False):
        """Run one command and check every invariant; return whether it was killed."""
        emu = self.emu
        self.count += 1
        name, extra = PLAYBOOKS[action.command]
        book = os.path.join(self.workdir, 'play%d.yml' % self.count)
        with open(book, 'w') as handle:
            handle.write('- import_playbook: hotwax.oms.%s\n' % name)
        results_path = os.path.join(self.workdir, 'results%d.json' % self.count)
        folder_before = invariants.folder_contents(self.folder)
        snapshot_before = invariants.read_snapshot(self.folder, self._snapshot_stem())
        only = self.scenario.partial_selection(action)
        tables_before = invariants.dump(emu) if only else None
        emu.clear_requests()
        emu.set_faults(faults)
        kill_when = None if kill_after is None else (lambda: len(emu.requests()) >= kill_after)
        if only:
            extra = extra + ['-e', json.dumps({'rollback_shop_ids': only[0], 'rollback_product_store_ids': only[1]})]
        command = [str(Path(sys.executable).parent / 'ansible-playbook'), '-i', inventory, '-l', ENVIRONMENT, book] + extra
        started = time.monotonic()
        run = run_command(command, self._env(results_path), self.workdir, os.path.join(self.workdir, 'out%d.txt' % self.count),
                          kill_when=kill_when)
        if run.killed:
            time.sleep(IN_FLIGHT_SECONDS)  # a request the dead run sent may still be handled: let it land first
        emu.set_faults([])
        writes = emu.writes()
        results_text = ''
        if os.path.exists(results_path):
            with open(results_path) as handle:
                results_text = handle.read()
        results = json.loads(results_text) if results_text else []
        _note('action %d %s%s%s: %s in %.1f s, %d requests, %d writes' % (
            number, action.command, ' of %s' % (only,) if only else '',
            ' (killed after %s requests)' % kill_after if kill_after is not None else '',
            'killed' if run.killed else 'exit %s' % run.returncode, time.monotonic() - started, len(emu.requests()), len(writes)))
        context = 'after action %d (%s%s)' % (number, action.command, ', killed' if run.killed else '')
        try:
            self._check(truth, action, run, results, results_text, writes, folder_before, only, tables_before, snapshot_before)
            if rerun_of_kill and action.command == 'restore' and invariants.verdict_of(results, invariants.RESTORE_VERDICT):
                # a restore killed anywhere completes when run again, without rollback_restore_force
                assert run.returncode == 0, 'a restore killed and run again did not complete'
        except AssertionError as error:
            tail = '\n'.join(run.output.splitlines()[-25:])
            raise AssertionError('%s: %s\n--- last lines of its output ---\n%s' % (context, error, tail)) from None
        return run.killed

    def _check(self, truth, action, run, results, results_text, writes, folder_before, only, tables_before, snapshot_before):
        emu = self.emu
        invariants.check_no_secret(emu, self.folder, run.output, results_text)
        invariants.check_only_selection_changed(truth, emu)
        invariants.check_snapshots(truth, self.folder, self._snapshot_stem())
        snapshot = invariants.read_snapshot(self.folder, self._snapshot_stem())
        if only:
            invariants.check_partial_restore(truth, emu, tables_before, only, run, snapshot)
        if action.command == 'restore' and snapshot_before and not snapshot_before.get('restored') and \
                snapshot and snapshot.get('restored') and snapshot['taken_at'] == snapshot_before['taken_at']:
            invariants.check_restored_means_back(truth, emu)
        if action.command == 'check':
            assert writes == [], 'check mode wrote: %s' % ['%s %s' % (entry['method'], entry['path']) for entry in writes]
            assert invariants.folder_contents(self.folder) == folder_before, 'check mode changed the snapshot folder'
            if not run.killed:
                assert run.returncode in (0, 2), 'check mode ended with %s' % run.returncode
        elif not run.killed:
            invariants.check_run_outcome(truth, emu, action.command, run, results, writes, only)

    def _env(self, results_path):
        env = dict(os.environ)
        for key in [key for key in env if key.startswith(('ANSIBLE_', 'HOTWAX_'))]:
            del env[key]  # the shell's settings, perhaps another environment's credentials, must not leak in
        env.update({
            'ANSIBLE_COLLECTIONS_PATH': self.campaign.collections,
            'ANSIBLE_CALLBACK_PLUGINS': str(REPO / 'tests' / 'callback_plugins'),
            'ANSIBLE_CALLBACKS_ENABLED': 'record_results',
            'HOTWAX_TEST_RESULTS': results_path,
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_RETRY_FILES_ENABLED': '0',
            'ANSIBLE_LOCALHOST_WARNING': '0',
            'ANSIBLE_INVENTORY_UNPARSED_WARNING': '0',
            'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
            'ANSIBLE_LOCAL_TEMP': os.path.join(self.workdir, 'ansible-tmp'),
            'ANSIBLE_REMOTE_TMP': os.path.join(self.workdir, 'ansible-tmp'),
        })
        return env
