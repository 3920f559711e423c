"""The rule sets the method applies, under the method's name (`junheng.rules` reads them).

The reader sits below every stage: the targets reader (`junheng.inputs.targets`) names indicators
and items by the rule sets' ids too, and a lower stage never imports a higher one.
"""

from junheng.rules import (
    RULE_SETS,
    Indicator,
    RuleError,
    RuleSet,
    _read,
    available_overlays,
    deep_merge,
)

__all__ = ["RULE_SETS", "Indicator", "RuleError", "RuleSet", "_read", "available_overlays", "deep_merge"]
