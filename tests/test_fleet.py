"""Many environments, many inventories, one controller (issue 23), through the real playbooks over real HTTP.

Each environment is its own emulator with a fleet seed of its own size, so that a snapshot restored into the wrong OMS
would show. The snapshot store is keyed by the OMS: same-named hosts of two OMSes share a folder, two names of one OMS
share one lock and one snapshot, and a file named the 0.2.0 way is still found.
"""

import json
import os
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from ansible_collections.hotwax.oms.plugins.plugin_utils.snapshot_store import oms_file_name
from tests.conftest import COLLECTIONS
from tests.emulator.make_fleet_seed import build_fleet_seed
from tests.emulator.oms_emulator import OmsEmulator
from tests.helpers import foreign_remotes, playbook, token_vars
from tests.test_reliability import assert_all_closed, assert_restored_exactly, free_port

FLEET = 12


@pytest.fixture(scope='module')
def fleet():
    """Twelve OMSes, the n-th with 6 + n shops over 2 stores: each one different."""
    servers = [OmsEmulator(seed=build_fleet_seed(shops=6 + number, stores=2)) for number in range(FLEET)]
    for server in servers:
        server.start()
    yield servers
    for server in servers:
        server.stop()


@pytest.fixture
def two_omses(fleet):
    """Two OMSes of the fleet, freshly seeded."""
    for server in fleet[:2]:
        server.reset()
    return fleet[:2]


def write_inventory(path, folder, **environments):
    """An inventory file of environments ``name=host vars``, all keeping their snapshots in ``folder``."""
    body = dict((name, dict({'ansible_connection': 'local', 'rollback_snapshot_dir': str(folder)}, **host_vars))
                for name, host_vars in environments.items())
    path.write_text(json.dumps({'hotwax_oms': {'hosts': body}}, indent=2))
    return str(path)


def recap(output):
    """{host: {'ok': n, 'failed': n, ...}} from the PLAY RECAP."""
    hosts = {}
    for line in output.split('PLAY RECAP')[-1].splitlines():
        if ' : ' in line:
            host, counts = line.split(' : ', 1)
            hosts[host.strip()] = dict((key, int(value)) for key, value in (item.split('=') for item in counts.split()))
    return hosts


