"""Reading the national education statistics system's exports directly (beta, issue #13).

The 基础基 tables (2018 system, collections up to 2020/21) and the renumbered 教基 tables (from
2021), in two shapes: county-wide sheets (one row per school, one file per 学段) and school
workbooks (one sheet per table). Columns and rows are found by header path and 甲/乙 code rows
through editable mapping files (``mappings/*.yaml``), never by position.

Modules, one job each: ``workbook`` (cells and merges), ``labels`` (folding, patterns),
``layout`` (header blocks and paths), ``cells`` (numbers as text, '*', codes), ``units``,
``codes`` (code lists), ``mapping`` and ``options`` (what to read, which conventions),
``wide`` (county-wide sheets), ``header_check`` (a broken header block is one error),
``school_workbook`` (school workbooks), ``compose`` (contract columns), ``identity``,
``belonging`` (records of another county-year), ``combine`` (学段 files, campuses), ``parents``
(不计校数 parent map), ``supplement`` (the county's own workbook), ``importer`` (one import),
``source`` (the hook ``load()`` uses), ``report`` (the import report), ``set_aside`` (the
compulsory schools not imported, written beside the tables and read back), ``outputs`` (the names
of the files the import writes), ``command`` (`junheng import`).

Entry points: ``load(path_with_exports)`` or ``load(ExportSource(...))`` from
``junheng.inputs.statistics.source``; ``junheng import`` on the command line.
"""
