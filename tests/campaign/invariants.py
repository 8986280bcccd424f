"""The invariants the campaign checks after every action (docs/reliability.md, "Randomized campaign").

Each check reads the truth from the emulator (its tables, its request log) and the snapshot folder, never
from what the collection says about itself, and raises AssertionError with what broke.
"""

import json
import os
import stat

from tests.helpers import remote_owners

CLOSED = 'SHOP_NO_ACCESS'
EMPTY_SCOPE_MEANS = 'SHOP_READ_ACCESS'
ROLLBACK_VERDICT = 'Verify every selected record is closed'
RESTORE_VERDICT = 'Verify every record is back'
FINAL_TASK = 'Summary'  # shows the summary, and fails the run (the failure its last line) unless the verdict is ok
TABLES = {  # table: (primary key columns, the one field a rollback or restore may change)
    'ProductStore': (('productStoreId',), 'enableBrokering'),
    'ShopifyShop': (('shopId',), None),
    'ShopifyConfig': (('shopifyConfigId',), 'accessScopeEnumId'),
    'SystemMessageRemote': (('systemMessageRemoteId',), 'accessScopeEnumId'),
    'ServiceJob': (('jobName',), 'paused'),
    'ServiceJobParameter': (('jobName', 'parameterName'), None),
    'OrderRoutingGroup': (('routingGroupId',), None),
    'Enumeration': (('enumId',), None),
    'UserAccount': (('username',), None),
}


def dump(emu):
    """Every row of every OMS table, keyed by primary key, without lastUpdatedStamp (a write of the same value)."""
    tables = {}
    for table, (keys, dummy) in TABLES.items():
        rows = {}
        for row in emu.query('SELECT * FROM %s' % table):
            row.pop('lastUpdatedStamp', None)
            rows[tuple(row[key] for key in keys)] = row
        tables[table] = rows
    return tables


def paused(value):
    """A job runs when paused is null or N."""
    return value not in (None, 'N')


