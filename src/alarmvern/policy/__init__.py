"""The policy language: load, validate, lint and render a company's privacy promises.

Pure: nothing here touches the store, the network or the clock.
"""

from alarmvern.policy.loader import LoadedPolicy, PolicyError, Problem, load, loads, pack_names
from alarmvern.policy.model import Activity, Policy, RetentionRule, covers

__all__ = [
    "Activity",
    "LoadedPolicy",
    "Policy",
    "PolicyError",
    "Problem",
    "RetentionRule",
    "covers",
    "load",
    "loads",
    "pack_names",
]
