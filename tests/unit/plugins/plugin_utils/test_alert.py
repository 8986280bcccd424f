# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An alert rolls back exactly one host of hotwax_oms, at most once per window; anything else is refused."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import os
import stat

import pytest

from ansible_collections.hotwax.oms.plugins.plugin_utils.alert import (
    AlertRefused, AlertThrottle, alert_environment, alert_reason, window_seconds)

GROUPS = {'all': ['prod', 'uat', 'grafana'], 'ungrouped': [], 'hotwax_oms': ['prod', 'uat'], 'monitoring': ['grafana']}


def alert(environment='prod', status='firing'):
    return {'status': status, 'labels': {'alertname': 'OrderImportStopped', 'hotwax_environment': environment},
            'startsAt': '2025-03-04T05:06:07Z', 'fingerprint': 'c0ffee'}


def test_a_firing_alert_names_one_host_of_hotwax_oms():
    assert alert_environment(alert('uat'), GROUPS) == 'uat'


@pytest.mark.parametrize('name, refusal', [
    ('all', "hotwax_environment='all', which is a group, not one environment"),
    ('hotwax_oms', "hotwax_environment='hotwax_oms', which is a group"),
    ('staging', "hotwax_environment='staging', which is not a host of group hotwax_oms in this inventory (prod, uat)"),
    ('grafana', "hotwax_environment='grafana', which is not a host of group hotwax_oms"),
    ('prod,uat', "hotwax_environment='prod,uat', which is not a host of group hotwax_oms"),
    ('prod*', "hotwax_environment='prod*', which is not a host of group hotwax_oms"),
    ('', 'has no label hotwax_environment'),
])
def test_anything_but_one_host_of_hotwax_oms_is_refused_naming_what_the_alert_said(name, refusal):
    with pytest.raises(AlertRefused) as refused:
        alert_environment(alert(name), GROUPS)
    assert refusal in str(refused.value)
    assert 'alert OrderImportStopped (startsAt 2025-03-04T05:06:07Z, fingerprint c0ffee)' in str(refused.value)


def test_a_resolved_alert_or_one_without_labels_is_refused():
    with pytest.raises(AlertRefused, match='is not firing'):
        alert_environment(alert(status='resolved'), GROUPS)
    with pytest.raises(AlertRefused, match='has no label hotwax_environment'):
        alert_environment({'status': 'firing'}, GROUPS)


def test_the_reason_names_the_alert():
    assert alert_reason(alert()) == ('Alertmanager alert OrderImportStopped (startsAt 2025-03-04T05:06:07Z, fingerprint '
                                     'c0ffee) firing, by the rulebook hotwax.oms.rollback_on_alert')


@pytest.mark.parametrize('text, seconds', [('30 minutes', 1800), ('1 hour', 3600), ('90 seconds', 90), ('2 days', 172800),
                                           ('500 milliseconds', 0.5)])
def test_a_window_reads_like_a_rulebook_throttle(text, seconds):
    assert window_seconds(text) == seconds


@pytest.mark.parametrize('text', ['30m', 'thirty minutes', '30 fortnights', ''])
def test_a_window_that_does_not_is_refused_naming_the_variable(text):
    with pytest.raises(AlertRefused, match='hotwax_eda_once_within must read like "30 minutes"'):
        window_seconds(text)


def test_the_throttle_holds_within_the_window_per_oms_and_not_after(tmp_path):
    throttle = AlertThrottle(str(tmp_path / 'snapshots'))
    start = datetime.datetime(2025, 3, 4, 5, 0, 0, tzinfo=datetime.timezone.utc)
    assert throttle.last('https://acme.example', 1800, now=start) is None
    throttle.record('https://acme.example', 'prod', 'the reason', now='2025-03-04T05:00:00Z')
    # the same OMS by another spelling of its URL is the same environment
    held = throttle.last('https://ACME.example:443/rest/s1/', 1800, now=start + datetime.timedelta(minutes=29))
    assert held == {'at': '2025-03-04T05:00:00Z', 'environment': 'prod', 'reason': 'the reason'}
    assert throttle.last('https://acme.example', 1800, now=start + datetime.timedelta(minutes=30)) is None
    assert throttle.last('https://other.example', 1800, now=start) is None
    assert stat.S_IMODE(os.stat(str(tmp_path / 'snapshots')).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(throttle.path).st_mode) == 0o600


def test_an_unreadable_record_never_blocks_a_rollback(tmp_path):
    (tmp_path / '.rollback_on_alert.json').write_text('{not json')
    assert AlertThrottle(str(tmp_path)).last('https://acme.example', 1800) is None
