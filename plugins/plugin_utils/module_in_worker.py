# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a hotwax.oms module inside Ansible's worker process when that is the same as running it on the host.

Every module of the collection talks to the OMS over HTTP from the host it runs on, which for an environment is
the controller itself (``ansible_connection: local``). Ansible would start a new Python for it: wrap the module,
write it to a temporary folder, run it, read its JSON, remove the folder; about 0.7 s a module on a 2-core
machine (0.15 s in the worker), most of a rollback's cost above the requests it must send. When the module would
run on this machine, as this user, with this very Python and environment, the worker (a process forked for this
one task, gone after it) runs the same module code with the same arguments, and its JSON answer goes through the
same decoding. In every other case (another connection, become, delegation, async, a loop, a task environment,
another Python, a second run in one worker, or ``HOTWAX_OMS_IN_WORKER=false``) the module runs the usual way.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import io
import json
import os
import sys
import traceback

from ansible import constants as C
from ansible.module_utils import basic
from ansible.module_utils.common.json import Direction, get_module_encoder
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

# The serialization profile Ansible gives a module that names none, as every hotwax.oms module.
MODULE_PROFILE = 'legacy'
SWITCH = 'HOTWAX_OMS_IN_WORKER'

display = Display()

# Set in a worker once a module ran in it. A module leaves state behind in its process (its warnings are kept in one
# global list), so a second run in the same worker (a loop's next item, an until retry) goes the usual way.
_MODULES_RUN_HERE = []


def same_python(interpreter, executable=None):
    """Whether ``interpreter`` is this Python with these packages.

    A Python finds its packages from where it lies (a venv's ``pyvenv.cfg`` is beside its folder), so the same
    program in the same folder (``python`` and ``python3`` of one venv) is the same; a link elsewhere to the same
    program (a venv's python to the system's) is not.
    """
    executable = executable or sys.executable
    if not interpreter or not executable:
        return False
    interpreter, executable = (os.path.normpath(os.path.abspath(path)) for path in (interpreter, executable))
    if interpreter == executable:
        return True
    try:
        return os.path.dirname(interpreter) == os.path.dirname(executable) and os.path.samefile(interpreter, executable)
    except OSError:
        return False


class ModuleInWorkerAction(ActionBase):
    """The action of a module of the same name: runs it in the worker when nothing tells the two ways apart.

    ``module`` is the module's Python module. The action's file imports it: Ansible loads that file in the
    controller's own process before it forks the task's worker, so every worker finds the module and what it
    imports (the HTTP client, ``requests``) loaded already, instead of importing them again for each task.
    """

    module = None

    def run(self, tmp=None, task_vars=None):
        self._supports_async = True
        result = super(ModuleInWorkerAction, self).run(tmp, task_vars)
        task_vars = task_vars or {}
        why_not = self.why_not_in_worker(task_vars)
        if why_not is None:
            display.vvv('%s: running the module in the worker (%s)' % (self._task.resolved_action, sys.executable))
            return merge_hash(result, self._run_in_worker(task_vars))
        display.vvv('%s: running the module the usual way: %s' % (self._task.resolved_action, why_not))
        wrap_async = self._task.async_val and not self._connection.has_native_async
        result = merge_hash(result, self._execute_module(task_vars=task_vars, wrap_async=wrap_async))
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def why_not_in_worker(self, task_vars):
        """None when running the module here is the same as running it on the host; else why not."""
        if not boolean(os.environ.get(SWITCH, 'true'), strict=False):
            return '%s is false' % SWITCH
        if self.module is None:
            return 'the action names no module'
        if self._connection.transport != 'local':
            return 'the connection is %s' % self._connection.transport
        if self._play_context.become:
            return 'the task uses become'
        if self._task.delegate_to:
            return 'the task is delegated'
        if self._task.async_val:
            return 'the task is async'
        if self._task.loop or self._task.loop_with:
            return 'the task loops'
        if _MODULES_RUN_HERE:
            return 'a module already ran in this worker (%s)' % _MODULES_RUN_HERE[0]
        if any(self._task.environment or []):
            return 'the task sets an environment'
        try:
            interpreter = self._templar.template(C.config.get_config_value('INTERPRETER_PYTHON', variables=task_vars))
        except Exception as exc:  # pylint: disable=broad-except
            return 'the Python interpreter is not known here (%s)' % exc
        if not same_python(to_text(interpreter)):
            return 'the host runs modules with %s, not %s' % (interpreter, sys.executable)
        return None

    def _run_in_worker(self, task_vars):
        module_name = self._task.resolved_action
        module_args = dict(self._task.args)
        self._update_module_args(module_name, module_args, task_vars)
        encoder = get_module_encoder(MODULE_PROFILE, Direction.CONTROLLER_TO_MODULE)
        # what the module wrapper hands a module: its arguments as JSON, and the profile to answer in
        basic._ANSIBLE_ARGS = json.dumps({'ANSIBLE_MODULE_ARGS': module_args}, cls=encoder).encode('utf-8')
        basic._ANSIBLE_PROFILE = MODULE_PROFILE
        _MODULES_RUN_HERE.append(module_name)
        answer = io.StringIO()
        status = 0
        with contextlib.redirect_stdout(answer):
            try:
                self.module.main()
                status = 1  # a module must end with exit_json or fail_json
            except SystemExit as exc:
                status = exc.code or 0
            except Exception as exc:  # pylint: disable=broad-except
                return {'failed': True, 'msg': 'the module %s failed: %s: %s' % (module_name, type(exc).__name__, exc),
                        'exception': traceback.format_exc()}
        # then what _execute_module does with a module's answer, in the shape of this ansible-core
        parsed = self._parse_returned_data({'stdout': answer.getvalue(), 'stderr': '', 'rc': status}, MODULE_PROFILE)
        if hasattr(parsed, 'as_result_dict'):  # ansible-core 2.21 and later: a UnifiedTaskResult
            parsed.remove_internal_keys()
            return parsed.as_result_dict(for_round_trip=True)
        from ansible.vars.clean import remove_internal_keys  # ansible-core 2.19 and 2.20: a dict
        parsed.pop('_ansible_suppress_tmpdir_delete', None)
        remove_internal_keys(parsed)
        return parsed
