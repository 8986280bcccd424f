"""Fixtures shared by every test: the OMS emulator over real HTTP, and a way to run playbooks against it."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
COLLECTIONS = REPO / 'build' / 'collections'
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(COLLECTIONS))

from tests.emulator.oms_emulator import OmsEmulator  # noqa: E402


def _link_collection():
    """Ansible finds the collection only under ansible_collections/hotwax/oms; `make setup` links it, so do tests."""
    link = COLLECTIONS / 'ansible_collections' / 'hotwax' / 'oms'
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(REPO)


_link_collection()


@pytest.fixture(scope='session')
def emulator_server():
    server = OmsEmulator(seed='demo')
    server.start()
    yield server
    server.stop()


@pytest.fixture
def demo_oms(emulator_server):
    """The runbook's world: store STORE, shop SHOP with one config row and one remote."""
    emulator_server.reset('demo')
    return emulator_server


@pytest.fixture
def fleet_oms(emulator_server):
    """Several stores, more than 100 shops, every remote-matching rule, mixed and legacy values."""
    emulator_server.reset('fleet')
    return emulator_server


def admin_token(oms):
    """The long-lived admin JWT the seed holds (as issued in the OMS admin)."""
    return oms.seed['tokens'][0]['token']


class PlaybookRun:
    """The outcome of one ansible-playbook run: return code, output, and every task result."""

    def __init__(self, returncode, output, results):
        self.returncode = returncode
        self.output = output
        self.results = results

    def _last(self, task_name):
        """The last result of a task, by its name (a role's tasks are named 'role : task')."""
        matches = [entry for entry in self.results if entry['task'].split(' : ')[-1] == task_name]
        assert matches, 'no result for task %r in %s' % (task_name, [entry['task'] for entry in self.results])
        return matches[-1]

    def result(self, task_name):
        return self._last(task_name)['result']

    def status(self, task_name):
        return self._last(task_name)['status']


@pytest.fixture
def run_playbook(tmp_path):
    """Run a playbook (YAML text) on localhost with ansible-playbook; return a PlaybookRun."""
    counter = {'n': 0}

    def run(playbook, *args, env=None, inventory=None):
        counter['n'] += 1
        book = tmp_path / ('play%d.yml' % counter['n'])
        book.write_text(textwrap.dedent(playbook))
        results_file = tmp_path / ('results%d.json' % counter['n'])
        run_env = dict(os.environ)
        run_env.update({
            'ANSIBLE_COLLECTIONS_PATH': str(COLLECTIONS),
            'ANSIBLE_CALLBACK_PLUGINS': str(REPO / 'tests' / 'callback_plugins'),
            'ANSIBLE_CALLBACKS_ENABLED': 'record_results',
            'HOTWAX_TEST_RESULTS': str(results_file),
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_RETRY_FILES_ENABLED': '0',
            'ANSIBLE_LOCALHOST_WARNING': '0',
            'ANSIBLE_INVENTORY_UNPARSED_WARNING': '0',
            'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
        })
        run_env.update(env or {})
        command = [str(Path(sys.executable).parent / 'ansible-playbook'), '-i', inventory or 'localhost,',
                   '-c', 'local', str(book)] + list(args)
        proc = subprocess.run(command, env=run_env, cwd=str(tmp_path), capture_output=True, text=True, timeout=600, check=False)
        results = json.loads(results_file.read_text()) if results_file.exists() else []
        return PlaybookRun(proc.returncode, proc.stdout + proc.stderr, results)

    return run
