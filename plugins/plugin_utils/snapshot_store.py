# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The snapshot store: the only way back from a rollback, kept on the controller.

One JSON file per OMS, ``<folder>/<oms>.json``, where ``<oms>`` is the normalised OMS URL made a file name
(oms_file_name): the OMS is the environment's identity, not the inventory host's name, so same-named hosts of two OMSes
share a folder and two names for one OMS share one snapshot. A snapshot is *open* from the rollback that takes it until
a restore puts its values back; then it is marked restored and stays as history. Nothing here ever overwrites an open
snapshot or deletes a file, except prune() when asked to keep only the newest N restored ones: a snapshot that is
restored, of another OMS, or unusable is renamed aside (``<oms>.<stamp>.<why>.json``) before a new one takes its place.
Writes are atomic (a temporary file renamed over), mode 0600, in a 0700 folder. One rollback or restore of an OMS at a
time per controller: a lock file, ``.<oms>.lock``, names the ansible-playbook run that holds it.

0.2.0 named the files by the inventory host (``<environment>.json``): such a file that records this OMS is still
read, and the first run that takes the lock renames it (and its kept history) to the OMS's name; one that records
another OMS is never used for this one.

Plain Python (the scope and paused readings come from the modules' module_utils), so that unit tests reach
every rule.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import errno
import functools
import getpass
import json
import os
import re
import socket
import stat
import tempfile

from ansible_collections.hotwax.oms.plugins.module_utils.oms_values import (
    ACTIVE, EMPTY_SCOPE_MEANS, ROLLED_BACK_SCOPE, SCOPE_IDS, job_paused)

FORMAT = 2
# A snapshot kept aside: ``<stem>.<stamp>.<why>[-n].json`` (aside_path)
ASIDE_NAME = r'^%s\.(\d{8}T\d{6}Z)\.([a-z-]+?)(-\d+)?\.json$'
DEFAULT_PORTS = {'http': 80, 'https': 443}
ENVIRONMENT_NAME = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._@-]*$')
# What a record of each section is identified by; ``before`` is the only value a snapshot keeps.
SECTIONS = (('product_stores', 'product_store_id'), ('service_jobs', 'job_name'))


class SnapshotError(Exception):
    """A snapshot that cannot be used, or a folder that cannot be: the message says which, and what to do."""


class SnapshotLocked(SnapshotError):
    """Another run holds the environment's lock."""


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def normalise_oms_url(url):
    """The identity of an OMS: scheme and host in lower case, no default port, no trailing ``/`` or ``/rest/s1``.

    ``https://ACME-maarg.hotwax.io:443/rest/s1/`` and ``https://acme-maarg.hotwax.io`` are one OMS.
    """
    text = (url or '').strip()
    match = re.match(r'^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]+)([^?#]*)', text)
    if not match:
        raise SnapshotError('hotwax_oms_url must be an http(s) URL such as https://acme-maarg.hotwax.io, got %r' % url)
    scheme, netloc, path = match.group(1).lower(), match.group(2), match.group(3)
    netloc = netloc.rsplit('@', 1)[-1].lower()  # credentials never belong to an identity
    host, dummy, port = netloc.rpartition(':') if re.search(r':\d+$', netloc) else (netloc, '', '')
    if port and int(port) == DEFAULT_PORTS.get(scheme):
        port = ''
    path = re.sub(r'(/rest/s1)?/*$', '', path.rstrip('/'))
    return '%s://%s%s%s' % (scheme, host, ':' + port if port else '', path)


def oms_file_name(oms_url):
    """The stem of an OMS's snapshot and lock files: its normalised URL, readable, one file name per OMS.

    ``https://acme-maarg.hotwax.io`` -> ``acme-maarg.hotwax.io``; ``http://127.0.0.1:8080`` -> ``http_127.0.0.1_8080``;
    a port or a path joins with ``_``. Every file also records its OMS, which is checked whenever it is read.
    """
    scheme, rest = normalise_oms_url(oms_url).split('://', 1)
    stem = re.sub(r'[^A-Za-z0-9.-]', '_', rest)
    return stem if scheme == 'https' else '%s_%s' % (scheme, stem)


def resolve_folder(folder, cwd=None):
    """The folder, with ``~`` and ``$VARIABLES`` expanded and made absolute (relative to ``cwd``) once."""
    if not folder or not str(folder).strip():
        raise SnapshotError('rollback_snapshot_dir is empty: give a folder, for example ~/.hotwax_oms/snapshots')
    expanded = os.path.expandvars(os.path.expanduser(str(folder).strip()))
    if not os.path.isabs(expanded):
        expanded = os.path.join(cwd or os.getcwd(), expanded)
    return os.path.normpath(expanded)


def _who():
    try:
        user = getpass.getuser()
    except Exception:  # pylint: disable=broad-except  # no name for this uid (a container): the uid says it
        user = '?'
    return 'uid %d (%s)' % (os.getuid(), user)


def _describe(path):
    """Owner and mode of a path, for a message about why it cannot be used."""
    try:
        info = os.stat(path)
    except OSError:
        return 'missing'
    return 'owner uid %d, mode %s' % (info.st_uid, oct(stat.S_IMODE(info.st_mode))[2:].zfill(4))


def _pid_alive(pid):
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == errno.EPERM
    return True


def _read_text(path):
    try:
        with open(path) as handle:
            return handle.read().strip()
    except (IOError, OSError):
        return None


def process_started(pid):
    """When process ``pid`` started, as ``<boot id>/<clock ticks after boot>`` (Linux), or None where it cannot be read.

    A pid is reused once its process ends; with its start it names one process for good.
    """
    stat_line, boot = _read_text('/proc/%d/stat' % pid), _read_text('/proc/sys/kernel/random/boot_id')
    if not stat_line or not boot:
        return None
    fields = stat_line.rsplit(')', 1)[-1].split()  # the command name in parentheses may hold spaces
    return '%s/%s' % (boot, fields[19]) if len(fields) > 19 else None


def this_run():
    """The ansible-playbook run this code belongs to: the controller process, its host and its start.

    An action runs in a worker that the ansible-playbook process forks (ansible-core's own ``ansible_playbook_pid`` is
    the worker's parent too); every fork of one run has that parent, and its start tells it from a later process that
    was given the same pid.
    """
    pid = os.getppid()
    return {'pid': pid, 'host': socket.gethostname(), 'started': process_started(pid)}


def _run_alive(holder):
    """Whether the run a lock file names (on this host) is still running: its process is alive and is the same one."""
    pid = holder.get('pid')
    if not _pid_alive(pid):
        return False
    return not holder.get('started') or process_started(pid) in (None, holder['started'])


def saved_job_paused(before):
    """Whether a saved job was paused: the raw ``paused`` value, or the 0.1.0 boolean."""
    return before if isinstance(before, bool) else job_paused(before)


