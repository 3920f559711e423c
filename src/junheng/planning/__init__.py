"""Planning: what a county must do next.

The urban-rural gap (issue #12). A county's own dated plan targets (规划目标) are read with the data
(`junheng.inputs.targets`) and their progress measured year by year with the evaluation
(`junheng.method.targets`; `junheng.planning.targets` keeps the name notebooks use).

The rectification plan (存在问题与整改建议 / 一校一策, `junheng.planning.rectification`): per
school and failing item, the measure, its quantity, cost, responsible office and deadline, from
the configuration in ``planning/plan.yaml`` and a county's overrides.
"""
