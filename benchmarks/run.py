"""Benchmark: how fast hotwax.oms makes an OMS safe, against the playbook a user would write without it.

    benchmarks/run.sh              # full run: 1, 10, 100, 500 shops x 0 and 20 ms latency (about 10 minutes on 2 cores)
    benchmarks/run.sh --quick      # 1 shop, 0 ms: proves the benchmark works (CI)
    benchmarks/run.sh --help       # every option

For every workload it starts the OMS emulator as a separate process (its CLI, with a generated fleet), then runs,
resetting the emulator in between:

    check     ansible-playbook hotwax.oms.rollback --check --diff      (from the open state)
    rollback  ansible-playbook hotwax.oms.rollback                     (from the open state)
    restore   ansible-playbook hotwax.oms.restore                      (from the rolled-back state)
    baseline  ansible-playbook benchmarks/baseline/rollback_uri.yml    (from the open state, ansible.builtin.uri only)

and records the wall time of each playbook, its time to safe (from its start to its last write), and the requests it
made by kind, from the emulator's request log. Results go to benchmarks/results/ as JSON and as a markdown table.
Times are measured, never judged: the exit status is non-zero only when a playbook fails or leaves a wrong state.
"""

import argparse
import datetime
import json
import math
import os
import platform
import resource
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COLLECTIONS = REPO / 'build' / 'collections'
BASELINE_PLAYBOOK = REPO / 'benchmarks' / 'baseline' / 'rollback_uri.yml'
DEFAULT_OUTPUT = REPO / 'benchmarks' / 'results'
DEMO_SEED = REPO / 'tests' / 'emulator' / 'seeds' / 'demo.json'

API_PREFIX = '/rest/s1/'
PAGE_SIZE = 100  # the OMS caps a page at 100 rows
LIST_PATHS = {
    'oms/shopifyShops/shops': 'shops',
    'oms/systemMessageRemotes': 'remotes',
    'admin/productStores': 'stores',
    'oms/productStores': 'stores',
}
WRITE_KINDS = (('oms/systemMessageRemotes/', 'remote'), ('oms/shopifyShops/shops/', 'config'),
               ('admin/productStores/', 'store'), ('oms/productStores/', 'store'))
RUN_KINDS = ('check', 'rollback', 'restore', 'baseline')
# Passes over the lists a run may make: one to read what to change and one to read it back after writing; the role's
# rollback and check runs read once more, first, for the snapshot, taken before any write so that a crash cannot lose
# the state from before the incident.
ALLOWED_LIST_PASSES = {'check': 2, 'rollback': 3, 'restore': 2, 'baseline': 2}

FULL_SHOPS = (1, 10, 100, 500)
FULL_LATENCIES = (0, 20)
# The baseline runs one uri task per record, close to a second each on 2 cores: at 500 shops (about 900 writes) one
# run takes about 14 minutes, which does not fit the 10-minute budget of a full run. --baseline-max-shops 500 runs it.
DEFAULT_BASELINE_MAX_SHOPS = 100
EMULATOR_START_TIMEOUT = 60
PLAYBOOK_TIMEOUT = 3600


def stores_for(shops):
    """A customer has 1 to 5 product stores: one for a single shop, then 3, then 5."""
    if shops <= 1:
        return 1
    return 3 if shops <= 10 else 5


def pages(rows):
    """Pages a client must read to list ``rows`` rows (an empty list is still one page)."""
    return max(1, int(math.ceil(rows / float(PAGE_SIZE))))


# --- the emulator, as a separate process ------------------------------------------------------------------------------

