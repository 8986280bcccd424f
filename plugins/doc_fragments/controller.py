# -*- coding: utf-8 -*-
# Copyright: hotwax.oms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """What the role's controller-side actions share: no diff, and they run on the controller."""

    DOCUMENTATION = r'''
attributes:
  diff_mode:
    description: Returns no diff.
    support: none
  platform:
    description: Runs on the controller (an action plugin), like the modules with C(ansible_connection=local).
    support: full
    platforms: posix
'''
