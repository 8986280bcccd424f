"""Start ansible-playbook, kill it with its whole process tree at a chosen moment, and prove the tree is dead.

Ansible's workers may leave the session they were started in, so a process group or session kill is not
enough: the tree is walked by process id (/proc/<pid>/task/*/children), frozen with SIGSTOP until no new
process appears, then killed with SIGKILL. Nothing is ever looked up or killed by name.
"""

import glob
import os
import signal
import subprocess
import time

POLL_SECONDS = 0.02


def children(pid):
    """The direct children of a process, from every one of its threads."""
    found = set()
    for path in glob.glob('/proc/%d/task/*/children' % pid):
        try:
            with open(path) as handle:
                found.update(int(word) for word in handle.read().split())
        except OSError:  # the thread or the process just ended
            pass
    return found


def descendants(pid):
    """Every process under ``pid``, walking down the tree."""
    seen, todo = set(), [pid]
    while todo:
        for child in children(todo.pop()):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return seen


def _stat(pid):
    """(state, start time) of a process, or None when there is none."""
    try:
        with open('/proc/%d/stat' % pid) as handle:
            fields = handle.read().rsplit(')', 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0], fields[19]


def identity(pid):
    """A process id with its start time: a pid reused later by another process is another identity."""
    stat = _stat(pid)
    return (pid, stat[1]) if stat else None


def alive(ident):
    """Whether the process ``(pid, start time)`` runs: a zombie (ended, not yet reaped) is dead."""
    stat = _stat(ident[0])
    return bool(stat) and stat[1] == ident[1] and stat[0] not in ('Z', 'X')


def _signal(pid, number):
    try:
        os.kill(pid, number)
    except ProcessLookupError:
        pass


def _identities(pids):
    return set(ident for ident in (identity(pid) for pid in pids) if ident)


def kill_tree(proc, settle_seconds=10):
    """SIGKILL ``proc`` and every descendant; return their identities once each is gone. Raises if one survives."""
    tree = _identities([proc.pid])
    while True:  # freeze first, so that nothing forks between the walk and the kill
        found = _identities(set([proc.pid]).union(*[descendants(pid) for pid, dummy in tree]))
        fresh = found - tree
        for pid, dummy in found:
            _signal(pid, signal.SIGSTOP)
        tree |= found
        if not fresh:
            break
    for pid, dummy in tree:
        _signal(pid, signal.SIGKILL)
    proc.wait()
    _wait_dead(tree, settle_seconds)
    return tree


def _wait_dead(tree, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(ident) for ident in tree):
        time.sleep(POLL_SECONDS)
    survivors = sorted(pid for pid, dummy in tree if alive((pid, dummy)))
    if survivors:
        raise RuntimeError('processes %s are still alive' % survivors)


class Run:
    """The outcome of one command: return code (None when killed), output, and the processes it was seen to start."""

    def __init__(self, returncode, output, killed, processes):
        self.returncode = returncode
        self.output = output
        self.killed = killed
        self.processes = processes


def run_command(command, env, cwd, output_path, kill_when=None, timeout=300):
    """Run ``command`` in a new session; kill its tree as soon as ``kill_when()`` is true (checked every 20 ms).

    A run that outlasts ``timeout`` is killed too, and reported as an error: the campaign never hangs. Either way,
    every process seen in the tree must be gone before this returns.
    """
    with open(output_path, 'w') as output:
        proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    seen = _identities([proc.pid])
    started = time.monotonic()
    killed = False
    try:
        while proc.poll() is None:
            seen |= _identities(descendants(proc.pid))
            if kill_when is not None and kill_when():
                seen |= kill_tree(proc)
                killed = True
                break
            if time.monotonic() - started > timeout:
                kill_tree(proc)
                raise RuntimeError('%s ran longer than %d s' % (command, timeout))
            time.sleep(POLL_SECONDS)
    finally:
        if proc.poll() is None:
            kill_tree(proc)
    _wait_dead(seen, 10)  # a worker that outlived a run that ended by itself would be a leak of its own
    with open(output_path) as handle:
        text = handle.read()
    return Run(None if killed else proc.returncode, text, killed, seen)
