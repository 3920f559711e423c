"""Planning: what a county must do next.

Plan targets (规划目标) and the urban-rural gap (issue #12): a county's own dated targets on top of
the national method, read from a targets file or sheet, evaluated year by year.

The rectification plan (存在问题与整改建议 / 一校一策, `junheng.planning.rectification`): per
school and failing item, the measure, its quantity, cost, responsible office and deadline, from
the configuration in ``planning/plan.yaml`` and a county's overrides.
"""
