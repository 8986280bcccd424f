# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The last word of a rollback or a restore: what is known closed (or back), what is not, what is unknown.

It is built from what the OMS answered, never from what was sent: a record counts as closed only when a
step's read-back says so. A step that failed without a result (the OMS went away, the module never came
back) leaves its records *unknown*, never "none open".
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.hotwax.oms.plugins.module_utils.oms_client import retries_said
from ansible_collections.hotwax.oms.plugins.module_utils.oms_module import shorten
from ansible_collections.hotwax.oms.plugins.module_utils.oms_values import EMPTY_SCOPE_MEANS, ROLLED_BACK_SCOPE
from ansible_collections.hotwax.oms.plugins.plugin_utils.snapshot_store import saved_job_paused

SHOWN = 10  # labels in a message; the return values hold every one


def abbreviated_list(labels, shown=SHOWN):
    """The first ``shown`` labels joined with commas, and how many more there are."""
    labels = list(labels)
    if len(labels) <= shown:
        return ', '.join(labels)
    return '%s ... and %d more' % (', '.join(labels[:shown]), len(labels) - shown)


SELECTION_KEYS = ('shops', 'product_stores', 'service_jobs')
READS = {  # a read before a rollback, by kind name: what its result lists, and how its failure is named
    'records': ('shops', 'Read the access scope'),
    'stores': ('product_stores', 'Read the order brokering'),
    'jobs': ('service_jobs', 'Read the jobs'),
}


def selection_from(reads, steps):
    """What a run is about, in the shape of a snapshot: the reads before a rollback (what its snapshot holds); when
    none ran (a check saves no snapshot, so it skips them), each step's own reading."""
    if any(read is not None for read in reads.values()):
        return dict((key, (reads.get(name) or {}).get(key) or []) for name, (key, dummy) in READS.items())
    selection = {}
    for step in steps.values():
        selection.update((key, rows) for key, rows in (step or {}).items() if key in SELECTION_KEYS)
    return selection


def retries_line(results):
    """One line on the retries the OMS needed in these module results (their ``retries``), or None without any.

    A run that survived twenty 429s looks like one that met none unless someone says so: the OMS is struggling.
    """
    count, reasons = 0, {}
    for result in results:
        retries = (result or {}).get('retries') or {}
        count += retries.get('count') or 0
        for reason, times in (retries.get('reasons') or {}).items():
            reasons[reason] = reasons.get(reason, 0) + times
    if not count:
        return None
    return 'The OMS needed %s in this run: it is struggling' % retries_said(count, reasons)


def read_errors(reads):
    """The failure of each read that ran without listing its records (registered with failed_when false)."""
    errors = []
    for name, read in sorted(reads.items()):
        key, what = READS[name]
        if read is not None and key not in read:
            errors.append('%s: %s' % (what, read.get('msg') or 'no answer'))
    return errors


def from_snapshot_result(result):
    """What a verdict takes from the registered result of hotwax_snapshot: a take or save (rollback) or a load (restore).

    Returns the verdict's options it fills: where the snapshot is and when it was taken, its notes, a problem with an
    earlier file (a step error), what a take read (``reads``, by kind name), and for a restore what it puts back,
    where it came from and when it was restored before (None when not, or when forced).
    """
    result = result or {}
    taken_at = result.get('taken_at') or (result.get('snapshot') or {}).get('taken_at')  # a take says it; a save, a load
    return dict(notes=list(result.get('notes') or []), step_errors=[result['problem']] if result.get('problem') else [],
                reads=dict(result.get('reads') or {}),
                selection=result.get('put_back'), snapshot_path=result.get('path'),
                snapshot_taken_at=taken_at, kept_from=result.get('kept_from'),
                already_restored_at=result.get('already_restored_at'), source=result.get('source'))


class Kind:
    """One kind of record: how to list it from a result, label it, and say whether it holds what was wanted."""

    def __init__(self, name, noun, rows, key, label):
        self.name, self.noun, self.rows, self.key, self.label = name, noun, rows, key, label


def _shop_records(result):
    return [dict(record, shop_id=shop.get('shop_id')) for shop in (result or {}).get('shops') or []
            for record in shop.get('records') or []]


KINDS = (
    Kind('records', 'access-scope record', _shop_records, lambda r: (r.get('target'), r.get('id')),
         lambda r: 'shop %s %s %s' % (r.get('shop_id'), r.get('target'), r.get('id'))),
    Kind('stores', 'product store', lambda result: (result or {}).get('product_stores') or [],
         lambda r: r.get('product_store_id'), lambda r: 'store %s' % r.get('product_store_id')),
    Kind('jobs', 'service job', lambda result: (result or {}).get('service_jobs') or [],
         lambda r: r.get('job_name'), lambda r: 'job %s' % r.get('job_name')),
)


