"""The randomized fault campaign (issue 16): drawn worlds, faults, operator actions and kills, invariants after each.

The real playbooks run against an emulator of this module's own (not the session one) over real HTTP.
docs/reliability.md ("Randomized campaign") says what is drawn and checked. CI runs a fixed budget from a fixed
seed; a long local campaign:

    HOTWAX_CAMPAIGN_EXAMPLES=200 HOTWAX_CAMPAIGN_SEED=12345 .venv/bin/pytest -n 0 tests/test_campaign.py -k holds

A failure prints the seed, the shrunk scenario (world, faults, actions) and a @reproduce_failure blob. With
HOTWAX_CAMPAIGN_SEED=random the scenarios are new on each run, and failing ones are kept in .hypothesis/campaign
and replayed first on the next run.
"""

import os
import shutil
import tempfile
from collections import Counter

import pytest
from hypothesis import HealthCheck, Phase, given, note, seed, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase

from tests.campaign import broken
from tests.campaign.driver import REPO, Campaign
from tests.campaign.world import Action, Faults, scenarios, worlds
from tests.emulator.oms_emulator import OmsEmulator

# The CI budget: about 3 minutes of playbook runs on a 2-core machine (docs/reliability.md has the measurement).
CI_EXAMPLES = 7
CI_SEED = 16016
EXAMPLES = int(os.environ.get('HOTWAX_CAMPAIGN_EXAMPLES', CI_EXAMPLES))
# A fixed seed (the default) draws the same scenarios on every run; Hypothesis then keeps no example database.
# HOTWAX_CAMPAIGN_SEED=random explores anew and keeps failing examples in .hypothesis/campaign, replayed first next time.
SEED = os.environ.get('HOTWAX_CAMPAIGN_SEED', str(CI_SEED))
FIXED_SEED = seed(int(SEED)) if SEED != 'random' else (lambda test: test)
DATABASE = DirectoryBasedExampleDatabase(str(REPO / '.hypothesis' / 'campaign'))


def campaign_settings(examples):
    return settings(max_examples=examples, deadline=None, database=DATABASE, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


EVERY_RECORD = (('rollback_shop_ids', ['all']), ('rollback_product_store_ids', ['all']),
                ('rollback_targets', ['remote', 'config']), ('rollback_pause_jobs', False))
NO_FAULTS = Faults(())


@pytest.fixture(scope='module')
def campaign():
    emu = OmsEmulator(seed='demo').start()
    runner = Campaign(emu)
    yield runner
    runner.close()
    emu.stop()


@FIXED_SEED
@campaign_settings(EXAMPLES)
@given(scenario=scenarios())
def test_campaign_holds_every_invariant(campaign, scenario):
    note('replay: HOTWAX_CAMPAIGN_SEED=%s HOTWAX_CAMPAIGN_EXAMPLES=%d' % (SEED, EXAMPLES))
    campaign.play(scenario)


def test_the_ci_budget_draws_partial_restores_and_killed_restores():
    """The scenarios CI plays (drawn here, not run): a restore comes after a rollback, except once as the first
    action (to see it refused); among them a partial restore that leaves something closed and then a full restore,
    a killed restore that is run again, and a hand reopening before a new incident."""
    drawn = []

    @seed(CI_SEED)
    @campaign_settings(CI_EXAMPLES)
    @given(scenario=scenarios())
    def draw(scenario):
        drawn.append(scenario)

    draw()
    tally = Counter()
    for scenario in drawn:
        commands = [action.command for action in scenario.actions]
        assert 'restore' not in commands[1:commands.index('rollback')], commands
        tally['refusals'] += commands[0] == 'restore'
        partly = False
        for action in scenario.actions[commands.index('rollback'):]:
            only = scenario.partial_selection(action)
            tally['partial then full'] += partly and action.command == 'restore' and only is None
            partly = partly or (only is not None and only != scenario.selected())  # something is left closed
            tally['partial restores'] += only is not None and only != scenario.selected()
            tally['killed restores'] += action.command == 'restore' and action.kill_after is not None
            tally['reopenings'] += action.reopen is not None
    assert tally['partial then full'] and tally['killed restores'] and tally['reopenings'], tally
    assert tally['refusals'] <= 1, tally


# --- the proof that the campaign can fail: broken copies of the collection, each caught ------------------------

def _open_worlds(min_shops=1):
    """Worlds where every shop has a config row that is open, so that a rollback always has something to close."""
    return worlds(max_shops=2, max_stores=2, config_scopes=('SHOP_RW_ACCESS', 'SHOP_READ_ACCESS', None), min_configs=1,
                  min_shops=min_shops)


TARGETED = {
    # rollback, rollback: the second one's snapshot would hold the closed values
    'second_rollback_overwrites_snapshot': (
        lambda login: st.just([Action('rollback', NO_FAULTS), Action('rollback', NO_FAULTS)]),
        'not the values from before the incident'),
    # a restore killed before it wrote: its snapshot is already marked restored, the OMS still rolled back
    'restore_marked_done_before_its_writes': (
        lambda login: st.integers(1, 3).map(lambda kill: [Action('rollback', NO_FAULTS),
                                                          Action('restore', NO_FAULTS, kill_after=kill)]),
        'marked restored, but not back|the OMS does not hold it|not done|not the values from before the incident|'
        'run again did not complete'),
    # the close step's first read of the shops meets a 503 burst longer than its retries: it returns no result
    'verdict_counts_a_missing_result_as_done': (
        lambda login: st.just([Action('rollback', Faults(('{"after": 1, "kind": "status", "method": "GET", '
                                                          '"path": "shopifyShops", "status": 503, "times": 3}',)))]),
        'calls .* done, but the OMS does not hold it|exited 0, but not done'),
    # a restore limited to one of two shops: the other shop's records must stay closed
    'restore_ignores_the_selection': (
        lambda login: st.integers(0, 1).map(lambda only: [Action('rollback', NO_FAULTS),
                                                          Action('restore', NO_FAULTS, only=only)]),
        'put back what it was not given'),
}
# Worlds of at least two shops where a variant needs them (the default: _open_worlds()).
TARGETED_WORLDS = {'restore_ignores_the_selection': 2}


@pytest.mark.parametrize('variant', sorted(TARGETED))
def test_the_campaign_catches_a_broken_collection(variant):
    plan, expected = TARGETED[variant]
    folder = tempfile.mkdtemp(prefix='hotwax-broken-')
    emu = OmsEmulator(seed='demo').start()
    runner = Campaign(emu, collections=broken.build(variant, folder))

    @settings(max_examples=3, deadline=None, database=None, derandomize=True, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(scenario=scenarios(world_strategy=_open_worlds(TARGETED_WORLDS.get(variant, 1)), plan=plan, login=False,
                              selection=EVERY_RECORD))
    def campaign_against_the_variant(scenario):
        runner.play(scenario)

    try:
        with pytest.raises(AssertionError, match=expected):
            campaign_against_the_variant()
    finally:
        runner.close()
        emu.stop()
        shutil.rmtree(folder, ignore_errors=True)
