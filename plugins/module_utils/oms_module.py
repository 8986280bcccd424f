# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every hotwax.oms module shares: connection options, id selection and one bookkeeping path.

A module's work is a plain function of an OmsTask (its validated options, check mode and diff mode), run by the
action plugin of the same name in Ansible's worker, or by the module itself where a task is delegated. It describes
its records (current value, wanted value) and how to write and re-read them; OmsTask.apply_changes decides what
changes, honours check mode, writes in parallel, reads back, and builds ``changed``, ``diff`` and the failure
message. No module does this itself. Each module's options are written once, as a TaskSpec.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.hotwax.oms.plugins.module_utils.oms_client import (
    ANSWERED, API_PREFIX, HAS_REQUESTS, NOT_SENT, REQUESTS_IMPORT_ERROR, REQUIRED_LIBRARIES, OmsApiError, OmsClient)

CONNECTION_ARGUMENT_SPEC = dict(
    oms_url=dict(type='str', required=True, fallback=(env_fallback, ['HOTWAX_OMS_URL'])),
    token=dict(type='str', no_log=True, fallback=(env_fallback, ['HOTWAX_OMS_TOKEN'])),
    username=dict(type='str', fallback=(env_fallback, ['HOTWAX_OMS_USERNAME'])),
    password=dict(type='str', no_log=True, fallback=(env_fallback, ['HOTWAX_OMS_PASSWORD'])),
    validate_certs=dict(type='bool', default=True, fallback=(env_fallback, ['HOTWAX_OMS_VALIDATE_CERTS'])),
    ca_path=dict(type='path'),
    timeout=dict(type='int', default=30),
    retries=dict(type='int', default=5),
    retry_action=dict(type='str', default='warn', choices=['ignore', 'warn']),
    # No environment fallback for these: one shell's settings must not reach every environment (see README.md).
    proxy=dict(type='str', no_log=True),  # may carry credentials
    client_cert=dict(type='path'),
    client_key=dict(type='path', no_log=True),
    headers=dict(type='dict', no_log=True),  # masks the values, not the names
)
# what every module asks of the connection options: a token, or a username with its password
CONNECTION_MUTUALLY_EXCLUSIVE = [('token', 'username'), ('token', 'password')]
CONNECTION_REQUIRED_TOGETHER = [('username', 'password')]
CONNECTION_REQUIRED_ONE_OF = [('token', 'username')]

ALL = 'all'
KNOWN_IDS_SHOWN = 20  # list the known ids in an error only when a reader can take them in
LABELS_SHOWN = 5  # records named in a failure message or warning; the return values list every one
RECORD_ERROR_LIMIT = 200
MESSAGE_ERROR_LIMIT = 100  # per record in a failure message; the record's own error holds RECORD_ERROR_LIMIT

# Record.state, also returned per record and as the lists done / not_done / unknown / drifted.
UNCHANGED = 'unchanged'  # already held the wanted value (or nothing was wanted of it)
CHANGED = 'changed'  # written and read back holding the wanted value (check mode: would be written)
NOT_DONE = 'not_done'  # known not to hold the wanted value: the OMS refused the write, or the read-back says so
UNKNOWN = 'unknown'  # written without an answer and not read back: it may or may not hold the wanted value
DRIFTED = 'drifted'  # a restore left it alone: it changed since the rollback (see OmsTask.want)

FORCE_SPEC = dict(force=dict(type='bool', default=False))


def saved_bool(entry):
    """The ``before`` of a saved entry, which must be true or false."""
    if not isinstance(entry['before'], bool):
        raise ValueError('before must be true or false')
    return entry['before']


def shorten(text, limit):
    """``text`` cut to about ``limit`` characters at a word boundary, with '...' when cut."""
    text = str(text)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(' ', 1)[0] if ' ' in text[:limit] else text[:limit]
    return cut.rstrip(',;:(') + '...'