def _rolled_back(kind, value):
    if kind.name == 'records':
        return value == ROLLED_BACK_SCOPE
    if kind.name == 'stores':
        return value is False
    return saved_job_paused(value)


def _same(kind, after, before):
    """Whether ``after`` is what a restore of ``before`` puts back, as the OMS reads both."""
    if kind.name == 'records':
        return (after or EMPTY_SCOPE_MEANS) == (before or EMPTY_SCOPE_MEANS)
    if kind.name == 'jobs' and not isinstance(before, bool):
        return after == (before if before not in (None, '') else 'N') or (before in (None, '') and after is None)
    return after == before


def judge(mode, environment, selection, steps, step_errors=(), check_mode=False):
    """The verdict of one run, as a dict: ``ok``, ``msg`` (lines), and per kind ``done``, ``open``, ``unknown``, ``drifted``.

    ``selection`` is what the run is about, in the shape of a snapshot (``shops``, ``product_stores``,
    ``service_jobs``, each entry with its ``before``): the fresh reading for a rollback, the snapshot for a restore.
    ``steps`` maps a kind name to the registered result of the step that
    wrote it (None when the step did not run). ``step_errors`` are failures to report as they are.
    """
    report = dict(ok=True, environment=environment, mode=mode)
    lines = []
    problems = []
    for kind in KINDS:
        rows = kind.rows(selection)
        step = steps.get(kind.name)
        if step is not None and not kind.rows(step) and step.get('msg'):
            # the step ended before it could say anything about its records: every one of them is unknown
            problems.append('%s: %s' % (kind.noun, _one_line(step['msg'])))
        if not rows:
            continue
        answered = dict((kind.key(row), row) for row in kind.rows(step))
        done, still, unknown, left, already = [], [], [], [], []
        for row in rows:
            label = kind.label(row)
            seen = answered.get(kind.key(row))
            after = seen.get('after') if seen else None
            wanted_done = (_rolled_back(kind, after) if mode == 'rollback' else _same(kind, after, row.get('before')))
            if mode == 'rollback' and _rolled_back(kind, row.get('before')):
                already.append(label)
            # a module says per record whether it could not tell (unknown) or left it alone on purpose (drifted)
            if seen is not None and seen.get('state') == 'drifted':
                left.append(label)
            elif seen is None or seen.get('state') == 'unknown':
                unknown.append(label)
            elif wanted_done:
                done.append(label)
            else:
                still.append(label)
        report[kind.name] = dict(selected=len(rows), done=done, open=still, unknown=unknown, drifted=left, already=already)
        lines.append(_line(mode, kind, rows, done, already, check_mode))
        if still:
            verb = 'still open:' if mode == 'rollback' else 'not put back:'
            problems.append('%s %d of %d %ss: %s' % (verb, len(still), len(rows), kind.noun, abbreviated_list(still)))
        if unknown:
            problems.append('not known (no answer read back): %d of %d %ss: %s' % (len(unknown), len(rows), kind.noun, abbreviated_list(unknown)))
        if (still or unknown) and step is not None and kind.rows(step) and step.get('msg'):
            problems.append('the %s step said: %s' % (kind.noun, _one_line(step['msg'], 300)))  # why: a 403, the OMS gone
        if left:
            lines.append('Left as changed since the rollback (neither its snapshot value nor the rolled-back one): %s; '
                         'set rollback_restore_force=true to put them back anyway' % abbreviated_list(left))
    problems.extend(_one_line(error) for error in step_errors if error)
    # Check mode too: its steps predict every record closed, so what remains is a read that failed.
    report['ok'] = not problems
    report['problems'] = problems
    report['msg'] = lines
    return report


def _one_line(text, limit=400):
    """``text`` on one line, cut at a word boundary to at most ``limit`` characters (the modules' own rule)."""
    return shorten(' '.join(str(text).split()), limit)


PHRASES = {  # (done, would be done in check mode)
    ('rollback', 'records'): ('Shopify access closed on', 'Shopify access would be closed on'),
    ('rollback', 'stores'): ('Order brokering stopped in', 'Order brokering would be stopped in'),
    ('rollback', 'jobs'): ('Jobs paused:', 'Jobs that would be paused:'),
    ('restore', 'records'): ('Shopify access put back on', 'Shopify access would be put back on'),
    ('restore', 'stores'): ('Order brokering put back in', 'Order brokering would be put back in'),
    ('restore', 'jobs'): ('Jobs put back:', 'Jobs that would be put back:'),
}


