"""A new user's first hour, run as the README prints it: build, install in a fresh place, plan a rollback.

Also what the tarball holds, the git install, and the execution environment's build context.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.helpers import NO_ACCESS, admin_token
from tests.test_readme import README, REPO, galaxy_version, marked_blocks

VENV_BIN = Path(sys.executable).parent
TARBALL_NAME = 'hotwax-oms-%s.tar.gz' % galaxy_version()


def _readme_block(containing):
    """The one README block run by this test that contains ``containing``."""
    blocks = [body for lang, body in marked_blocks(README, 'tests/test_install.py') if containing in body]
    assert len(blocks) == 1, 'README must hold exactly one tested block with %r' % containing
    return blocks[0]


def _user_env(home):
    """A user's shell: HOME in the fresh directory, nothing of this clone's Ansible, venv or test settings."""
    repo_bin = str(REPO / '.venv' / 'bin')
    env = dict((name, value) for name, value in os.environ.items()
               if not name.startswith(('ANSIBLE_', 'HOTWAX_', 'PYTEST_', 'PYTHON')) and name != 'VIRTUAL_ENV')
    env['PATH'] = os.pathsep.join(part for part in env.get('PATH', '').split(os.pathsep)
                                  if part and part not in (repo_bin, str(VENV_BIN)))
    # pip's cache is the machine's, as for a user; the rest of HOME is new.
    env['PIP_CACHE_DIR'] = str(Path.home() / '.cache' / 'pip')
    env.update(HOME=str(home), ANSIBLE_NOCOLOR='1')
    return env


def _bash(script, cwd, env, timeout=300):
    proc = subprocess.run(['bash', '-e', '-c', script], cwd=str(cwd), env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture(scope='module')
def source_copy(tmp_path_factory):
    """A copy of the work tree as git would commit it (tracked and untracked files, nothing ignored)."""
    copy = tmp_path_factory.mktemp('clone') / 'ansible-collection-oms'
    listed = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], cwd=str(REPO),
                            capture_output=True, check=True).stdout.decode().split('\0')
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            target = copy / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(str(source), str(target))
    return copy


@pytest.fixture(scope='module')
def tarball(source_copy, tmp_path_factory):
    """The collection tarball, built from the copy by the clone's ansible-galaxy (what a release ships)."""
    dist = tmp_path_factory.mktemp('dist')
    subprocess.run([str(VENV_BIN / 'ansible-galaxy'), 'collection', 'build', '--output-path', str(dist),
                    str(source_copy)], check=True, capture_output=True)
    path = dist / TARBALL_NAME
    assert path.is_file(), list(dist.iterdir())
    return path


def test_tarball_holds_what_a_user_needs_and_no_development_tooling(tarball):
    with tarfile.open(str(tarball)) as archive:
        names = set(archive.getnames())
        manifest = json.load(archive.extractfile('MANIFEST.json'))
    tops = set(name.split('/')[0] for name in names)
    assert manifest['collection_info']['version'] == galaxy_version() == '0.3.0'
    for needed in ('plugins', 'roles', 'playbooks', 'meta', 'docs', 'README.md', 'requirements.txt', 'CHANGELOG.rst',
                   'changelogs'):
        assert needed in tops, needed
    for needed in ('changelogs/changelog.yaml', 'meta/runtime.yml', 'meta/execution-environment.yml',
                   'playbooks/rollback.yml', 'playbooks/restore.yml', 'roles/rollback/tasks/main.yml',
                   'docs/awx.md', 'extensions/eda/rulebooks/rollback_on_alert.yml'):
        assert needed in names, needed
    for tooling in ('tests', 'Makefile', 'scripts', 'pytest.ini', 'requirements-dev.txt', 'demo',
                    'benchmarks', 'execution-environment.yml', '.ansible-lint', '.gitignore', '.ci', 'build', '.venv'):
        assert tooling not in tops, tooling
    assert not [name for name in names if name.startswith('extensions/molecule')]
    assert not [name for name in names if name.startswith('changelogs/fragments') or '__pycache__' in name]


