"""The collection's playbooks never end green having done nothing: a limit or an inventory that selects no environment
fails the run, naming both (real ansible-playbook runs against the emulator)."""

import pytest

from tests.helpers import playbook


@pytest.mark.parametrize('name', ['rollback', 'restore', 'readiness'])
def test_a_mistyped_inventory_path_fails_naming_the_inventory_and_the_limit(run_playbook, demo_oms, tmp_path, name):
    missing = str(tmp_path / 'inventroy.yml')
    run = playbook(run_playbook, name, missing, '-l', 'prod')
    assert run.returncode != 0, run.output
    assert ('the inventory %s has no host in group hotwax_oms, so there is no environment to act on (limit: prod): '
            'nothing was done' % missing) in run.output
    assert 'skipping: no hosts matched' not in run.output
    assert demo_oms.requests() == []


def test_a_limit_that_selects_no_environment_fails_naming_it(run_playbook, demo_oms, hosts):
    """The limit names a host of the inventory, but not an environment (not in group hotwax_oms)."""
    inventory = hosts(prod={'hotwax_oms_url': demo_oms.url})
    with open(inventory, 'a', encoding='utf-8') as handle:
        handle.write('\n')
    text = open(inventory, encoding='utf-8').read().rstrip()
    with open(inventory, 'w', encoding='utf-8') as handle:  # JSON: add a group beside hotwax_oms
        handle.write(text[:-1] + ', "monitoring": {"hosts": {"grafana": {}}}}')
    run = playbook(run_playbook, 'rollback', inventory, '-l', 'grafana')
    assert run.returncode != 0, run.output
    assert ('the limit grafana selects no environment of group hotwax_oms in the inventory %s: nothing was done. '
            'Environments there: prod' % inventory) in run.output
    assert demo_oms.requests() == []


def test_a_snapshot_given_for_one_environment_refuses_a_limit_of_several(run_playbook, demo_oms, inventory):
    run = playbook(run_playbook, 'restore', inventory(prod=demo_oms, uat=demo_oms), '-l', 'prod,uat',
                   '-e', 'rollback_snapshot=/tmp/prod.json')
    assert run.returncode != 0, run.output
    assert 'the limit prod,uat selects 2 environments (prod, uat)' in run.output and 'name one environment with -l' in run.output
    assert demo_oms.requests() == []


def test_the_limit_still_acts_on_the_environments_it_names(run_playbook, demo_oms, inventory):
    run = playbook(run_playbook, 'readiness', inventory(prod=demo_oms, uat=demo_oms), '-l', 'prod')
    assert run.returncode == 0, run.output
    assert 'ok: [prod]' in run.output and '[uat]' not in run.output


def test_the_rollback_playbook_refuses_a_restore_asked_of_it_before_any_request(run_playbook, demo_oms, inventory):
    """The playbooks run the role's own entry points; the rollback's never restores, nor rolls back when told to."""
    run = playbook(run_playbook, 'rollback', inventory(prod=demo_oms), '-l', 'prod', '-e', 'rollback_restore=true')
    assert run.returncode != 0, run.output
    assert ("rollback_restore is true on prod, but this is the rollback (playbook hotwax.oms.rollback, or the role's "
            'tasks_from: rollback): to restore, run playbook hotwax.oms.restore (tasks_from: restore)') in run.output
    assert demo_oms.requests() == []