class Truth:
    """What the scenario selects and what the OMS held before the incident, computed from the world itself."""

    def __init__(self, emu, world, role_vars):
        self.initial = dump(emu)
        all_shops = set(shop.id for shop in world.shops)
        shops = role_vars['rollback_shop_ids']
        self.shops = all_shops if shops == ['all'] else set(shops)
        stores = role_vars['rollback_product_store_ids']
        self.stores = set(store[0] for store in world.stores) if stores == ['all'] else set(stores)
        targets = role_vars['rollback_targets']
        self.records = set()
        if 'config' in targets:
            self.records |= set(('config', row['shopifyConfigId']) for row in self.initial['ShopifyConfig'].values()
                                if row['shopId'] in self.shops)
        if 'remote' in targets:
            self.records |= set(('remote', remote_id) for remote_id, owners in remote_owners(emu).items() if owners & self.shops)
        # the shops of each record, for a restore limited to some of them
        self.record_shops = dict(((('config', row['shopifyConfigId']), set([row['shopId']]))
                                  for row in self.initial['ShopifyConfig'].values()))
        self.record_shops.update((('remote', remote_id), owners) for remote_id, owners in remote_owners(emu).items())
        # Jobs a rollback must pause, and those it may: the intake of every shop is paused only when every shop is
        # selected (whether a list naming each shop counts as that is the role's choice); routing schedules are
        # found through the order-routing component, so without it they may stay as they are.
        self.jobs, self.jobs_allowed = set(), set()
        self.job_owners = world.job_owners()
        if role_vars['rollback_pause_jobs']:
            routing = dict(world.switches).get('order_routing', True)
            for job, (kind, owner) in self.job_owners.items():
                if (kind == 'shop' and owner in self.shops) or (kind == 'store' and owner in self.stores and routing):
                    self.jobs.add(job)
                if (kind == 'shop' and owner in self.shops) or (kind == 'store' and owner in self.stores) or \
                        (kind == 'all' and (shops == ['all'] or self.shops == all_shops)):
                    self.jobs_allowed.add(job)

        # What each selected entry held just before the rollback that last closed it: the values a completed restore
        # must bring back (issue 20). It starts as the world's values; each rollback updates it (see rollback_starts).
        self.before_incident = {}
        for target, record_id in self.records:
            self.before_incident[(_SCOPE_TABLE[target], record_id)] = self._initial_value(_SCOPE_TABLE[target], record_id)
        for store in self.stores:
            self.before_incident[('ProductStore', store)] = self._initial_value('ProductStore', store)
        for job in self.jobs_allowed:
            self.before_incident[('ServiceJob', job)] = self._initial_value('ServiceJob', job)
        self.seen = dict((key, set([value])) for key, value in self.before_incident.items())
        self.previous = dict(self.before_incident)  # before the last rollback_starts: a snapshot not saved anew holds it

    def _initial_value(self, table, key):
        return value_of(self.initial, table, key)

    def rollback_starts(self, emu, snapshot_open):
        """A rollback is about to run: with no open snapshot, what the OMS holds now is the state before the incident;
        with one, only the entries someone reopened since (that do not hold the rolled-back value) take their value now."""
        now = dump(emu)
        self.previous = dict(self.before_incident)
        for (table, key), value in list(self.before_incident.items()):
            current = value_of(now, table, key)
            if not snapshot_open or not _closed(table, current):
                self.before_incident[(table, key)] = current
                self.seen[(table, key)].add(current)

    def reopen(self, emu, every, scope):
        """Someone reopens by hand every ``every``-th selected entry that is closed: records to ``scope``, stores to Y,
        jobs to N. Returns what was reopened."""
        now = dump(emu)
        closed = sorted(key for key in self.before_incident
                        if _closed(key[0], value_of(now, *key)))
        reopened = closed[::every]
        for table, key in reopened:
            value = {'ProductStore': 'Y', 'ServiceJob': 'N'}.get(table, scope)
            emu.query('UPDATE %s SET %s = ? WHERE %s = ?' % (table, TABLES[table][1], TABLES[table][0][0]), (value, key))
            self.seen[(table, key)].add(value)
        return reopened

    def outside(self, only, tables):
        """The selected entries a restore limited to ``only`` (shops, stores) is not given, as (table, key): the
        records of other shops and the other stores; and, while one of those is still to be put back (closed in
        ``tables``, a dump() from before the restore, and open before the incident), the jobs tied to neither shops
        nor stores given, the instance-wide intake among them: they wait for the restore that completes the snapshot."""
        shops, stores = set(only[0]), set(only[1])
        entries = set((_SCOPE_TABLE[target], record_id) for target, record_id in self.records
                      if not self.record_shops[(target, record_id)] & shops)
        entries |= set(('ProductStore', store) for store in self.stores - stores)
        if not any(_closed(key[0], value_of(tables, *key)) and not _closed(key[0], self.before_incident[key])
                   for key in entries):
            return entries
        for job in self.jobs_allowed:
            kind, owner = self.job_owners[job]
            if not ((kind == 'shop' and owner in shops) or (kind == 'store' and owner in stores)):
                entries.add(('ServiceJob', job))
        return entries

    def before_scope(self, record, previous=False):
        target, record_id = record
        return (self.previous if previous else self.before_incident)[(_SCOPE_TABLE[target], record_id)]

    def before_brokering(self, store, previous=False):
        return (self.previous if previous else self.before_incident)[('ProductStore', store)]

    def before_paused(self, job, previous=False):
        return (self.previous if previous else self.before_incident)[('ServiceJob', job)]

    def allowed_values(self, table, key):
        """A changed value is the rolled-back one, or one the entry held before an incident (a missing one as read)."""
        values = set(self.seen.get((table, key), ()))
        values |= set(_READ_AS[table] if value is None else value for value in list(values))
        return values | set([_CLOSED_VALUE[table]])


_SCOPE_TABLE = {'config': 'ShopifyConfig', 'remote': 'SystemMessageRemote'}
_CLOSED_VALUE = {'ShopifyConfig': CLOSED, 'SystemMessageRemote': CLOSED, 'ProductStore': 'N', 'ServiceJob': 'Y'}
_READ_AS = {'ShopifyConfig': EMPTY_SCOPE_MEANS, 'SystemMessageRemote': EMPTY_SCOPE_MEANS, 'ProductStore': 'Y', 'ServiceJob': 'N'}


def value_of(tables, table, key):
    """The one field a rollback changes, of row ``key`` of ``table`` in a dump()."""
    return tables[table][(key,)][TABLES[table][1]]


def _closed(table, value):
    if table == 'ServiceJob':
        return paused(value)
    return value == _CLOSED_VALUE[table]


def scopes_now(emu):
    state = emu.state()
    now = dict((('remote', key), value) for key, value in state['remotes'].items())
    now.update((('config', key), value) for shop in state['shops'].values() for key, value in shop['configs'].items())
    return now, state['stores'], state['jobs']


# --- nothing outside the selection, and no other field, ever changes; no row is created or deleted -----------

