"""The user docs say what the code does: README's install and connection facts, docs/awx.md's credential types."""

import re
import textwrap
from pathlib import Path

import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

from tests.helpers import NO_ACCESS, admin_token, playbook, user_password

REPO = Path(__file__).resolve().parent.parent
README = REPO / 'README.md'
AWX_DOC = REPO / 'docs' / 'awx.md'

# A fenced block right under a comment that names the test running it: <!-- tested: tests/test_x.py ... -->
_TESTED_BLOCK = re.compile(r'<!-- tested: (?P<test>\S+)[^>]*-->[ \t]*\n(?P<indent>[ \t]*)```(?P<lang>\w*)\n'
                           r'(?P<body>.*?)\n(?P=indent)```', re.S)


def marked_blocks(path, test_file):
    """The fenced blocks of a Markdown file marked as run by ``test_file``, as (language, text) in file order."""
    return [(match['lang'], textwrap.dedent(match['body'])) for match in _TESTED_BLOCK.finditer(path.read_text())
            if match['test'] == test_file]


def galaxy_version():
    return yaml.safe_load((REPO / 'galaxy.yml').read_text())['version']


def module_env_variables():
    """The environment variables the modules fall back to, as oms_module.py's argument spec names them."""
    source = (REPO / 'plugins' / 'module_utils' / 'oms_module.py').read_text()
    return sorted(set(re.findall(r"env_fallback, \['(HOTWAX_OMS_\w+)'\]", source)))


def role_connection_variables():
    """The environment's connection host vars every OMS task takes (plugin_utils/oms_action.py), less the tuning ones
    and the network ones (proxy, client certificate, gateway headers: host variables of the inventory, docs/awx.md)."""
    from ansible_collections.hotwax.oms.plugins.plugin_utils.oms_action import HOST_VARIABLES
    return set(HOST_VARIABLES.values()) - {'hotwax_oms_timeout', 'hotwax_oms_retries', 'hotwax_oms_retry_action',
                                           'hotwax_oms_proxy', 'hotwax_oms_client_cert', 'hotwax_oms_client_key',
                                           'hotwax_oms_headers'}


def test_readme_lists_every_environment_variable_the_modules_read():
    names = module_env_variables()
    assert names == ['HOTWAX_OMS_PASSWORD', 'HOTWAX_OMS_TOKEN', 'HOTWAX_OMS_URL', 'HOTWAX_OMS_USERNAME',
                     'HOTWAX_OMS_VALIDATE_CERTS']
    listed = set(re.findall(r'^\| `(HOTWAX_OMS_\w+)` \|', README.read_text(), re.M))
    assert listed == set(names)
    assert 'ignore these variables on purpose' in README.read_text()


def test_readme_inventory_runs_the_modules_in_ansible_playbooks_python():
    inventories = [body for lang, body in marked_blocks(README, 'tests/test_install.py') if 'hotwax_oms:' in body]
    assert len(inventories) == 1
    inventory = yaml.safe_load(inventories[0])
    group_vars = inventory['hotwax_oms']['vars']
    assert group_vars['ansible_python_interpreter'] == '{{ ansible_playbook_python }}'
    assert group_vars['ansible_connection'] == 'local'
    assert set(inventory['hotwax_oms']['hosts']) == {'prod', 'uat'}


def test_readme_installs_this_release_with_a_supported_ansible_core():
    install = [body for lang, body in marked_blocks(README, 'tests/test_install.py') if 'pip install' in body]
    assert len(install) == 1
    assert 'ansible-galaxy collection install hotwax-oms-%s.tar.gz' % galaxy_version() in install[0]
    assert "pip install 'ansible-core>=2.19,<2.23'" in install[0]
    text = README.read_text()
    assert 'ansible-core 2.19 to 2.22 (tested on 2.19, 2.21 and 2.22;' in text
    # The clone's two entry points stay first: .ci/run runs `make test`.
    assert text.index('make demo') < text.index('## Install') and text.index('make test') < text.index('## Install')
    assert 'make test' in (REPO / '.ci' / 'run').read_text()


def awx_docs():
    """docs/awx.md's tested blocks: the credential types (as pasted into AWX) and the project's inventory."""
    documents = [yaml.safe_load(body) for lang, body in marked_blocks(AWX_DOC, 'tests/test_readme.py')]
    types = [document for document in documents if 'injectors' in document]
    inventories = [document for document in documents if 'hotwax_oms' in document]
    assert len(types) + len(inventories) == len(documents) and len(inventories) == 1
    return types, inventories[0]


