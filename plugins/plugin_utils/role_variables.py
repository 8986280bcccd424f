# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rollback role's variables by the role's own rules: its defaults, the names it knows (a mistyped one must not
silently widen a rollback), and what it refuses before it starts. The readiness check judges by these same rules."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import os

import yaml

from ansible.module_utils.parsing.convert_bool import boolean

ROLE = os.path.join(os.path.dirname(__file__), '..', '..', 'roles', 'rollback')
ARGUMENT_SPECS = os.path.join(ROLE, 'meta', 'argument_specs.yml')
DEFAULTS = os.path.join(ROLE, 'defaults', 'main.yml')
INTERNAL_PREFIX = 'rollback__'  # what the role itself registers
SNAPSHOT_FILE_FACT = 'rollback_snapshot_file'  # where the way back is, for the tasks after the role
SET_BY_THE_ROLE = (SNAPSHOT_FILE_FACT,)  # what it sets for the tasks after it
# libyaml's loader where PyYAML has it (as Ansible's own loader prefers): the pure-Python one takes about 17 ms to read
# the argument specs, before every run's first request
SAFE_LOADER = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)


def _load(path):
    with open(path) as handle:
        return yaml.load(handle, Loader=SAFE_LOADER)  # a safe loader: nothing but plain data


def known_variables(path=ARGUMENT_SPECS):
    return sorted(_load(path)['argument_specs']['main']['options'])


def unknown_variables_message(names, known=None, prefix='rollback_'):
    """One message naming every unknown ``rollback_*`` variable and the closest known one; '' when all are known."""
    known = known if known is not None else known_variables()
    role_known = [name for name in known if name.startswith(prefix)]
    lines = []
    for name in sorted(set(names)):
        if name in known or name in SET_BY_THE_ROLE or name.startswith(INTERNAL_PREFIX) or not name.startswith(prefix):
            continue
        # compared without the shared prefix, which would make every name look close
        close = difflib.get_close_matches(name[len(prefix):], [known_name[len(prefix):] for known_name in role_known], n=1, cutoff=0.6)
        lines.append('%s%s' % (name, ' (did you mean %s%s?)' % (prefix, close[0]) if close else ''))
    if not lines:
        return ''
    return ('unknown role variable %s: the rollback role would ignore it and act on its defaults. Known: %s'
            % ('; '.join(lines), ', '.join(role_known)))


def role_defaults(path=DEFAULTS):
    """The role's defaults file, as the role itself reads it."""
    return _load(path)


def with_role_defaults(given, defaults=None):
    """What the role would act on: each variable as ``given``, else the role's default; booleans as the role's ``| bool``."""
    defaults = role_defaults() if defaults is None else defaults
    values = dict(defaults, **(given or {}))
    for name, default in defaults.items():
        if isinstance(default, bool):
            values[name] = boolean(values[name], strict=False)
    return values


CREDENTIALS = ('hotwax_oms_token', 'hotwax_oms_username', 'hotwax_oms_password')
INPUT_PREFIXES = ('rollback_', 'hotwax_oms_')  # the names input_problems looks at
SELECTION = ('rollback_shop_ids', 'rollback_product_store_ids', 'rollback_targets')  # none may be empty


def has_credentials(defined):
    """Whether the defined variables name credentials of the environment's own: a token, or a username with a password."""
    token, username, password = (name in defined for name in CREDENTIALS)
    return bool(token or (username and password))


def input_problems(defined, host, selection, known=None, purpose='rollback'):
    """Every problem with what the role was given on ``host``, a sentence each; [] when there is none.

    ``defined`` names the defined ``rollback_*`` and ``hotwax_oms_*`` variables, ``selection`` maps the selection
    variables (and ``rollback_restore``) to their values (other role variables in it are ignored). Checked before
    anything reads or writes: an unknown role variable (a mistyped one would be ignored, and the role act on its
    defaults), credentials (an environment without its own would take the shell's HOTWAX_OMS_* variables, perhaps
    another environment's), an empty selection, and a restore asked of the rollback's entry point (``purpose``).
    """
    defined = set(defined)
    problems = []
    unknown = unknown_variables_message(defined, known)
    if unknown:
        problems.append(unknown)
    if 'hotwax_oms_token' in defined and 'hotwax_oms_username' in defined:
        problems.append('hotwax_oms_token and hotwax_oms_username are both set on %s: keep one of them' % host)
    elif not has_credentials(defined):
        problems.append('%s has no credentials: set hotwax_oms_token, or hotwax_oms_username and hotwax_oms_password, '
                        'in its host vars (from Ansible Vault)' % host)
    empty = [name for name in SELECTION if name in selection and not selection[name]]
    if empty:
        problems.append('%s %s empty on %s: give one or more ids, or [all]' % (' and '.join(empty), 'is' if len(empty) == 1 else 'are', host))
    if purpose == 'rollback' and selection.get('rollback_restore') is True:
        problems.append('rollback_restore is true on %s, but this is the rollback (playbook hotwax.oms.rollback, or the '
                        "role's tasks_from: rollback): to restore, run playbook hotwax.oms.restore (tasks_from: restore)" % host)
    return problems
