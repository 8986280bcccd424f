"""The benchmark (benchmarks/run.py) at its smallest size: it runs, writes its results, and the request counts keep the bound.

Counts only: no test here depends on a time.
"""

import fcntl
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

RUN_KINDS = ('check', 'rollback', 'restore', 'baseline')


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


def only_workload(report):
    assert len(report['workloads']) == 1
    return report['workloads'][0]


def test_results_file_has_the_expected_keys(quick_report):
    assert {'environment', 'settings', 'workloads', 'growth', 'total_s'} <= set(quick_report)
    assert quick_report['settings']['quick'] is True
    workload = only_workload(quick_report)
    assert (workload['shops'], workload['latency_ms']) == (1, 0)
    assert {'records_to_close', 'list_pages_one_pass', 'runs', 'ratios', 'problems'} <= set(workload)
    assert set(workload['runs']) == set(RUN_KINDS)
    for run in workload['runs'].values():
        assert {'wall_s', 'cpu_s', 'time_to_safe_s', 'changed_records', 'requests', 'bound', 'within_bound', 'returncode'} <= set(run)
        assert {'login', 'list_pages', 'get_by_id', 'writes', 'errors', 'total'} <= set(run['requests'])
        assert run['returncode'] == 0
    assert {'rollback_wall', 'time_to_safe', 'check_wall', 'restore_wall'} <= set(workload['ratios'])
    assert workload['problems'] == []
    assert '| shops |' in quick_report['_markdown']


def test_every_run_did_its_job(quick_report):
    workload = only_workload(quick_report)
    runs = workload['runs']
    assert workload['records_to_close'] > 0
    assert runs['check']['changed_records'] == 0 and runs['check']['requests']['writes'] == 0
    assert runs['rollback']['changed_records'] == workload['records_to_close']
    assert runs['baseline']['changed_records'] == workload['records_to_close']
    assert runs['restore']['changed_records'] == workload['records_to_close']


@pytest.mark.parametrize('kind', ['rollback', 'restore', 'baseline'])
def test_one_write_per_changed_record_and_no_failed_request(quick_report, kind):
    run = only_workload(quick_report)['runs'][kind]
    assert run['requests']['writes'] == run['changed_records']
    assert run['requests']['errors'] == 0
    assert run['requests']['get_by_id'] == 0


@pytest.mark.parametrize('kind', ['rollback', 'restore', 'baseline', 'check'])
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
