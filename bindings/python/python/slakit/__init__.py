"""slakit: deterministic SLA evaluation for release and deployment management.

The same engine as the ``slakit`` command line, in-process::

    import slakit
    policy = slakit.Policy.load("policy.yaml")
    report = policy.evaluate("records.jsonl")        # or dicts, a DataFrame, an Arrow table
    for row in report.results:
        print(row["sla"], row["window"]["start"], row["status"])

See docs/python.md.
"""

from ._api import AsOf, Baseline, Decision, Partial, Policy, Records, RecordsLike, Report, baseline, evaluate_partial
from ._errors import InternalError, PolicyError, RecordError, SlakitError, UsageError
from ._slakit import __version__

__all__ = [
    "AsOf",
    "Baseline",
    "Decision",
    "InternalError",
    "Partial",
    "Policy",
    "PolicyError",
    "RecordError",
    "Records",
    "RecordsLike",
    "Report",
    "SlakitError",
    "UsageError",
    "__version__",
    "baseline",
    "evaluate_partial",
]