def shown_labels(labels, separator, shown=KNOWN_IDS_SHOWN):
    """Labels for a message: all of them when few, else the first ones and a count (the return values have all)."""
    if len(labels) <= shown:
        return separator.join(labels)
    return '%s%s... and %d more' % (separator.join(labels[:shown]), separator, len(labels) - shown)


def record_error_text(error):
    """What a record's ``error`` says of a failed write: the error, cut to RECORD_ERROR_LIMIT."""
    return shorten(error, RECORD_ERROR_LIMIT)


class Record:
    """One OMS record a module manages.

    ``before`` is the raw value as read (None when the server has none), ``current`` the value
    it means in the form the module compares and writes, ``wanted`` the value to write or None.
    ``after`` and ``state`` are filled by OmsTask.apply_changes: ``after`` read back after a
    write, predicted in check mode; ``error`` says why a record is not done or unknown.
    """

    def __init__(self, key, label, before, current, wanted=None, info=None):
        self.key = key
        self.label = label
        self.before = before
        self.current = current
        self.wanted = wanted
        self.after = before
        self.info = info or {}
        self.state = UNCHANGED
        self.error = None
        self.failure = None  # the OmsApiError of a write that failed
        self.restore_to = None  # a drifted record: the value a forced restore would write

    @property
    def needs_write(self):
        return self.wanted is not None and self.wanted != self.current

    def outcome(self):
        """What the return values say of the record besides its values: its state, and why when not done."""
        outcome = {'state': self.state}
        if self.error:
            outcome['error'] = self.error
        return outcome


def masked(value, secrets):
    """``value`` with every secret hidden wherever it appears, as AnsibleModule hides the values of no_log options:
    a string that is a secret becomes VALUE_SPECIFIED_IN_NO_LOG_PARAMETER, a secret inside a string ********."""
    whole = set(secret for secret in secrets if secret)
    if not whole:
        return value
    ordered = sorted(whole, key=len, reverse=True)  # a longer one first: its shorter parts must not break it up

    def hide(item):  # the secrets sorted once, not at every level of a large result
        if isinstance(item, str):
            if item in whole:
                return 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
            for secret in ordered:
                if secret in item:
                    item = item.replace(secret, '********')
            return item
        if isinstance(item, dict):
            return dict((hide(key), hide(inner)) for key, inner in item.items())
        if isinstance(item, (list, tuple, set)):
            return [hide(inner) for inner in item]
        return item

    return hide(value)


class OmsTaskFailed(Exception):
    """A task ends failed: ``msg`` says why, ``result`` holds the return values it has so far."""

    def __init__(self, msg, **result):
        super(OmsTaskFailed, self).__init__(msg)
        self.msg = msg
        self.result = result


class TaskSpec:
    """A module's options, written once: its own AnsibleModule and its action's validate_argument_spec both take them.

    The connection options and their rules (CONNECTION_*) are added to every module's.
    """

    def __init__(self, argument_spec, mutually_exclusive=(), required_together=(), required_one_of=()):
        self.argument_spec = dict(CONNECTION_ARGUMENT_SPEC, **argument_spec)
        self.mutually_exclusive = CONNECTION_MUTUALLY_EXCLUSIVE + list(mutually_exclusive)
        self.required_together = CONNECTION_REQUIRED_TOGETHER + list(required_together)
        self.required_one_of = CONNECTION_REQUIRED_ONE_OF + list(required_one_of)

    def validation_arguments(self):
        """Keyword arguments of AnsibleModule and of ActionBase.validate_argument_spec, copied (a task may not alter them)."""
        return copy.deepcopy(dict(argument_spec=self.argument_spec, mutually_exclusive=self.mutually_exclusive,
                                  required_together=self.required_together, required_one_of=self.required_one_of))

    def no_log_values(self, params):
        """The values of the options marked no_log (a password, a token), to be masked wherever they appear."""
        return set(str(params[name]) for name, option in self.argument_spec.items()
                   if option.get('no_log') and params.get(name) not in (None, ''))