def start_playbook(tmp_path, name, inventory, *args):
    """ansible-playbook hotwax.oms.<name> as a process of its own, to run beside another."""
    book = tmp_path / ('%s-%s.yml' % (name, os.path.basename(inventory)))
    book.write_text(textwrap.dedent('- import_playbook: hotwax.oms.%s\n' % name))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_NOCOLOR='1', ANSIBLE_RETRY_FILES_ENABLED='0',
               ANSIBLE_LOCALHOST_WARNING='0', ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', inventory, str(book)] + list(args)
    return subprocess.Popen(command, env=env, cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(process):
    output = process.communicate(timeout=600)[0]
    return process.returncode, output


def test_twelve_environments_close_at_once_the_one_down_is_named_and_all_come_back_exactly(fleet, hosts, run_playbook, tmp_path):
    for server in fleet:
        server.reset()
    before = [server.state() for server in fleet]
    foreign = [foreign_remotes(server) for server in fleet]
    names = ['env%02d' % number for number in range(FLEET)]
    environments = dict((name, token_vars(server)) for name, server in zip(names, fleet))
    environments['down'] = token_vars(fleet[0], hotwax_oms_url='http://127.0.0.1:%d' % free_port(), hotwax_oms_retries=1)
    inventory = hosts(**environments)

    rollback = playbook(run_playbook, 'rollback', inventory, '-l', 'hotwax_oms', '-f', str(FLEET + 1))
    assert rollback.returncode != 0, rollback.output
    counts = recap(rollback.output)
    assert counts['down']['failed'] == 1 and counts['down']['unreachable'] == 0
    failed_elsewhere = [(entry['host'], entry['task'], entry['result'].get('msg')) for entry in rollback.results
                        if entry['status'] == 'failed' and entry['host'] != 'down']
    assert [name for name in names if counts[name]['failed']] == [], failed_elsewhere  # the others closed
    down = [entry for entry in rollback.results if entry['host'] == 'down' and entry['status'] == 'failed']
    assert 'Connection refused' in json.dumps(down[-1]['result']) and environments['down']['hotwax_oms_url'] in rollback.output
    for server, skip in zip(fleet, foreign):
        assert_all_closed(server, skip)
    folder = tmp_path / 'snapshots'
    assert sorted(path.name for path in folder.iterdir()) == sorted('%s.json' % oms_file_name(server.url) for server in fleet)

    restore = playbook(run_playbook, 'restore', inventory, '-l', 'hotwax_oms:!down', '-f', str(FLEET))
    assert restore.returncode == 0, restore.output
    for server, state in zip(fleet, before):
        assert_restored_exactly(state, server.state())
    assert all(json.loads(path.read_text())['restored'] for path in folder.iterdir())


def test_same_named_hosts_of_two_omses_roll_back_and_restore_side_by_side_from_one_folder(two_omses, tmp_path):
    first, second = two_omses
    before = [first.state(), second.state()]
    folder = tmp_path / 'snapshots'
    retailer_a = write_inventory(tmp_path / 'retailer-a.yml', folder, prod=token_vars(first))
    retailer_b = write_inventory(tmp_path / 'retailer-b.yml', folder, prod=token_vars(second))
    lock_a = folder / ('.%s.lock' % oms_file_name(first.url))
    first.configure(latency_ms=150)  # retailer A's rollback lasts: B's starts while A holds its lock

    running = start_playbook(tmp_path, 'rollback', retailer_a, '-l', 'prod')
    deadline = time.monotonic() + 120
    while not lock_a.exists() and running.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert lock_a.exists(), 'retailer A\'s rollback never took its lock: %s' % finish(running)[1]
    other = start_playbook(tmp_path, 'rollback', retailer_b, '-l', 'prod')
    (code_b, output_b), (code_a, output_a) = finish(other), finish(running)
    assert code_a == 0, output_a
    assert code_b == 0, output_b
    assert 'another rollback' not in output_a + output_b
    for server in two_omses:
        assert_all_closed(server, foreign_remotes(server))
    files = sorted(path.name for path in folder.iterdir())
    assert files == sorted('%s.json' % oms_file_name(server.url) for server in two_omses)  # both open, side by side

    first.configure(latency_ms=0)
    with ThreadPoolExecutor(2) as pool:
        restores = list(pool.map(lambda inventory: finish(start_playbook(tmp_path, 'restore', inventory, '-l', 'prod')),
                                 [retailer_a, retailer_b]))
    assert [code for code, dummy in restores] == [0, 0], restores
    assert_restored_exactly(before[0], first.state())
    assert_restored_exactly(before[1], second.state())


def test_two_names_of_one_oms_share_one_lock_and_one_snapshot(two_omses, hosts, run_playbook, tmp_path):
    oms = two_omses[0]
    before = oms.state()
    port = oms.url.rsplit(':', 1)[1]
    inventory = hosts(prod=token_vars(oms), production=token_vars(oms, hotwax_oms_url='http://127.0.0.1:%s/rest/s1/' % port))
    both = playbook(run_playbook, 'rollback', inventory, '-l', 'prod,production', '-f', '2')
    assert both.returncode != 0
    counts = recap(both.output)
    assert sorted(counts[name]['failed'] for name in ('prod', 'production')) == [0, 1], both.output
    loser = 'prod' if counts['prod']['failed'] else 'production'
    winner = 'production' if loser == 'prod' else 'prod'
    assert 'another rollback of %s is running' % loser in both.output and 'taken as %s: the same OMS' % winner in both.output, both.output[-4000:]
    assert_all_closed(oms, foreign_remotes(oms))

    # the other name finds the one snapshot and puts it back
    restore = playbook(run_playbook, 'restore', inventory, '-l', loser)
    assert restore.returncode == 0, restore.output
    assert_restored_exactly(before, oms.state())
    files = sorted(path.name for path in (tmp_path / 'snapshots').iterdir())
    assert len(files) == 1 and files[0].endswith('.json')  # one OMS, one snapshot, one lock (released)


def test_history_lists_a_rollback_a_renewed_rollback_and_a_restore_newest_first(demo_oms, inventory, run_playbook, tmp_path):
    hosts = inventory(prod=demo_oms)
    assert playbook(run_playbook, 'rollback', hosts, '-l', 'prod', '-e', json.dumps({'rollback_reason': 'INC-7 order import broken'})).returncode == 0

    def listing(*args):
        run = playbook(run_playbook, 'history', hosts, '-l', 'prod', *args)
        assert run.returncode == 0, run.output
        return run.result('Read the snapshots of prod')

    opened = listing()
    assert [row['state'] for row in opened['snapshots']] == ['open']
    assert 'why: INC-7 order import broken' in opened['lines'][1] and ' records of 1 shops, 1 stores' in opened['lines'][1]

    demo_oms.query("UPDATE SystemMessageRemote SET accessScopeEnumId = 'SHOP_READ_ACCESS'")  # reopened by hand
    assert playbook(run_playbook, 'rollback', hosts, '-l', 'prod', '-e', 'rollback_reason=INC-8').returncode == 0
    assert [row['state'] for row in listing()['snapshots']] == ['renewed']
    assert playbook(run_playbook, 'restore', hosts, '-l', 'prod', '-e', json.dumps({'rollback_reason': 'INC-7 fixed'})).returncode == 0
    assert playbook(run_playbook, 'rollback', hosts, '-l', 'prod').returncode == 0

    demo_oms.clear_requests()
    folder = tmp_path / 'snapshots'
    files = sorted((path.name, path.stat().st_mtime_ns) for path in folder.iterdir())
    listed = listing('--check')
    assert demo_oms.requests() == [] and sorted((path.name, path.stat().st_mtime_ns) for path in folder.iterdir()) == files
    rows = listed['snapshots']
    assert [row['state'] for row in rows] == ['open', 'restored']
    assert rows[0]['taken_at'] > rows[1]['taken_at']
    records = sum(len(shop['records']) for shop in json.loads(open(rows[1]['path']).read())['shops'])
    assert rows[1]['holds']['records'] == records and rows[1]['holds']['product_stores'] == 1
    assert [run['action'] for run in rows[1]['runs']] == ['rollback', 'rollback', 'restore']
    line = listed['lines'][2]
    assert line.startswith(rows[1]['taken_at'] + '  restored ') and 'why: INC-7 order import broken' in line
    assert '; last: restore at ' in line and line.endswith(': INC-7 fixed')
    assert listed['lines'][0].startswith('TAKEN') and len(listed['lines']) == 3


def test_history_refuses_to_run_without_a_limit(demo_oms, inventory, run_playbook):
    hosts = inventory(prod=demo_oms)
    run = run_playbook('- import_playbook: hotwax.oms.history\n', inventory=hosts)
    assert run.returncode != 0 and 'Name the environment with -l' in run.output


def test_a_snapshot_file_named_the_0_2_0_way_is_found_and_restored(demo_oms, inventory, run_playbook, tmp_path):
    before = demo_oms.state()
    hosts = inventory(prod=demo_oms)
    assert playbook(run_playbook, 'rollback', hosts, '-l', 'prod').returncode == 0
    folder = tmp_path / 'snapshots'
    current = folder / ('%s.json' % oms_file_name(demo_oms.url))
    # what 0.2.0 wrote: its name, and only the fields its snapshot_of wrote (no who/why of 0.3.0)
    snapshot = json.loads(current.read_text())
    old = dict((key, snapshot[key]) for key in ('format', 'environment', 'oms_url', 'taken_at', 'taken_by', 'restored',
                                                'already_rolled_back', 'targets', 'shops', 'product_stores', 'service_jobs'))
    current.unlink()
    (folder / 'prod.json').write_text(json.dumps(old, indent=2))

    checked = playbook(run_playbook, 'restore', hosts, '-l', 'prod', '--check')
    assert checked.returncode == 0, checked.output
    assert sorted(path.name for path in folder.iterdir()) == ['prod.json']  # a check renames nothing

    restore = playbook(run_playbook, 'restore', hosts, '-l', 'prod')
    assert restore.returncode == 0, restore.output
    assert_restored_exactly(before, demo_oms.state())
    assert 'renamed 1 0.2.0 files of %s (prod) to its name: prod.json -> %s' % (demo_oms.url, current.name) in restore.output
    assert sorted(path.name for path in folder.iterdir()) == [current.name]
    assert json.loads(current.read_text())['restored'] is True


def test_rollback_snapshot_keep_removes_older_restored_snapshots_never_the_open_one(demo_oms, inventory, run_playbook, tmp_path):
    hosts = inventory(prod=demo_oms)
    for dummy in range(3):
        assert playbook(run_playbook, 'rollback', hosts, '-l', 'prod', '-e', 'rollback_snapshot_keep=1').returncode == 0
        assert playbook(run_playbook, 'restore', hosts, '-l', 'prod', '-e', 'rollback_snapshot_keep=1').returncode == 0
    rollback = playbook(run_playbook, 'rollback', hosts, '-l', 'prod', '-e', 'rollback_snapshot_keep=1')
    assert rollback.returncode == 0
    states = [row['state'] for row in playbook(run_playbook, 'history', hosts, '-l', 'prod').result(
        'Read the snapshots of prod')['snapshots']]
    assert states == ['open', 'restored']
    refused = playbook(run_playbook, 'restore', hosts, '-l', 'prod', '-e', 'rollback_snapshot_keep=0')
    assert refused.returncode != 0 and 'rollback_snapshot_keep must be a whole number of at least 1' in refused.output
    assert len(list((tmp_path / 'snapshots').iterdir())) == 2
