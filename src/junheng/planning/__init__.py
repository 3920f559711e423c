"""Plan targets (规划目标) and the urban-rural gap (issue #12).

A county's own dated targets on top of
the national method, read from a targets file or sheet, evaluated year by year.
"""