def _line(mode, kind, rows, done, already, check_mode):
    line = '%s %d of %d %ss' % (PHRASES[(mode, kind.name)][1 if check_mode else 0], len(done), len(rows), kind.noun)
    if mode == 'rollback' and already:
        line += ' (%d already closed before)' % len(already)
    return line


# --- a rollback's safety: what still lets Shopify in, and what the two switches do not stop ----------------------
# (docs/safety.md says where each fact comes from)

WEBHOOK_GRACE = datetime.timedelta(hours=4)  # Shopify retries a refused webhook for about 4 hours, then deletes it
TIME_FORMAT = '%Y-%m-%dT%H:%M:%SZ'
CACHE_CAVEAT = (
    'To confirm on the real system that Shopify calls stopped: a read-back proves the database, not every server '
    'node (the connector reads the scope through the entity cache, which another node may keep until it expires); '
    'the connector answers "No Access is enabled for Shopify" once it sees SHOP_NO_ACCESS, so look for that in the '
    'OMS log of the next import of each closed shop, and for no new orders from those shops.')


def _count(number, noun):
    return '%d %s%s' % (number, noun, '' if number == 1 else 's')


def _shops_named(shop_ids):
    return ('shop ' if len(shop_ids) == 1 else 'shops ') + ', '.join(shop_ids)


def safety(records_step, close_matching):
    """``(lines, problems)`` of what still lets Shopify in after closing: the scope enum and the matching remotes.

    ``records_step`` is the registered result of the closing step (hotwax_shop_access), None when it never ran.
    """
    lines, problems = [], []
    step = records_step or {}
    if not step or ('scope_enum' not in step and step.get('msg')):
        return lines, problems  # the step failed before it read anything: its failure is reported already
    check = step.get('scope_enum') or {}
    if check.get('problem'):
        problems.append('not safe: %s' % check['problem'])
    elif check.get('listed'):
        lines.append('SHOP_NO_ACCESS is typed ShopifyShopAccessScope here, so the Shopify connector honours the closed value')
    remotes = step.get('matching_remotes') or []
    closed_too = [r for r in remotes if r.get('included')]
    open_here = [r for r in remotes if not r.get('included') and not r.get('outside_selection') and r.get('open')]
    open_outside = [r for r in remotes if r.get('outside_selection') and r.get('open')]
    if closed_too:
        lines.append('Also closed, because the webhook filter matches them (rollback_close_matching_remotes): %s'
                     % abbreviated_list('remote %s (%s)' % (r['id'], _shops_named(r['shop_ids'])) for r in closed_too))
    if open_here:
        one = len(open_here) == 1
        named = abbreviated_list('remote %s (its sendUrl holds the domain of %s; it holds %s)' % (
            r['id'], _shops_named(r['shop_ids']), r.get('scope') or 'no scope, read as read access') for r in open_here)
        problems.append(
            'not safe: {count} that the webhook filter matches for a selected shop {be} open, so Shopify\'s webhooks for '
            'that shop are still accepted: {named}. No ownership rule ties {it} to the shop, so the rollback left {it}; '
            'set rollback_close_matching_remotes: true to close {it} too (the snapshot keeps {it} and the restore puts '
            '{it} back)'.format(count=_count(len(open_here), 'remote'), be='is' if one else 'are', named=named,
                                it='it' if one else 'them'))
    if open_outside:
        lines.append(
            'Left open, owned by a shop outside the selection: %s. While it is open, Shopify\'s webhooks for the shop '
            'whose domain it holds are still accepted; roll back its owner too to close it' % abbreviated_list(
                'remote %s (owned by shop %s; its sendUrl holds the domain of %s)' % (
                    r['id'], r.get('owner'), _shops_named(r['shop_ids'])) for r in open_outside))
    named = set(r['id'] for r in remotes)
    unknown = [r for r in step.get('ambiguous_remotes') or [] if r.get('id') not in named and r.get('scope') != ROLLED_BACK_SCOPE]
    if unknown:
        lines.append('Left as they are, of unknown ownership (a person decides whether to close them): %s' % abbreviated_list(
            'remote %s (%s; it holds %s)' % (r['id'], r.get('reason'), r.get('scope') or 'no scope') for r in unknown))
    return lines, problems