# --- what a snapshot must hold -------------------------------------------------------------------------------


def parse_snapshot(value, where):
    """A snapshot from a file's text, a JSON string or a dict, checked to hold what a restore needs.

    Raises SnapshotError naming ``where`` and the first thing that is wrong.
    """
    if isinstance(value, (bytes, str)):
        text = value.decode('utf-8', 'replace') if isinstance(value, bytes) else value
        if not text.strip():
            raise SnapshotError('%s is empty' % where)
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise SnapshotError('%s is not JSON (%s): truncated or edited?' % (where, exc))
    if not isinstance(value, dict):
        raise SnapshotError('%s is not a snapshot: expected an object, got %s' % (where, type(value).__name__))
    problems = _shape_problems(value)
    if problems:
        raise SnapshotError('%s is not a snapshot a rollback wrote: %s' % (where, '; '.join(problems[:3])))
    return value


def _shape_problems(snapshot):
    problems = []
    for key in ('oms_url', 'shops', 'product_stores', 'targets'):
        if key not in snapshot:
            problems.append('%s is missing' % key)
    if problems:
        return problems
    if not isinstance(snapshot['oms_url'], str):
        problems.append('oms_url is not a URL')
    if not isinstance(snapshot['targets'], list) or not set(snapshot['targets']) <= {'remote', 'config'}:
        problems.append('targets must be a list of remote and config')
    for section in ('shops', 'product_stores', 'service_jobs'):
        if not isinstance(snapshot.get(section, []), list):
            problems.append('%s is not a list' % section)
    if problems:
        return problems
    for shop in snapshot['shops']:
        if not isinstance(shop, dict) or not isinstance(shop.get('shop_id'), str) or not isinstance(shop.get('records', []), list):
            problems.append('a shop without shop_id or records: %r' % (shop,))
            continue
        for record in shop.get('records') or []:
            if not isinstance(record, dict) or record.get('target') not in ('remote', 'config') or not record.get('id'):
                problems.append('shop %s: a record without target or id: %r' % (shop['shop_id'], record))
            elif not (record.get('before') is None or isinstance(record['before'], str)):
                # any enum id the OMS held is a value to put back: the shape is checked, never the vocabulary
                problems.append('shop %s %s %s: a scope that is not a string: %r'
                                % (shop['shop_id'], record['target'], record['id'], record['before']))
    for store in snapshot['product_stores']:
        if not isinstance(store, dict) or not store.get('product_store_id') or not isinstance(store.get('before'), bool):
            problems.append('a product store without product_store_id or a true/false before: %r' % (store,))
    for job in snapshot.get('service_jobs') or []:
        before = job.get('before') if isinstance(job, dict) else None
        if not isinstance(job, dict) or not job.get('job_name') or not (before is None or isinstance(before, (bool, str))):
            problems.append('a service job without job_name or a paused value: %r' % (job,))
    return problems


AWX_JOB_VARIABLES = ('awx_job_id', 'tower_job_id')  # what AWX/AAP sets on every job it runs


def awx_job_of(task_vars):
    """The AWX/AAP job id when this runs as an AWX job, else None."""
    for name in AWX_JOB_VARIABLES:
        if (task_vars or {}).get(name):
            return str(task_vars[name])
    return None


def operator(awx_job_id=None):
    """Who runs this: the user, the controller host and, on AWX/AAP, the job id (the OMS keeps no audit of scopes)."""
    return {'user': _who(), 'host': socket.gethostname(), 'awx_job_id': str(awx_job_id) if awx_job_id else None}


def run_entry(action, who, reason=None, now=None, **extra):
    """One line of a snapshot's ``runs``: a rollback or a restore, when, by whom, why."""
    return dict(extra, action=action, at=now or utc_now(), operator=who, reason=reason or None)


def describe_run(run):
    """``rollback at T by uid 0 (ops) on host, AWX job 42: reason``"""
    who = run.get('operator') or {}
    text = '%s at %s by %s on %s' % (run.get('action'), run.get('at'), who.get('user', '?'), who.get('host', '?'))
    if who.get('awx_job_id'):
        text += ', AWX job %s' % who['awx_job_id']
    return text + (': %s' % run['reason'] if run.get('reason') else ' (no rollback_reason given)')


def snapshot_of(environment, oms_url, targets, shops, product_stores, service_jobs, now=None, who=None, reason=None):
    """A new snapshot from what the ``_info`` modules read: ids and ``before`` values as the OMS gave them, and who took
    it, when and why."""
    now = now or utc_now()
    who = who or operator()
    return {
        'format': FORMAT,
        'environment': environment,
        'oms_url': normalise_oms_url(oms_url),
        'taken_at': now,
        'taken_by': '%s@%s' % (who['user'], who['host']),
        'operator': who,
        'reason': reason or None,
        'runs': [run_entry('rollback', who, reason, now)],
        'restored': False,
        'already_rolled_back': False,
        'targets': list(targets),
        'shops': [dict(shop_id=shop['shop_id'], name=shop.get('name'), product_store_id=shop.get('product_store_id'),
                       records=[dict(target=record['target'], id=record['id'], before=record.get('before'))
                                for record in shop.get('records') or []])
                  for shop in shops or []],
        'product_stores': [dict(product_store_id=store['product_store_id'], name=store.get('name'), before=store['before'])
                           for store in product_stores or []],
        'service_jobs': [dict(job_name=job['job_name'], description=job.get('description'), before=job.get('before'))
                         for job in service_jobs or []],
    }


# --- what the values mean, record by record ---------------------------------------------------------------------
# Three kinds of entry: an access-scope record (nested in its shop), a product store, a service job.


def _closed(kind, value):
    """Whether ``value`` is what a rollback leaves."""
    if kind == 'record':
        return value == ROLLED_BACK_SCOPE
    if kind == 'store':
        return value is False
    return saved_job_paused(value)


def same_value(kind, one, other):
    """Whether two saved values are the same for the OMS: a missing scope is read access, a missing paused is N."""
    if kind == 'record':
        return (one or EMPTY_SCOPE_MEANS) == (other or EMPTY_SCOPE_MEANS)
    if kind == 'job':
        if isinstance(one, bool) or isinstance(other, bool):  # a 0.1.0 boolean says only paused or not
            return saved_job_paused(one) == saved_job_paused(other)
        return (one or ACTIVE) == (other or ACTIVE)
    return one == other


def entries(snapshot):
    """Every entry of a snapshot as ``(kind, key, label, entry)``, records first, then stores, then jobs."""
    for shop in snapshot.get('shops') or []:
        for record in shop.get('records') or []:
            yield ('record', ('record', record['target'], record['id']),
                   'shop %s %s %s' % (shop.get('shop_id'), record['target'], record['id']), record)
    for store in snapshot.get('product_stores') or []:
        yield 'store', ('store', store['product_store_id']), 'store %s' % store['product_store_id'], store
    for job in snapshot.get('service_jobs') or []:
        yield 'job', ('job', job['job_name']), 'job %s' % job['job_name'], job