class Emulator:
    """`python -m tests.emulator --fleet-shops N ...` in its own process, driven over its /_emulator/ endpoints."""

    def __init__(self, shops, stores, latency_ms, workdir):
        self.shops, self.stores, self.latency_ms = shops, stores, latency_ms
        self.pidfile = Path(workdir) / 'emulator.pid'
        self.log_path = Path(workdir) / 'emulator.log'
        self.process = None
        self.url = None

    def start(self):
        command = [sys.executable, '-m', 'tests.emulator', '--fleet-shops', str(self.shops), '--fleet-stores', str(self.stores),
                   '--latency-ms', str(self.latency_ms), '--port', '0', '--pidfile', str(self.pidfile)]
        with open(self.log_path, 'w', encoding='utf-8') as log:
            self.process = subprocess.Popen(command, cwd=str(REPO), stdout=subprocess.PIPE, stderr=log, text=True)
        # The emulator prints its URL once it serves.
        ready = select.select([self.process.stdout], [], [], EMULATOR_START_TIMEOUT)[0]
        line = self.process.stdout.readline().strip() if ready else ''
        if not line.startswith('http'):
            self.stop()
            raise RuntimeError('the emulator did not start: %r (see %s)' % (line, self.log_path))
        self.url = line
        return self

    def stop(self):
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()
        self.process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def _control(self, method, action):
        request = urllib.request.Request(self.url + '/_emulator/' + action, method=method, data=b'' if method != 'GET' else None)
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read().decode('utf-8') or 'null')

    def reset(self):
        self._control('POST', 'reset')

    def clear_requests(self):
        self._control('DELETE', 'requests')

    def requests(self):
        return self._control('GET', 'requests')

    def state(self):
        return self._control('GET', 'state')


# --- what a run did ---------------------------------------------------------------------------------------------------

def records(state):
    """``{record: value}`` of everything a rollback may change: remotes, config rows, stores' brokering."""
    flat = dict((('remote', key), value) for key, value in state['remotes'].items())
    for shop in state['shops'].values():
        flat.update((('config', key), value) for key, value in shop['configs'].items())
    flat.update((('store', key), value) for key, value in state['stores'].items())
    return flat


def changed_records(before, after):
    old, new = records(before), records(after)
    return sorted('%s %s' % key for key in set(old) | set(new) if old.get(key) != new.get(key))


def normal(state):
    """Values as the OMS reads them: a missing scope is read access, a missing brokering flag is on."""
    out = {}
    for (kind, key), value in records(state).items():
        out['%s %s' % (kind, key)] = (value != 'N') if kind == 'store' else (value or 'SHOP_READ_ACCESS')
    return out


def one_list_pass(state):
    """Pages of one full read of the lists a rollback needs: shops (with configs), remotes, product stores."""
    return pages(len(state['shops'])) + pages(len(state['remotes'])) + pages(len(state['stores']))


def count_requests(log):
    """Requests of a run by kind, from the emulator's request log."""
    counts = {'login': 0, 'list_pages': 0, 'list_pages_by_resource': {'shops': 0, 'remotes': 0, 'stores': 0},
              'get_by_id': 0, 'writes': 0, 'writes_by_kind': {'remote': 0, 'config': 0, 'store': 0, 'other': 0},
              'errors': 0, 'total': len(log)}
    for entry in log:
        path = entry['path'][len(API_PREFIX):] if entry['path'].startswith(API_PREFIX) else entry['path']
        if entry['status'] is None or entry['status'] == 0 or entry['status'] >= 400:
            counts['errors'] += 1
        if entry['method'] == 'POST' and path == 'admin/login':
            counts['login'] += 1
        elif entry['method'] == 'GET':
            if path in LIST_PATHS:
                counts['list_pages'] += 1
                counts['list_pages_by_resource'][LIST_PATHS[path]] += 1
            else:
                counts['get_by_id'] += 1
        else:
            counts['writes'] += 1
            kind = next((name for prefix, name in WRITE_KINDS if path.startswith(prefix)), 'other')
            counts['writes_by_kind'][kind] += 1
    return counts


