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
from tests.helpers import admin_token, token_vars  # noqa: E402


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


@pytest.fixture(scope='session')
def tls_oms(tmp_path_factory):
    """A demo OMS served over HTTPS with a self-signed certificate made here; yields (server, certificate path)."""
    folder = tmp_path_factory.mktemp('tls')
    cert, key = folder / 'cert.pem', folder / 'key.pem'
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
                    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', str(key), '-out', str(cert)],
                   check=True, capture_output=True)
    server = OmsEmulator(seed='demo', certfile=str(cert), keyfile=str(key))
    server.start()
    yield server, str(cert)
    server.stop()


@pytest.fixture
def hosts(tmp_path):
    """Write an inventory of environments, ``name=host vars``, in group hotwax_oms; return its path."""
    def write(**environments):
        body = dict((name, dict({'ansible_connection': 'local', 'rollback_snapshot_dir': str(tmp_path / 'snapshots')},
                                **host_vars))
                    for name, host_vars in environments.items())
        path = tmp_path / 'hosts.yml'
        path.write_text(json.dumps({'hotwax_oms': {'hosts': body}}, indent=2))  # JSON is YAML
        return str(path)
    return write


@pytest.fixture
def inventory(hosts):
    """Write an inventory of environments, ``name=emulator``, each with the admin token; return its path."""
    def write(**environments):
        return hosts(**dict((name, token_vars(oms)) for name, oms in environments.items()))
    return write


@pytest.fixture
def run_playbook(tmp_path, emulator_server):
    """Run a playbook (YAML text) with ansible-playbook; return a PlaybookRun.

    HOTWAX_TEST_TOKEN carries the admin token for helpers.play(); the modules themselves do not read it.
    """
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
            'HOTWAX_TEST_TOKEN': admin_token(emulator_server),
        })
        run_env.update(env or {})
        command = [str(Path(sys.executable).parent / 'ansible-playbook'), '-i', inventory or 'localhost,',
                   '-c', 'local', str(book)] + list(args)
        proc = subprocess.run(command, env=run_env, cwd=str(tmp_path), capture_output=True, text=True, timeout=600, check=False)
        results = json.loads(results_file.read_text()) if results_file.exists() else []
        return PlaybookRun(proc.returncode, proc.stdout + proc.stderr, results)

    return run