class OmsTask:
    """One run of a module's work: its validated options, check mode, diff mode, warnings and a lazily built client.

    A module's ``run_<module>(task)`` function reads, plans, writes and reads back through it and returns the
    module's return values; ``fail`` ends the run with OmsTaskFailed. Nothing here knows whether an action plugin or
    a module process runs it, and nothing outlives the object, so a loop or an until retry starts afresh each time.
    """

    def __init__(self, params, check_mode=False, diff=False, client=None, log=None, progress=None):
        self.params = params
        self.check_mode = bool(check_mode)
        self.diff = bool(diff)
        self.warnings = []
        self._client = client
        self._log, self._progress = log, progress  # where the client's request lines (-vvv) and progress lines (-v) go

    @property
    def client(self):
        if self._client is None:
            if not HAS_REQUESTS:
                self.fail(missing_required_lib(REQUIRED_LIBRARIES), exception=str(REQUESTS_IMPORT_ERROR))
            params = self.params
            try:
                self._client = OmsClient(
                    params['oms_url'], token=params['token'], username=params['username'], password=params['password'],
                    validate_certs=params['validate_certs'], ca_path=params['ca_path'],
                    timeout=params['timeout'], retries=params['retries'], retry_action=params['retry_action'],
                    proxy=params['proxy'], client_cert=params['client_cert'], client_key=params['client_key'],
                    headers=params['headers'], log=self._log, progress=self._progress)
            except OmsApiError as exc:
                self.fail(str(exc))
        return self._client

    @property
    def made_client(self):
        """The client, if this task made or was given one (no login just to ask)."""
        return self._client

    def warn(self, text):
        self.warnings.append(text)

    def fail(self, msg, **result):
        raise OmsTaskFailed(msg, **result)

    def with_params(self, **params):
        """A task on the same OMS (the same client) with some options replaced and its own warnings."""
        return OmsTask(dict(self.params, **params), self.check_mode, self.diff, client=self.client)

    def selected_ids(self, option):
        """The ids given in ``option``, or None when the user asked for all of them."""
        ids = self.params[option]
        if not ids:
            self.fail('%s is empty: give one or more ids, or [all]' % option)
        if ALL in ids:
            if len(ids) > 1:
                self.fail("%s: 'all' cannot be combined with ids (got %s)" % (option, ', '.join(ids)))
            return None
        return list(dict.fromkeys(ids))  # drop repeats, keep the order given

    def pick(self, rows, id_key, ids, what):
        """The rows whose ``id_key`` is in ``ids``, in that order (all rows when ``ids`` is None).

        Unknown ids fail the task, naming them and, when there are few, the ids that exist.
        """
        if ids is None:
            return rows
        by_id = dict((row[id_key], row) for row in rows)
        unknown = [row_id for row_id in ids if row_id not in by_id]
        if unknown:
            known = sorted(by_id)
            self.fail('unknown %s: %s. Known %s: %s' % (what, ', '.join(unknown), what, shown_labels(known, ', ') or 'none'))
        return [by_id[row_id] for row_id in ids]

    def saved_values(self, entries, key_of, value_of):
        """``{key: value}`` from a saved result of a module (for example a snapshot's), to restore from.

        ``key_of`` and ``value_of`` read one entry; one that lacks what they need fails the task.
        """
        values = {}
        for entry in entries:
            try:
                values[key_of(entry)] = value_of(entry)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                self.fail('restore: this entry is not in the shape the module returns (%s), nothing was changed: %r'
                          % (exc, entry))
        return values

    def want(self, records, value=None, restore=None):
        """Set what each record should hold: ``value`` for all (or ``value(record)`` when it is a function), or
        each its own from ``restore``, ``{key: (value, left)}``.

        A restore puts a record back only while it holds its saved value already (then nothing is written) or a
        value in ``left``, the values the rollback leaves; a record holding anything else was changed since the
        rollback: it is left as it is and reported as drifted, unless the module's ``force`` option is true.
        Every key of ``restore`` must be among the records: a saved state that names records this OMS does not
        have (another environment's snapshot, say) fails before anything is written.
        """
        if restore is None:
            for record in records:
                record.wanted = value(record) if callable(value) else value
            return
        known = set(record.key for record in records)
        missing = [key for key in restore if key not in known]
        if missing:
            self.fail('restore: not found among the selected records, nothing was changed: %s' % ', '.join(
                ' '.join(key) if isinstance(key, tuple) else key for key in missing))
        force = bool(self.params.get('force'))
        for record in records:
            record.wanted = None
            if record.key not in restore:
                continue
            saved, left = restore[record.key]
            if record.current == saved or record.current in left or force:
                record.wanted = saved
            else:
                record.state = DRIFTED
                record.restore_to = saved

    def apply_changes(self, records, write, read_back, build_result):
        """Write every record whose value differs, verify, and return the module's return values.

        ``write(record)`` sends one record's ``wanted`` value; ``read_back()`` returns
        ``{key: (raw, current)}`` for all records; ``build_result()`` returns the module's
        return values from the records. In check mode nothing is written and ``after`` is what
        the server would hold. When a write fails or does not stick, the others still happen and
        the task fails (OmsTaskFailed, with the return values) naming what is not done and what is
        unknown; the lists ``done``, ``not_done``, ``unknown`` and ``drifted`` always hold every such record.
        """
        pending = [record for record in records if record.needs_write]
        for record in pending:
            record.after = record.wanted
            record.state = CHANGED
        read_error = None
        if pending and not self.check_mode:
            read_error = self._write_and_verify(records, pending, write, read_back)
        result = build_result()
        lists = dict((name, [record.label for record in records if record.state == state])
                     for name, state in (('done', CHANGED), ('not_done', NOT_DONE), ('unknown', UNKNOWN), ('drifted', DRIFTED)))
        result.update(lists, changed=bool(lists['done']))
        if self.diff:  # only asked for with --diff: a diff of every record would weigh on every later task
            result['diff'] = self.records_diff(records)
        if lists['drifted']:
            self.warn('restore left %d records as they are: they changed since the rollback (neither the saved value nor '
                      'the value the rollback left); force: true restores them anyway: %s'
                      % (len(lists['drifted']), shown_labels(self._drift_labels(records), '; ', LABELS_SHOWN)))
        if lists['not_done'] or lists['unknown'] or read_error:
            self.fail(self._failure_message(pending, read_error), **result)
        return result

    @staticmethod
    def _drift_labels(records):
        return ['%s holds %s' % (record.label, record.current) for record in records if record.state == DRIFTED]

    @staticmethod
    def _failure_message(pending, read_error):
        def labelled(record):
            failure = record.failure
            if failure is not None and failure.meaning:  # a refusal: its meaning is said once, first
                return '%s (%s %s%s: HTTP %s)' % (record.label, failure.method, API_PREFIX, failure.path, failure.status)
            return '%s (%s)' % (record.label, shorten(record.error or '', MESSAGE_ERROR_LIMIT))
        not_done = [labelled(record) for record in pending if record.state == NOT_DONE]
        unknown = [labelled(record) for record in pending if record.state == UNKNOWN]
        done = [record for record in pending if record.state == CHANGED]
        refused = [record for record in pending if record.state == NOT_DONE and record.failure is not None]
        meanings = list(dict.fromkeys(record.failure.meaning for record in refused if record.failure.meaning))
        parts = ['%d of %d records that needed a change were not changed%s' % (
            len(not_done) + len(unknown), len(pending), (': %s' % '; '.join(meanings)) if meanings else '')]
        if read_error:
            parts.append('The writes could not be read back (%s), so a record counts as changed when the OMS answered '
                         'its write' % str(read_error)[:RECORD_ERROR_LIMIT])
        parts.append('Not done: %s' % (shown_labels(not_done, '; ', LABELS_SHOWN) or 'none'))
        parts.append('Unknown, the write got no answer: %s' % (shown_labels(unknown, '; ', LABELS_SHOWN) or 'none'))
        parts.append('Changed: %d%s' % (len(done), (' (%s)' % shown_labels([r.label for r in done], ', ', LABELS_SHOWN)) if done else ''))
        return '. '.join(parts) + '. The lists done, not_done and unknown name every record.'

    def _write_and_verify(self, records, pending, write, read_back):
        """Write, read back, and set each pending record's state; return the read-back error, if any."""
        errors = {}
        for record, (dummy, error) in zip(pending, self.client.map_parallel(write, pending)):
            if error:
                errors[record.key] = error
        try:
            state = read_back()  # after = what the server holds now, not what was sent
        except OmsApiError as exc:
            for record in pending:
                self._judge_unverified(record, errors.get(record.key))
            return exc
        for record in records:
            if record.key not in state:
                if record in pending:
                    record.state, record.error = UNKNOWN, 'no longer found when read back'
                continue
            raw, current = state[record.key]
            record.after = raw
            if record not in pending:
                continue
            error = errors.get(record.key)
            if current == record.wanted:
                record.state = CHANGED  # the write took effect, even if its answer was lost or an error
            else:
                record.state = NOT_DONE
                record.failure = error
                record.error = (record_error_text(error) if error else
                                'wrote %s but the OMS still holds %s' % (record.wanted, raw if raw is not None else 'no value'))
        return None

    def _judge_unverified(self, record, error):
        """A pending record that could not be read back: judged by the answer to its write alone."""
        if error is None:
            record.state = CHANGED  # the OMS answered the write 2xx
            return
        record.after = record.before
        record.failure = error
        record.error = record_error_text(error)
        # An answered error (but a gateway timeout, behind which the OMS may have applied it) or a write never sent
        # is known not done; a write without an answer may have been applied.
        known_not_done = error.outcome == NOT_SENT or (error.outcome == ANSWERED and error.status != 504)
        record.state = NOT_DONE if known_not_done else UNKNOWN

    @staticmethod
    def records_diff(records):
        changed = [record for record in records if record.after != record.before]
        drifted = [record for record in records if record.state == DRIFTED]
        diff = {
            'before': dict((record.label, record.before) for record in changed + drifted),
            'after': dict((record.label, record.after) for record in changed),
        }
        for record in drifted:  # shown, so that a check run tells what a restore would leave alone
            diff['after'][record.label] = '%s (changed since the rollback, left as it is; force: true restores %s)' % (
                record.before, record.restore_to)
        return diff


