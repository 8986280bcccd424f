"""AWX/AAP without shared storage: a rollback job and a restore job, each in its own ansible-runner private data dir.

ansible-runner is the engine AWX and AAP run playbooks with. The restore job gets another HOME and no disk in
common with the rollback job; all it is given is the rollback job's artifact, as AWX passes it on (extra vars).
"""

import json
import os
import sys
from pathlib import Path

import ansible_runner
import pytest

from tests.conftest import COLLECTIONS
from tests.helpers import assert_no_secret, normal, token_vars


def private_data_dir(root, name, oms, playbook, extravars=None):
    """A private data dir as AWX lays it out for a job: project, inventory, env, extra vars."""
    folder = root / name
    (folder / 'project').mkdir(parents=True)
    (folder / 'inventory').mkdir()
    (folder / 'env').mkdir()
    (folder / 'project' / 'job.yml').write_text('- import_playbook: hotwax.oms.%s\n' % playbook)
    host = dict(token_vars(oms), ansible_connection='local', ansible_python_interpreter=sys.executable)
    (folder / 'inventory' / 'hosts.json').write_text(json.dumps({'hotwax_oms': {'hosts': {'prod': host}}}))
    home = folder / 'home'  # the job's container: its HOME, and so the default snapshot folder, dies with it
    home.mkdir()
    (folder / 'env' / 'envvars').write_text(json.dumps({
        'HOME': str(home), 'PATH': '%s:%s' % (Path(sys.executable).parent, os.environ.get('PATH', '')),
        'ANSIBLE_COLLECTIONS_PATH': str(COLLECTIONS), 'ANSIBLE_NOCOLOR': '1'}))
    if extravars:
        (folder / 'env' / 'extravars').write_text(json.dumps(extravars))
    return folder


def artifact_data(runner):
    """What AWX shows as the job's artifacts: the set_stats data of the playbook_on_stats event."""
    stats = [event for event in runner.events if event.get('event') == 'playbook_on_stats']
    assert stats, 'no playbook_on_stats event'
    return stats[-1]['event_data'].get('artifact_data') or {}


def run_job(folder):
    return ansible_runner.run(private_data_dir=str(folder), playbook='job.yml', limit='prod', quiet=True)


@pytest.mark.parametrize('as_json', [False, True], ids=['artifact as a dict', 'artifact as JSON text'])
def test_a_restore_job_fed_only_the_rollback_jobs_artifact_puts_everything_back(fleet_oms, tmp_path, as_json):
    before = normal(fleet_oms.state())
    rollback = run_job(private_data_dir(tmp_path, 'rollback-job', fleet_oms, 'rollback'))
    assert rollback.rc == 0 and rollback.status == 'successful', rollback.stdout.read()
    closed = fleet_oms.state()
    assert set(closed['stores'].values()) == {'N'}

    snapshot = artifact_data(rollback)['hotwax_oms_snapshots']['prod']
    assert snapshot['oms_url'] == fleet_oms.url and snapshot['restored'] is False
    assert_no_secret(fleet_oms, snapshot)
    given = json.dumps(snapshot) if as_json else snapshot

    restore_dir = private_data_dir(tmp_path, 'restore-job', fleet_oms, 'restore', extravars={'rollback_snapshot': given})
    assert not list((restore_dir / 'home').rglob('*.json'))  # nothing of the rollback job's disk is here
    restore = run_job(restore_dir)
    assert restore.rc == 0 and restore.status == 'successful', restore.stdout.read()
    assert normal(fleet_oms.state()) == before

    # AWX relaunches a job with the same extra vars: the OMS already holds the snapshot's values.
    fleet_oms.clear_requests()
    relaunch = run_job(restore_dir)
    assert relaunch.rc == 0, relaunch.stdout.read()
    assert fleet_oms.writes() == []


def test_a_workflow_restore_node_takes_the_artifact_it_is_passed(demo_oms, tmp_path):
    before = normal(demo_oms.state())
    rollback = run_job(private_data_dir(tmp_path, 'rollback-node', demo_oms, 'rollback'))
    assert rollback.rc == 0, rollback.stdout.read()
    passed_on = artifact_data(rollback)  # what AWX gives the next workflow node as extra vars
    restore = run_job(private_data_dir(tmp_path, 'restore-node', demo_oms, 'restore', extravars=passed_on))
    assert restore.rc == 0, restore.stdout.read()
    assert normal(demo_oms.state()) == before


def test_a_restore_job_without_the_artifact_says_how_to_give_it(demo_oms, tmp_path):
    restore = run_job(private_data_dir(tmp_path, 'restore-job', demo_oms, 'restore'))
    assert restore.rc != 0
    output = restore.stdout.read()
    assert 'No snapshot of prod in %s' % (Path(tmp_path) / 'restore-job' / 'home' / '.hotwax_oms' / 'snapshots') in output
    assert 'hotwax_oms_snapshots.prod as rollback_snapshot' in output
    assert demo_oms.writes() == []
