# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scheduled service jobs that keep calling Shopify or brokering orders during a rollback."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.module_utils.six.moves.urllib.parse import quote

from ansible_collections.hotwax.oms.plugins.module_utils.oms_module import Record
from ansible_collections.hotwax.oms.plugins.module_utils.order_brokering import OrderBrokering
from ansible_collections.hotwax.oms.plugins.module_utils.shop_access import SHOPS_PATH

JOBS_PATH = 'admin/serviceJobs'
ROUTING_GROUPS_PATH = 'order-routing/groups'
# Per-shop jobs (oms-api.md section 7): Shopify order import and product sync.
SHOP_JOB_TEMPLATES = ('queue_ShopifyOrderSync_{shop_id}', 'sync_ShopifyProductUpdates_{shop_id}')
# Real-time order intake from Shopify is one job for every shop, so it is selected only with shop_ids: [all].
SHOPIFY_INTAKE_JOB = 'consume_ShopifyOrders_SQS'

JOB_SELECTION_SPEC = dict(
    job_names=dict(type='list', elements='str'),
    shop_ids=dict(type='list', elements='str'),
    product_store_ids=dict(type='list', elements='str'),
)


def job_paused(raw):
    """``paused`` is Y or N; a job without it runs."""
    return raw == 'Y'


class ServiceJobs:
    """Selects service jobs by name, by shop (the per-shop templates) and by store (brokering schedules)."""

    def __init__(self, module):
        self.module = module
        self.client = module.client
        params = module.params
        if not any(params[option] for option in JOB_SELECTION_SPEC):
            module.fail_json(msg='select jobs with job_names, shop_ids or product_store_ids (each a non-empty list)')
        self.job_names = list(dict.fromkeys(params['job_names'] or []))
        self.by_shop = bool(params['shop_ids'])
        self.shop_ids = module.selected_ids('shop_ids') if self.by_shop else None
        self.by_store = bool(params['product_store_ids'])

    def _jobs_by_name(self):
        return dict((job['jobName'], job) for job in self.client.get_all(JOBS_PATH))

    def _shop_job_names(self, jobs):
        """Jobs named by the per-shop templates; a shop need not have every one of them."""
        if self.shop_ids is None:  # all shops: any job that fits a template
            patterns = [re.compile('^' + re.escape(template.format(shop_id='\0')).replace('\0', '.+') + '$')
                        for template in SHOP_JOB_TEMPLATES]
            names = [name for name in jobs if any(pattern.match(name) for pattern in patterns)]
        else:
            shops = self.client.get_all(SHOPS_PATH)
            self.module.pick(shops, 'shopId', self.shop_ids, 'shop ids')
            names = [template.format(shop_id=shop_id) for shop_id in self.shop_ids for template in SHOP_JOB_TEMPLATES]
        if self.shop_ids is None:  # the real-time intake serves every shop: paused only when all of them are selected
            names.append(SHOPIFY_INTAKE_JOB)
        return [name for name in names if name in jobs]

    def _brokering_job_names(self):
        """The jobs that run the brokering of the selected stores' routing groups."""
        store_ids = [record.key for record in OrderBrokering(self.module).read()]
        groups = []
        for store_groups, error in self.client.map_parallel(
                lambda store_id: self.client.get_all(ROUTING_GROUPS_PATH, {'productStoreId': store_id}), store_ids):
            if error:
                raise error
            groups.extend(store_groups or [])
        schedules = self.client.map_parallel(
            lambda group: self.client.get('%s/%s/schedule' % (ROUTING_GROUPS_PATH, quote(group['routingGroupId'], safe=''))),
            groups)
        names = []
        for schedule, error in schedules:
            if error:
                raise error
            if schedule and schedule.get('jobName'):
                names.append(schedule['jobName'])
        return names

    def read(self):
        jobs = self._jobs_by_name()
        self.module.pick(list(jobs.values()), 'jobName', self.job_names, 'job names')  # fails on an unknown name
        names = list(self.job_names)
        if self.by_shop:
            names += self._shop_job_names(jobs)
        if self.by_store:
            names += self._brokering_job_names()
        return [self._record(jobs[name]) for name in dict.fromkeys(names) if name in jobs]

    @staticmethod
    def _record(job):
        paused = job_paused(job.get('paused'))
        return Record(job['jobName'], 'service job %s paused' % job['jobName'], paused, paused,
                      info={'job_name': job['jobName'], 'description': job.get('description')})

    def read_back(self):
        jobs = self._jobs_by_name()
        return dict((name, (job_paused(job.get('paused')),) * 2) for name, job in jobs.items())

    def write(self, record):
        return self.client.put('%s/%s' % (JOBS_PATH, quote(record.key, safe='')),
                               {'jobName': record.key, 'paused': 'Y' if record.wanted else 'N'})


def jobs_result(records):
    """The ``service_jobs`` return value."""
    return [dict(record.info, before=record.before, after=record.after) for record in records]