def unfamiliar_scopes(snapshot):
    """Labels of the records whose recorded scope is none of the four this collection knows (``label (SCOPE)``)."""
    return ['%s (%s)' % (label, entry['before']) for kind, dummy, label, entry in entries(snapshot)
            if kind == 'record' and entry.get('before') and entry['before'] not in SCOPE_IDS]


def merge_record_by_record(kept, fresh, now=None):
    """``(merged, renewed)``: the kept snapshot, brought up to date record by record by a later rollback's reading.

    Where the OMS holds the rolled-back value, the kept value stands (it is the state before the incident). Where it
    holds another value, someone reopened the record since (by hand, or a restore put it back): that value is the
    state before this incident, and the kept one moves to the entry's ``history``. ``renewed`` labels the entries
    whose value changed so. An entry the kept snapshot lacks (a shop, target, store or job the earlier rollback did
    not select) is added as read; one the fresh reading lacks stays as kept.
    """
    now = now or utc_now()
    renewed = []
    fresh_entries = dict((key, entry) for dummy, key, dummy_label, entry in entries(fresh))

    def brought_up_to_date(kind, key, label, old):
        new = fresh_entries.get(key)
        entry = dict(old)
        put_back = entry.pop('restored', False)
        if new is None:
            return old
        if put_back or not _closed(kind, new.get('before')):
            if not same_value(kind, new.get('before'), old.get('before')):
                entry['history'] = list(old.get('history') or []) + [{'before': old.get('before'), 'until': now}]
                entry['before'] = new.get('before')
                renewed.append(label)
        return entry

    merged = dict(kept)
    merged['targets'] = list(kept.get('targets') or []) + [t for t in fresh.get('targets') or [] if t not in (kept.get('targets') or [])]
    kept_shops = dict((shop['shop_id'], shop) for shop in kept.get('shops') or [])
    shops = []
    for shop in kept.get('shops') or []:
        records = [brought_up_to_date('record', ('record', r['target'], r['id']), 'shop %s %s %s' % (shop['shop_id'], r['target'], r['id']), r)
                   for r in shop.get('records') or []]
        known = set((record['target'], record['id']) for record in records)
        records += [dict(r) for fresh_shop in fresh.get('shops') or [] if fresh_shop['shop_id'] == shop['shop_id']
                    for r in fresh_shop.get('records') or [] if (r['target'], r['id']) not in known]
        shops.append(dict(shop, records=records))
    shops.extend(shop for shop in fresh.get('shops') or [] if shop['shop_id'] not in kept_shops)
    merged['shops'] = shops
    for section, key, kind in (('product_stores', 'product_store_id', 'store'), ('service_jobs', 'job_name', 'job')):
        kept_list = [brought_up_to_date(kind, (kind, entry[key]), '%s %s' % (kind, entry[key]), entry) for entry in kept.get(section) or []]
        kept_keys = set(entry[key] for entry in kept_list)
        merged[section] = kept_list + [entry for entry in fresh.get(section) or [] if entry[key] not in kept_keys]
    merged['runs'] = list(kept.get('runs') or []) + list(fresh.get('runs') or [])
    merged['partly_restored'] = any(entry.get('restored') for dummy, dummy_key, dummy_label, entry in entries(merged))
    if not merged['partly_restored']:
        merged.pop('partly_restored')
    return merged, renewed


def merge_snapshots(kept, fresh):
    """The kept snapshot merged record by record with a later rollback's reading (see merge_record_by_record)."""
    return merge_record_by_record(kept, fresh)[0]


def closed_share(snapshot, jobs_selected=False):
    """``(closed, selected)``: how many selected records and stores (and jobs, when selected) hold the rolled-back value."""
    values = [(kind, entry.get('before')) for kind, dummy, dummy_label, entry in entries(snapshot)
              if kind != 'job' or jobs_selected]
    return sum(1 for kind, value in values if _closed(kind, value)), len(values)


def looks_rolled_back(snapshot, jobs_selected=False):
    """Whether every selected record is already closed: a rollback that found no open snapshot saw a closed OMS.

    An empty selection proves nothing. Paused jobs count only when the job step was asked for.
    """
    records = [record for shop in snapshot.get('shops') or [] for record in shop.get('records') or []]
    stores = snapshot.get('product_stores') or []
    if not records and not stores:
        return False
    closed, selected = closed_share(snapshot, jobs_selected)
    return closed == selected


def half_closed_line(environment, half_closed):
    """The one line that says a snapshot may not be the state before the incident."""
    return ('%s was half closed when this snapshot was taken: %d of %d selected records already held the rolled-back '
            'value while the others were open. Another controller may be rolling back %s right now (the lock is per '
            'controller), or those were closed on purpose before the incident; a restore of this snapshot puts them '
            'back closed' % (environment, half_closed['closed'], half_closed['of'], environment))


# --- what a restore puts back ------------------------------------------------------------------------------------


def restore_plan(snapshot, shop_ids=None, store_ids=None, tied_jobs=None):
    """What this restore puts back, as a dict: ``put_back`` (a snapshot-shaped selection), ``partial``, ``still_closed``.

    A snapshot not yet restored puts back what no earlier partial restore put back. ``shop_ids`` and ``store_ids``
    (None: all) narrow it to those shops' records and those stores, and the jobs to those in ``tied_jobs`` (the jobs
    the OMS ties to them); the instance-wide order intake waits for the restore that completes the snapshot, and
    that restore puts back every job still closed. A restored snapshot is compared whole (nothing to put back unless
    forced). Raises SnapshotError when the selection names what the snapshot does not hold.
    """
    # The intake's name is the job module's; imported here, so that only a restore loads the module side.
    from ansible_collections.hotwax.oms.plugins.module_utils.service_jobs import SHOPIFY_INTAKE_JOB

    for variable, ids, held in (('rollback_shop_ids', shop_ids, [shop['shop_id'] for shop in snapshot.get('shops') or []]),
                                ('rollback_product_store_ids', store_ids,
                                 [store['product_store_id'] for store in snapshot.get('product_stores') or []])):
        unknown = [item for item in ids or [] if item not in held]
        if unknown:
            raise SnapshotError('%s names what the snapshot taken at %s does not hold: %s. It holds: %s'
                                % (variable, snapshot.get('taken_at'), ', '.join(unknown), ', '.join(held) or 'nothing'))
    whole = bool(snapshot.get('restored'))
    pending = (lambda entry: True) if whole else (lambda entry: not entry.get('restored'))
    shops = []
    for shop in snapshot.get('shops') or []:
        records = [record for record in shop.get('records') or [] if pending(record)]
        if records and (shop_ids is None or shop['shop_id'] in shop_ids):
            shops.append(dict(shop, records=records))
    stores = [store for store in snapshot.get('product_stores') or []
              if pending(store) and (store_ids is None or store['product_store_id'] in store_ids)]
    jobs = [job for job in snapshot.get('service_jobs') or [] if pending(job)]
    put_back = dict(shops=shops, product_stores=stores, service_jobs=jobs)
    chosen = set(key for dummy, key, dummy_label, dummy_entry in entries(put_back))
    left = [(kind, label) for kind, key, label, entry in entries(snapshot) if pending(entry) and key not in chosen]
    if left:  # this restore does not complete the snapshot: only the jobs tied to the selection
        tied = set(tied_jobs or []) - set([SHOPIFY_INTAKE_JOB])
        put_back['service_jobs'] = [job for job in jobs if job['job_name'] in tied]
        chosen = set(key for dummy, key, dummy_label, dummy_entry in entries(put_back))
        left = [(kind, label) for kind, key, label, entry in entries(snapshot) if pending(entry) and key not in chosen]
    if whole:  # nothing of a restored snapshot is still closed by its rollback
        left = []
    return dict(put_back=put_back, partial=bool(left), still_closed=[label for dummy, label in left])


