# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every hotwax.oms module shares: connection options, id selection and one bookkeeping path.

A module describes its records (current value, wanted value) and how to write and re-read
them; OmsModule.apply_and_exit decides what changes, honours check mode, writes in parallel,
reads back, and builds ``changed``, ``diff`` and the failure message. No module does this itself.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.hotwax.oms.plugins.module_utils.oms_client import (
    HAS_REQUESTS, REQUESTS_IMPORT_ERROR, OmsApiError, OmsClient)

CONNECTION_ARGUMENT_SPEC = dict(
    oms_url=dict(type='str', required=True, fallback=(env_fallback, ['HOTWAX_OMS_URL'])),
    token=dict(type='str', no_log=True, fallback=(env_fallback, ['HOTWAX_OMS_TOKEN'])),
    username=dict(type='str', fallback=(env_fallback, ['HOTWAX_OMS_USERNAME'])),
    password=dict(type='str', no_log=True, fallback=(env_fallback, ['HOTWAX_OMS_PASSWORD'])),
    validate_certs=dict(type='bool', default=True, fallback=(env_fallback, ['HOTWAX_OMS_VALIDATE_CERTS'])),
    ca_path=dict(type='path'),
    timeout=dict(type='int', default=30),
    retries=dict(type='int', default=5),
)

ALL = 'all'
KNOWN_IDS_SHOWN = 20  # list the known ids in an error only when a reader can take them in


def saved_bool(entry):
    """The ``before`` of a saved entry, which must be true or false."""
    if not isinstance(entry['before'], bool):
        raise ValueError('before must be true or false')
    return entry['before']


def _listing(labels, separator, shown=KNOWN_IDS_SHOWN):
    """Labels for a message: all of them when few, else the first ones and a count (the return values have all)."""
    if len(labels) <= shown:
        return separator.join(labels)
    return '%s%s... and %d more' % (separator.join(labels[:shown]), separator, len(labels) - shown)


class Record:
    """One OMS record a module manages.

    ``before`` is the raw value as read (None when the server has none), ``current`` the value
    it means (the server's reading of a missing value), ``wanted`` the value to write or None.
    ``after`` is filled by OmsModule.apply_and_exit: read back after a write, predicted in check mode.
    """

    def __init__(self, key, label, before, current, wanted=None, info=None):
        self.key = key
        self.label = label
        self.before = before
        self.current = current
        self.wanted = wanted
        self.after = before
        self.info = info or {}

    @property
    def needs_write(self):
        return self.wanted is not None and self.wanted != self.current