def failed_result(error):
    """The return values of a task an API error ended: its message; for a refused login also ``login_failed: true``,
    so that a role stops rather than log in again in a later task."""
    return dict(failed=True, msg=str(error), **({'login_failed': True} if error.login_failed else {}))


def work_result(work, task):
    """``work(task)``'s return values; when it fails, the values it has so far with ``failed`` and ``msg``."""
    try:
        return work(task)
    except OmsTaskFailed as exc:
        return dict(exc.result, failed=True, msg=exc.msg)
    except OmsApiError as exc:
        return failed_result(exc)


def run_task(work, task):
    """``work(task)``'s return values (``work_result``), with what the OMS needed to give them.

    A task that talked to the OMS returns ``retries``, and warns when there were any (unless ``retry_action`` is
    ignore). The task's warnings stay in ``task.warnings``.
    """
    result = work_result(work, task)
    client = task.made_client
    if client is not None:  # what the OMS needed: retries say it struggles, even when every call got through
        result['retries'] = client.retries_made
        warning = client.retry_warning()
        if warning:
            task.warn(warning)
    return result


def exit_module(module, work):
    """End a module process (a task delegated to another host) with ``work``'s answer, as its action would give it."""
    task = OmsTask(module.params, module.check_mode, module._diff)
    result = run_task(work, task)
    for warning in task.warnings:
        module.warn(warning)
    if result.pop('failed', False):
        module.fail_json(**result)
    module.exit_json(**result)