def awx_extra_vars(kind, inputs, private_dir):
    """The extra vars AWX passes a job for a credential of type ``kind`` holding ``inputs``.

    As AWX's credential injection does it: a string field left empty is not defined, a boolean field left unset is
    false, each file injector is written to a file whose path templates see as ``tower.filename``, and every extra_vars
    value is rendered as a string by a Jinja2 sandbox.
    """
    namespace = dict((name, value) for name, value in inputs.items() if isinstance(value, bool) or value)
    for field in kind['inputs']['fields']:
        if field['type'] == 'boolean' and field['id'] not in inputs:
            namespace[field['id']] = False
    sandbox = ImmutableSandboxedEnvironment()
    tower = {}
    for label, template in kind['injectors'].get('file', {}).items():
        path = private_dir / ('awx-file-' + label)
        path.write_text(sandbox.from_string(template).render(**namespace))
        tower['filename'] = str(path)
    namespace['tower'] = tower
    return dict((name, sandbox.from_string(template).render(**namespace))
                for name, template in kind['injectors']['extra_vars'].items())


def test_awx_credential_types_inject_exactly_the_role_connection_variables():
    types, dummy = awx_docs()
    assert [kind['name'] for kind in types] == ['HotWax OMS (token)', 'HotWax OMS (username and password)']
    role_vars = role_connection_variables()
    assert role_vars == {'hotwax_oms_url', 'hotwax_oms_token', 'hotwax_oms_username', 'hotwax_oms_password',
                         'hotwax_oms_validate_certs', 'hotwax_oms_ca_path'}
    injected = [set(kind['injectors']['extra_vars']) for kind in types]
    assert set.union(*injected) == role_vars
    # AWX injects an unset field as an empty string: each type injects only one kind of credential.
    assert 'hotwax_oms_token' in injected[0] and not injected[0] & {'hotwax_oms_username', 'hotwax_oms_password'}
    assert {'hotwax_oms_username', 'hotwax_oms_password'} <= injected[1] and 'hotwax_oms_token' not in injected[1]
    for kind in types:
        assert kind['kind'] == 'cloud'
        assert set(kind['injectors']) == {'extra_vars', 'file'}, 'the role ignores environment variables'
        fields = dict((field['id'], field) for field in kind['inputs']['fields'])
        for secret in {'token', 'password'} & set(fields):
            assert fields[secret].get('secret') is True
        assert set(kind['inputs']['required']) == {'url'} | ({'token', 'username', 'password'} & set(fields))


def test_awx_token_credential_runs_the_rollback_plan(demo_oms, hosts, run_playbook, tmp_path):
    """A job with the token credential and the docs' inventory: the plan runs, verifies certificates, writes nothing."""
    types, inventory = awx_docs()
    token_type = types[0]
    extra_vars = awx_extra_vars(token_type, {'url': demo_oms.url, 'token': admin_token(demo_oms)}, tmp_path)
    assert extra_vars['hotwax_oms_validate_certs'] == 'true' and extra_vars['hotwax_oms_ca_path'] == ''
    run = _awx_job(run_playbook, tmp_path, inventory, extra_vars)
    assert run.returncode == 0, run.output
    assert NO_ACCESS in run.output  # the plan shows what would close
    assert demo_oms.writes() == []


def test_awx_login_credential_with_a_private_ca(tls_oms, run_playbook, tmp_path):
    """The login credential against an OMS whose certificate only the credential's CA certificate vouches for."""
    server, cert = tls_oms
    server.reset('demo')
    login_type = awx_docs()[0][1]
    inputs = {'url': server.url, 'username': 'hotwax.admin', 'password': user_password(server, 'hotwax.admin')}

    without_ca = _awx_job(run_playbook, tmp_path, awx_docs()[1], awx_extra_vars(login_type, inputs, tmp_path))
    assert without_ca.returncode != 0 and 'certificate' in without_ca.output, without_ca.output

    with_ca = awx_extra_vars(login_type, dict(inputs, ca_certificate=Path(cert).read_text()), tmp_path)
    assert Path(with_ca['hotwax_oms_ca_path']).read_text() == Path(cert).read_text()
    run = _awx_job(run_playbook, tmp_path, awx_docs()[1], with_ca)
    assert run.returncode == 0, run.output
    assert server.writes() == []


def _awx_job(run_playbook, tmp_path, inventory, extra_vars):
    """Run the rollback plan as an AWX Check job of the prod template: limit prod, the credential as extra vars."""
    inventory_file = tmp_path / 'awx-inventory.yml'
    inventory_file.write_text(yaml.safe_dump(inventory))
    vars_file = tmp_path / 'awx-extra-vars.yml'
    vars_file.write_text(yaml.safe_dump(dict(extra_vars, rollback_snapshot_dir=str(tmp_path / 'snapshots'))))
    return playbook(run_playbook, 'rollback', str(inventory_file), '-l', 'prod', '--check', '--diff',
                    '-e', '@' + str(vars_file))