def request_bound(kind, list_pass, changed):
    """The most requests a run may make (logins aside): its list pages, one write per changed record, the read-back."""
    passes = ALLOWED_LIST_PASSES[kind]
    if not changed and kind in ('rollback', 'restore'):
        passes -= 1  # nothing written, nothing read back
    allowed_pages = passes * list_pass
    return {'list_pages_one_pass': list_pass, 'allowed_list_pages': allowed_pages, 'changed_records': changed,
            'max_requests': allowed_pages + (0 if kind == 'check' else changed)}


def bound_check(kind, counts, bound):
    """Which parts of the bound a run kept: list reads, writes (one per changed record), no GET by id."""
    requests = counts['total'] - counts['login']
    writes_allowed = 0 if kind == 'check' else bound['changed_records']
    result = {
        'list_pages_ok': counts['list_pages'] <= bound['allowed_list_pages'],
        'writes_ok': counts['writes'] <= writes_allowed,
        'requests_ok': requests <= bound['max_requests'],
        'list_passes': round(counts['list_pages'] / float(bound['list_pages_one_pass']), 2),
    }
    result['ok'] = result['list_pages_ok'] and result['writes_ok'] and result['requests_ok']
    return result


# --- running playbooks ------------------------------------------------------------------------------------------------

def credentials(auth):
    seed = json.loads(DEMO_SEED.read_text(encoding='utf-8'))
    if auth == 'token':
        return {'hotwax_oms_token': seed['tokens'][0]['token']}
    admin = next(user for user in seed['users'] if user.get('permission') == 'admin')
    return {'hotwax_oms_username': admin['username'], 'hotwax_oms_password': admin['password']}


def write_inventory(path, url, auth, snapshot_dir):
    host = {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable, 'hotwax_oms_url': url,
            'hotwax_oms_validate_certs': False, 'rollback_snapshot_dir': str(snapshot_dir)}
    host.update(credentials(auth))
    # JSON is YAML: no quoting to get wrong.
    path.write_text(json.dumps({'hotwax_oms': {'hosts': {'bench': host}}}, indent=2), encoding='utf-8')


def ansible_env():
    env = dict(os.environ)
    for name in list(env):
        if name.startswith('ANSIBLE_CALLBACK') or name == 'HOTWAX_TEST_RESULTS':
            del env[name]  # a test's result recorder would slow the runs down
    env.update({
        'ANSIBLE_COLLECTIONS_PATH': str(COLLECTIONS),
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_RETRY_FILES_ENABLED': '0',
        'ANSIBLE_LOCALHOST_WARNING': '0',
        'ANSIBLE_INVENTORY_UNPARSED_WARNING': '0',
        'PATH': str(Path(sys.executable).parent) + os.pathsep + env.get('PATH', ''),
    })
    return env


def run_playbook(playbook, inventory, args, log_path, workdir):
    """Run ansible-playbook; return (return code, wall seconds, CPU seconds of it and its children, wall-clock start)."""
    command = [str(Path(sys.executable).parent / 'ansible-playbook'), '-i', str(inventory), '-l', 'all', playbook] + list(args)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    started_at = time.time()
    start = time.monotonic()
    with open(log_path, 'w', encoding='utf-8') as log:
        proc = subprocess.run(command, env=ansible_env(), cwd=str(workdir), stdout=log, stderr=subprocess.STDOUT,
                              timeout=PLAYBOOK_TIMEOUT, check=False)
    seconds = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    return proc.returncode, seconds, cpu, started_at


def time_to_safe(log, started_at):
    """Seconds from the start of the playbook to the answer of its last successful write (None without writes)."""
    times = [entry['time'] for entry in log
             if entry['method'] not in ('GET', 'POST') and entry['status'] and entry['status'] < 400]
    return round(max(times) - started_at, 3) if times else None