def moving(in_flight, jobs_step, pause_jobs, every_shop):
    """The lines on what may still be moving after the switches (never a failure: the switches did their part)."""
    lines = ['What the two switches do not stop (docs/safety.md):']
    report = in_flight or {}
    if not report:
        return lines + ['- not read: the brokering step ended without a result']
    runs = report.get('brokering_runs') or []
    if runs:
        lines.append('Brokering runs without an end (a run reads enableBrokering once, at its start, and may go on for '
                     'hours): %s' % abbreviated_list('routing group %s (store %s) run %s since %s' % (
                         r.get('routing_group_id'), r.get('product_store_id'), r.get('routing_run_id'), r.get('started_at'))
                         for r in runs))
    job_runs = report.get('job_runs') or []
    if job_runs:
        lines.append('Job runs in progress (a pause stops only the next runs): %s' % abbreviated_list(
            'job %s run %s since %s' % (r.get('job_name'), r.get('job_run_id'), r.get('started_at')) for r in job_runs))
    sessions = report.get('test_drive_sessions') or []
    if sessions:
        lines.append('Open test-drive sessions (a test-drive run brokers while brokering is off): %s' % abbreviated_list(
            'session %s (store %s, user %s, since %s)' % (
                s.get('user_session_id'), s.get('product_store_id'), s.get('user_id'), s.get('since')) for s in sessions))
    if not (runs or job_runs or sessions):
        lines.append('No brokering run without an end, no job run in progress and no open test-drive session was '
                     'found in the selected stores (read at %s)' % report.get('checked_at'))
    lines.append(_intake_line(report.get('intake') or {}, jobs_step, pause_jobs, every_shop))
    for what in report.get('not_readable') or []:
        lines.append('Not readable, so not known: %s' % _one_line(what, 300))
    return lines[:1] + ['- ' + line for line in lines[1:]]


def _intake_line(intake, jobs_step, pause_jobs, every_shop):
    name = intake.get('job_name') or 'consume_ShopifyOrders_SQS'
    paused = intake.get('paused')
    for job in (jobs_step or {}).get('service_jobs') or []:
        if job.get('job_name') == name:
            paused = saved_job_paused(job.get('after'))  # the job step ran after the read: its read-back is newer
    if intake.get('found') is False:
        return 'This OMS has no %s job: no real-time order intake to pause' % name
    if paused is None:
        return 'Whether the real-time order intake %s is paused is not known' % name
    if paused:
        return 'The real-time order intake %s is paused' % name
    if not every_shop:
        return ('The real-time order intake %s is running: real-time orders of the selected shops may still arrive '
                'through it (it serves every shop, so the rollback pauses it only when every shop is selected)' % name)
    if not pause_jobs:
        return ('The real-time order intake %s is running: real-time orders may still arrive through it (it does not '
                'pass the webhook filter); rollback_pause_jobs: true pauses it' % name)
    return 'The real-time order intake %s is still running: its pause did not take' % name


def webhook_deadline(taken_at):
    """The line on when Shopify starts deleting the closed shops' webhook subscriptions, counted from ``taken_at``."""
    try:
        start = datetime.datetime.strptime(taken_at, TIME_FORMAT)
    except (TypeError, ValueError):
        return ('Shopify deletes a webhook subscription after about 4 hours of refused deliveries: restore within 4 '
                'hours of the first rollback, or check the subscriptions after the restore')
    return ('Shopify keeps sending webhooks to the closed shops and they are refused: from about %s (4 hours after the '
            'first rollback of this snapshot, at %s) Shopify starts deleting their webhook subscriptions; after a later '
            'restore, check that they are there (docs/safety.md)' % ((start + WEBHOOK_GRACE).strftime(TIME_FORMAT), taken_at))


def after_restore(jobs_step, taken_at, now=None):
    """The lines a restore adds: the resumed jobs (each makes one catch-up run at once), and what only a person can
    check (docs/safety.md): the webhook subscriptions after a long rollback, and the messages waiting in SmsgError."""
    lines = ['After the restore (docs/safety.md):']
    resumed = [job.get('job_name') for job in (jobs_step or {}).get('service_jobs') or []
               if job.get('state') == 'changed' and not saved_job_paused(job.get('after'))]
    if resumed:
        lines.append('- resumed, each makes one catch-up run at once: %s' % abbreviated_list('job %s' % name for name in resumed))
    now = now or datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    try:
        closed_for = now - datetime.datetime.strptime(taken_at, TIME_FORMAT)
    except (TypeError, ValueError):
        closed_for = None
    if closed_for is None or closed_for >= WEBHOOK_GRACE:
        lines.append('- the shops were closed %s: Shopify may have deleted their webhook subscriptions; check in each '
                     'shop that they are there, or orders stop arriving' % (
                         'for more than 4 hours' if closed_for is not None else 'for an unknown time'))
    else:
        lines.append('- the shops were closed for less than 4 hours: Shopify has likely not started deleting their webhook '
                     'subscriptions')
    lines.append('- outbound messages that failed while closed wait in SmsgError: replay them (Job Manager)')
    return lines
