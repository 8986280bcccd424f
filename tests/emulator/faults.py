"""Fault rules: which requests to slow down, fail, drop or quietly ignore."""

import dataclasses
import re
import time
from typing import Optional

# Kind -> the keys it takes besides the common matching keys.
KINDS = {
    "latency": {"ms"},
    "status": {"status", "body"},
    "rate_limit": {"retry_after"},
    "drop": set(),
    "ignore_write": set(),
    "lose_answer": set(),
    "expire_tokens": set(),
    "slow": {"ms"},  # the same as latency; named for answers meant to outlast a client's timeout
    "down": {"seconds"},  # the OMS is gone for a while: every matching request loses its connection
}
COMMON_KEYS = {"kind", "method", "path", "times", "every", "after"}
# A down window is one stretch of time: counting rules make no sense for it.
WINDOW_KINDS = ("down",)
# Kinds that decide the answer on their own; the first one that fires wins.
TERMINAL_KINDS = ("status", "rate_limit", "drop")


@dataclasses.dataclass
class FaultEffects:
    """What the rules that fired on one request ask for."""

    latency_ms: float = 0
    expire_tokens: bool = False
    ignore_write: bool = False
    lose_answer: bool = False  # handle the request, then drop the connection: the change is made, the answer lost
    down: bool = False  # inside a down window: no handling, no answer, the connection is closed
    answer: Optional[dict] = None  # the first terminal rule (status, rate_limit or drop), or None


def _positive_int(spec, key):
    value = spec.get(key)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
        raise ValueError(f"fault rule {key} must be a positive integer, got {value!r}")
    return value


class FaultRule:
    """One validated rule with its own counters."""

    def __init__(self, spec):
        if not isinstance(spec, dict) or spec.get("kind") not in KINDS:
            raise ValueError(f"fault rule needs a kind among {sorted(KINDS)}: {spec!r}")
        unknown = set(spec) - COMMON_KEYS - KINDS[spec["kind"]]
        if unknown:
            raise ValueError(f"fault rule {spec['kind']} does not take {sorted(unknown)}")
        self.spec = dict(spec)
        self.kind = spec["kind"]
        self.method = spec["method"].upper() if spec.get("method") else None
        try:
            self.path = re.compile(spec["path"]) if spec.get("path") else None
        except re.error as err:
            raise ValueError(f"fault rule path is not a regular expression: {err}") from err
        self.times = _positive_int(spec, "times")
        self.every = _positive_int(spec, "every")
        after = spec.get("after", 0)
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            raise ValueError(f"fault rule after must be an integer >= 0, got {after!r}")
        self.after = after
        if self.kind in WINDOW_KINDS and (self.times or self.every):
            raise ValueError(f"fault rule {self.kind} takes no times or every: it lasts for its seconds")
        self._check_kind_values()
        self.matched = 0
        self.fired = 0
        self.window_end = None  # monotonic time a down window closes, set when it opens

    def _check_kind_values(self):
        if self.kind in ("latency", "slow") and (not isinstance(self.spec.get("ms"), (int, float)) or self.spec["ms"] < 0):
            raise ValueError(f"{self.kind} fault needs ms >= 0")
        if self.kind == "down" and (not isinstance(self.spec.get("seconds"), (int, float)) or isinstance(self.spec["seconds"], bool)
                                    or self.spec["seconds"] <= 0):
            raise ValueError("down fault needs seconds > 0")
        if self.kind == "status" and (not isinstance(self.spec.get("status"), int) or not 100 <= self.spec["status"] <= 599):
            raise ValueError("status fault needs an HTTP status")
        if self.kind == "status" and not isinstance(self.spec.get("body", ""), str):
            raise ValueError("status fault body must be a string (sent as is)")
        if self.kind == "rate_limit" and not isinstance(self.spec.get("retry_after", 1), (int, float)):
            raise ValueError("rate_limit fault retry_after must be a number of seconds")

    def fires(self, method, path, is_write):
        """Count a request against the rule and say whether the rule affects it."""
        if self.method and self.method != method:
            return False
        if self.path and not self.path.search(path):
            return False
        if self.kind == "ignore_write" and not is_write:
            return False
        if self.times is not None and self.fired >= self.times:
            return False
        self.matched += 1
        if self.matched <= self.after:
            return False
        if self.kind in WINDOW_KINDS:
            return self._in_window()
        if self.every and (self.matched - self.after) % self.every:
            return False
        self.fired += 1
        return True

    def _in_window(self):
        """A down window opens on the first request it affects and closes `seconds` later, for good."""
        now = time.monotonic()
        if self.window_end is None:
            self.window_end = now + self.spec["seconds"]
        if now >= self.window_end:
            return False
        self.fired += 1
        return True


class FaultPlan:
    """The active rules, checked in order on every API request."""

    def __init__(self, specs=()):
        if not isinstance(specs, (list, tuple)):
            raise ValueError("faults must be a list of rules")
        self.rules = [FaultRule(spec) for spec in specs]

    def effects(self, method, path, is_write):
        """Combine every rule that fires on this request."""
        effects = FaultEffects()
        for rule in self.rules:
            if not rule.fires(method, path, is_write):
                continue
            if rule.kind in ("latency", "slow"):
                effects.latency_ms += rule.spec["ms"]
            elif rule.kind == "down":
                effects.down = True
            elif rule.kind == "expire_tokens":
                effects.expire_tokens = True
            elif rule.kind == "ignore_write":
                effects.ignore_write = True
            elif rule.kind == "lose_answer":
                effects.lose_answer = True
            elif effects.answer is None:
                effects.answer = rule.spec
        return effects