def timeline(log, started_at):
    """Consecutive requests of one kind as ``[kind, first s, last s, count]``, times from the start of the playbook.

    Kinds: ``login``, ``list <resource>``, ``get``, ``write`` (the writes of all resources, which interleave).
    """
    phases = []
    for entry in log:
        path = entry['path'][len(API_PREFIX):] if entry['path'].startswith(API_PREFIX) else entry['path']
        if entry['method'] == 'POST' and path == 'admin/login':
            kind = 'login'
        elif entry['method'] == 'GET':
            kind = 'list %s' % LIST_PATHS[path] if path in LIST_PATHS else 'get'
        else:
            kind = 'write'
        at = round(entry['time'] - started_at, 3)
        if phases and phases[-1][0] == kind:
            phases[-1][2] = at
            phases[-1][3] += 1
        else:
            phases.append([kind, at, at, 1])
    return phases


PLAYBOOKS = {
    'check': ('hotwax.oms.rollback', ['--check', '--diff']),
    'rollback': ('hotwax.oms.rollback', []),
    'restore': ('hotwax.oms.restore', []),
    'baseline': (str(BASELINE_PLAYBOOK), []),
}


def measure(kind, emulator, inventory, logs_dir, name, workdir):
    playbook, args = PLAYBOOKS[kind]
    log_path = logs_dir / ('%s-%s.log' % (name, kind))
    before = emulator.state()
    returncode, seconds, cpu, started_at = run_playbook(playbook, inventory, args, log_path, workdir)
    log = emulator.requests()
    after = emulator.state()
    return {'returncode': returncode, 'wall_s': round(seconds, 3), 'cpu_s': round(cpu, 3),
            'time_to_safe_s': time_to_safe(log, started_at), 'timeline': timeline(log, started_at),
            'counts': count_requests(log), 'changed': changed_records(before, after), 'log': str(log_path),
            'before': before, 'after': after}


def run_workload(shops, latency_ms, args, logs_dir):
    """Every run of one workload; returns its result dict."""
    stores = args.stores or stores_for(shops)
    name = '%dshops-%dms' % (shops, latency_ms)
    kinds = ['check', 'rollback', 'restore'] + (['baseline'] if shops <= args.baseline_max_shops else [])
    reps = dict((kind, []) for kind in kinds)
    problems = []
    workdir = Path(tempfile.mkdtemp(prefix='hotwax-bench-'))
    try:
        with Emulator(shops, stores, latency_ms, workdir) as emulator:
            inventory = workdir / 'inventory.yml'
            write_inventory(inventory, emulator.url, args.auth, workdir / 'snapshots')
            if args.warm_up:
                # Untimed: the first ansible-playbook of a session pays for compiling and caching what later runs reuse.
                args.warm_up = False
                emulator.reset()
                run_playbook(PLAYBOOKS['check'][0], inventory, PLAYBOOKS['check'][1], logs_dir / 'warm-up.log', workdir)
            for rep in range(args.repeat):
                shutil.rmtree(workdir / 'snapshots', ignore_errors=True)
                for kind in kinds:
                    if kind != 'restore':
                        emulator.reset()  # every run but the restore starts from the open state
                    else:
                        emulator.clear_requests()  # the restore starts where the rollback left the OMS
                    result = measure(kind, emulator, inventory, logs_dir, '%s-r%d' % (name, rep + 1), workdir)
                    reps[kind].append(result)
                    sys.stderr.write('  %-9s %-8s %8.2f s  %4d requests  rc=%d\n' % (
                        name, kind, result['wall_s'], result['counts']['total'], result['returncode']))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return summarize(name, shops, stores, latency_ms, reps, problems)