def check_only_selection_changed(truth, emu):
    now = dump(emu)
    allowed_rows = {'ShopifyConfig': set(key for target, key in truth.records if target == 'config'),
                    'SystemMessageRemote': set(key for target, key in truth.records if target == 'remote'),
                    'ProductStore': truth.stores, 'ServiceJob': truth.jobs_allowed}
    for table, (dummy, field) in TABLES.items():
        before, after = truth.initial[table], now[table]
        assert set(after) == set(before), '%s rows created %s / deleted %s' % (
            table, sorted(set(after) - set(before)), sorted(set(before) - set(after)))
        for key, row in after.items():
            changed = sorted(name for name in row if row[name] != before[key].get(name))
            if not changed:
                continue
            assert changed == [field], '%s %s: fields %s changed (only %s may)' % (table, key, changed, field)
            assert key[0] in allowed_rows[table], '%s %s is outside the selection but changed %s: %r -> %r' % (
                table, key[0], field, before[key][field], row[field])
            assert row[field] in truth.allowed_values(table, key[0]), '%s %s: %s became %r (before %r)' % (
                table, key[0], field, row[field], before[key][field])


# --- the verdict names exactly what is not done ---------------------------------------------------------------

def _labels_to_keys(labels):
    """'shop SH1 remote RM2' -> ('remote', 'RM2'); 'store ST0' -> 'ST0'; 'job X' -> 'X'."""
    keys = set()
    for label in labels:
        words = label.split(' ')
        keys.add((words[2], words[3]) if words[0] == 'shop' else words[1])
    return keys


def verdict_of(results, task):
    matches = [entry for entry in results if entry['task'].split(' : ')[-1] == task and entry['status'] == 'ok']
    return matches[-1]['result'] if matches else None


def check_verdict(kind_name, verdict, selected, done_now, allowed=None):
    """The verdict of one kind against the emulator: ``done_now`` is the set of selected keys that hold what was wanted.

    ``allowed``: the verdict may select more than ``selected``, up to these (jobs the role may or may not choose).
    """
    report = verdict.get(kind_name)
    if not selected and (allowed is None or report is None):
        return
    assert report is not None, 'the verdict says nothing of %d selected %s' % (len(selected), kind_name)
    done, still = _labels_to_keys(report['done']), _labels_to_keys(report['open'])
    unsure = _labels_to_keys(report['unknown']) | _labels_to_keys(report.get('drifted') or [])
    listed = done | still | unsure
    assert report['selected'] == len(listed), 'the verdict selected %d %s but lists %d' % (
        report['selected'], kind_name, len(listed))
    assert selected <= listed <= (allowed or selected), 'the verdict is about %s %s, the selection is %s' % (
        kind_name, sorted(listed), sorted(selected) if allowed is None else '%s (and perhaps %s)' % (
            sorted(selected), sorted(allowed - selected)))
    selected = listed
    assert done <= done_now, 'the verdict calls %s done, but the OMS does not hold it' % sorted(done - done_now)
    assert not (still & done_now), 'the verdict calls %s open, but the OMS holds it done' % sorted(still & done_now)
    missed = (selected - done_now) - still - unsure
    assert not missed, '%s are not done, and the verdict does not name them (open %s, unknown %s)' % (
        sorted(missed), sorted(still), sorted(unsure))


