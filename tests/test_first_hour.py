"""The first hour (issue 14): what a new user met, run the way they met it, through ansible-playbook."""

import re
import shutil

from tests.conftest import REPO
from tests.helpers import snapshot_path, token_vars, user_password

EXAMPLES = REPO / 'docs' / 'examples'
ROLLBACK = '- import_playbook: hotwax.oms.rollback\n'


def test_the_release_example_rolls_back_and_still_fails_the_release(demo_oms, run_playbook, inventory, tmp_path):
    shutil.copy(EXAMPLES / 'release.yml', tmp_path / 'release.yml')
    (tmp_path / 'deploy.yml').write_text('- name: Migrate the database\n  ansible.builtin.fail:\n    msg: migration 42 failed\n')
    run = run_playbook((tmp_path / 'release.yml').read_text(), '-l', 'prod', inventory=inventory(prod=demo_oms))
    assert run.returncode == 2, run.output  # the release is red
    failure = run.result('Fail the release, saying the OMS was rolled back')['msg']
    snapshot = snapshot_path(tmp_path, oms=demo_oms)
    assert 'The release failed (Migrate the database: migration 42 failed)' in failure
    assert 'The OMS of prod was rolled back' in failure and str(snapshot) in failure and 'hotwax.oms.restore' in failure
    state = demo_oms.state()
    assert state['stores']['STORE'] == 'N' and set(state['remotes'].values()) == {'SHOP_NO_ACCESS'}
    assert snapshot.exists()


def test_the_readme_shows_the_release_example_as_shipped():
    readme = (REPO / 'README.md').read_text()
    shown = re.search(r'<!-- same as docs/examples/release.yml -->\n```yaml\n(.*?)```', readme, re.S).group(1)
    shipped = (EXAMPLES / 'release.yml').read_text()
    assert shipped.endswith(shown) and shown.startswith('- name: Release')


def test_messages_name_the_host_and_role_variables_the_user_wrote(demo_oms, run_playbook, hosts):
    both = token_vars(demo_oms, hotwax_oms_username='hotwax.admin', hotwax_oms_password=user_password(demo_oms, 'hotwax.admin'))
    empty = token_vars(demo_oms, rollback_shop_ids=[])
    demo_oms.clear_requests()
    run = run_playbook(ROLLBACK, '-l', 'all', inventory=hosts(prod=both, uat=empty))
    assert run.returncode != 0
    assert 'hotwax_oms_token and hotwax_oms_username are both set on prod: keep one of them' in run.output
    assert 'rollback_shop_ids is empty on uat: give one or more ids, or [all]' in run.output
    assert demo_oms.requests() == []
