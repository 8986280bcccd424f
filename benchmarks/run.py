"""Benchmark: how fast hotwax.oms makes an OMS safe, against the floor any client pays and the playbook a user would write.

    benchmarks/run.sh              # full run: 1, 10, 130, 500 shops x 0 and 20 ms latency (under 10 minutes on 2 cores)
    benchmarks/run.sh --quick      # 1 shop, 0 ms: proves the benchmark works (tests/test_benchmark_smoke.py)
    benchmarks/run.sh --fleet 12   # 12 environments rolled back at once (-f 12) against one of them alone
    benchmarks/run.sh --help       # every option

For every workload it starts the OMS emulator as a separate process (its CLI, with a generated fleet), then, N times
in turn (the median is reported), resetting the emulator in between:

    empty     ansible-playbook benchmarks/baseline/empty_play.yml     the floor's Ansible part
    check     ansible-playbook hotwax.oms.rollback --check --diff      (from the open state)
    floor     benchmarks/critical_path.py, reads only                  (from the open state)
    rollback  ansible-playbook hotwax.oms.rollback                     (from the open state)
    restore   ansible-playbook hotwax.oms.restore                      (from the rolled-back state)
    floor     critical_path.py: reads, the rollback's writes, read-back (from the open state)
    floor     critical_path.py: reads, the restore's writes, read-back  (from the rolled-back state)
    baseline  ansible-playbook benchmarks/baseline/rollback_uri.yml    (from the open state, ansible.builtin.uri only)

The floor of a run is the empty play plus its requests' critical path replayed by a plain Python script. It records
the wall time of each, the time to safe (from the start of the command to the answer of the last close/stop write),
and the requests by kind against their bound, from the emulator's request log. Results go to benchmarks/results/ as
JSON and as markdown tables. Times are measured, never judged: the exit status is non-zero only when a run fails or
leaves a wrong state.

With --fleet N it measures instead how many environments one controller rolls back at once: N emulators (the first
of --shops, default 130 shops, at the first of --latencies, default 20 ms), each its own process; in each round the
rollback of one environment alone, then of all N with -f N, each from the open state. It reports the wall time of
each, their ratio, and the CPU seconds of ansible-playbook and its workers per environment, with the empty play's.
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
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COLLECTIONS = REPO / 'build' / 'collections'
BASELINE_PLAYBOOK = REPO / 'benchmarks' / 'baseline' / 'rollback_uri.yml'
EMPTY_PLAYBOOK = REPO / 'benchmarks' / 'baseline' / 'empty_play.yml'
CRITICAL_PATH = REPO / 'benchmarks' / 'critical_path.py'
DEFAULT_OUTPUT = REPO / 'benchmarks' / 'results'
DEMO_SEED = REPO / 'tests' / 'emulator' / 'seeds' / 'demo.json'

API_PREFIX = '/rest/s1/'
SERVER_PAGE_SIZE = 100  # rows of a page when the client asks no pageSize; the bound never counts smaller pages
RESOURCES = ('shops', 'remotes', 'stores')
# Lists the OMS answers without a total (the live remote list: no header, no body count): no client can end them on
# a short page, so the contract allows one request more, for the page that adds nothing (tests/emulator/README.md).
WITHOUT_TOTAL = ('remotes',)
LIST_PATHS = {
    'oms/shopifyShops/shops': 'shops',
    'oms/systemMessageRemotes': 'remotes',
    'admin/productStores': 'stores',
    'oms/productStores': 'stores',
}
# Reads that say whether the closed OMS is safe, once per run whatever its size (docs/safety.md): the scope enums
# (is the closed value honoured?), and what the two switches do not stop: the routing groups, each selected group's
# brokering runs and its job's runs, test-drive sessions, the real-time intake job and its runs.
SAFETY_READ_PREFIXES = ('admin/enums', 'order-routing/groups', 'admin/user/sessions', 'admin/serviceJobs/')
SAFETY_READ_KINDS = ('check', 'rollback')
FLOOR_LISTS = ('oms/shopifyShops/shops', 'oms/systemMessageRemotes', 'admin/productStores')
WRITE_KINDS = (('oms/systemMessageRemotes/', 'remote'), ('oms/shopifyShops/shops/', 'config'),
               ('admin/productStores/', 'store'), ('oms/productStores/', 'store'))
SAFE_WRITE_KINDS = ('remote', 'config', 'store')  # the writes that close access or stop brokering
RUN_KINDS = ('check', 'rollback', 'restore', 'baseline')
FLOOR_KINDS = ('check', 'rollback', 'restore')
# Passes over the lists a run may make: one to read what to change and one to read it back after writing. The role's
# rollback and check runs read once more, first, for the snapshot, taken before any write so that a crash cannot lose
# the state from before the incident. The floor makes the passes no client can skip: read (and read back).
ALLOWED_LIST_PASSES = {'check': 2, 'rollback': 3, 'restore': 2, 'baseline': 2}
FLOOR_LIST_PASSES = {'check': 1, 'rollback': 2, 'restore': 2}

FULL_SHOPS = (1, 10, 130, 500)
FULL_LATENCIES = (0, 20)
# The baseline runs one uri task per record, most of a second each on 2 cores: about 3 minutes at 130 shops, 10 at 500.
# Its time is CPU per task, which the latency barely changes, so by default it runs at one latency and up to 130 shops,
# to keep a full run under 10 minutes. --baseline-latencies 0,20 --baseline-max-shops 500 runs it everywhere.
DEFAULT_BASELINE_MAX_SHOPS = 130
DEFAULT_BASELINE_LATENCIES = (20,)
DEFAULT_REPEAT = 1
EMULATOR_START_TIMEOUT = 60
PLAYBOOK_TIMEOUT = 3600


def stores_for(shops):
    """A customer has 1 to 5 product stores: one for a single shop, then 3, then 5."""
    if shops <= 1:
        return 1
    return 3 if shops <= 10 else 5


def pages(rows, page_size):
    """Pages a client must read to list ``rows`` rows at ``page_size`` (an empty list is still one page)."""
    return max(1, int(math.ceil(rows / float(page_size))))


def median(values):
    values = [value for value in values if value is not None]
    return round(statistics.median(values), 3) if values else None


def ratio(numerator, denominator):
    return round(numerator / denominator, 3) if numerator and denominator else None


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

    def cpu_seconds(self):
        """The CPU seconds the emulator's process has used so far (Linux /proc), or None where that is not readable."""
        try:
            with open('/proc/%d/stat' % self.process.pid, encoding='ascii') as stat:
                fields = stat.read().rsplit(')', 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')  # utime and stime, in clock ticks
        except (OSError, ValueError, IndexError, AttributeError):
            return None


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


def list_rows(state):
    """Rows of each list a run reads."""
    return {'shops': len(state['shops']), 'remotes': len(state['remotes']), 'stores': len(state['stores'])}


def api_path(entry):
    return entry['path'][len(API_PREFIX):] if entry['path'].startswith(API_PREFIX) else entry['path']


def asked_page_sizes(log, rows):
    """The page size a run asked for each list (the largest it asked), never less than the server's default page."""
    sizes = dict((name, SERVER_PAGE_SIZE) for name in RESOURCES)
    for entry in log:
        name = LIST_PATHS.get(api_path(entry)) if entry['method'] == 'GET' else None
        if not name:
            continue
        query = entry.get('query') or {}
        if str(query.get('pageNoLimit', '')).lower() == 'true':
            asked = max(1, rows[name])
        else:
            try:
                asked = int(query.get('pageSize') or SERVER_PAGE_SIZE)
            except ValueError:
                asked = SERVER_PAGE_SIZE
        sizes[name] = max(sizes[name], asked)
    return sizes


def one_list_pass(rows, sizes):
    """Pages of one full read of the lists a rollback needs (shops with configs, remotes, stores) at these page sizes."""
    return sum(pages(rows[name], sizes[name]) + (1 if name in WITHOUT_TOTAL and rows[name] else 0) for name in RESOURCES)


def count_requests(log):
    """Requests of a run by kind, from the emulator's request log."""
    counts = {'login': 0, 'list_pages': 0, 'list_pages_by_resource': dict((name, 0) for name in RESOURCES),
              'get_by_id': 0, 'safety_reads': 0, 'writes': 0, 'writes_by_kind': {'remote': 0, 'config': 0, 'store': 0, 'other': 0},
              'errors': 0, 'total': len(log)}
    for entry in log:
        path = api_path(entry)
        if entry['status'] is None or entry['status'] == 0 or entry['status'] >= 400:
            counts['errors'] += 1
        if entry['method'] == 'POST' and path == 'admin/login':
            counts['login'] += 1
        elif entry['method'] == 'GET':
            if path in LIST_PATHS:
                counts['list_pages'] += 1
                counts['list_pages_by_resource'][LIST_PATHS[path]] += 1
            elif path.startswith(SAFETY_READ_PREFIXES):
                counts['safety_reads'] += 1
            else:
                counts['get_by_id'] += 1
        else:
            counts['writes'] += 1
            counts['writes_by_kind'][write_kind(path)] += 1
    return counts


def write_kind(path):
    return next((name for prefix, name in WRITE_KINDS if path.startswith(prefix)), 'other')


def safety_reads(stores):
    """The safety reads of one rollback or check (SAFETY_READ_PREFIXES) on a fleet seed of ``stores`` stores.

    The scope enums (1); the routing groups (1), test-drive sessions (1), the intake job and its runs (2); then per
    routing group its brokering runs, and per scheduled group its job's runs. The fleet seed gives each store a
    scheduled group, and the first store one more without a schedule.
    """
    groups, scheduled = stores + 1, stores
    return 1 + 4 + groups + scheduled


def request_bound(passes, list_pass, changed, writes=True, safety=0):
    """The most requests a run may make (logins aside): its list passes, one write per changed record, and its
    safety reads (``safety``, a fixed number per run)."""
    if not changed and passes > 1:
        passes -= 1  # nothing written, nothing read back
    allowed_pages = passes * list_pass
    return {'list_pages_one_pass': list_pass, 'list_passes': passes, 'allowed_list_pages': allowed_pages,
            'changed_records': changed, 'safety_reads': safety,
            'max_requests': allowed_pages + (changed if writes else 0) + safety}


def bound_check(counts, bound, writes=True):
    """Which parts of the bound a run kept: list reads, writes (one per changed record), nothing else."""
    requests = counts['total'] - counts['login']
    result = {
        'list_pages_ok': counts['list_pages'] <= bound['allowed_list_pages'],
        'writes_ok': counts['writes'] <= (bound['changed_records'] if writes else 0),
        'safety_reads_ok': counts.get('safety_reads', 0) <= bound.get('safety_reads', 0),
        'requests_ok': requests <= bound['max_requests'],
        'list_passes': round(counts['list_pages'] / float(bound['list_pages_one_pass']), 2),
    }
    result['ok'] = result['list_pages_ok'] and result['writes_ok'] and result['safety_reads_ok'] and result['requests_ok']
    return result


def time_to_safe(log, started_at, latency_ms):
    """Seconds from the start of the command to the answer of its last close/stop write (None without one).

    The emulator logs a request when it arrives and answers it ``latency_ms`` later (the write itself takes well under
    a millisecond); its clock is this machine's time.time(), the one ``started_at`` was read from.
    """
    times = [entry['time'] for entry in log
             if entry['method'] not in ('GET', 'POST') and write_kind(api_path(entry)) in SAFE_WRITE_KINDS
             and entry['status'] and entry['status'] < 400]
    return round(max(times) + latency_ms / 1000.0 - started_at, 3) if times else None


def first_request(log, started_at):
    """The process start offset: seconds from the start of the command to its first request (None without one)."""
    return round(log[0]['time'] - started_at, 3) if log else None


def timeline(log, started_at):
    """Consecutive requests of one kind as ``[kind, first s, last s, count]``, times from the start of the command.

    Kinds: ``login``, ``list <resource>``, ``get``, ``write`` (the writes of all resources, which interleave).
    """
    phases = []
    for entry in log:
        path = api_path(entry)
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


def writes_to(current, target):
    """The writes that take the OMS from ``current`` to ``target``, one per record that differs, as the API wants them."""
    shop_of = dict((config, shop) for shop, row in target['shops'].items() for config in row['configs'])
    old, new = records(current), records(target)
    writes = []
    for kind, key in sorted(set(old) | set(new)):
        value = new.get((kind, key))
        if old.get((kind, key)) == value:
            continue
        quoted = urllib.parse.quote(key, safe='')
        if kind == 'remote':
            writes.append({'path': 'oms/systemMessageRemotes/' + quoted,
                           'body': {'systemMessageRemoteId': key, 'accessScopeEnumId': value or 'SHOP_READ_ACCESS'}})
        elif kind == 'config':
            shop = shop_of[key]
            writes.append({'path': 'oms/shopifyShops/shops/' + urllib.parse.quote(shop, safe=''),
                           'body': {'shopId': shop, 'shopifyConfig': [
                               {'shopifyConfigId': key, 'accessScopeEnumId': value or 'SHOP_READ_ACCESS'}]}})
        else:
            writes.append({'path': 'admin/productStores/' + quoted,
                           'body': {'productStoreId': key, 'enableBrokering': value or 'Y'}})
    return writes


# --- running playbooks and the critical path ------------------------------------------------------------------------

def credentials(auth):
    seed = json.loads(DEMO_SEED.read_text(encoding='utf-8'))
    if auth == 'token':
        return {'hotwax_oms_token': seed['tokens'][0]['token']}
    admin = next(user for user in seed['users'] if user.get('permission') == 'admin')
    return {'hotwax_oms_username': admin['username'], 'hotwax_oms_password': admin['password']}


def write_inventory(path, url, auth, snapshot_dir, urls=None):
    """An inventory of one environment ``bench`` at ``url``, or with ``urls`` one environment per URL (env01, ...)."""
    def host(oms_url):
        values = {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable, 'hotwax_oms_url': oms_url,
                  'hotwax_oms_validate_certs': False, 'rollback_snapshot_dir': str(snapshot_dir)}
        values.update(credentials(auth))
        return values
    hosts = {'bench': host(url)} if urls is None else dict(
        ('env%02d' % (index + 1), host(each)) for index, each in enumerate(urls))
    # JSON is YAML: no quoting to get wrong.
    path.write_text(json.dumps({'hotwax_oms': {'hosts': hosts}}, indent=2), encoding='utf-8')


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


def run_playbook(playbook, inventory, args, log_path, workdir, limit='all'):
    """Run ansible-playbook; return (return code, wall seconds, CPU seconds of it and its children, wall-clock start)."""
    command = [str(Path(sys.executable).parent / 'ansible-playbook'), '-i', str(inventory), '-l', limit, playbook] + list(args)
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


PLAYBOOKS = {
    'empty': (str(EMPTY_PLAYBOOK), []),
    'check': ('hotwax.oms.rollback', ['--check', '--diff']),
    'rollback': ('hotwax.oms.rollback', []),
    'restore': ('hotwax.oms.restore', []),
    'baseline': (str(BASELINE_PLAYBOOK), []),
}


def measure(kind, emulator, inventory, logs_dir, name, workdir):
    """One ansible-playbook run and what it did to the emulator."""
    playbook, args = PLAYBOOKS[kind]
    log_path = logs_dir / ('%s-%s.log' % (name, kind))
    before = emulator.state()
    returncode, seconds, cpu, started_at = run_playbook(playbook, inventory, args, log_path, workdir)
    log = emulator.requests()
    after = emulator.state()
    return {'returncode': returncode, 'wall_s': round(seconds, 3), 'cpu_s': round(cpu, 3),
            'time_to_safe_s': time_to_safe(log, started_at, emulator.latency_ms),
            'first_request_s': first_request(log, started_at), 'timeline': timeline(log, started_at),
            'counts': count_requests(log), 'page_sizes': asked_page_sizes(log, list_rows(before)),
            'changed': changed_records(before, after), 'log': str(log_path), 'before': before, 'after': after}


def measure_critical_path(kind, emulator, auth, writes, workdir, log_path):
    """The critical path of one run kind, replayed by benchmarks/critical_path.py in its own process."""
    plan = {'url': emulator.url, 'validate_certs': False, 'lists': list(FLOOR_LISTS), 'writes': writes,
            'read_back': kind != 'check' and bool(writes)}  # nothing written, nothing to read back
    plan.update(dict((key[len('hotwax_oms_'):], value) for key, value in credentials(auth).items()))
    plan_path = Path(workdir) / ('plan-%s.json' % kind)
    plan_path.write_text(json.dumps(plan), encoding='utf-8')
    before = emulator.state()
    with open(log_path, 'w', encoding='utf-8') as err:
        proc = subprocess.run([sys.executable, str(CRITICAL_PATH), str(plan_path)], cwd=str(REPO), stdout=subprocess.PIPE,
                              stderr=err, text=True, timeout=PLAYBOOK_TIMEOUT, check=False)
    log = emulator.requests()
    after = emulator.state()
    result = json.loads(proc.stdout) if proc.returncode == 0 else {}
    started_at = result.get('started_at', 0)
    return {'returncode': proc.returncode, 'wall_s': result.get('wall_s'),
            'time_to_safe_s': time_to_safe(log, started_at, emulator.latency_ms) if result else None,
            'script': result, 'counts': count_requests(log), 'page_sizes': asked_page_sizes(log, list_rows(before)),
            'changed': changed_records(before, after), 'log': str(log_path), 'before': before, 'after': after}


def run_workload(shops, latency_ms, args, logs_dir):
    """Every run of one workload, N times in turn; returns its result dict."""
    stores = args.stores or stores_for(shops)
    name = '%dshops-%dms' % (shops, latency_ms)
    with_baseline = shops <= args.baseline_max_shops and latency_ms in args.baseline_latencies
    kinds = ['check', 'rollback', 'restore'] + (['baseline'] if with_baseline else [])
    reps = dict((kind, []) for kind in ['empty'] + kinds)
    floor_reps = dict((kind, []) for kind in FLOOR_KINDS)
    workdir = Path(tempfile.mkdtemp(prefix='hotwax-bench-'))

    def note(label, result):
        sys.stderr.write('  %-11s %-14s %8s s  %4d requests  rc=%d\n' % (
            name, label, fmt(result['wall_s']), result['counts']['total'], result['returncode']))

    def role(kind, rep, reset=True):
        if reset:
            emulator.reset()  # every run but the restore starts from the open state
        else:
            emulator.clear_requests()  # the restore starts where the rollback left the OMS
        result = measure(kind, emulator, inventory, logs_dir, '%s-r%d' % (name, rep + 1), workdir)
        reps[kind].append(result)
        note(kind, result)
        return result

    def floor(kind, rep, writes, reset=True):
        if reset:
            emulator.reset()
        else:
            emulator.clear_requests()
        log_path = logs_dir / ('%s-r%d-floor-%s.log' % (name, rep + 1, kind))
        result = measure_critical_path(kind, emulator, args.auth, writes, workdir, log_path)
        floor_reps[kind].append(result)
        note('floor ' + kind, result)
        return result

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
                role('empty', rep)
                role('check', rep)
                floor('check', rep, [])
                rollback = role('rollback', rep)
                role('restore', rep, reset=False)
                # The floor makes the same writes as the collection: those that took the OMS to its rolled-back state.
                floor('rollback', rep, writes_to(rollback['before'], rollback['after']))
                floor('restore', rep, writes_to(rollback['after'], rollback['before']), reset=False)
                if 'baseline' in kinds:
                    role('baseline', rep)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return summarize(name, shops, stores, latency_ms, reps, floor_reps)


def run_fleet(environments, shops, latency_ms, args, logs_dir):
    """One environment's rollback alone, then all ``environments`` at once with as many forks, ``args.repeat`` rounds."""
    stores = args.stores or stores_for(shops)
    workdir = Path(tempfile.mkdtemp(prefix='hotwax-bench-fleet-'))
    rounds = {'empty': [], 'alone': [], 'fleet': []}
    problems = []
    emulators = []
    try:
        for index in range(environments):
            folder = workdir / ('oms%02d' % (index + 1))
            folder.mkdir()
            emulators.append(Emulator(shops, stores, latency_ms, folder).start())
        inventory = workdir / 'inventory.yml'
        write_inventory(inventory, None, args.auth, workdir / 'snapshots', urls=[emulator.url for emulator in emulators])
        runs = (('empty', str(EMPTY_PLAYBOOK), 'env01', []), ('alone', 'hotwax.oms.rollback', 'env01', []),
                ('fleet', 'hotwax.oms.rollback', 'hotwax_oms', ['-f', str(environments)]))
        for rep in range(args.repeat):
            for kind, playbook, limit, extra in runs:
                for emulator in emulators:
                    emulator.reset()
                shutil.rmtree(workdir / 'snapshots', ignore_errors=True)
                before = [emulator.state() for emulator in emulators]
                log_path = logs_dir / ('fleet%d-r%d-%s.log' % (environments, rep + 1, kind))
                emulators_cpu = [emulator.cpu_seconds() for emulator in emulators]
                returncode, seconds, cpu, dummy = run_playbook(playbook, inventory, extra, log_path, workdir, limit=limit)
                emulators_cpu = [None if first is None or emulator.cpu_seconds() is None else emulator.cpu_seconds() - first
                                 for first, emulator in zip(emulators_cpu, emulators)]
                closed = [len(changed_records(old, emulator.state())) for old, emulator in zip(before, emulators)]
                rounds[kind].append({'wall_s': round(seconds, 3), 'cpu_s': round(cpu, 3), 'returncode': returncode,
                                     'changed_records': closed, 'emulators_cpu_s': None if None in emulators_cpu else round(
                                         sum(emulators_cpu), 3)})
                sys.stderr.write('  fleet of %d  %-6s %8s s  %7s CPU s  rc=%d\n' % (
                    environments, kind, fmt(seconds), fmt(cpu), returncode))
                if returncode != 0:
                    problems.append('%s failed (rc=%d), see %s' % (kind, returncode, log_path))
                wanted = [closed[0]] * environments if kind == 'fleet' else [closed[0]] + [0] * (environments - 1)
                if kind != 'empty' and (closed != wanted or not closed[0]):
                    problems.append('%s closed %s records per environment, not %s' % (kind, closed, wanted))
    finally:
        for emulator in emulators:
            emulator.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    summary = dict((kind, {'wall_s': median(rep['wall_s'] for rep in reps), 'cpu_s': median(rep['cpu_s'] for rep in reps),
                           'emulators_cpu_s': median(rep['emulators_cpu_s'] for rep in reps)
                           if None not in [rep['emulators_cpu_s'] for rep in reps] else None,
                           'rounds': reps}) for kind, reps in rounds.items())
    return {'environments': environments, 'shops': shops, 'stores': stores, 'latency_ms': latency_ms,
            'runs': summary, 'problems': problems,
            'fleet_vs_alone': ratio(summary['fleet']['wall_s'], summary['alone']['wall_s']),
            'cpu_s_per_environment': round(summary['fleet']['cpu_s'] / environments, 3) if summary['fleet']['cpu_s'] else None,
            'cpu_s_alone': summary['alone']['cpu_s'], 'cpu_s_empty_play': summary['empty']['cpu_s']}


def fleet_markdown(report):
    fleet = report['fleet']
    runs = fleet['runs']
    lines = ['# hotwax.oms fleet benchmark', '',
             '%(date)s, commit %(git_commit)s, %(ansible_core)s, Python %(python)s, %(cpus)s CPUs.' % report['environment'],
             '', '%d environments of %d shops at %d ms, each its own emulator process; the median of %d rounds.' % (
                 fleet['environments'], fleet['shops'], fleet['latency_ms'], report['settings']['repeat']), '',
             '| run | wall s | CPU s (ansible-playbook and its workers) | CPU s (the emulators, on the same cores) |',
             '|---|---:|---:|---:|',
             '| empty play, one environment | %s | %s | %s |' % (
                 fmt(runs['empty']['wall_s']), fmt(runs['empty']['cpu_s']), fmt(runs['empty']['emulators_cpu_s'])),
             '| rollback, one environment alone | %s | %s | %s |' % (
                 fmt(runs['alone']['wall_s']), fmt(runs['alone']['cpu_s']), fmt(runs['alone']['emulators_cpu_s'])),
             '| rollback, all %d at once (-f %d) | %s | %s | %s |' % (
                 fleet['environments'], fleet['environments'], fmt(runs['fleet']['wall_s']), fmt(runs['fleet']['cpu_s']),
                 fmt(runs['fleet']['emulators_cpu_s'])),
             '', 'All at once / one alone: **%s x**. CPU seconds per environment at once: %s (one alone: %s; the empty '
             'play: %s).' % (fmt(fleet['fleet_vs_alone']), fmt(fleet['cpu_s_per_environment']), fmt(fleet['cpu_s_alone']),
                             fmt(fleet['cpu_s_empty_play']))]
    if fleet['problems']:
        lines += ['', 'Problems:', ''] + ['- %s' % problem for problem in fleet['problems']]
    return '\n'.join(lines) + '\n'


def summarize(name, shops, stores, latency_ms, reps, floor_reps):
    first = reps['rollback'][0]
    open_state, rolled_back = first['before'], first['after']
    rows = list_rows(open_state)
    closes = len(first['changed'])
    problems = []
    for kind, results in list(reps.items()) + [('floor ' + kind, results) for kind, results in floor_reps.items()]:
        for rep in results:
            if rep['returncode'] != 0:
                problems.append('%s failed (rc=%d), see %s' % (kind, rep['returncode'], rep['log']))

    runs = {}
    for kind in RUN_KINDS:
        if kind not in reps:
            continue
        results = reps[kind]
        result = results[0]
        changed = closes if kind == 'check' else len(result['changed'])
        bound = request_bound(ALLOWED_LIST_PASSES[kind], one_list_pass(rows, result['page_sizes']), changed,
                              writes=kind != 'check', safety=safety_reads(stores) if kind in SAFETY_READ_KINDS else 0)
        runs[kind] = {
            'wall_s': median(rep['wall_s'] for rep in results),
            'wall_s_all': [rep['wall_s'] for rep in results],
            'cpu_s': median(rep['cpu_s'] for rep in results),
            'time_to_safe_s': median(rep['time_to_safe_s'] for rep in results),
            'first_request_s': median(rep['first_request_s'] for rep in results),
            'changed_records': len(result['changed']),
            'requests': result['counts'],
            'page_sizes': result['page_sizes'],
            'bound': bound,
            'within_bound': bound_check(result['counts'], bound, writes=kind != 'check'),
            'returncode': max(rep['returncode'] for rep in results),
            'timeline': result['timeline'],
        }

    empties = [rep['wall_s'] for rep in reps['empty']]
    floor = {'empty_play_s': median(empties), 'empty_play_s_all': empties,
             'empty_play_requests': max(rep['counts']['total'] for rep in reps['empty'])}
    for kind, results in floor_reps.items():
        result = results[0]
        changed = len(result['changed'])
        bound = request_bound(FLOOR_LIST_PASSES[kind], one_list_pass(rows, result['page_sizes']), changed,
                              writes=kind != 'check')
        totals = [empty + rep['wall_s'] for empty, rep in zip(empties, results) if rep['wall_s'] is not None]
        safes = [empty + rep['time_to_safe_s'] for empty, rep in zip(empties, results) if rep['time_to_safe_s'] is not None]
        floor[kind] = {
            'critical_path_s': median(rep['wall_s'] for rep in results),
            'critical_path_s_all': [rep['wall_s'] for rep in results],
            'floor_s': median(totals),  # empty play + critical path, per round, then the median
            'time_to_safe_s': median(safes),
            'changed_records': changed,
            'requests': result['counts'],
            'page_sizes': result['page_sizes'],
            'bound': bound,
            'within_bound': bound_check(result['counts'], bound, writes=kind != 'check'),
            'returncode': max(rep['returncode'] for rep in results),
        }

    # Correctness, so that the times compare runs that did the same job.
    if runs['check']['changed_records'] or runs['check']['requests']['writes']:
        problems.append('check mode wrote to the OMS')
    if normal(reps['restore'][0]['after']) != normal(open_state):
        problems.append('the restore did not bring back the state from before the rollback')
    if 'baseline' in reps and records(reps['baseline'][0]['after']) != records(rolled_back):
        problems.append('the baseline left a different state than the collection rollback')
    if floor['empty_play_requests']:
        problems.append('the empty play sent requests to the OMS')
    if records(floor_reps['rollback'][0]['after']) != records(rolled_back):
        problems.append('the floor rollback left a different state than the collection rollback')
    if normal(floor_reps['restore'][0]['after']) != normal(open_state):
        problems.append('the floor restore did not bring back the state from before the rollback')
    if floor_reps['check'][0]['changed']:
        problems.append('the floor check wrote to the OMS')

    above = ['%s' % kind for kind, run in runs.items() if not run['within_bound']['ok']]
    above += ['floor %s' % kind for kind in FLOOR_KINDS if not floor[kind]['within_bound']['ok']]
    coll, base = runs['rollback'], runs.get('baseline') or {}
    workload = {
        'name': name, 'shops': shops, 'stores': stores, 'latency_ms': latency_ms, 'list_rows': rows,
        'remotes': rows['remotes'], 'configs': sum(len(shop['configs']) for shop in open_state['shops'].values()),
        'records_to_close': closes, 'list_pages_one_pass': one_list_pass(rows, coll['page_sizes']),
        'floor_list_pages_one_pass': one_list_pass(rows, floor['rollback']['page_sizes']),
        'runs': runs, 'floor': floor, 'problems': problems, 'above_bound': above,
        'ratios': {
            'rollback_floor': ratio(coll['wall_s'], floor['rollback']['floor_s']),
            'time_to_safe_floor': ratio(coll['time_to_safe_s'], floor['rollback']['time_to_safe_s']),
            'check_floor': ratio(runs['check']['wall_s'], floor['check']['floor_s']),
            'restore_floor': ratio(runs['restore']['wall_s'], floor['restore']['floor_s']),
            'rollback_baseline': ratio(coll['wall_s'], base.get('wall_s')),
            'time_to_safe_baseline': ratio(coll['time_to_safe_s'], base.get('time_to_safe_s')),
            'baseline_floor': ratio(base.get('wall_s'), floor['rollback']['floor_s']),
        },
    }
    return workload


# --- report -----------------------------------------------------------------------------------------------------------

GROWTH_SERIES = (
    ('rollback', lambda w: w['runs']['rollback']['wall_s']),
    ('time_to_safe', lambda w: w['runs']['rollback']['time_to_safe_s']),
    ('floor', lambda w: w['floor']['rollback']['floor_s']),
    ('check', lambda w: w['runs']['check']['wall_s']),
    ('restore', lambda w: w['runs']['restore']['wall_s']),
    ('baseline', lambda w: (w['runs'].get('baseline') or {}).get('wall_s')),
)


def growth(workloads):
    """Times at each size relative to the smallest size, per latency."""
    out = {}
    for latency in sorted(set(w['latency_ms'] for w in workloads)):
        rows = sorted((w for w in workloads if w['latency_ms'] == latency), key=lambda w: w['shops'])
        smallest = rows[0]
        out[str(latency)] = [dict(
            shops=w['shops'], shops_factor=round(w['shops'] / float(smallest['shops']), 1),
            records_factor=round(w['records_to_close'] / float(max(1, smallest['records_to_close'])), 1),
            **dict(('%s_factor' % series, ratio(value(w), value(smallest))) for series, value in GROWTH_SERIES))
            for w in rows]
    return out


def fmt(value, spec='%.2f', none='n/a'):
    return none if value is None else spec % value


def requests_cell(run):
    counts, check = run['requests'], run['within_bound']
    return '%d / %d / %d: %d %s %d' % (counts['list_pages'], counts['writes'], counts['login'], counts['total'] - counts['login'],
                                       '<=' if check['ok'] else '**> (above the bound)**', run['bound']['max_requests'])


def markdown(report):
    if 'fleet' in report:
        return fleet_markdown(report)
    workloads, env, settings = report['workloads'], report['environment'], report['settings']
    lines = ['Run of %s, commit %s, %s, Python %s, %s CPUs, load average %.1f at the start and %.1f at the end; '
             'median of %d round(s), credential: %s, baseline up to %d shops at %s ms; %.0f s in all.' % (
                 env['date'], env['git_commit'], env['ansible_core'], env['python'], env['cpus'],
                 env['load_average_at_start'][0], env.get('load_average_at_end', [float('nan')])[0], settings['repeat'],
                 settings['auth'], settings['baseline_max_shops'], ', '.join(map(str, settings['baseline_latencies_ms'])),
                 report.get('total_s', 0)), '',
             'Ratios of wall times (time to safe for the time-to-safe column); the floor is the empty play plus the '
             'critical path of the same run kind.', '',
             '| shops | stores | latency | records closed | rollback / floor | time-to-safe / floor | check / floor '
             '| restore / floor | rollback / baseline | rollback s | floor s | baseline s |',
             '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|']
    for w in workloads:
        runs, ratios, floor = w['runs'], w['ratios'], w['floor']
        lines.append('| %d | %d | %d ms | %d | **%s** | %s | %s | %s | %s | %s | %s | %s |' % (
            w['shops'], w['stores'], w['latency_ms'], w['records_to_close'],
            fmt(ratios['rollback_floor'], '%.2f'), fmt(ratios['time_to_safe_floor']), fmt(ratios['check_floor']),
            fmt(ratios['restore_floor']), fmt(ratios['rollback_baseline'], '%.3f', 'not run'),
            fmt(runs['rollback']['wall_s'], '%.1f'), fmt(floor['rollback']['floor_s'], '%.1f'),
            fmt((runs.get('baseline') or {}).get('wall_s'), '%.1f', 'not run')))
    lines += ['', 'The floor, in seconds: the empty play, each critical path (from the script\'s start to its last '
              'answer), and the time to safe (command start to the last close/stop write answered).', '',
              '| shops | latency | empty play | check path | rollback path | restore path | check floor | rollback floor '
              '| restore floor | time to safe: floor | time to safe: rollback | check | rollback | restore |',
              '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|']
    for w in workloads:
        runs, floor = w['runs'], w['floor']
        lines.append('| %d | %d ms | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
            w['shops'], w['latency_ms'], fmt(floor['empty_play_s']),
            fmt(floor['check']['critical_path_s']), fmt(floor['rollback']['critical_path_s']),
            fmt(floor['restore']['critical_path_s']), fmt(floor['check']['floor_s']), fmt(floor['rollback']['floor_s']),
            fmt(floor['restore']['floor_s']), fmt(floor['rollback']['time_to_safe_s']),
            fmt(runs['rollback']['time_to_safe_s']), fmt(runs['check']['wall_s']), fmt(runs['rollback']['wall_s']),
            fmt(runs['restore']['wall_s'])))
    lines += ['', 'Requests per run, from the emulator log: list pages / writes / logins, then the requests other than '
              'logins against the bound. The bound is the allowed list passes (rollback 3: snapshot, read, read-back; '
              'check 2: snapshot, read; restore and baseline 2: read, read-back; the floor 1 or 2) at the page size the '
              'run asked (never less than %d rows) + one write per changed record + the safety reads of a rollback '
              'or check, a fixed number per run (the scope enums, and what the switches do not stop).' % SERVER_PAGE_SIZE, '',
              '| shops | latency | one list pass: rollback / floor | check | rollback | restore | baseline '
              '| floor check | floor rollback | floor restore |',
              '|---:|---:|---:|---|---|---|---|---|---|---|']
    for w in workloads:
        runs, floor = w['runs'], w['floor']
        lines.append('| %d | %d ms | %d / %d pages | %s | %s | %s | %s | %s | %s | %s |' % (
            w['shops'], w['latency_ms'], w['list_pages_one_pass'], w['floor_list_pages_one_pass'],
            requests_cell(runs['check']), requests_cell(runs['rollback']), requests_cell(runs['restore']),
            requests_cell(runs['baseline']) if 'baseline' in runs else 'not run',
            requests_cell(floor['check']), requests_cell(floor['rollback']), requests_cell(floor['restore'])))
    lines += ['', 'Growth with the number of shops (each time relative to the smallest size of the run):', '',
              '| latency | shops | shops x | records x | rollback x | time to safe x | floor x | check x | restore x '
              '| baseline x |', '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|']
    for latency, rows in report['growth'].items():
        for row in rows:
            lines.append('| %s ms | %d | %s | %s | %s | %s | %s | %s | %s | %s |' % (
                latency, row['shops'], row['shops_factor'], row['records_factor'],
                fmt(row['rollback_factor']), fmt(row['time_to_safe_factor']), fmt(row['floor_factor']),
                fmt(row['check_factor']), fmt(row['restore_factor']), fmt(row['baseline_factor'], none='not run')))
    above = [(w['name'], kind) for w in workloads for kind in w['above_bound']]
    lines += ['', 'Above the bound: %s.' % (', '.join('%s %s' % item for item in above) if above else 'none')]
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
    parser.add_argument('--quick', action='store_true', help='1 shop at 0 ms only (what the smoke test runs)')
    parser.add_argument('--shops', type=lambda text: [int(n) for n in text.split(',')],
                        help='shop counts, comma-separated (default: %s)' % ','.join(map(str, FULL_SHOPS)))
    parser.add_argument('--latencies', type=lambda text: [int(n) for n in text.split(',')],
                        help='emulator latencies in ms, comma-separated (default: %s)' % ','.join(map(str, FULL_LATENCIES)))
    parser.add_argument('--stores', type=int, help='product stores of every fleet (default: 1, 3 or 5 by size)')
    parser.add_argument('--repeat', type=int, default=DEFAULT_REPEAT,
                        help='rounds of every run, in turn; the median is reported (default: %d)' % DEFAULT_REPEAT)
    parser.add_argument('--baseline-max-shops', type=int, default=DEFAULT_BASELINE_MAX_SHOPS,
                        help='largest fleet the baseline runs on (default: %d; 500 adds about 10 minutes per latency)' % DEFAULT_BASELINE_MAX_SHOPS)
    parser.add_argument('--baseline-latencies', type=lambda text: [int(n) for n in text.split(',')],
                        help='latencies the baseline runs at, comma-separated (default: %s; with --quick: its latency)'
                        % ','.join(map(str, DEFAULT_BASELINE_LATENCIES)))
    parser.add_argument('--auth', choices=('login', 'token'), default='login',
                        help='credential of every run: username and password (default), or a long-lived token')
    parser.add_argument('--no-warm-up', dest='warm_up', action='store_false',
                        help='skip the untimed check run made before the first measured run')
    parser.add_argument('--output-dir', type=Path, default=DEFAULT_OUTPUT, help='where results go (default: benchmarks/results)')
    parser.add_argument('--fleet', type=int, metavar='N',
                        help='roll back N environments at once (-f N) against one alone, at the first of --shops '
                             '(default 130) and --latencies (default 20)')
    parser.add_argument('--from-json', type=Path, metavar='FILE', help='print the markdown tables of an earlier results file, run nothing')
    args = parser.parse_args(argv)
    if args.fleet is not None:
        if args.fleet < 1:
            parser.error('--fleet must be at least 1')
        args.shops = args.shops or [130]
        args.latencies = args.latencies if args.latencies is not None else [20]
    if args.quick:
        args.shops = args.shops or [1]
        args.latencies = args.latencies or [0]
        args.baseline_latencies = args.baseline_latencies or args.latencies
    args.shops = args.shops or list(FULL_SHOPS)
    args.latencies = args.latencies if args.latencies is not None else list(FULL_LATENCIES)
    args.baseline_latencies = args.baseline_latencies or list(DEFAULT_BASELINE_LATENCIES)
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
        'baseline_max_shops': args.baseline_max_shops, 'baseline_latencies_ms': args.baseline_latencies, 'quick': args.quick,
        'server_page_size': SERVER_PAGE_SIZE,
        'allowed_list_passes': ALLOWED_LIST_PASSES, 'floor_list_passes': FLOOR_LIST_PASSES,
        'baseline_playbook': str(BASELINE_PLAYBOOK.relative_to(REPO)), 'empty_playbook': str(EMPTY_PLAYBOOK.relative_to(REPO))}}
    started = time.monotonic()
    workloads = []
    if args.fleet is not None:
        sys.stderr.write('fleet: %d environments of %d shops, %d ms\n' % (args.fleet, args.shops[0], args.latencies[0]))
        report['fleet'] = run_fleet(args.fleet, args.shops[0], args.latencies[0], args, logs_dir)
        stamp = 'fleet-' + stamp
    for latency in args.latencies if args.fleet is None else ():
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
    latest = 'latest-fleet' if args.fleet is not None else 'latest'
    shutil.copyfile(str(json_path), str(output / (latest + '.json')))
    shutil.copyfile(str(md_path), str(output / (latest + '.md')))
    sys.stdout.write(text)
    sys.stdout.write('\n%s\n%s\n(%.0f s in all)\n' % (json_path, md_path, report['total_s']))
    problems = [p for w in workloads for p in w['problems']] + report.get('fleet', {}).get('problems', [])
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
