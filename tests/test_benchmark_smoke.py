"""The benchmark (benchmarks/run.py) at its smallest size: it runs every playbook and the floor, writes a well-formed
table, and every run's requests keep their bound.

Counts and shapes only: no test here depends on a time.
"""

import copy
import fcntl
import importlib.util
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

RUN_KINDS = ('check', 'rollback', 'restore', 'baseline')
FLOOR_KINDS = ('check', 'rollback', 'restore')
RATIOS = ('rollback_floor', 'time_to_safe_floor', 'check_floor', 'restore_floor', 'rollback_baseline')


def run_quick(output):
    proc = subprocess.run([sys.executable, str(REPO / 'benchmarks' / 'run.py'), '--quick', '--no-warm-up', '--output-dir', str(output)],
                          cwd=str(REPO), capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def load_report(output):
    report = json.loads((output / 'latest.json').read_text(encoding='utf-8'))
    report['_markdown'] = (output / 'latest.md').read_text(encoding='utf-8')
    return report


@pytest.fixture(scope='module')
def quick_report(tmp_path_factory):
    """One quick benchmark run per test session, shared by the pytest-xdist workers that run tests of this file."""
    run_id = os.environ.get('PYTEST_XDIST_TESTRUNUID')
    if not run_id:
        output = tmp_path_factory.mktemp('benchmark')
        run_quick(output)
        return load_report(output)
    output = tmp_path_factory.getbasetemp().parent / ('benchmark-smoke-%s' % run_id)
    output.mkdir(exist_ok=True)
    with open(output / 'lock', 'w', encoding='utf-8') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the first worker runs the benchmark, the others wait and read its results
        try:
            if not (output / 'latest.json').exists():
                run_quick(output)
            return load_report(output)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope='module')
