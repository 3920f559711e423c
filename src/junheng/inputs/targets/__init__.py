"""A county's plan targets (规划目标) as read: the targets files and sheets, checked and typed.

What a targets file may say (measures.yaml, `spec`), the targets as the engine sees them (`model`),
finding and reading them (`sources`), checking each (`parse`, `columns`), attaching them to the
Dataset (`load`) and the template's targets sheet (`sheet`). Their progress year by year is the
method's (`junheng.method.targets`).
"""
