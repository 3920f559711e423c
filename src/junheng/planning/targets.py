"""Progress on plan targets, under the name notebooks and docs/targets.md use.

Measuring a target on an evaluation is the method's (`junheng.method.targets`): a county's JSON
result carries its targets' progress, and a lower stage never imports a higher one.
"""

from junheng.method.targets import STATUSES, county_targets, evaluate_targets, satisfies, target_summary

__all__ = ["STATUSES", "county_targets", "evaluate_targets", "satisfies", "target_summary"]