def summarize(name, shops, stores, latency_ms, reps, problems):
    first = reps['rollback'][0]
    open_state = first['before']
    list_pass = one_list_pass(open_state)
    closes = len(first['changed'])
    runs = {}
    for kind, results in reps.items():
        result = results[0]
        for rep in results:
            if rep['returncode'] != 0:
                problems.append('%s failed (rc=%d), see %s' % (kind, rep['returncode'], rep['log']))
        changed = closes if kind == 'check' else len(result['changed'])
        bound = request_bound(kind, list_pass, changed)
        walls = [rep['wall_s'] for rep in results]
        safes = [rep['time_to_safe_s'] for rep in results if rep['time_to_safe_s'] is not None]
        runs[kind] = {
            'wall_s': round(statistics.median(walls), 3),
            'wall_s_all': walls,
            'cpu_s': round(statistics.median(rep['cpu_s'] for rep in results), 3),
            'time_to_safe_s': round(statistics.median(safes), 3) if safes else None,
            'changed_records': len(result['changed']),
            'requests': result['counts'],
            'bound': bound,
            'within_bound': bound_check(kind, result['counts'], bound),
            'returncode': max(rep['returncode'] for rep in results),
            'timeline': result['timeline'],
        }
    # Correctness, so that the times compare runs that did the same job.
    if runs['check']['changed_records'] or runs['check']['requests']['writes']:
        problems.append('check mode wrote to the OMS')
    if reps['restore'][0]['after'] and normal(reps['restore'][0]['after']) != normal(open_state):
        problems.append('the restore did not bring back the state from before the rollback')
    if 'baseline' in reps and records(reps['baseline'][0]['after']) != records(first['after']):
        problems.append('the baseline left a different state than the collection rollback')
    workload = {
        'name': name, 'shops': shops, 'stores': stores, 'latency_ms': latency_ms,
        'remotes': len(open_state['remotes']), 'configs': sum(len(shop['configs']) for shop in open_state['shops'].values()),
        'records_to_close': closes, 'list_pages_one_pass': list_pass, 'runs': runs, 'problems': problems,
    }
    if 'baseline' in runs:
        base, coll = runs['baseline'], runs['rollback']
        workload['ratios'] = {
            'rollback_wall': round(coll['wall_s'] / base['wall_s'], 3),
            'check_wall': round(runs['check']['wall_s'] / base['wall_s'], 3),
            'restore_wall': round(runs['restore']['wall_s'] / base['wall_s'], 3),
            'time_to_safe': (round(coll['time_to_safe_s'] / base['time_to_safe_s'], 3)
                             if coll['time_to_safe_s'] and base['time_to_safe_s'] else None),
        }
    return workload


# --- report -----------------------------------------------------------------------------------------------------------

def growth(workloads):
    """Wall time at each size relative to the smallest size, per latency and run kind."""
    out = {}
    for latency in sorted(set(w['latency_ms'] for w in workloads)):
        rows = sorted((w for w in workloads if w['latency_ms'] == latency), key=lambda w: w['shops'])
        smallest = rows[0]
        out[str(latency)] = [dict(
            shops=w['shops'], shops_factor=round(w['shops'] / float(smallest['shops']), 1),
            records_factor=round(w['records_to_close'] / float(max(1, smallest['records_to_close'])), 1),
            **dict(('%s_factor' % kind, round(w['runs'][kind]['wall_s'] / smallest['runs'][kind]['wall_s'], 2))
                   for kind in RUN_KINDS if kind in w['runs'] and kind in smallest['runs'])) for w in rows]
    return out


def fmt(value, spec='%.2f', none='n/a'):
    return none if value is None else spec % value


def requests_cell(run):
    counts, check = run['requests'], run['within_bound']
    return '%d / %d / %d: %d %s %d' % (counts['list_pages'], counts['writes'], counts['login'], counts['total'] - counts['login'],
                                       '<=' if check['ok'] else '**>**', run['bound']['max_requests'])


