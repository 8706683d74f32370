"""The exit code of a run that completed, for schedulers (pure: a manifest and the flags).

A completed run exits 0 even with rejected rows (bad input is normal), unless:
- ``--fail-on-rejects`` and any row was rejected;
- ``--max-reject-rate R`` and more than R of the inputs were rejected (0.05 is 5%);
- feeds were asked for and not one of them could be fetched and read (each is a rejected
  row, so without this check a run whose every source is down looks fine);
- an ``expectations:`` check of the config failed (``pipelines/tools/expectations.py``).
Each is exit 3, with one line saying which.
"""
from dataclasses import dataclass
from typing import List, Optional

from pipelines.errors import UsageError

__all__ = ["OutcomePolicy", "outcome_problems", "pop_reject_rate"]


@dataclass(frozen=True)
class OutcomePolicy:
    fail_on_rejects: bool = False
    max_reject_rate: Optional[float] = None


def pop_reject_rate(argv: list) -> Optional[float]:
    """Take ``--max-reject-rate R`` (or ``=R``) out of ``argv``; R a fraction from 0 to 1."""
    for index, arg in enumerate(argv):
        if arg == "--max-reject-rate" or arg.startswith("--max-reject-rate="):
            value = arg.partition("=")[2] if "=" in arg else (argv[index + 1] if index + 1 < len(argv) else "")
            del argv[index: index + (1 if "=" in arg else 2)]
            return _rate(value)
    return None


def _rate(value: str) -> float:
    try:
        rate = float(value)
    except ValueError:
        rate = -1.0
    if not 0 <= rate <= 1:
        raise UsageError(f"--max-reject-rate: expected a fraction from 0 to 1 (0.05 is 5%), got {value!r}")
    return rate


def outcome_problems(manifest: dict, policy: OutcomePolicy) -> List[str]:
    """Why this completed run should exit 3 (none: exit 0)."""
    problems = []
    rejected, units = manifest["counts"]["rejected"], manifest["reconciliation"]["inputs"]
    if policy.fail_on_rejects and rejected:
        problems.append(f"{rejected:,} rows were rejected and --fail-on-rejects is set")
    if policy.max_reject_rate is not None and units and rejected / units > policy.max_reject_rate:
        problems.append(f"{rejected / units:.1%} of the inputs were rejected ({rejected:,} of {units:,}), "
                        f"above --max-reject-rate {policy.max_reject_rate:g}")
    for check in (manifest.get("expectations") or {}).get("checks", []):
        if not check["passed"]:
            problems.append(f"expectation failed: {check['name']} {check['expected']}, got {check['actual']}")
    asked = sum(len(source.get("urls") or ()) for source in manifest.get("config", {}).get("sources") or ()
                if source.get("type") == "feed")
    counters = manifest.get("counters", {})
    if asked and not counters.get("feeds_fetched", 0) and not counters.get("feeds_not_modified", 0):
        problems.append(f"every feed failed ({asked} asked, none fetched and read): see rejected/ stage fetch")
    return problems