class OmsModule(AnsibleModule):
    """AnsibleModule with the connection options, a lazily built client and the bookkeeping path."""

    def __init__(self, argument_spec, **kwargs):
        spec = dict(CONNECTION_ARGUMENT_SPEC)
        spec.update(argument_spec)
        super(OmsModule, self).__init__(
            argument_spec=spec,
            mutually_exclusive=[('token', 'username'), ('token', 'password')] + kwargs.pop('mutually_exclusive', []),
            required_together=[('username', 'password')] + kwargs.pop('required_together', []),
            required_one_of=[('token', 'username')] + kwargs.pop('required_one_of', []),
            **kwargs)
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib('requests'), exception=str(REQUESTS_IMPORT_ERROR))
        self._client = None

    @property
    def client(self):
        if self._client is None:
            params = self.params
            try:
                self._client = OmsClient(
                    params['oms_url'], token=params['token'], username=params['username'], password=params['password'],
                    validate_certs=params['validate_certs'], ca_path=params['ca_path'],
                    timeout=params['timeout'], retries=params['retries'])
            except OmsApiError as exc:
                self.fail_json(msg=str(exc))
        return self._client

    def call(self, func, *args):
        """Run ``func`` (reads against the OMS, which raise OmsApiError); an API error ends the module with its message."""
        try:
            return func(*args)
        except OmsApiError as exc:
            self.fail_json(msg=str(exc))

    def selected_ids(self, option):
        """The ids given in ``option``, or None when the user asked for all of them."""
        ids = self.params[option]
        if not ids:
            self.fail_json(msg='%s is empty: give one or more ids, or [all]' % option)
        if ALL in ids:
            if len(ids) > 1:
                self.fail_json(msg="%s: 'all' cannot be combined with ids (got %s)" % (option, ', '.join(ids)))
            return None
        return list(dict.fromkeys(ids))  # drop repeats, keep the order given

    def pick(self, rows, id_key, ids, what):
        """The rows whose ``id_key`` is in ``ids``, in that order (all rows when ``ids`` is None).

        Unknown ids fail the module, naming them and, when there are few, the ids that exist.
        """
        if ids is None:
            return rows
        by_id = dict((row[id_key], row) for row in rows)
        unknown = [row_id for row_id in ids if row_id not in by_id]
        if unknown:
            known = sorted(by_id)
            self.fail_json(msg='unknown %s: %s. Known %s: %s' % (what, ', '.join(unknown), what, _listing(known, ', ') or 'none'))
        return [by_id[row_id] for row_id in ids]

    def saved_values(self, entries, key_of, value_of):
        """``{key: value}`` from a saved result of a module (for example a snapshot's), to restore from.

        ``key_of`` and ``value_of`` read one entry; one that lacks what they need fails the module.
        """
        values = {}
        for entry in entries:
            try:
                values[key_of(entry)] = value_of(entry)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                self.fail_json(msg='restore: this entry is not in the shape the module returns (%s), nothing was changed: %r'
                               % (exc, entry))
        return values

    def want(self, records, value=None, restore=None):
        """Set what each record should hold: ``value`` for all, or each its own from ``restore`` ({key: value}).

        Every key of ``restore`` must be among the records: a saved state that names records this OMS does not
        have (another environment's snapshot, say) fails before anything is written.
        """
        if restore is None:
            for record in records:
                record.wanted = value
            return
        known = set(record.key for record in records)
        missing = [key for key in restore if key not in known]
        if missing:
            self.fail_json(msg='restore: not found among the selected records, nothing was changed: %s' % ', '.join(
                ' '.join(key) if isinstance(key, tuple) else key for key in missing))
        for record in records:
            record.wanted = restore.get(record.key)

    def apply_and_exit(self, records, write, read_back, build_result):
        """Write every record whose value differs, verify, and end the module.

        ``write(record)`` sends one record's ``wanted`` value; ``read_back()`` returns
        ``{key: (raw, current)}`` for all records; ``build_result()`` returns the module's
        return values from the records. In check mode nothing is written and ``after`` is what
        the server would hold. When a write fails or does not stick, the others still happen and
        the module fails listing what was and was not changed.
        """
        pending = [record for record in records if record.needs_write]
        for record in pending:
            record.after = record.wanted
        errors = {}
        if pending and not self.check_mode:
            errors = self._write_and_verify(records, pending, write, read_back)
        result = build_result()
        result.update(changed=bool(pending) and len(errors) < len(pending), diff=self.records_diff(records))
        if errors:
            done = [record.label for record in pending if record.key not in errors]
            failed = ['%s (%s)' % (record.label, errors[record.key]) for record in pending if record.key in errors]
            self.fail_json(msg='%d of %d records that needed a change were not changed: %s. Changed: %s.' % (
                len(failed), len(pending), _listing(failed, '; '), _listing(done, ', ') or 'none'), **result)
        self.exit_json(**result)

    def _write_and_verify(self, records, pending, write, read_back):
        errors = {}
        for record, (dummy, error) in zip(pending, self.client.map_parallel(write, pending)):
            if error:
                errors[record.key] = str(error)
        try:
            state = read_back()  # after = what the server holds now, not what was sent
        except OmsApiError as exc:
            sent = [record.label for record in pending if record.key not in errors]
            self.fail_json(msg='the writes were sent but could not be read back (%s). Sent, not verified: %s. Failed: %s.' % (
                exc, ', '.join(sent) or 'none', '; '.join('%s (%s)' % (key, error) for key, error in errors.items()) or 'none'))
        for record in records:
            raw, current = state.get(record.key, (None, None))
            record.after = raw
            if not record.needs_write:
                continue
            if current == record.wanted:
                errors.pop(record.key, None)  # the write took effect although its answer was lost or an error
            elif record.key not in errors:
                errors[record.key] = 'wrote %s but the OMS still holds %s' % (record.wanted, raw if raw is not None else 'no value')
        return errors

    @staticmethod
    def records_diff(records):
        changed = [record for record in records if record.after != record.before]
        return {
            'before': dict((record.label, record.before) for record in changed),
            'after': dict((record.label, record.after) for record in changed),
        }
