"""Acting on an alert: ansible-rulebook runs the rulebook hotwax.oms.rollback_on_alert as installed from the built
tarball, with an inventory of two emulated OMSes, and Alertmanager payloads are POSTed to its webhook.

ansible-rulebook and drools_jpy come from tests/eda-requirements.txt, in build/venv-eda (scripts/eda-venv.sh); the
playbook it starts runs on the suite's ansible-core. It needs a JDK 17: without one the tests are skipped, saying what
is missing, except under CI=true, where anything missing fails them.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.emulator.oms_emulator import OmsEmulator
from tests.helpers import assert_no_secret, snapshot_path, token_vars

REPO = Path(__file__).resolve().parent.parent
SUITE_BIN = Path(sys.executable).parent  # the .venv: ansible-galaxy and ansible-playbook
TOKEN = 'eda-test-token-7f3a'
CLOSED = 'SHOP_NO_ACCESS'
WAIT = 90  # seconds: the longest any one awaited thing may take on a busy 2-core machine


def missing_jdk():
    """What is missing for ansible-rulebook's Drools engine, or None."""
    java = shutil.which('java')
    if not java:
        return 'a JDK 17 (no java on PATH; on Debian: apt-get install openjdk-17-jdk-headless)'
    said = subprocess.run([java, '-version'], capture_output=True, text=True, check=False).stderr
    match = re.search(r'version "(\d+)', said)
    if not match or int(match.group(1)) < 17:
        return 'a JDK 17 (java -version says: %s)' % (said.splitlines() or ['nothing'])[0]
    return None


@pytest.fixture(scope='module')
def eda_venv():
    """build/venv-eda with ansible-rulebook, made by scripts/eda-venv.sh; skip (fail under CI=true) when impossible."""
    problem = missing_jdk()
    venv = None
    if not problem:
        made = subprocess.run(['bash', str(REPO / 'scripts' / 'eda-venv.sh')], capture_output=True, text=True, check=False)
        venv = Path(made.stdout.strip() or '/nonexistent')
        if made.returncode != 0 or not (venv / 'bin' / 'ansible-rulebook').exists():
            problem = 'ansible-rulebook and drools_jpy (scripts/eda-venv.sh failed: %s)' % made.stderr.strip()[-500:]
    if problem:
        if os.environ.get('CI') == 'true':
            pytest.fail('ansible-rulebook cannot run here: missing %s' % problem)
        pytest.skip('ansible-rulebook needs %s' % problem)
    return venv


@pytest.fixture(scope='module')
def installed_collection(tmp_path_factory):
    """A collections path holding hotwax.oms as `ansible-galaxy collection install` puts the built tarball."""
    folder = tmp_path_factory.mktemp('installed')
    galaxy = str(SUITE_BIN / 'ansible-galaxy')
    built = subprocess.run([galaxy, 'collection', 'build', '--output-path', str(folder), str(REPO)],
                           capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    tarball = [str(path) for path in folder.glob('hotwax-oms-*.tar.gz')]
    # Only the new path is searched: the suite's own (a link to this work tree) would count as installed already.
    installed = subprocess.run([galaxy, 'collection', 'install', '-p', str(folder / 'collections')] + tarball,
                               capture_output=True, text=True, check=False,
                               env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(folder / 'collections')))
    assert installed.returncode == 0, installed.stdout + installed.stderr
    installed = folder / 'collections' / 'ansible_collections' / 'hotwax' / 'oms'
    assert (installed / 'extensions' / 'eda' / 'rulebooks' / 'rollback_on_alert.yml').is_file()
    assert not (installed / 'extensions' / 'molecule').exists()
    return folder / 'collections'


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def wait_for(what, predicate, process=None, log=None):
    """Poll ``predicate`` until it holds, for at most WAIT seconds; fail naming ``what`` (and the log's tail)."""
    deadline = time.monotonic() + WAIT
    while not predicate():
        if process is not None and process.poll() is not None:
            pytest.fail('ansible-rulebook ended (rc %s) before %s:\n%s' % (process.returncode, what, tail(log)))
        if time.monotonic() > deadline:
            pytest.fail('no %s within %d s:\n%s' % (what, WAIT, tail(log)))
        time.sleep(0.2)


def tail(log, size=6000):
    return log.read_text()[-size:] if log and log.exists() else ''