def bench():
    """benchmarks/run.py as a module, for its report functions."""
    spec = importlib.util.spec_from_file_location('benchmark_run', str(REPO / 'benchmarks' / 'run.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def only_workload(report):
    assert len(report['workloads']) == 1
    return report['workloads'][0]


def markdown_tables(text):
    """Every markdown table of the report as a list of rows, each a list of cells (header first, separator dropped)."""
    tables, current = [], None
    for line in text.splitlines():
        if line.startswith('|'):
            cells = [cell.strip() for cell in line.strip().strip('|').split('|')]
            if current is None:
                current = []
                tables.append(current)
            if not all(set(cell) <= set('-:') for cell in cells):
                current.append(cells)
        else:
            current = None
    return tables


def test_results_file_has_the_expected_keys(quick_report):
    assert {'environment', 'settings', 'workloads', 'growth', 'total_s'} <= set(quick_report)
    assert quick_report['settings']['quick'] is True
    workload = only_workload(quick_report)
    assert (workload['shops'], workload['latency_ms']) == (1, 0)
    assert {'records_to_close', 'list_pages_one_pass', 'runs', 'floor', 'ratios', 'problems', 'above_bound'} <= set(workload)
    assert set(workload['runs']) == set(RUN_KINDS)
    for run in workload['runs'].values():
        assert {'wall_s', 'cpu_s', 'time_to_safe_s', 'changed_records', 'requests', 'bound', 'within_bound', 'returncode'} <= set(run)
        assert {'login', 'list_pages', 'get_by_id', 'writes', 'errors', 'total'} <= set(run['requests'])
        assert run['returncode'] == 0
    for kind in FLOOR_KINDS:
        floor = workload['floor'][kind]
        assert {'critical_path_s', 'floor_s', 'time_to_safe_s', 'requests', 'bound', 'within_bound'} <= set(floor)
        assert floor['returncode'] == 0
    assert set(RATIOS) <= set(workload['ratios'])
    assert workload['problems'] == []


def test_every_ratio_is_measured(quick_report):
    """The floor and the baseline ran and timed something: every ratio of the table is a positive number."""
    workload = only_workload(quick_report)
    for name in RATIOS:
        assert isinstance(workload['ratios'][name], float) and workload['ratios'][name] > 0, name
    floor = workload['floor']
    assert floor['empty_play_s'] > 0
    for kind in FLOOR_KINDS:
        # The floor of a run is the empty play plus its critical path, both measured in the same round.
        assert floor[kind]['floor_s'] == pytest.approx(floor['empty_play_s'] + floor[kind]['critical_path_s'], abs=0.002)


def test_the_table_is_well_formed(quick_report):
    tables = markdown_tables(quick_report['_markdown'])
    assert len(tables) == 4  # ratios, floor, requests, growth
    for table in tables:
        assert len(table) == 2, table  # the header and the one workload of a quick run
        assert len(set(len(row) for row in table)) == 1, table
    ratios, _floor, requests, growth = tables
    header = ratios[0]
    for column in ('rollback / floor', 'time-to-safe / floor', 'check / floor', 'restore / floor', 'rollback / baseline'):
        cell = ratios[1][header.index(column)].strip('*')
        assert float(cell) > 0, (column, cell)
    assert requests[1][0] == '1' and all(' <= ' in cell for cell in requests[1][3:]), requests
    assert growth[0][:2] == ['latency', 'shops']
    assert 'Above the bound: none.' in quick_report['_markdown']


def test_every_run_did_its_job(quick_report):
    workload = only_workload(quick_report)
    runs, floor = workload['runs'], workload['floor']
    assert workload['records_to_close'] > 0
    assert runs['check']['changed_records'] == 0 and runs['check']['requests']['writes'] == 0
    for kind in ('rollback', 'restore', 'baseline'):
        assert runs[kind]['changed_records'] == workload['records_to_close'], kind
    assert floor['empty_play_requests'] == 0
    assert floor['check']['changed_records'] == 0 and floor['check']['requests']['writes'] == 0
    assert floor['rollback']['changed_records'] == workload['records_to_close']
    assert floor['restore']['changed_records'] == workload['records_to_close']


@pytest.mark.parametrize('kind', ['rollback', 'restore', 'baseline'])
def test_one_write_per_changed_record_and_no_failed_request(quick_report, kind):
    run = only_workload(quick_report)['runs'][kind]
    assert run['requests']['writes'] == run['changed_records']
    assert run['requests']['errors'] == 0
    assert run['requests']['get_by_id'] == 0


@pytest.mark.parametrize('kind', ['check', 'rollback'])
def test_the_safety_reads_are_made_once_per_run(quick_report, kind):
    """The scope enums and what the switches do not stop are read, and once per run, not per record."""
    run = only_workload(quick_report)['runs'][kind]
    assert run['requests']['safety_reads'] == run['bound']['safety_reads'] > 0


@pytest.mark.parametrize('kind', FLOOR_KINDS)
def test_the_floor_makes_exactly_its_critical_path(quick_report, kind):
    """One login, the lists once (twice with the read-back) in the fewest pages, one write per changed record."""
    workload = only_workload(quick_report)
    floor = workload['floor'][kind]
    requests = floor['requests']
    assert requests['login'] == 1 and requests['errors'] == 0 and requests['get_by_id'] == 0
    assert requests['list_pages'] == floor['bound']['allowed_list_pages']
    assert requests['writes'] == floor['changed_records']
    assert floor['bound']['list_passes'] == (1 if kind == 'check' else 2)


@pytest.mark.parametrize('kind', RUN_KINDS)
def test_no_login_per_record(quick_report, kind):
    run = only_workload(quick_report)['runs'][kind]
    # One login per module run at most (a rollback runs fewer than eight OMS tasks), never one per record.
    assert run['requests']['login'] <= 8


@pytest.mark.parametrize('kind', RUN_KINDS)
def test_requests_within_the_bound(quick_report, kind):
    run = only_workload(quick_report)['runs'][kind]
    requests = run['requests']
    assert requests['list_pages'] <= run['bound']['allowed_list_pages'], requests
    assert requests['total'] - requests['login'] <= run['bound']['max_requests'], requests
    assert run['within_bound']['ok']
    assert only_workload(quick_report)['above_bound'] == []


def test_a_run_above_its_bound_is_flagged(quick_report, bench):
    """The report's own flag: one list page more than the bound allows shows in the table and in the JSON."""
    workload = copy.deepcopy(only_workload(quick_report))
    run = workload['runs']['rollback']
    run['requests']['list_pages'] = run['bound']['allowed_list_pages'] + 1
    run['requests']['total'] += 1
    run['within_bound'] = bench.bound_check(run['requests'], run['bound'])
    assert not run['within_bound']['ok']
    report = dict(quick_report, workloads=[dict(workload, above_bound=['rollback'])])
    text = bench.markdown(report)
    assert 'above the bound' in text and 'Above the bound: 1shops-0ms rollback.' in text


def test_the_fleet_benchmark_rolls_back_every_environment_at_once(tmp_path):
    """--fleet at its smallest: two environments, each closed exactly as one alone is; times are only reported."""
    proc = subprocess.run([sys.executable, str(REPO / 'benchmarks' / 'run.py'), '--fleet', '2', '--shops', '1', '--latencies', '0',
                           '--no-warm-up', '--output-dir', str(tmp_path)],
                          cwd=str(REPO), capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    fleet = json.loads((tmp_path / 'latest-fleet.json').read_text(encoding='utf-8'))['fleet']
    assert fleet['problems'] == []
    alone, together = fleet['runs']['alone']['rounds'][0], fleet['runs']['fleet']['rounds'][0]
    assert alone['changed_records'][0] > 0 and alone['changed_records'][1:] == [0]
    assert together['changed_records'] == [alone['changed_records'][0]] * 2
    assert fleet['fleet_vs_alone'] and fleet['cpu_s_per_environment']
    assert 'All at once / one alone' in (tmp_path / 'latest-fleet.md').read_text(encoding='utf-8')