def test_readme_install_and_rollback_plan_from_a_fresh_directory(tarball, demo_oms, tmp_path):
    """The README's install, inventory and plan command, run as printed, in a directory outside the clone."""
    home, project = tmp_path / 'home', tmp_path / 'project'
    home.mkdir()
    project.mkdir()
    env = _user_env(home)
    install = _readme_block('pip install')
    assert 'ansible-galaxy collection install %s' % TARBALL_NAME in install
    shutil.copy(str(tarball), str(project / TARBALL_NAME))  # the release's tarball, downloaded

    returncode, output = _bash(install, project, env)
    assert returncode == 0, output
    collection = home / '.ansible' / 'collections' / 'ansible_collections' / 'hotwax' / 'oms'
    assert (collection / 'requirements.txt').is_file(), output
    activate = re.search(r'^(?:.*&& )?(\. \S+/bin/activate)', install, re.M).group(1)

    inventory = _readme_block('hotwax_oms:')
    for printed, real in (('https://acme-maarg.hotwax.io', demo_oms.url),
                          ('{{ vault_prod_hotwax_token }}', admin_token(demo_oms))):
        assert printed in inventory
        inventory = inventory.replace(printed, real)
    (project / 'inventory.yml').write_text(inventory)

    plan = [line for line in _readme_block('hotwax.oms.restore').splitlines() if '--check --diff' in line]
    assert len(plan) == 1 and plan[0].startswith('ansible-playbook hotwax.oms.rollback -i inventory.yml -l prod ')
    returncode, output = _bash(activate + '\n' + plan[0], project, env)
    assert returncode == 0, output
    assert NO_ACCESS in output and 'prod' in output  # the diff shows what would close
    assert demo_oms.writes() == []  # check mode: reads only
    snapshots = home / '.hotwax_oms'
    assert not snapshots.exists() or not [path for path in snapshots.rglob('*') if path.is_file()]


def test_readme_git_requirements_install_the_same_files_as_the_tarball(source_copy, tarball, tmp_path):
    """requirements.yml with the git URL (here a git repository of the copy) installs what the tarball holds."""
    repo = tmp_path / 'origin'
    shutil.copytree(str(source_copy), str(repo))
    git = ['git', '-c', 'user.name=test', '-c', 'user.email=test@example.invalid', '-c', 'init.defaultBranch=main']
    for command in (['init', '-q'], ['add', '-A'], ['commit', '-q', '-m', 'release']):
        subprocess.run(git + command, cwd=str(repo), check=True, capture_output=True)
    requirements = _readme_block('type: git')
    printed_url = 'https://github.com/hotwax/ansible-collection-oms.git'
    assert printed_url in requirements and 'version: main' in requirements
    (tmp_path / 'requirements.yml').write_text(requirements.replace(printed_url, 'file://%s' % repo))
    env = _user_env(tmp_path / 'home')
    proc = subprocess.run([str(VENV_BIN / 'ansible-galaxy'), 'collection', 'install', '-r', 'requirements.yml',
                           '-p', str(tmp_path / 'collections')], cwd=str(tmp_path), env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    installed = tmp_path / 'collections' / 'ansible_collections' / 'hotwax' / 'oms'
    installed_files = set(str(path.relative_to(installed)) for path in installed.rglob('*') if path.is_file())
    with tarfile.open(str(tarball)) as archive:
        shipped = set(member.name for member in archive.getmembers() if member.isfile())
    assert installed_files == shipped


def test_execution_environment_context_from_the_documented_command(source_copy, tmp_path):
    """`make ee`, as execution-environment.yml documents it, makes a context with the collection and its requirements."""
    header = (source_copy / 'execution-environment.yml').read_text().split('\nversion:')[0]
    assert re.search(r'^#\s+make ee\s', header, re.M), header
    # The copy uses the clone's set-up venv; -o keeps make from reinstalling it.
    (source_copy / '.venv').symlink_to(REPO / '.venv')
    proc = subprocess.run(['make', '--no-print-directory', '-o', str(source_copy / '.venv' / '.installed'), 'ee'],
                          cwd=str(source_copy), capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    context = source_copy / 'build' / 'ee-context'
    # The image copies _build to /build and installs the collections _build/requirements.yml names.
    assert 'COPY _build /build' in (context / 'Containerfile').read_text()
    assert '/build/collections/hotwax-oms.tar.gz' in (context / '_build' / 'requirements.yml').read_text()
    collection_tarball = context / '_build' / 'collections' / 'hotwax-oms.tar.gz'
    assert collection_tarball.is_file(), sorted(str(path) for path in context.rglob('*'))
    with tarfile.open(str(collection_tarball)) as archive:
        manifest = json.load(archive.extractfile('MANIFEST.json'))
    assert manifest['collection_info']['version'] == galaxy_version()
    # What ansible-builder does inside the build: install the collection, then collect its Python requirements.
    collections = tmp_path / 'collections'
    # --force: the clone's own link on ANSIBLE_COLLECTIONS_PATH (make test sets it) would count as installed already
    subprocess.run([str(VENV_BIN / 'ansible-galaxy'), 'collection', 'install', '--force', '-p', str(collections),
                    str(collection_tarball)], check=True, capture_output=True)
    introspect = subprocess.run([str(VENV_BIN / 'ansible-builder'), 'introspect', str(collections)],
                                capture_output=True, text=True, check=True).stdout
    assert re.search(r"requests>=2\.28\s+# from collection hotwax\.oms", introspect), introspect