def check_run_outcome(truth, emu, command, run, results, writes, only=None):
    """A finished (not killed) rollback or restore: exit 0 means done; a failure names exactly what is not done.

    ``only`` limits a restore to some shops and stores (``(shops, stores)``): it speaks of those, perhaps fewer (an
    earlier partial restore put some back), and when it exits 0 they hold their values from before the incident.
    """
    task = ROLLBACK_VERDICT if command == 'rollback' else RESTORE_VERDICT
    verdict = verdict_of(results, task)
    if verdict is None:
        # It stopped before its verdict: only a run that never wrote may do that (a failed read, no snapshot).
        assert run.returncode != 0, '%s exited 0 without a verdict' % command
        assert not writes, '%s stopped before its verdict after %d writes' % (command, len(writes))
        return
    scopes, stores, jobs = scopes_now(emu)
    if command == 'rollback':
        records_done = set(record for record in truth.records if scopes[record] == CLOSED)
        stores_done = set(store for store in truth.stores if stores[store] == 'N')
        jobs_done = set(job for job in truth.jobs_allowed if paused(jobs[job]))
    else:
        records_done, stores_done, jobs_done = _back(truth, emu)
    if command == 'restore':
        # a restore speaks of what is still closed of its selection; exit 0 means all of that selection is back
        records, stores = truth.records, truth.stores
        if only is not None:
            records = set(record for record in records if truth.record_shops[record] & set(only[0]))
            stores = stores & set(only[1])
        check_verdict('records', verdict, set(), records_done, records)
        check_verdict('stores', verdict, set(), stores_done, stores)
        if truth.jobs and verdict.get('jobs') is not None:
            check_verdict('jobs', verdict, set(), jobs_done, truth.jobs_allowed)
        if run.returncode == 0:
            assert verdict['ok'], 'restore exited 0 but its verdict is not ok: %s' % verdict.get('problems')
            assert records <= records_done and stores <= stores_done, (
                'restore exited 0, but not back to what they held just before the rollback that last closed them: '
                'records %s, stores %s' % (sorted((r, scopes[r], truth.before_scope(r)) for r in records - records_done),
                                           sorted(stores - stores_done)))
            if only is None:
                assert truth.jobs <= jobs_done, 'restore exited 0, but jobs not back: %s' % sorted(truth.jobs - jobs_done)
        else:
            _check_failed_once(results, verdict, command)
        return
    check_verdict('records', verdict, truth.records, records_done)
    check_verdict('stores', verdict, truth.stores, stores_done)
    if truth.jobs and verdict.get('jobs') is None:
        # the jobs could not be read, so none was selected: allowed only as a failure (the job step is optional)
        assert not verdict['ok'], '%s: the verdict is ok but says nothing of the %d selected jobs' % (command, len(truth.jobs))
    elif truth.jobs:
        check_verdict('jobs', verdict, truth.jobs, jobs_done, truth.jobs_allowed)
    complete = records_done == truth.records and stores_done == truth.stores
    if run.returncode == 0:
        assert verdict['ok'], '%s exited 0 but its verdict is not ok: %s' % (command, verdict.get('problems'))
        assert complete, '%s exited 0, but not done: records %s, stores %s' % (
            command, sorted(truth.records - records_done), sorted(truth.stores - stores_done))
        if command == 'restore':
            assert truth.jobs <= jobs_done, 'restore exited 0, but jobs not back: %s' % sorted(truth.jobs - jobs_done)
    else:
        _check_failed_once(results, verdict, command)


def _back(truth, emu):
    """``(records, stores, jobs)`` of the selection that hold what they held just before the rollback that last
    closed them."""
    scopes, stores, jobs = scopes_now(emu)
    return (set(record for record in truth.records if _scope_back(scopes[record], truth.before_scope(record))),
            set(store for store in truth.stores if (stores[store] != 'N') == (truth.before_brokering(store) != 'N')),
            set(job for job in truth.jobs_allowed if _paused_back(jobs[job], truth.before_paused(job))))


def _check_failed_once(results, verdict, command):
    """A run that failed after its verdict: the verdict says so, and the play failed once, in its final task."""
    assert not verdict['ok'], '%s failed though its verdict is ok' % command
    failed = [entry for entry in results if entry['status'] == 'failed']
    assert [entry['task'].split(' : ')[-1] for entry in failed] == [FINAL_TASK], \
        'the play failed in %s, not once in its final task' % [entry['task'] for entry in failed]
    assert failed[0]['result']['msg'] == verdict['summary'] + [verdict['failure']]


def _scope_back(now, initial):
    return now == initial or (initial is None and now == EMPTY_SCOPE_MEANS)


def _paused_back(now, initial):
    return now == initial or (initial is None and now == 'N')


# --- a partial restore leaves the rest closed; a snapshot marked restored is back --------------------------------

def check_partial_restore(truth, emu, before, only, run, snapshot):
    """A restore limited to ``only`` (shops, stores), killed or not: every selected entry it was not given holds what
    it held before the restore ran (the rolled-back value, where the rollback closed it). While one of them is still
    closed and was open before the incident, ``snapshot`` (the environment's file now) stays open, and a run that
    exited 0 marked it partly restored."""
    now = dump(emu)
    outside = truth.outside(only, before)
    changed = sorted('%s %s %r -> %r' % (table, key, value_of(before, table, key), value_of(now, table, key))
                     for table, key in outside if value_of(now, table, key) != value_of(before, table, key))
    assert not changed, 'a restore limited to shops %s and stores %s put back what it was not given: %s' % (
        only[0], only[1], '; '.join(changed))
    still_closed = sorted('%s %s' % key for key in outside
                          if _closed(key[0], value_of(now, *key)) and not _closed(key[0], truth.before_incident[key]))
    if not still_closed or snapshot is None:
        return
    assert not snapshot.get('restored'), 'the snapshot is marked restored, but %s are still closed' % still_closed
    if run.returncode == 0:
        assert snapshot.get('partly_restored'), (
            'a partial restore exited 0 and left %s closed, but the snapshot is not marked partly restored' % still_closed)