class Rulebook:
    """One ansible-rulebook process running hotwax.oms.rollback_on_alert; its output goes to a log file."""

    def __init__(self, venv, collections, folder, inventory, variables):
        self.folder = folder
        self.log = folder / 'rulebook.log'
        (folder / 'eda.yml').write_text(json.dumps(variables))
        env = dict(os.environ, PATH='%s:%s:%s' % (venv / 'bin', SUITE_BIN, os.environ.get('PATH', '')),
                   ANSIBLE_COLLECTIONS_PATH=str(collections), ANSIBLE_NOCOLOR='1', HOME=str(folder))
        env.pop('ANSIBLE_COLLECTIONS_PATHS', None)
        with open(self.log, 'w') as out:
            self.process = subprocess.Popen(  # pylint: disable=consider-using-with  # stopped by stop()
                [str(venv / 'bin' / 'ansible-rulebook'), '--rulebook', 'hotwax.oms.rollback_on_alert',
                 '-i', str(inventory), '--vars', str(folder / 'eda.yml')],
                cwd=str(folder), env=env, stdout=out, stderr=subprocess.STDOUT)

    def output(self):
        return self.log.read_text()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def listening(port):
    try:
        socket.create_connection(('127.0.0.1', port), timeout=0.5).close()
        return True
    except OSError:
        return False