def markdown(report):
    workloads, env, settings = report['workloads'], report['environment'], report['settings']
    lines = ['Run of %s, commit %s, %s, Python %s, %s CPUs, load average %.1f at the start and %.1f at the end; '
             '%d run(s) of each playbook (median), credential: %s, baseline up to %d shops; %.0f s in all.' % (
                 env['date'], env['git_commit'], env['ansible_core'], env['python'], env['cpus'],
                 env['load_average_at_start'][0], env.get('load_average_at_end', [float('nan')])[0], settings['repeat'],
                 settings['auth'], settings['baseline_max_shops'], report.get('total_s', 0)), '']
    lines.append('| shops | stores | latency | records closed | rollback / baseline | time-to-safe / baseline | check / baseline '
                 '| restore / baseline | rollback s | check s | restore s | baseline s |')
    lines.append('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    for w in workloads:
        runs, ratios = w['runs'], w.get('ratios') or {}
        base = runs.get('baseline')
        lines.append('| %d | %d | %d ms | %d | %s | %s | %s | %s | %.1f | %.1f | %.1f | %s |' % (
            w['shops'], w['stores'], w['latency_ms'], w['records_to_close'],
            fmt(ratios.get('rollback_wall'), '**%.3f**'), fmt(ratios.get('time_to_safe'), '%.3f'),
            fmt(ratios.get('check_wall'), '%.3f'), fmt(ratios.get('restore_wall'), '%.3f'),
            runs['rollback']['wall_s'], runs['check']['wall_s'], runs['restore']['wall_s'],
            fmt(base and base['wall_s'], '%.1f', 'not run')))
    lines += ['', 'Requests per run, from the emulator log: list pages / writes / logins, then the requests other than '
              'logins against the bound: the allowed list passes (rollback 3: snapshot, read, read-back; check 2: snapshot, '
              'read; restore and baseline 2: read, read-back) + one write per changed record.', '',
              '| shops | latency | one list pass | check | rollback | restore | baseline | rollback list passes |',
              '|---:|---:|---:|---|---|---|---|---:|']
    for w in workloads:
        runs = w['runs']
        lines.append('| %d | %d ms | %d pages | %s | %s | %s | %s | %s |' % (
            w['shops'], w['latency_ms'], w['list_pages_one_pass'], requests_cell(runs['check']),
            requests_cell(runs['rollback']), requests_cell(runs['restore']),
            requests_cell(runs['baseline']) if 'baseline' in runs else 'not run',
            fmt(runs['rollback']['within_bound']['list_passes'], '%.0f')))
    lines += ['', 'Growth of wall time with the number of shops (relative to the smallest size):', '',
              '| latency | shops | shops x | records x | rollback x | check x | restore x | baseline x |',
              '|---:|---:|---:|---:|---:|---:|---:|---:|']
    for latency, rows in report['growth'].items():
        for row in rows:
            lines.append('| %s ms | %d | %s | %s | %s | %s | %s | %s |' % (
                latency, row['shops'], row['shops_factor'], row['records_factor'], row.get('rollback_factor', 'n/a'),
                row.get('check_factor', 'n/a'), row.get('restore_factor', 'n/a'), row.get('baseline_factor', 'not run')))
    problems = [(w['name'], p) for w in workloads for p in w['problems']]
    if problems:
        lines += ['', 'Problems:', ''] + ['- %s: %s' % item for item in problems]
    return '\n'.join(lines) + '\n'


def environment():
    def output(command):
        try:
            return subprocess.run(command, cwd=str(REPO), capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return None
    version = output([str(Path(sys.executable).parent / 'ansible-playbook'), '--version'])
    return {
        'date': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
        'git_commit': output(['git', 'rev-parse', '--short', 'HEAD']),
        'python': platform.python_version(),
        'ansible_core': version.splitlines()[0] if version else None,
        'cpus': os.cpu_count(),
        'load_average_at_start': list(os.getloadavg()),
        'platform': platform.platform(),
    }


def parse_args(argv):
    parser = argparse.ArgumentParser(prog='benchmarks/run.sh', description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='1 shop at 0 ms only (what CI runs)')
    parser.add_argument('--shops', type=lambda text: [int(n) for n in text.split(',')],
                        help='shop counts, comma-separated (default: %s)' % ','.join(map(str, FULL_SHOPS)))
    parser.add_argument('--latencies', type=lambda text: [int(n) for n in text.split(',')],
                        help='emulator latencies in ms, comma-separated (default: %s)' % ','.join(map(str, FULL_LATENCIES)))
    parser.add_argument('--stores', type=int, help='product stores of every fleet (default: 1, 3 or 5 by size)')
    parser.add_argument('--repeat', type=int, default=1, help='runs of each playbook; the median is reported (default: 1)')
    parser.add_argument('--baseline-max-shops', type=int, default=DEFAULT_BASELINE_MAX_SHOPS,
                        help='largest fleet the baseline runs on (default: %d; 500 adds about 30 minutes)' % DEFAULT_BASELINE_MAX_SHOPS)
    parser.add_argument('--auth', choices=('login', 'token'), default='login',
                        help='credential of both playbooks: username and password (default), or a long-lived token')
    parser.add_argument('--no-warm-up', dest='warm_up', action='store_false',
                        help='skip the untimed check run made before the first measured run')
    parser.add_argument('--output-dir', type=Path, default=DEFAULT_OUTPUT, help='where results go (default: benchmarks/results)')
    parser.add_argument('--from-json', type=Path, metavar='FILE', help='print the markdown tables of an earlier results file, run nothing')
    args = parser.parse_args(argv)
    if args.quick:
        args.shops = args.shops or [1]
        args.latencies = args.latencies or [0]
    args.shops = args.shops or list(FULL_SHOPS)
    args.latencies = args.latencies if args.latencies is not None else list(FULL_LATENCIES)
    if args.repeat < 1 or min(args.shops) < 1 or min(args.latencies) < 0:
        parser.error('--repeat and --shops must be at least 1, --latencies at least 0')
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.from_json:
        sys.stdout.write(markdown(json.loads(args.from_json.read_text(encoding='utf-8'))))
        return 0
    if not (COLLECTIONS / 'ansible_collections' / 'hotwax' / 'oms').exists():
        sys.exit('build/collections does not hold hotwax.oms: run `make setup` (benchmarks/run.sh does)')
    stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S')
    output = args.output_dir
    logs_dir = output / 'logs' / stamp
    logs_dir.mkdir(parents=True, exist_ok=True)
    report = {'environment': environment(), 'settings': {
        'shops': args.shops, 'latencies_ms': args.latencies, 'repeat': args.repeat, 'auth': args.auth,
        'baseline_max_shops': args.baseline_max_shops, 'quick': args.quick, 'page_size': PAGE_SIZE,
        'baseline_playbook': str(BASELINE_PLAYBOOK.relative_to(REPO))}}
    started = time.monotonic()
    workloads = []
    for latency in args.latencies:
        for shops in args.shops:
            sys.stderr.write('workload: %d shops, %d ms\n' % (shops, latency))
            workloads.append(run_workload(shops, latency, args, logs_dir))
    report['workloads'] = workloads
    report['growth'] = growth(workloads)
    report['total_s'] = round(time.monotonic() - started, 1)
    report['environment']['load_average_at_end'] = list(os.getloadavg())
    text = markdown(report)
    json_path, md_path = output / ('benchmark-%s.json' % stamp), output / ('benchmark-%s.md' % stamp)
    json_path.write_text(json.dumps(report, indent=2) + '\n', encoding='utf-8')
    md_path.write_text(text, encoding='utf-8')
    shutil.copyfile(str(json_path), str(output / 'latest.json'))
    shutil.copyfile(str(md_path), str(output / 'latest.md'))
    sys.stdout.write(text)
    sys.stdout.write('\n%s\n%s\n(%.0f s in all)\n' % (json_path, md_path, report['total_s']))
    problems = [p for w in workloads for p in w['problems']]
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