def check_restored_means_back(truth, emu):
    """A restore (killed or not) marked the snapshot restored: every selected record and store, and every job the
    rollback must pause, holds what it held just before the rollback that last closed it."""
    records, stores, jobs = _back(truth, emu)
    scopes, dummy, dummy2 = scopes_now(emu)
    assert records == truth.records and stores == truth.stores and truth.jobs <= jobs, (
        'the snapshot is marked restored, but not back to what they held just before the rollback that last closed '
        'them: records %s, stores %s, jobs %s' % (sorted((r, scopes[r], truth.before_scope(r)) for r in truth.records - records),
                                                  sorted(truth.stores - stores), sorted(truth.jobs - jobs)))


def read_snapshot(folder, stem):
    """The snapshot file `<stem>.json` (the OMS's name) as JSON, or None when there is none."""
    try:
        with open(os.path.join(folder, stem + '.json')) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


# --- the snapshot ---------------------------------------------------------------------------------------------

def check_snapshots(truth, folder, stem):
    """Every snapshot file is valid JSON and 0600 in a 0700 folder; the open one (``<stem>.json``, the OMS's name) holds
    the pre-incident values."""
    if not os.path.isdir(folder):
        return
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700, 'snapshot folder mode %o' % os.stat(folder).st_mode
    for name in sorted(os.listdir(folder)):
        if not name.endswith('.json'):
            continue
        path = os.path.join(folder, name)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, '%s has mode %o' % (name, stat.S_IMODE(os.stat(path).st_mode))
        with open(path) as handle:
            snapshot = json.load(handle)  # raises on a torn file
        if name == stem + '.json' and not snapshot.get('restored'):
            check_snapshot_values(truth, snapshot, name)


def check_snapshot_values(truth, snapshot, name):
    """The open snapshot holds, for each selected entry, what it held just before the rollback that last closed it
    (or, when the last rollback saved nothing anew, killed or failed before its save, what the model said before it)."""
    records = dict(((record['target'], record['id']), record.get('before'))
                   for shop in snapshot['shops'] for record in shop.get('records') or [])
    assert set(records) == truth.records, '%s records %s, the selection %s' % (name, sorted(records), sorted(truth.records))
    wrong = dict((key, value) for key, value in records.items()
                 if not any(_scope_back(value, truth.before_scope(key, old)) or _scope_back(truth.before_scope(key, old), value)
                            for old in (False, True)))
    assert not wrong, '%s holds %s, not the values from before the incident %s' % (
        name, wrong, dict((key, truth.before_scope(key)) for key in wrong))
    stores = dict((store['product_store_id'], store['before']) for store in snapshot['product_stores'])
    assert set(stores) == truth.stores, '%s stores %s, the selection %s' % (name, sorted(stores), sorted(truth.stores))
    wrong = dict((key, value) for key, value in stores.items()
                 if not any(value == (truth.before_brokering(key, old) != 'N') for old in (False, True)))
    assert not wrong, '%s holds brokering %s, not the values from before the incident' % (name, wrong)
    for job in snapshot.get('service_jobs') or []:
        assert job['job_name'] in truth.jobs_allowed, '%s holds job %s, outside the selection' % (name, job['job_name'])
        before = job.get('before')
        initials = [truth.before_paused(job['job_name'], old) for old in (False, True)]
        assert any((before or 'N') == (initial or 'N') or before is paused(initial) for initial in initials), (
            '%s holds job %s paused=%r, before the incident %r' % (name, job['job_name'], before, initials[0]))


def folder_contents(folder):
    """{name: bytes} of the snapshot folder, to prove check mode leaves it as it was."""
    if not os.path.isdir(folder):
        return None
    contents = {}
    for name in os.listdir(folder):
        with open(os.path.join(folder, name), 'rb') as handle:
            contents[name] = handle.read()
    return contents


# --- secrets --------------------------------------------------------------------------------------------------

def check_no_secret(emu, folder, *texts):
    text = ''.join(texts)
    for contents in (folder_contents(folder) or {}).values():
        text += contents.decode('utf-8', 'replace')
    leaked = [secret for secret in emu.secrets() if secret in text]
    assert not leaked, '%d secrets leaked (%s...)' % (len(leaked), leaked[0][:12])
