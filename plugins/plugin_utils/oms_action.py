# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action of each OMS module: its work runs in the task's Ansible worker, on the controller.

Every module of the collection only talks to the OMS over HTTP, which for an environment the inventory runs locally
(``ansible_connection: local``) is the controller's own work. Ansible would start a new Python for the module; the
action instead validates the task's arguments against the module's one TaskSpec (``ArgumentSpecValidator``, what
``validate_argument_spec`` uses, given the task's arguments with the host's connection filled in) and calls
the module's work function (module_utils/oms_tasks.py) in the worker, the way ``ansible.builtin.fetch`` or
``ansible.utils.validate`` do their work. Only Ansible's public plugin API is used.

The rule: the work runs in the worker unless the task is delegated (``delegate_to``, any host, localhost included),
its connection is not ``local``, it uses ``become``, it is ``async``, or it sets an ``environment``; then the module
runs on its host the usual way (``_execute_module``), with the same work function, so both ways answer alike.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import UnsupportedError
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

from ansible_collections.hotwax.oms.plugins.module_utils.oms_module import CONNECTION_ARGUMENT_SPEC, OmsTask, masked, run_task

display = Display()

# The inventory's name of each connection option: hotwax_oms_url for oms_url, hotwax_oms_<option> for the others.
HOST_VARIABLES = dict((option, 'hotwax_oms_%s' % option.replace('oms_', '', 1)) for option in CONNECTION_ARGUMENT_SPEC)
CREDENTIAL_OPTIONS = ('token', 'username', 'password')


def with_host_connection(args, host_vars, template):
    """The task's arguments, each connection option it leaves unset taken from the host's ``hotwax_oms_<option>``.

    The environment's connection is written once, in the inventory, and every OMS task of that host uses it; what the
    task (or ``module_defaults``) gives wins. A task that names its own ``oms_url`` talks to another OMS, so it takes
    nothing from the host; one that gives a credential takes none of the host's, so that a token never meets a
    password. On an environment of the inventory (a host with ``hotwax_oms_url``) an option with a default that
    neither gives takes that default, not a ``HOTWAX_OMS_*`` variable of the shell, which may be another
    environment's. ``template`` resolves a variable's value.
    """
    given = dict((name, value) for name, value in args.items() if value is not None)
    if 'oms_url' in given or HOST_VARIABLES['oms_url'] not in host_vars:
        return dict(args)
    merged = dict(args)
    own_credential = any(name in given for name in CREDENTIAL_OPTIONS)
    for option, spec in CONNECTION_ARGUMENT_SPEC.items():
        variable = HOST_VARIABLES[option]
        if option in given or (own_credential and option in CREDENTIAL_OPTIONS):
            continue
        if variable in host_vars:
            merged[option] = template(host_vars[variable])
        elif 'default' in spec:
            merged[option] = spec['default']
    return merged


def validated(spec, args, action):
    """``(params, None)``: ``args`` validated against the TaskSpec ``spec``, as AnsibleModule would; else ``(None,
    the error)``, worded as the module's own refusal (``action`` names it)."""
    validation = ArgumentSpecValidator(**spec.validation_arguments()).validate(args)
    if not validation.error_messages:
        return validation.validated_parameters, None
    error = validation.errors.msg
    if isinstance(validation.errors.errors[0], UnsupportedError):
        error = 'Unsupported parameters for (%s) module: %s' % (action, error)
    return None, error


def run_in_worker(work, spec, params, ansible_task, task_vars):
    """``work``'s answer for the validated ``params`` (``run_task``), run here, in check and diff mode as
    ``ansible_task`` is, its request lines shown at -vvv and its progress at -v, its warnings in ``warnings``."""
    host = (task_vars or {}).get('inventory_hostname')
    task = OmsTask(params, check_mode=ansible_task.check_mode, diff=ansible_task.diff,
                   log=lambda line: display.vvv(line, host=host), progress=lambda line: display.v(line, host=host))
    answer = run_task(work, task)
    if task.warnings:
        answer['warnings'] = task.warnings
    # as AnsibleModule does: no value of a no_log option (a password, a token) appears anywhere in the answer
    return masked(answer, spec.no_log_values(params))


class OmsAction(ActionBase):
    """The action of an OMS module. ``spec`` is the module's TaskSpec, ``work`` its ``run_<module>`` function.

    The action's file imports them: Ansible loads that file in the controller before it forks the task's worker,
    so every worker finds the work and what it imports (the HTTP client, ``requests``) loaded already.
    """

    spec = None
    work = None
    _supports_check_mode = True
    _supports_async = True  # an async task runs the module the usual way, in Ansible's async wrapper

    def run(self, tmp=None, task_vars=None):
        result = super(OmsAction, self).run(tmp, task_vars)
        args = with_host_connection(self._task.args, task_vars or {}, self._templar.template)
        usual_way = self.why_the_usual_way()
        if usual_way:
            display.vvv('%s: running the module on the host: %s' % (self._task.resolved_action, usual_way))
            return merge_hash(result, self._execute_module(
                module_name=self._task.resolved_action, module_args=args, task_vars=task_vars,
                wrap_async=bool(self._task.async_val)))
        display.vvv('%s: running the work in the worker' % self._task.resolved_action)
        params, error = validated(self.spec, args, self._task.resolved_action)
        if error:  # a result, as the module's own refusal is: failed_when and the like apply
            return dict(result, failed=True, msg=error)
        return merge_hash(result, run_in_worker(self.work, self.spec, params, self._task, task_vars))

    def why_the_usual_way(self):
        """None when the work runs in the worker; else why the module runs on its host the usual way."""
        if self._task.delegate_to:
            return 'the task is delegated'
        if self._connection.transport != 'local':
            return 'the connection is %s' % self._connection.transport
        if self._play_context.become:
            return 'the task uses become'
        if self._task.async_val:
            return 'the task is async'
        if any(self._task.environment or []):
            return 'the task sets an environment'
        return None
