# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """How hotwax_service_job and hotwax_service_job_info select jobs, documented once."""

    DOCUMENTATION = r'''
options:
  job_names:
    description:
      - Exact job names (C(jobName)). Each must exist.
    type: list
    elements: str
  shop_ids:
    description:
      - Shops whose Shopify jobs (order import, historic order import, inventory reset, product sync) are selected, or
        V(all). A shop without one of them is not an error.
      - These jobs are the clones of the per-shop templates C(queue_ShopifyOrderSync), C(sync_ShopifyOrderHistory),
        C(resetShopifyInventoryQoh) and C(sync_ShopifyProductUpdates) (named C(<template>_<suffix>), or naming the
        template as C(parentJobName)). A job is never chosen by its service, as feed jobs share the order import's
        C(queue#FeedSystemMessage) service and are never selected. The shop a clone serves is read from its
        C(serviceJobParameters), never from its name, whose suffix need not be the shop id. C(systemMessageRemoteId)
        (on older jobs C(remoteId) or C(shopifyRemoteId)) names one of the shop's remotes; C(shopId) or C(shopifyShopId)
        names the shop. A job whose list row carries no parameters is read by name first. The template job itself
        serves no shop and is never selected by shop.
      - V(all) also selects the real-time order intake C(consume_ShopifyOrders_SQS), which serves every shop.
    type: list
    elements: str
  product_store_ids:
    description:
      - Product stores whose routing groups' brokering-run schedules are selected, or V(all).
    type: list
    elements: str
'''
