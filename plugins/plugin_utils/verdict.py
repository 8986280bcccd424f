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

from ansible_collections.hotwax.oms.plugins.module_utils.oms_values import EMPTY_SCOPE_MEANS, ROLLED_BACK_SCOPE
from ansible_collections.hotwax.oms.plugins.plugin_utils.snapshot_store import saved_job_paused

SHOWN = 10  # labels in a message; the return values hold every one


def listing(labels, shown=SHOWN):
    labels = list(labels)
    if len(labels) <= shown:
        return ', '.join(labels)
    return '%s ... and %d more' % (', '.join(labels[:shown]), len(labels) - shown)


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
            problems.append('%s: %s' % (kind.noun, _short(step['msg'])))
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
            problems.append('%s %d of %d %ss: %s' % (verb, len(still), len(rows), kind.noun, listing(still)))
        if unknown:
            problems.append('not known (no answer read back): %d of %d %ss: %s' % (len(unknown), len(rows), kind.noun, listing(unknown)))
        if (still or unknown) and step is not None and kind.rows(step) and step.get('msg'):
            problems.append('the %s step said: %s' % (kind.noun, _short(step['msg'], 300)))  # why: a 403, the OMS gone
        if left:
            lines.append('Left as changed since the rollback (neither its snapshot value nor the rolled-back one): %s; '
                         'set rollback_restore_force=true to put them back anyway' % listing(left))
    problems.extend(_short(error) for error in step_errors if error)
    # Check mode too: its steps predict every record closed, so what remains is a read that failed.
    report['ok'] = not problems
    report['problems'] = problems
    report['msg'] = lines
    return report


def _short(text, limit=400):
    text = ' '.join(str(text).split())
    return text if len(text) <= limit else text[:limit] + '...'


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