def still_closed_line(still_closed):
    """One line naming what a partial restore leaves closed, by kind: shops (of the records), stores, jobs."""
    # see restore_plan
    from ansible_collections.hotwax.oms.plugins.module_utils.service_jobs import SHOPIFY_INTAKE_JOB

    records = [label for label in still_closed if label.startswith('shop ')]
    shops = list(dict.fromkeys(label.split(' ')[1] for label in records))
    stores = [label[len('store '):] for label in still_closed if label.startswith('store ')]
    jobs = sorted((label[len('job '):] for label in still_closed if label.startswith('job ')),
                  key=lambda name: name != SHOPIFY_INTAKE_JOB)  # the intake first: it waits for the last restore
    parts = []
    if records:
        parts.append('%d access-scope records of %d shops (%s)' % (len(records), len(shops), _listing(shops)))
    if stores:
        parts.append('%d product stores (%s)' % (len(stores), _listing(stores)))
    if jobs:
        parts.append('%d service jobs (%s)' % (len(jobs), _listing(jobs)))
    return ('Partly restored: still closed, as the rollback left them: %s. The snapshot stays open: a restore without '
            'rollback_shop_ids and rollback_product_store_ids puts back the rest' % '; '.join(parts))


def _listing(labels, shown=10):
    return ', '.join(labels) if len(labels) <= shown else '%s ... and %d more' % (', '.join(labels[:shown]), len(labels) - shown)


# --- the store ---------------------------------------------------------------------------------------------------


