# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scheduled service jobs that keep calling Shopify or brokering orders during a rollback."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from urllib.parse import quote

from ansible_collections.hotwax.oms.plugins.module_utils.oms_module import LABELS_SHOWN, Record, shown_labels
from ansible_collections.hotwax.oms.plugins.module_utils.oms_values import ACTIVE, PAUSED, job_paused
from ansible_collections.hotwax.oms.plugins.module_utils.order_brokering import OrderBrokering
from ansible_collections.hotwax.oms.plugins.module_utils.shop_access import REMOTES_PATH, SHOPS_PATH, remote_owners

JOBS_PATH = 'admin/serviceJobs'
ROUTING_GROUPS_PATH = 'order-routing/groups'
# Per-shop jobs (tests/emulator/README.md) are clones of these templates (Company's per-shop templates), named
# <template>_<suffix> or naming the template as parentJobName. The suffix is not always the shop id, so the shop a
# clone serves is read from its parameters, never from its name. Never from its service either: the order import
# runs the shared queue#FeedSystemMessage service that many feed jobs run, with the shop's remote as a parameter.
SHOP_JOB_TEMPLATES = ('queue_ShopifyOrderSync', 'sync_ShopifyOrderHistory', 'resetShopifyInventoryQoh',
                      'sync_ShopifyProductUpdates')
REMOTE_PARAMETERS = ('systemMessageRemoteId', 'remoteId', 'shopifyRemoteId')  # name one of the shop's remotes
SHOP_PARAMETERS = ('shopId', 'shopifyShopId')  # name the shop
# Real-time order intake from Shopify is one job for every shop, so it is selected only with shop_ids: [all].
SHOPIFY_INTAKE_JOB = 'consume_ShopifyOrders_SQS'

JOB_SELECTION_SPEC = dict(
    job_names=dict(type='list', elements='str'),
    shop_ids=dict(type='list', elements='str'),
    product_store_ids=dict(type='list', elements='str'),
)


def paused_value(raw):
    """``paused`` in the form a record compares and writes: the raw value, a missing one as N."""
    return raw or ACTIVE


def saved_paused(value):
    """The ``paused`` value to restore from a saved ``before``: the raw value, or the 0.1.0 boolean."""
    if isinstance(value, bool):
        return PAUSED if value else ACTIVE
    if value is None or isinstance(value, str):
        return paused_value(value)
    raise ValueError('paused must be a string, null, true or false')


def restore_value(entry):
    """``(paused, left)`` from a saved job, for OmsTask.want: ``left`` are the values a rollback leaves (Y, and
    the saved ``after``), in which the job may be restored."""
    left = set([PAUSED])
    if 'after' in entry:
        left.add(saved_paused(entry['after']))
    return saved_paused(entry['before']), left


def pause_wanted(paused):
    """What a record should hold to be paused (or running): a job already so keeps its exact value."""
    def wanted(record):
        if job_paused(record.current) == paused:
            return record.current
        return PAUSED if paused else ACTIVE
    return wanted


def job_parameters(job):
    """``{name: value}`` of a job's serviceJobParameters, or None when the row carries none."""
    parameters = job.get('serviceJobParameters')
    if not parameters:
        return None
    return dict((p.get('parameterName'), p.get('parameterValue')) for p in parameters if isinstance(p, dict))


def is_template_clone(job):
    """Whether a job is a clone of a per-shop template: by its name or its parentJobName, never by its service."""
    name = job.get('jobName') or ''
    if name in SHOP_JOB_TEMPLATES:
        return False  # the template itself serves no shop
    return job.get('parentJobName') in SHOP_JOB_TEMPLATES or any(
        name.startswith(template + '_') for template in SHOP_JOB_TEMPLATES)