def post(port, body, token=TOKEN):
    """POST ``body`` as JSON to the webhook; the HTTP status."""
    headers = {'Content-Type': 'application/json'}
    if token is not None:
        headers['Authorization'] = 'Bearer %s' % token
    request = urllib.request.Request('http://127.0.0.1:%d/alerts' % port, data=json.dumps(body).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code


def alert(environment=None, alertname='OrderImportStopped', status='firing', fingerprint='5d1f0a7c2e9b4a11'):
    labels = {'alertname': alertname, 'severity': 'critical'}
    if environment is not None:
        labels['hotwax_environment'] = environment
    return {'status': status, 'labels': labels, 'annotations': {'summary': 'No order imported for 10 minutes'},
            'startsAt': '2025-03-04T05:06:07.123Z', 'endsAt': '0001-01-01T00:00:00Z', 'fingerprint': fingerprint,
            'generatorURL': 'http://prometheus.example/graph'}


def payload(*alerts):
    """An Alertmanager webhook body (version 4)."""
    return {'version': '4', 'status': 'firing', 'receiver': 'hotwax-rollback', 'groupKey': '{}:{alertname="x"}',
            'groupLabels': {}, 'commonLabels': {}, 'commonAnnotations': {}, 'externalURL': 'http://alertmanager.example',
            'alerts': list(alerts)}


def recap(output, environment):
    """The PLAY RECAP line of ``environment`` when a run of the playbook changed it and nothing failed."""
    return re.search(r'^%s\s+: ok=\d+\s+changed=[1-9]\d*\s+unreachable=0\s+failed=0' % re.escape(environment), output, re.M)


def closed(oms):
    state = oms.state()
    scopes = list(state['remotes'].values()) + [scope for shop in state['shops'].values() for scope in shop['configs'].values()]
    return scopes and set(scopes) == {CLOSED} and set(state['stores'].values()) == {'N'}


@pytest.fixture(scope='module')
def environments():
    """Two environments, prod and uat, each its own emulated OMS."""
    servers = dict(prod=OmsEmulator(seed='demo'), uat=OmsEmulator(seed='demo'))
    for server in servers.values():
        server.start()
    yield servers
    for server in servers.values():
        server.stop()


def write_inventory(folder, servers):
    hosts = dict((name, dict(token_vars(oms), ansible_connection='local', ansible_python_interpreter=sys.executable,
                             rollback_snapshot_dir=str(folder / 'snapshots')))
                 for name, oms in servers.items())
    path = folder / 'inventory.yml'
    path.write_text(json.dumps({'hotwax_oms': {'hosts': hosts}, 'others': {'hosts': {'monitoring': {}}}}))
    return path


def test_an_alert_rolls_back_exactly_the_environment_it_names_once_and_nothing_else(
        eda_venv, installed_collection, environments, tmp_path):
    prod, uat = environments['prod'], environments['uat']
    uat_before = uat.state()
    port = free_port()
    rulebook = Rulebook(eda_venv, installed_collection, tmp_path, write_inventory(tmp_path, environments),
                        {'hotwax_eda_token': TOKEN, 'hotwax_eda_host': '127.0.0.1', 'hotwax_eda_port': port})
    try:
        wait_for('webhook listening on 127.0.0.1:%d' % port, lambda: listening(port), rulebook.process, rulebook.log)

        # Without the bearer token, or with another, the webhook refuses: these name uat, which must stay untouched.
        assert post(port, payload(alert('uat')), token=None) == 401
        assert post(port, payload(alert('uat')), token='not-' + TOKEN) == 401

        # A firing alert rolls back exactly the environment it names.
        assert post(port, payload(alert('prod'))) == 200
        wait_for('finished rollback of prod', lambda: recap(rulebook.output(), 'prod'), rulebook.process, rulebook.log)
        assert closed(prod)
        assert uat.requests() == [] and uat.state() == uat_before, 'uat was touched by an alert that named prod'
        snapshot = json.loads(snapshot_path(tmp_path, oms=prod).read_text())
        throttle = json.loads((tmp_path / 'snapshots' / '.rollback_on_alert.json').read_text())
        reasons = [throttle[prod.url]['reason']] + [snapshot[key] for key in ('reason', 'rollback_reason') if key in snapshot]
        for reason in reasons:  # the role keeps rollback_reason in the snapshot once it does (issue 23, who/when/why)
            assert 'OrderImportStopped' in reason and '2025-03-04T05:06:07.123Z' in reason and '5d1f0a7c2e9b4a11' in reason
        assert not recap(rulebook.output(), 'uat')

        # Then, one after another: the same alert again (within hotwax_eda_once_within, 30 minutes by default), and
        # one payload of several alerts, each handled on its own: a group, another group, an unknown name, no label,
        # a resolved one, and a firing one for uat, which alone is rolled back. Actions run in order, so once uat's
        # rollback is done every alert before it was handled.
        prod.clear_requests()
        assert post(port, payload(alert('prod'))) == 200
        assert post(port, payload(alert('all', fingerprint='fp-all'), alert('hotwax_oms', fingerprint='fp-group'),
                                  alert('staging', fingerprint='fp-unknown'), alert(None, alertname='DiskFull', fingerprint='fp-nolabel'),
                                  alert('prod', status='resolved', fingerprint='fp-resolved'),
                                  alert('uat', alertname='BrokeringStalled', fingerprint='fp-uat'))) == 200
        wait_for('finished rollback of uat', lambda: recap(rulebook.output(), 'uat'), rulebook.process, rulebook.log)
        assert closed(uat)
        output = rulebook.output()
        assert prod.requests() == [], 'the duplicate alert, a group or the resolved alert reached prod'
        assert re.search(r'Throttled by hotwax\.oms\.rollback_on_alert: prod was rolled back on an alert at \S+ '
                         r'\(Alertmanager alert OrderImportStopped', output)
        assert "Refused by hotwax.oms.rollback_on_alert: alert OrderImportStopped (startsAt 2025-03-04T05:06:07.123Z, " \
               "fingerprint fp-all) names hotwax_environment='all', which is a group, not one environment" in output
        assert "fingerprint fp-group) names hotwax_environment='hotwax_oms', which is a group" in output
        assert "fingerprint fp-unknown) names hotwax_environment='staging', which is not a host of group hotwax_oms" in output
        assert 'Refused by hotwax.oms.rollback_on_alert: alert DiskFull (fingerprint fp-nolabel) has no label hotwax_environment' in output
        assert 'fp-resolved' not in output, 'a resolved alert was acted on'
        assert len(re.findall(r'^prod\s+: ok=\d+\s+changed=[1-9]', output, re.M)) == 1, 'prod was rolled back twice'
        assert_no_secret(prod, output)
        assert_no_secret(uat, output)
        assert TOKEN not in output
    finally:
        rulebook.stop()


def test_without_a_token_the_rulebook_stops_instead_of_listening(eda_venv, installed_collection, tmp_path):
    port = free_port()
    rulebook = Rulebook(eda_venv, installed_collection, tmp_path, write_inventory(tmp_path, {}),
                        {'hotwax_eda_host': '127.0.0.1', 'hotwax_eda_port': port})
    try:
        wait_for('end of ansible-rulebook', lambda: rulebook.process.poll() is not None, log=rulebook.log)
    finally:
        rulebook.stop()
    assert rulebook.process.returncode != 0
    assert "'hotwax_eda_token' is undefined" in rulebook.output()
    assert not listening(port)