class SnapshotStore:
    """The snapshots of one OMS in one folder; ``environment`` is the inventory host that names it in this run."""

    def __init__(self, folder, environment, oms_url, cwd=None):
        if not environment or not ENVIRONMENT_NAME.match(environment):
            raise SnapshotError('the inventory host name %r cannot name a snapshot file: use letters, digits, . _ @ -' % environment)
        self.folder = resolve_folder(folder, cwd)
        self.environment = environment
        self.oms_url = normalise_oms_url(oms_url)
        self.stem = oms_file_name(self.oms_url)
        self.path = os.path.join(self.folder, '%s.json' % self.stem)
        self.lock_path = os.path.join(self.folder, '.%s.lock' % self.stem)
        # 0.2.0 named them by the inventory host
        self.legacy_path = os.path.join(self.folder, '%s.json' % environment)
        self.legacy_lock_path = os.path.join(self.folder, '.%s.lock' % environment)

    # ---- the folder

    def check_folder(self, create, purpose='rollback'):
        """Make sure the folder exists (0700) and this user can read and write it; say exactly why not.

        Without ``create`` (check mode) nothing is created: the nearest existing parent must be writable.
        Returns warnings: an existing folder that others may read (its mode wider than 0700) is named.
        """
        if os.path.isdir(self.folder):
            if not os.access(self.folder, os.R_OK | os.W_OK | os.X_OK):
                if purpose == 'restore':
                    raise SnapshotError(
                        'restore refused: %s cannot write the snapshot folder %s (%s), where a restore takes its lock and '
                        'marks what it put back. Copy the snapshot file, set rollback_snapshot_dir to a folder this user '
                        'can write and give the file\'s path as rollback_snapshot' % (_who(), self.folder, _describe(self.folder)))
                raise SnapshotError('%s cannot read and write the snapshot folder %s (%s): give this user access, or set '
                                    'rollback_snapshot_dir to a folder it owns' % (_who(), self.folder, _describe(self.folder)))
            mode = stat.S_IMODE(os.stat(self.folder).st_mode)
            if mode & 0o077:
                return ['the snapshot folder %s has mode %s: other users may read the snapshots; chmod 700 it'
                        % (self.folder, oct(mode)[2:].zfill(4))]
            return []
        if os.path.exists(self.folder):
            raise SnapshotError('the snapshot folder %s is not a folder: set rollback_snapshot_dir to a folder' % self.folder)
        parent = self.folder
        while not os.path.exists(parent):
            parent = os.path.dirname(parent)
        if not os.path.isdir(parent):
            raise SnapshotError('the snapshot folder %s cannot be created: %s is a file, not a folder; set '
                                'rollback_snapshot_dir to a folder' % (self.folder, parent))
        if not os.access(parent, os.W_OK | os.X_OK):
            raise SnapshotError('%s cannot create the snapshot folder %s: %s is not writable (%s); set rollback_snapshot_dir '
                                'to a folder this user can write' % (_who(), self.folder, parent, _describe(parent)))
        if create:
            try:
                os.makedirs(self.folder, 0o700)
                os.chmod(self.folder, 0o700)  # the mode asked of makedirs is narrowed by the umask, never widened: made sure
            except OSError as exc:
                raise SnapshotError('%s cannot create the snapshot folder %s: %s' % (_who(), self.folder, exc.strerror))
        return []

    # ---- the lock

    def lock(self, purpose):
        """Take the OMS's lock for this ansible-playbook run (this_run); a lock of a run that ended is taken over.

        Then 0.2.0 files of this OMS are given its name (adopt_legacy). Returns a warning (str) when a stale lock was
        taken over or 0.2.0 files were renamed, else None.
        """
        owner = this_run()
        holder = dict(owner, user=_who(), purpose=purpose, since=utc_now(), environment=self.environment, oms_url=self.oms_url)
        self._refuse_a_live_legacy_lock()
        lines = []
        for dummy in range(2):
            if not self._create_lock(holder):
                current = self.lock_holder()
                if self._held_by(current, owner):
                    return None  # this run holds it already for this host (the role included twice)
                if current.get('host') == owner['host'] and not _run_alive(current):
                    lines.append('took over the lock of a %s that ended without releasing it (pid %s, since %s)' % (
                        current.get('purpose', 'run'), current.get('pid'), current.get('since')))
                    self._remove(self.lock_path)
                    continue
                raise self._locked(current, self.lock_path)
            lines.extend(self.adopt_legacy())
            return '; '.join(lines) or None
        raise SnapshotLocked('cannot take the lock %s: it keeps coming back' % self.lock_path)

    def _create_lock(self, holder):
        """Create the lock file with its holder in one step, a written file linked into place, so that a second run
        never reads it half written. Returns False when the lock exists already."""
        try:
            descriptor, temporary = tempfile.mkstemp(prefix='.%s.lock.' % self.stem, suffix='.tmp', dir=self.folder)
        except OSError as exc:
            raise SnapshotError('%s cannot take the lock %s: %s' % (_who(), self.lock_path, exc.strerror))
        try:
            with os.fdopen(descriptor, 'w') as handle:
                json.dump(holder, handle)
            os.link(temporary, self.lock_path)
            return True
        except OSError as exc:
            if exc.errno == errno.EEXIST:
                return False
            raise SnapshotError('%s cannot take the lock %s: %s' % (_who(), self.lock_path, exc.strerror))
        finally:
            self._remove(temporary)

    def _locked(self, current, path):
        other_name = current.get('environment') not in (None, self.environment)
        return SnapshotLocked(
            'another %s of %s is running: %s on %s, pid %s, since %s (lock %s%s). Wait for it to end; if that run is '
            'gone for good, remove the lock file and run again'
            % (current.get('purpose', 'run'), self.environment, current.get('user', '?'), current.get('host', '?'),
               current.get('pid', '?'), current.get('since', '?'), path,
               ', taken as %s: the same OMS, %s' % (current['environment'], self.oms_url) if other_name else ''))

    def _refuse_a_live_legacy_lock(self):
        """A 0.2.0 run still going holds ``.<environment>.lock`` (it knew no OMS): wait for it like for any run."""
        if self.legacy_lock_path == self.lock_path:
            return
        current = self.lock_holder(self.legacy_lock_path)
        if current and 'oms_url' not in current and current.get('host') == socket.gethostname() and _run_alive(current):
            raise self._locked(current, self.legacy_lock_path)

    def _held_by(self, current, owner):
        """Whether this run holds the lock for this inventory host (two hosts of one run naming one OMS never both act)."""
        same_process = all(current.get(key) == owner[key] for key in ('pid', 'host', 'started'))
        return same_process and current.get('environment', self.environment) == self.environment

    def unlock(self):
        """Release the lock if this run holds it."""
        if self._held_by(self.lock_holder(), this_run()):
            self._remove(self.lock_path)
            return True
        return False

    def lock_holder(self, path=None):
        try:
            with open(path or self.lock_path) as handle:
                holder = json.load(handle)
            return holder if isinstance(holder, dict) else {}
        except (OSError, ValueError):
            return {}

    # ---- 0.2.0 files

    def _legacy_aside(self):
        """0.2.0 files kept aside under this inventory host's name: ``[(path, stamp, why and number)]``."""
        pattern = re.compile(ASIDE_NAME % re.escape(self.environment))
        try:
            names = os.listdir(self.folder)
        except OSError:
            return []
        return [(os.path.join(self.folder, name), match.group(1), name[len(self.environment) + len(match.group(1)) + 2:-5])
                for name, match in ((name, pattern.match(name)) for name in names) if match]

    def of_this_oms(self, path):
        """The snapshot in ``path`` when it is usable and records this OMS, else None."""
        try:
            with open(path, 'rb') as handle:
                snapshot = parse_snapshot(handle.read(), path)
        except (IOError, SnapshotError):
            return None
        return snapshot if self._identity(snapshot) == self.oms_url else None

    def legacy_problem(self):
        """Why the 0.2.0 file of this inventory host cannot be used, when it is there and unusable; else None.

        It may have been this OMS's way back: a person must look at it.
        """
        if self.legacy_path == self.path or not os.path.exists(self.legacy_path):
            return None
        try:
            with open(self.legacy_path, 'rb') as handle:
                parse_snapshot(handle.read(), self.legacy_path)
        except IOError as exc:
            return '%s cannot read %s (%s): %s' % (_who(), self.legacy_path, _describe(self.legacy_path), exc.strerror)
        except SnapshotError as exc:
            return str(exc)
        return None

    def adopt_legacy(self):
        """Rename the 0.2.0 files of this OMS (``<environment>.json`` and its kept history) to the OMS's names.

        A file recording another OMS, or one that cannot be read, is left as it is. Returns lines saying what moved.
        """
        if self.legacy_path == self.path:
            return []
        moved = []
        if not os.path.exists(self.path) and self.of_this_oms(self.legacy_path):
            os.rename(self.legacy_path, self.path)
            moved.append((self.legacy_path, self.path))
        for path, stamp, why in self._legacy_aside():
            target = os.path.join(self.folder, '%s.%s.%s.json' % (self.stem, stamp, why))
            if not os.path.exists(target) and self.of_this_oms(path):
                os.rename(path, target)
                moved.append((path, target))
        if not moved:
            return []
        self._sync_folder()
        return ['snapshots are kept per OMS since hotwax.oms 0.3.0: renamed %d 0.2.0 files of %s (%s) to its name: %s'
                % (len(moved), self.oms_url, self.environment,
                   ', '.join('%s -> %s' % (os.path.basename(old), os.path.basename(new)) for old, new in moved))]

    def remove(self, paths):
        """Delete these files of the folder (prune() chooses them: restored snapshots only)."""
        for path in paths:
            self._remove(path)
        if paths:
            self._sync_folder()

    @staticmethod
    def _remove(path):
        try:
            os.remove(path)
        except OSError as exc:
            if exc.errno != errno.ENOENT:
                raise

    # ---- reading

    def read_current(self):
        """``(state, snapshot, problem)`` of ``<oms>.json`` (or, until a lock adopts it, the 0.2.0 file of this OMS).

        state: ``missing``; ``unusable`` (problem says why); ``other_oms``; ``restored``; ``open`` (of this OMS).
        A file this user cannot read is an error, not ``missing``: it may hold the way back.
        """
        try:
            with open(self.path, 'rb') as handle:
                text = handle.read()
        except IOError as exc:
            if exc.errno in (errno.ENOENT, errno.ENOTDIR):  # no file, or no folder yet (the folder check says why)
                legacy = self.of_this_oms(self.legacy_path) if self.legacy_path != self.path else None
                if legacy:  # read only (check mode, readiness); the lock renames it
                    return ('restored' if legacy.get('restored') else 'open'), legacy, None
                return 'missing', None, None
            raise SnapshotError('%s cannot read the snapshot %s (%s): %s. It may hold the way back, so nothing was done'
                                % (_who(), self.path, _describe(self.path), exc.strerror))
        try:
            snapshot = parse_snapshot(text, self.path)
        except SnapshotError as exc:
            return 'unusable', None, str(exc)
        if self._identity(snapshot) != self.oms_url:
            return 'other_oms', snapshot, None
        return ('restored' if snapshot.get('restored') else 'open'), snapshot, None

    def kept_aside(self):
        """Every snapshot of this OMS kept aside in the folder, newest first: ``[(path, snapshot or None)]``.

        Its own names (an unusable one included, as None), and 0.2.0 names of this inventory host that record it.
        """
        pattern = re.compile(ASIDE_NAME % re.escape(self.stem))
        try:
            names = os.listdir(self.folder)
        except OSError:
            return []
        found = []
        for name in names:
            match = pattern.match(name)
            if match:
                path = os.path.join(self.folder, name)
                try:
                    with open(path, 'rb') as handle:
                        found.append((match.group(1), name, path, parse_snapshot(handle.read(), path)))
                except (IOError, SnapshotError):
                    found.append((match.group(1), name, path, None))
        if self.legacy_path != self.path:
            for path, stamp, dummy in self._legacy_aside():
                snapshot = self.of_this_oms(path)
                if snapshot:
                    found.append((stamp, os.path.basename(path), path, snapshot))
        return [(path, snapshot) for dummy, dummy_name, path, snapshot in sorted(found, key=lambda item: item[:2], reverse=True)]

    def find_open_aside(self):
        """An open snapshot of this OMS that a rollback of another OMS moved aside, or None: ``(path, snapshot)``."""
        for path, snapshot in self.kept_aside():
            if snapshot and not snapshot.get('restored') and self._identity(snapshot) == self.oms_url:
                return path, snapshot
        return None

    def _identity(self, snapshot):
        try:
            return normalise_oms_url(snapshot.get('oms_url'))
        except SnapshotError:
            return None

    # ---- writing

    def write(self, snapshot, path=None, before_replace=None):
        """Write atomically: a 0600 temporary file in the same folder, flushed, then renamed over.

        ``before_replace`` runs once the new file is safely on disk and before it takes its place (to move the old
        one aside), so a write that fails part-way (a full disk) leaves every file as it was.
        """
        path = path or self.path
        # next to the file it replaces: a rename is atomic only within one folder (a given file may be elsewhere)
        descriptor, temporary = tempfile.mkstemp(prefix='.%s.' % self.stem, suffix='.tmp', dir=os.path.dirname(path))
        try:
            with os.fdopen(descriptor, 'w') as handle:
                json.dump(snapshot, handle, indent=2, sort_keys=True)
                handle.write('\n')
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, 0o600)
            if before_replace:
                before_replace()
            os.rename(temporary, path)
        except BaseException:
            self._remove(temporary)
            raise
        self._sync_folder()
        return path

    def aside_path(self, why, stamp=None, stem=None):
        """A free name to keep ``<oms>.json`` under: ``<oms>.<stamp>.<why>.json`` (``stem``: another OMS's name)."""
        stamp = re.sub(r'[^0-9TZ]', '', stamp or utc_now())
        stem = stem or self.stem
        target = os.path.join(self.folder, '%s.%s.%s.json' % (stem, stamp, why))
        number = 1
        while os.path.exists(target):
            number += 1
            target = os.path.join(self.folder, '%s.%s.%s-%d.json' % (stem, stamp, why, number))
        return target

    def move_aside(self, target):
        """Rename ``<oms>.json`` to ``target`` (see aside_path). Never deletes."""
        if os.path.exists(target):
            raise SnapshotError('will not replace %s while keeping %s aside' % (target, self.path))
        os.rename(self.path, target)
        return target

    def _sync_folder(self):
        try:
            descriptor = os.open(self.folder, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(descriptor)
        except OSError:
            pass
        finally:
            os.close(descriptor)


# --- the role's operations -----------------------------------------------------------------------------------


def save_for_rollback(store, fresh, jobs_selected=False, check_mode=False, now=None):
    """Save the state read before a rollback's first write; an open snapshot of this OMS is kept and brought up to date
    record by record (merge_record_by_record).

    Returns a dict: ``path``, ``snapshot``, ``kept_from`` (taken_at of a kept snapshot), ``renewed`` (labels),
    ``moved`` ([path kept aside, why]), ``warnings``, ``notes`` (lines for the summary), ``problem`` (an unusable
    earlier file, which an operator must look at), ``written``. In check mode nothing is written and ``path`` is where
    the snapshot would be saved.
    """
    state, current, problem = store.read_current()
    result = dict(path=store.path, kept_from=None, renewed=[], moved=[], warnings=[], notes=[], problem=None)
    move_aside = None
    if state == 'open':
        snapshot, result['renewed'] = merge_record_by_record(current, fresh, now)
        result['kept_from'] = current.get('taken_at')
        if result['renewed']:
            result['notes'].append(
                'Renewed %d records reopened since the rollback at %s: the values they held now are the state before this '
                'incident (the older ones stay in the snapshot\'s history): %s'
                % (len(result['renewed']), current.get('taken_at'), _listing(result['renewed'])))
    else:
        snapshot = fresh
        legacy_problem = store.legacy_problem() if state == 'missing' else None
        if legacy_problem:
            result['problem'] = ('The 0.2.0 snapshot file %s could not be used (%s) and was left as it is; look at it before '
                                 'restoring from the fresh one, which may hold rolled-back values.' % (store.legacy_path, legacy_problem))
        if state != 'missing':
            why = 'restored' if (current or {}).get('restored') else {'other_oms': 'other-oms', 'unusable': 'unusable'}[state]
            stamp = (current or {}).get('restored_at') or (current or {}).get('taken_at')
            # a snapshot of another OMS goes among that OMS's files, where its restore and its history look
            owner = oms_file_name(current['oms_url']) if state == 'other_oms' else None
            aside = store.aside_path(why, stamp, owner)
            result['moved'].append([aside, why])
            move_aside = functools.partial(store.move_aside, aside)  # only once the new snapshot is on disk
            if state == 'other_oms' and not current.get('restored'):
                result['warnings'].append('%s held an open snapshot of another OMS (%s), not of %s; it was kept at %s for '
                                          'that OMS\'s restore' % (store.path, current.get('oms_url'), store.oms_url, aside))
            if state == 'unusable':
                result['problem'] = ('The earlier snapshot could not be used (%s) and was kept at %s; look at it before '
                                     'restoring from the fresh one, which may hold rolled-back values.' % (problem, aside))
        # records and stores only: a job paused on purpose (a schedule switched off) is common and says nothing
        closed, selected = closed_share(snapshot)
        if looks_rolled_back(snapshot, jobs_selected):
            snapshot['already_rolled_back'] = True
            result['warnings'].append(
                '%s looks already rolled back: every selected record is closed and brokering is off, and no open snapshot '
                'is in %s. This snapshot records those closed values, so a restore from it is refused unless forced; the '
                'snapshot of the first rollback may be on another controller or in the artifact of an AWX job'
                % (store.environment, store.folder))
        elif 0 < closed < selected:
            snapshot['half_closed'] = dict(closed=closed, of=selected)
            result['notes'].append(half_closed_line(store.environment, snapshot['half_closed']))
    unfamiliar = unfamiliar_scopes(fresh)
    if unfamiliar:
        result['notes'].append('%d records hold a scope this collection does not know, closed like any other and kept '
                               'exactly for the restore: %s' % (len(unfamiliar), _listing(unfamiliar)))
    # A second rollback that changes nothing leaves the file as it is: a run that changes nothing reports no change.
    # Its own line in ``runs`` is no change of the state kept, so it does not count.
    result['written'] = not check_mode and (current is None or dict(snapshot, runs=None) != dict(current, runs=None))
    if result['written']:
        store.write(snapshot, before_replace=move_aside)
    result['snapshot'] = snapshot
    return result


def read_given(given, cwd=None):
    """``(snapshot, path)`` from ``rollback_snapshot``: a dict, its JSON, or the path of a snapshot file."""
    if isinstance(given, str) and not given.lstrip().startswith('{'):
        path = resolve_folder(given, cwd)  # the same expansion as the folder: ~, $VARIABLES, relative to the run
        try:
            with open(path, 'rb') as handle:
                return parse_snapshot(handle.read(), path), path
        except IOError as exc:
            raise SnapshotError('rollback_snapshot names the file %s, which %s cannot read (%s): %s'
                                % (path, _who(), _describe(path), exc.strerror))
    return parse_snapshot(given, 'rollback_snapshot'), None


def _legacy_of_another_oms(store):
    """What a 0.2.0 file of this inventory host is, when it is there and not this OMS's snapshot, else ''."""
    if store.legacy_path == store.path or not os.path.exists(store.legacy_path) or store.of_this_oms(store.legacy_path):
        return ''
    problem = store.legacy_problem()
    if problem:
        return ' %s (named by hotwax.oms 0.2.0) cannot be used: %s; it was left as it is.' % (store.legacy_path, problem)
    try:
        with open(store.legacy_path, 'rb') as handle:
            recorded = parse_snapshot(handle.read(), store.legacy_path)['oms_url']
    except (IOError, SnapshotError):
        return ''
    return ' %s (named by hotwax.oms 0.2.0) records %s, not %s: it is not used.' % (store.legacy_path, recorded, store.oms_url)


def load_for_restore(store, given=None, force=False, cwd=None):
    """The snapshot a restore puts back, from ``given`` (the artifact of a rollback job, or a file's path) or the folder.

    Returns a dict: ``snapshot``, ``path`` (the file it came from, None for an artifact), ``already_restored``,
    ``warnings``. Raises SnapshotError with advice that fits when there is none that may be used.
    """
    path = None
    if given is not None and given != '' and given != {}:
        snapshot, path = read_given(given, cwd)
        if normalise_oms_url(snapshot['oms_url']) != store.oms_url:
            raise SnapshotError('%s was taken on %s, but %s is %s (hotwax_oms_url): give the snapshot a rollback '
                                'of %s published (hotwax_oms_snapshots.%s)'
                                % (path or 'rollback_snapshot', snapshot['oms_url'], store.environment, store.oms_url,
                                   store.environment, store.environment))
    else:
        state, snapshot, problem = store.read_current()
        path = store.path
        if state == 'unusable':
            raise SnapshotError('%s; it was left as it is. Restore from the artifact of the rollback job '
                                '(rollback_snapshot), or mend the file' % problem)
        if state in ('missing', 'other_oms'):
            aside = store.find_open_aside()
            if aside:
                path, snapshot = aside
            elif state == 'missing':
                raise SnapshotError('No snapshot of %s in %s (%s does not exist): nothing to restore from.%s A rollback run on '
                                    'this controller writes it there; on AWX, give the rollback job\'s artifact '
                                    'hotwax_oms_snapshots.%s as rollback_snapshot, or give a copied file\'s path as '
                                    'rollback_snapshot' % (store.environment, store.folder, store.path,
                                                           _legacy_of_another_oms(store), store.environment))
            else:
                raise SnapshotError('%s holds a snapshot of %s, not of %s (%s\'s hotwax_oms_url), and no snapshot of %s is in %s. '
                                    'If it was taken elsewhere, give its file\'s path or the rollback job\'s artifact as '
                                    'rollback_snapshot' % (store.path, snapshot.get('oms_url'), store.oms_url, store.environment,
                                                           store.oms_url, store.folder))
    if snapshot.get('already_rolled_back') and not force:
        raise SnapshotError('%s was taken when %s was already rolled back (every record closed, at %s): restoring it would reopen '
                            'nothing. The snapshot of the first rollback may be on another controller or in the artifact of an '
                            'AWX job; give it as rollback_snapshot, or set rollback_restore_force=true to restore these values'
                            % (path or 'rollback_snapshot', store.environment, snapshot.get('taken_at')))
    warnings = []
    if snapshot.get('half_closed') and not snapshot.get('restored'):
        warnings.append('Before any write: %s' % half_closed_line(store.environment, snapshot['half_closed']))
    return dict(snapshot=snapshot, path=path, already_restored=bool(snapshot.get('restored')), warnings=warnings)


def mark_put_back(store, taken_at, put_back, run, path=None, now=None):
    """Mark what a restore put back (``put_back``, from restore_plan) in the snapshot taken at ``taken_at``: each entry,
    and the snapshot restored once nothing is still closed; ``run`` is added to its ``runs``.

    The file it came from is used (or the open file). It stays in place as history; the next rollback moves it aside.
    Returns ``(path marked, snapshot)``; ``(None, None)`` when no file holds that snapshot (it came from an AWX artifact
    on a controller without it). Raises SnapshotError when the file holding it cannot be written.
    """
    now = now or utc_now()
    for candidate in [path, store.path]:
        if not candidate or not os.path.exists(candidate):
            continue
        try:
            with open(candidate, 'rb') as handle:
                snapshot = parse_snapshot(handle.read(), candidate)
        except (IOError, SnapshotError):
            continue
        if snapshot.get('taken_at') != taken_at or normalise_oms_url(snapshot['oms_url']) != store.oms_url:
            continue
        if snapshot.get('restored'):
            return candidate, snapshot
        chosen = set(key for dummy, key, dummy_label, dummy_entry in entries(put_back))
        for dummy, key, dummy_label, entry in entries(snapshot):
            if key in chosen:
                entry['restored'] = True
        if all(entry.get('restored') for dummy, dummy_key, dummy_label, entry in entries(snapshot)):
            for dummy, dummy_key, dummy_label, entry in entries(snapshot):
                entry.pop('restored')  # one mark says it all
            snapshot.pop('partly_restored', None)
            snapshot.update(restored=True, restored_at=now)
        else:
            snapshot['partly_restored'] = True
        snapshot['runs'] = list(snapshot.get('runs') or []) + [dict(run, partial=not snapshot['restored'])]
        try:
            store.write(snapshot, candidate)
        except (IOError, OSError) as exc:
            raise SnapshotError('the restore is done, but %s cannot mark the snapshot %s restored: %s (%s). Copy it to a '
                                'folder this user can write and give its path as rollback_snapshot, so that the next '
                                'rollback does not take it for open' % (_who(), candidate, exc.strerror or exc, _describe(os.path.dirname(candidate))))
        return candidate, snapshot
    return None, None


def mark_restored(store, taken_at, path=None, now=None):
    """Mark the whole snapshot taken at ``taken_at`` restored (see mark_put_back). Returns the path marked, or None."""
    for candidate in [path, store.path]:
        if candidate and os.path.exists(candidate):
            try:
                with open(candidate, 'rb') as handle:
                    snapshot = parse_snapshot(handle.read(), candidate)
            except (IOError, SnapshotError):
                continue
            if snapshot.get('taken_at') == taken_at:
                return mark_put_back(store, taken_at, snapshot, run_entry('restore', operator(), now=now), candidate, now)[0]
    return None


def probe_folder(store):
    """Whether this user can keep a snapshot here: create the folder, write and remove a probe file. Raises SnapshotError."""
    store.check_folder(create=True)
    descriptor, probe = tempfile.mkstemp(prefix='.%s.probe.' % store.stem, dir=store.folder)
    os.close(descriptor)
    os.remove(probe)
    return store.folder


# --- history and pruning -----------------------------------------------------------------------------------------


def snapshot_state(snapshot):
    """``open``, ``renewed`` (open, and a later rollback renewed records reopened since), ``partly restored`` or
    ``restored``."""
    if snapshot.get('restored'):
        return 'restored'
    if snapshot.get('partly_restored'):
        return 'partly restored'
    if any(entry.get('history') for dummy, dummy_key, dummy_label, entry in entries(snapshot)):
        return 'renewed'
    return 'open'


def _history_row(path, snapshot):
    """One snapshot, as the history lists it."""
    if snapshot is None:
        return dict(path=path, state='unusable', taken_at=None, holds=None, operator=None, reason=None, runs=[], line=None)
    runs = snapshot.get('runs') or []
    first = runs[0] if runs else {}
    who = first.get('operator') or snapshot.get('operator') or {'user': snapshot.get('taken_by', '?')}
    records = sum(len(shop.get('records') or []) for shop in snapshot.get('shops') or [])
    holds = dict(shops=len(snapshot.get('shops') or []), records=records,
                 product_stores=len(snapshot.get('product_stores') or []), service_jobs=len(snapshot.get('service_jobs') or []))
    return dict(path=path, state=snapshot_state(snapshot), taken_at=snapshot.get('taken_at'),
                restored_at=snapshot.get('restored_at'), holds=holds, operator=who,
                reason=snapshot.get('reason') or first.get('reason'), runs=runs,
                already_rolled_back=bool(snapshot.get('already_rolled_back')))


def history_line(row):
    """``TAKEN  STATE  HOLDS  WHO  WHY  LAST``: one snapshot on one line, like ``helm history``."""
    if row['state'] == 'unusable':
        return '%-20s  %-15s  %s: kept aside, look at it' % ('?', 'unusable', row['path'])
    who = row['operator'] or {}
    holds = '%(records)d records of %(shops)d shops, %(product_stores)d stores, %(service_jobs)d jobs' % row['holds']
    by = '%s on %s%s' % (who.get('user', '?'), who.get('host', '?'), ', AWX job %s' % who['awx_job_id'] if who.get('awx_job_id') else '')
    why = row['reason'] or '(no rollback_reason given)'
    if row.get('already_rolled_back'):
        why += ' [taken of an OMS already rolled back]'
    last = row['runs'][-1] if len(row['runs']) > 1 else None
    then = '; last: %s' % describe_run(last) if last else ''
    return '%-20s  %-15s  %s  by %s  why: %s%s' % (row['taken_at'], row['state'], holds, by, why, then)


def history(store):
    """Every snapshot of this OMS in the folder (its file, those kept aside, 0.2.0 names of this inventory host that
    record it), newest first: a list of rows (path, state, taken_at, restored_at, holds, operator, reason, runs, line).

    Reads only.
    """
    state, current, problem = store.read_current()
    rows = []
    if state in ('open', 'restored'):
        rows.append(_history_row(store.path if os.path.exists(store.path) else store.legacy_path, current))
    elif state == 'unusable':
        rows.append(dict(_history_row(store.path, None), problem=problem))
    rows.extend(_history_row(path, snapshot) for path, snapshot in store.kept_aside())
    rows.sort(key=lambda row: row['taken_at'] or '', reverse=True)
    for row in rows:
        row['line'] = history_line(row)
    return rows


def history_header():
    return '%-20s  %-15s  %s' % ('TAKEN', 'STATE', 'HOLDS, WHO, WHY, LAST')


def keep_count(keep):
    """``rollback_snapshot_keep`` as a number, or None (unset: keep everything). Raises SnapshotError naming it."""
    if keep is None or keep == '':
        return None
    text = str(keep).strip()
    if isinstance(keep, bool) or not text.isdigit() or int(text) < 1:
        raise SnapshotError('rollback_snapshot_keep must be a whole number of at least 1 (how many restored snapshots of an '
                            'environment to keep), or unset to keep every snapshot; got %r' % (keep,))
    return int(text)


def prune(store, keep=None, check_mode=False):
    """Remove the restored snapshots of this OMS beyond the newest ``keep`` (None: keep everything).

    Never an open or partly restored snapshot, nor an unusable file (someone must look at it). Newest is by when it was
    restored. Returns the paths removed (in check mode: that would be removed).
    """
    keep = keep_count(keep)
    if keep is None:
        return []
    state, current, dummy = store.read_current()
    restored = [(path, snapshot) for path, snapshot in store.kept_aside() if snapshot and snapshot.get('restored')]
    if state == 'restored' and os.path.exists(store.path):
        restored.append((store.path, current))
    restored.sort(key=lambda item: (item[1].get('restored_at') or item[1].get('taken_at') or '', item[0]), reverse=True)
    removed = [path for path, dummy in restored[keep:]]
    if not check_mode:
        store.remove(removed)
    return removed