class ServiceJobs:
    """Selects service jobs by name, by shop (its clones of the per-shop templates) and by store (brokering schedules)."""

    def __init__(self, task):
        self.task = task
        self.client = task.client
        params = task.params
        if not any(params[option] for option in JOB_SELECTION_SPEC):
            task.fail('select jobs with job_names, shop_ids or product_store_ids (each a non-empty list)')
        self.job_names = list(dict.fromkeys(params['job_names'] or []))
        self.by_shop = bool(params['shop_ids'])
        self.shop_ids = task.selected_ids('shop_ids') if self.by_shop else None
        self.by_store = bool(params['product_store_ids'])

    def _jobs_by_name(self):
        return dict((job['jobName'], job) for job in self.client.get_all(JOBS_PATH))

    def _shop_job_names(self, jobs):
        """Clones of the per-shop templates whose parameters name a selected shop or one of its remotes."""
        shops = self.client.get_all(SHOPS_PATH)
        selected = set(shop['shopId'] for shop in self.task.pick(shops, 'shopId', self.shop_ids, 'shop ids'))
        owner, dummy = remote_owners(self.client.get_all(REMOTES_PATH, uncounted=True), shops)
        shopify_ids = dict((shop.get('shopifyShopId'), shop['shopId']) for shop in shops if shop.get('shopifyShopId'))
        clones = [job for name, job in jobs.items() if is_template_clone(job)]
        # A list row without parameters is read by name; the template itself (no parameters) serves no shop.
        bare = [job['jobName'] for job in clones if job_parameters(job) is None]
        for name, (detail, error) in zip(bare, self.client.map_parallel(
                lambda job_name: self.client.get('%s/%s' % (JOBS_PATH, quote(job_name, safe=''))), bare)):
            if error:
                raise error
            jobs[name] = dict(jobs[name], **((detail or {}).get('jobDetail') or {}))
        names = []
        for job in clones:
            parameters = job_parameters(jobs[job['jobName']]) or {}
            served = set(owner.get(parameters.get(key)) for key in REMOTE_PARAMETERS)
            served.update(parameters.get(key) for key in SHOP_PARAMETERS)
            served.add(shopify_ids.get(parameters.get('shopifyShopId')))  # a Shopify shop id names its shop too
            if served & selected:
                names.append(job['jobName'])
        if self.shop_ids is None:  # the real-time intake serves every shop: paused only when all of them are selected
            names.append(SHOPIFY_INTAKE_JOB)
        return [name for name in names if name in jobs]

    def _brokering_job_names(self, jobs):
        """The jobs that run the brokering of the selected stores' routing groups.

        An OMS without the order-routing component answers 404: it has no schedules to pause, which is a warning.
        """
        store_ids = [record.key for record in OrderBrokering(self.task).read()]
        groups = []
        for store_groups, error in self.client.map_parallel(
                lambda store_id: self.client.get_all(ROUTING_GROUPS_PATH, {'productStoreId': store_id}), store_ids):
            if error and error.status == 404:
                self.task.warn('this OMS has no order routing (%s answers 404), so there are no brokering schedules '
                               'to pause' % ROUTING_GROUPS_PATH)
                return []
            if error:
                raise error
            groups.extend(store_groups or [])
        # Group rows name their job; a row without one (an older build) is asked for its schedule.
        unnamed = [group for group in groups if not group.get('jobName')]
        for group, (answer, error) in zip(unnamed, self.client.map_parallel(
                lambda group: self.client.get('%s/%s/schedule' % (ROUTING_GROUPS_PATH, quote(group['routingGroupId'], safe=''))),
                unnamed)):
            if error:
                raise error
            schedule = (answer or {}).get('schedule') or {}
            group['jobName'] = schedule.get('jobName')
        names = [group['jobName'] for group in groups if group.get('jobName')]
        missing = [name for name in names if name not in jobs]
        if missing:
            self.task.warn('routing groups name jobs the OMS does not list: %s' % shown_labels(missing, ', ', LABELS_SHOWN))
        if not names:
            self.task.warn('no brokering schedule found for product stores %s (%d routing groups, none scheduled)'
                           % (shown_labels(store_ids, ', ', LABELS_SHOWN), len(groups)))
        return names

    def read(self):
        jobs = self._jobs_by_name()
        self.task.pick(list(jobs.values()), 'jobName', self.job_names, 'job names')  # fails on an unknown name
        names = list(self.job_names)
        if self.by_shop:
            names += self._shop_job_names(jobs)
        if self.by_store:
            names += self._brokering_job_names(jobs)
        return [self._record(jobs[name]) for name in dict.fromkeys(names) if name in jobs]

    @staticmethod
    def _record(job):
        raw = job.get('paused')
        return Record(job['jobName'], 'service job %s paused' % job['jobName'], raw, paused_value(raw),
                      info={'job_name': job['jobName'], 'description': job.get('description')})

    def read_back(self):
        jobs = self._jobs_by_name()
        return dict((name, (job.get('paused'), paused_value(job.get('paused')))) for name, job in jobs.items())

    def write(self, record):
        return self.client.put('%s/%s' % (JOBS_PATH, quote(record.key, safe='')),
                               {'jobName': record.key, 'paused': record.wanted})


def jobs_result(records, with_state=True):
    """The ``service_jobs`` return value: raw ``paused`` values, and what they mean."""
    return [dict(record.info, before=record.before, after=record.after, paused_before=job_paused(record.before),
                 paused_after=job_paused(record.after), **(record.outcome() if with_state else {})) for record in records]
