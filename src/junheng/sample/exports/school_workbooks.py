"""Shape A: one workbook per school, one sheet per table, in either generation."""

from __future__ import annotations

from decimal import Decimal

from junheng.inputs.statistics.workbook import Sheet, Workbook
from junheng.sample.exports.grids import PAD, Grid, cell_text, row_sheet
from junheng.sample.exports.model import (
    BUCKETS,
    GRADE_NAMES,
    GRADES,
    SECTION_ZH,
    TYPES,
    SchoolStats,
    SectionStats,
    room_areas,
    round_down,
)
from junheng.sample.exports.vocabulary import (
    TITLES,
    VOCAB,
    bucket_label,
    degree_values,
    subject_tree,
    subject_values,
)


def school_workbook(s: SchoolStats, generation: str, year: int) -> tuple[str, Workbook]:
    """One school's workbook (file name, sheets) in ``generation``."""
    v = VOCAB[generation]
    grid = v["grid_labels"]
    type_code, type_name = TYPES[s.kind]
    suffix = f"_{type_name}" if generation == "jiaoji-2021" else ""
    cover = _cover(s, year, generation)
    if s.kind == "kindergarten":
        return kindergarten_workbook(s, generation, year)
    sheets = [cover]
    code = v["code"]
    if generation == "jichuji-2018":
        sheets.append(
            Sheet("目录", [["表号", "表名"]] + [[c, ""] for c in ("基础基111", "基础基112", "基础基512")])
        )
        sheets.append(_form_111(s, type_code, type_name))
        sheets.append(_extra_112(s))
    else:
        sheets.append(_basic_1001(s, type_code, type_name, suffix))
        sheets.append(_extra_1102(s, suffix))
    classes_done = set()
    for section, sec in s.sections.items():
        sheets.append(_students(s, section, sec, generation, suffix, grid))
        table = code["classes"][section]
        if sec.buckets is not None and table not in classes_done:
            classes_done.add(table)
            sheets.append(_classes(s, section, generation, suffix, grid))
    teacher_tables = {}
    for section in s.sections:
        teacher_tables.setdefault(code["teachers"][section], []).append(section)
    for table, sections in teacher_tables.items():
        sheets.append(_teachers(s, table, sections, generation, suffix, grid))
    sheets.append(_titles_sheet(s, generation, suffix, grid))
    sheets.append(_buildings(s, generation, suffix, grid))
    sheets.append(_conditions(s, generation, suffix, grid))
    name = f"{s.name}({type_name}).xlsx"
    return name, Workbook(name, sheets)


def _cover(s: SchoolStats, year: int, generation: str) -> Sheet:
    rows = [["基础教育基层统计调查表"], [f"（{year}/{year + 1}学年初）"], [f"学校（机构）名称：{s.name}"]]
    if generation == "jichuji-2018":
        rows.append(["制表机关：教育部 批准机关：国家统计局 批准文号：国统制[2018]86号"])
    return Sheet("封面", rows)


def kindergarten_workbook(s: SchoolStats, generation: str, year: int) -> tuple[str, Workbook]:
    """A kindergarten's workbook, after the one real export known (a kindergarten's, 2020/21).

    2018: 封面, 目录, 基础基111 (the real form, 附设班 block and all), 基础基112, 基础基511 (幼儿园校舍情况,
    as the notes give it: 校舍建筑面积 by structure, 租借面积, 编号 1, 2, 3 … as text, '*' cells).
    2021: 教基1001_幼儿园, 教基1102续_幼儿园, 教基2105_幼儿园 (幼儿园班数). None is compulsory
    education: the import reads who it is and lists it as not imported.
    """
    type_code, type_name = TYPES[s.kind]
    w = s.whole
    total = w["aux"] + w["admin"] + w["living"] + w["other_use"]
    if generation == "jichuji-2018":
        tables = [
            ("基础基111", "基础教育学校（机构）统计调查表"),
            ("基础基112", "学校（机构）基本情况续表"),
            ("基础基511", "幼儿园校舍情况"),
        ]
        contents = Sheet("目录", [["表号", "表名"]] + [[code, name] for code, name in tables])
        tree = [
            (
                "校舍建筑面积",
                [
                    ("合计", "total"),
                    ("框架结构", "frame"),
                    ("砖混结构", "brick"),
                    ("砖木结构", "wood"),
                    ("土木结构", "earth"),
                ],
            ),
            (
                "校舍建筑面积中：_x000D_\n租借面积",
                [("计", "rented"), ("租借公办的基础教育学校的校舍建筑面积", "rented_public")],
            ),
        ]
        not_rented = {"rented": None, "rented_public": None}
        rows = [
            ("总计", "1", {"total": total, "frame": total}),
            ("其中：危房", "2", not_rented),
            ("当年新增校舍", "3", not_rented),
            ("一、教学及辅助用房", "4", {"total": w["aux"], "frame": w["aux"]}),
            ("二、行政办公用房", "5", {"total": w["admin"], "frame": w["admin"]}),
            ("三、生活用房", "6", {"total": w["living"], "frame": w["living"]}),
        ]
        buildings = row_sheet(
            "基础基511",
            "幼儿园校舍情况",
            "基础基511",
            "平方米",
            tree,
            rows,
            True,
            label_header="项目",
            code_header="编号",
        )
        sheets = [
            _cover(s, year, generation),
            contents,
            _form_111(s, type_code, type_name),
            _extra_112(s),
            buildings,
        ]
    else:
        suffix = f"_{type_name}"
        classes = row_sheet(
            f"教基2105{suffix}",
            "幼儿园班数",
            "教基2105",
            "个",
            [("合计", "total"), ("小班", "small"), ("中班", "middle"), ("大班", "large")],
            [("总计", "01", {"total": 9, "small": 3, "middle": 3, "large": 3})],
            False,
        )
        sheets = [
            _cover(s, year, generation),
            _basic_1001(s, type_code, type_name, suffix),
            _extra_1102(s, suffix),
            classes,
        ]
    name = f"{s.name}({type_name}).xlsx"
    return name, Workbook(name, sheets)


ATTACHED = (
    ("附设幼儿班", "119"),
    ("附设小学班", "219"),
    ("附设普通初中班", "319"),
    ("附设职业初中班", "329"),
    ("附设普通高中班", "349"),
    ("附设特教班", "519"),
    ("附设中职班", "368"),
)
YEARS = {"primary": "6", "junior": "3", "senior": "3"}


def _form_111(s: SchoolStats, type_code: str, type_name: str) -> Sheet:
    """基础基111 as the real 2018 workbook lays it out.

    The grid's letters in row 1 and row numbers in column A; the title in row 2; the code and
    unit in one padded cell; the form in blocks opened by a 续 row (Excel rows 8, 12, 16, 20),
    each with its header row and a 名称 / 代码 row pair; its own line numbers in column L; and the
    附设班 block (rows 21-35) repeating the 举办者 / 属地管理教育行政部门 / 地址 / 规定年制 /
    规定入学年龄 headers over a 名称 / 代码 row pair per 附设班 (119 … 368). 是否计校数, which the
    real form does not show, sits beside 规定入学年龄 (where it is in a real file is unknown).
    Coordinates below are the table's: Excel row = r + 2, Excel column = column c + 1 (B = 0).
    """
    grid = Grid(True)
    grid.put(0, 0, "基础教育学校（机构）统计调查表")
    grid.merge(0, 0, 0, 10)
    grid.put(1, 0, f"基础基111{PAD}单位：")
    sections = [x for x in ("primary", "junior", "senior") if x in s.sections]
    years = "、".join(YEARS[x] for x in sections) or "-1"
    cells = {
        (4, 0): "学校标识码",
        (4, 2): "学校（机构）_x000D_\n名称（章）",
        (4, 6): "学校（机构）英文名称",
        (5, 0): s.code,
        (5, 2): s.name,
        (5, 6): "*",
        (6, 0): "续",
        (7, 2): "学校（机构）地址",
        (7, 5): "学校（机构）所在地城乡类型",
        (7, 6): "学校（机构）属地管理教育行政部门",
        (8, 1): "名称",
        (8, 2): f"示例省{s.county_name}某某路{int(s.code[-4:])}号",
        (8, 5): s.location[1],
        (8, 6): f"示例省{s.county_name}教育局",
        (9, 1): "代码",
        (9, 2): s.division,
        (9, 5): s.location[0],
        (9, 6): f"{s.county_code}000000",
        (10, 0): "续",
        (11, 2): "学校（机构）办学类型",
        (11, 3): "学校（机构）举办者",
        (11, 5): "性质类别",
        (11, 6): "规定年制",
        (11, 8): "规定入学年龄",
        (11, 9): "是否计校数",
        (12, 1): "名称",
        (12, 2): type_name,
        (12, 3): s.sponsor[0],
        (12, 5): "*",
        (12, 6): years,
        (12, 8): "6" if sections else "-1",
        (12, 9): "是" if s.counted else "否",
        (13, 1): "代码",
        (13, 2): type_code,
        (13, 3): s.sponsor[1],
        (14, 0): "续",
        (15, 1): "邮政编码",
        (15, 2): "999000",
        (15, 3): "校园网域名",
        (15, 4): "*",
        (15, 5): "校长",
        (15, 6): "（略）",
        (16, 1): "办公电话",
        (16, 2): "（略）",
        (16, 3): "电子信箱",
        (16, 4): "*",
        (16, 5): "填表人",
        (16, 6): "（略）",
        (17, 1): "传真电话",
        (17, 2): "*",
        (17, 3): "经度",
        (17, 4): "*",
        (17, 5): "纬度",
        (17, 6): "*",
        (18, 0): "续",
        (19, 2): "学校（机构）举办者",
        (19, 3): "学校（机构）属地管理教育行政部门",
        (19, 5): "学校（机构）地址",
        (19, 6): "规定年制",
        (19, 8): "规定入学年龄",
    }
    for i, (label, code) in enumerate(ATTACHED):
        r = 20 + 2 * i
        cells.update({(r, 0): "名称", (r, 1): label, (r, 6): "*", (r, 8): "*"})
        cells.update({(r + 1, 0): "代码", (r + 1, 1): code, (r + 1, 6): "*", (r + 1, 8): "*"})
    written = sorted({r for r, _ in cells if r >= 4})
    for n, r in enumerate(written[:22], start=1):
        cells[(r, 10)] = str(10 * n)  # the form's own line numbers, 10 … 220
    for (r, c), value in cells.items():
        grid.put(r, c, value)
    return grid.sheet("基础基111")


def _extra_112(s: SchoolStats) -> Sheet:
    """基础基112: 项目 | 编号 | 内容 | 单位 | 备注, no code row; 县级及以上骨干教师 in rows 26-28."""
    grid = Grid(True)
    grid.put(0, 0, "学校（机构）基本情况续表")
    grid.merge(0, 0, 0, 4)
    grid.put(1, 0, f"基础基112{PAD}单位：")
    for c, header in enumerate(("项目", "编号", "内容", "单位", "备注")):
        grid.put(3, c, header)
    rows = [
        ("学校（机构）占地面积是否达标", "24", "是", ""),
        ("是否有校园足球场", "25", "是", ""),
        *[
            (
                VOCAB["jichuji-2018"]["backbone_rows"].format(SECTION_ZH[x]),
                str(26 + i),
                cell_text(s.sections[x].backbone) if x in s.sections else "",
                "人",
            )
            for i, x in enumerate(("primary", "junior", "senior"))
        ],
        ("心理健康教育专职教师", "29", "", "人"),
    ]
    for r, (label, number, value, unit) in enumerate(rows, start=4):
        for c, text in enumerate((label, number, value, unit)):
            grid.put(r, c, text)
    return grid.sheet("基础基112")


def _basic_1001(s: SchoolStats, type_code: str, type_name: str, suffix: str) -> Sheet:
    items = [
        ("学校（机构）标识码", s.code),
        ("学校（机构）名称", s.name),
        ("所在地区划代码", s.division),
        ("所在地城乡分类", s.location[1]),
        ("所在地城乡分类代码", s.location[0]),
        ("办学类型", type_name),
        ("办学类型代码", type_code),
        ("举办者", s.sponsor[0]),
        ("举办者代码", s.sponsor[1]),
        ("属地管理教育行政部门", f"示例省{s.county_name}教育局"),
        ("属地管理教育行政部门代码", f"{s.county_code}000000"),
        ("是否计校数", "是" if s.counted else "否"),
    ]
    rows = [(label, f"{i:02d}", {"value": value}) for i, (label, value) in enumerate(items, start=1)]
    return row_sheet(
        f"教基1001{suffix}",
        "学校（机构）基本情况",
        "教基1001",
        "",
        [("内容", "value")],
        rows,
        False,
        label_header="项目",
    )


def _extra_1102(s: SchoolStats, suffix: str) -> Sheet:
    rows = [("是否有校园足球场", "10", {"value": "是"}, "—")]
    for i, x in enumerate(("primary", "junior", "senior"), start=11):
        value = s.sections[x].backbone if x in s.sections else 0
        rows.append(
            (VOCAB["jiaoji-2021"]["backbone_rows"].format(SECTION_ZH[x]), str(i), {"value": value}, "人")
        )
    return row_sheet(
        f"教基1102续{suffix}",
        "学校（机构）基本情况续表",
        "教基1102续",
        "",
        [("内容", "value")],
        rows,
        False,
        unit_column=True,
        label_header="项目",
    )


def _students(s, section, sec: SectionStats, generation, suffix, grid) -> Sheet:
    v = VOCAB[generation]
    table = v["code"]["students"][section]
    grades = [(GRADE_NAMES[i], f"g{i}") for i in range(GRADES[section])]
    tree = [
        ("毕业生数", "graduates"),
        ("招生数", "entrants"),
        ("在校生数", [("计", "students"), (v["girls"], "girls"), ("分年级", grades)]),
        ("预计毕业生数", "expected"),
    ]
    total = {
        "graduates": sec.graduates,
        "entrants": sec.entrants,
        "students": sec.students,
        "girls": sec.girls,
        "expected": sec.grades[-1],
        **{f"g{i}": g for i, g in enumerate(sec.grades)},
    }
    rows = [
        ("总计", "01", total),
        (v["girls"], "02", {"students": sec.girls}),
        ("#少数民族" if generation == "jiaoji-2021" else "其中：少数民族", "03", {}),
        (v["migrant"], "04", {"students": sec.migrant}),
        ("#农村留守儿童" if generation == "jiaoji-2021" else "其中：农村留守儿童", "05", {}),
    ]
    zh = SECTION_ZH[section]
    return row_sheet(f"{table}{suffix}", f"{zh}分类型学生数", table, "人", tree, rows, grid)


def _classes(s, section, generation, suffix, grid) -> Sheet:
    v = VOCAB[generation]
    table = v["code"]["classes"][section]
    secondary = section != "primary"
    if secondary:
        tree = [
            ("合计", "total"),
            ("初中", [("计", "junior")] + [(GRADE_NAMES[i], f"j{i}") for i in range(4)]),
            ("高中", [("计", "senior")] + [(GRADE_NAMES[i], f"s{i}") for i in range(3)]),
        ]
    else:
        tree = [("合计", "total")] + [(GRADE_NAMES[i], f"p{i}") for i in range(6)]

    def values(index=None):
        out = {}
        for part, key_ in (("junior", "junior"), ("senior", "senior"), ("primary", "total")):
            if part == "primary" and secondary:
                continue
            if secondary and part in ("junior", "senior") and part not in s.sections:
                out[key_] = None  # '*': this school has no such section
                continue
            sec = s.sections.get(part)
            if sec is None or sec.buckets is None:
                continue
            out[key_] = sec.classes if index is None else sec.buckets[index]
        if secondary:
            out["total"] = sum(x for k, x in out.items() if k in ("junior", "senior") and x)
        return out

    rows = [("总计", "01", values())]
    if secondary:
        rows.append(("其中：四年制初中" if generation == "jichuji-2018" else "#四年制初中", "02", {}))
    else:
        rows.append(("其中：复式班" if generation == "jichuji-2018" else "#复式班", "02", {}))
    for i, (lo, hi) in enumerate(BUCKETS):
        rows.append((bucket_label(lo, hi), f"{i + 3:02d}", values(i)))
    title = "中学教学班数、班额情况" if secondary else "小学教学班数、班额情况"
    return row_sheet(f"{table}{suffix}", title, table, "个", tree, rows, grid)


def _teachers(s, table, sections, generation, suffix, grid) -> Sheet:
    v = VOCAB[generation]
    tree = [("合计", "teachers"), (v["girls"], "girls"), (v["by_subject"], subject_tree(generation))]
    blocks = len(sections) > 1 or table.endswith(("4156", "424")) or generation == "jiaoji-2021"
    total = {"teachers": sum(s.sections[x].teachers for x in sections)}
    rows = [("总计", "01", total)]
    n = 2
    for section in sections:
        sec = s.sections[section]
        head = {"teachers": sec.teachers, **subject_values(sec, generation)}
        if blocks:
            rows.append((SECTION_ZH[section], f"{n:02d}", head))
            n += 1
        else:
            rows[0] = ("总计", "01", head)
        rows.append((v["girls"], f"{n:02d}", {"teachers": round(sec.teachers * 0.6)}))
        n += 1
        degrees = degree_values(sec, generation)
        for label, k in v["degrees"]:
            rows.append((label, f"{n:02d}", {"teachers": degrees[k]}))
            n += 1
    title = "专任教师分课程、分学历情况"
    return row_sheet(f"{table}{suffix}", title, table, "人", tree, rows, grid)


def _titles_sheet(s, generation, suffix, grid) -> Sheet:
    v = VOCAB[generation]
    table = v["code"]["titles"]
    ages = [
        "24岁及以下",
        "25-29岁",
        "30-34岁",
        "35-39岁",
        "40-44岁",
        "45-49岁",
        "50-54岁",
        "55-59岁",
        "60岁及以上",
    ]
    tree = [
        ("合计", "total"),
        (v["girls"], "girls"),
        ("按年龄分", [(a, f"a{i}") for i, a in enumerate(ages)]),
    ]
    rows = [("总计", "01", {"total": sum(sec.teachers for sec in s.sections.values())})]
    n = 2
    for section, sec in s.sections.items():
        rows.append((SECTION_ZH[section], f"{n:02d}", {"total": sec.teachers}))
        n += 1
        for label, k in TITLES:
            rows.append((label, f"{n:02d}", {"total": sec.titles[k]}))
            n += 1
    return row_sheet(f"{table}{suffix}", "专任教师专业技术职务、年龄情况", table, "人", tree, rows, grid)


def _buildings(s, generation, suffix, grid) -> Sheet:
    """校舍情况: 基础基512 or 教基5170.

    基础基512: rows 01-20 as the 2018 form lists them, 体育馆 among the rooms of 一、教学及辅助用房;
    教基5170: 室内体育用房 under 公共教学用房, itself under 一、教学及辅助用房. Either way the
    indoor sports area is part of 教学及辅助用房 (see the import option indoor_sports_rooms).
    """
    v = VOCAB[generation]
    table = v["code"]["buildings"]
    w = s.whole
    rooms = room_areas(w)
    total = w["aux"] + w["admin"] + w["living"] + w["other_use"]

    def area(value):
        return {"total": value, "frame": value}

    if generation == "jiaoji-2021":
        tree = [
            ("合计", "total"),
            ("框架结构", "frame"),
            ("砖混结构", "brick"),
            ("其他结构", "other"),
            ("租借校舍", [("计", "rented")]),
        ]
        special, public = rooms["special_rooms"], w["aux"] - rooms["classroom"] - rooms["special_rooms"]
        lab = round_down(special * Decimal("0.6"), "0.1")
        reading = round_down((public - w["indoor"]) * Decimal("0.5"), "0.1")
        counselling = round_down((public - w["indoor"]) * Decimal("0.1"), "0.1")
        items = [
            ("总计", area(total)),
            ("#危房", {}),
            ("当年新增校舍", {}),
            ("一、教学及辅助用房", area(w["aux"])),
            ("教室", area(rooms["classroom"])),
            ("专用教室", area(special)),
            ("其中：理化生实验室", area(lab)),
            ("其他", area(special - lab)),
            ("公共教学用房", area(public)),
            ("其中：图书阅览室", area(reading)),
            ("室内体育用房", area(w["indoor"])),
            ("心理辅导室", area(counselling)),
            ("其他", area(public - w["indoor"] - reading - counselling)),
            ("二、行政办公用房", area(w["admin"])),
            ("三、生活用房", area(w["living"])),
            ("四、其他用房", area(w["other_use"])),
        ]
    else:
        tree = [
            ("合计", "total"),
            ("框架结构", "frame"),
            ("砖混结构", "brick"),
            ("砖木结构", "wood"),
            ("土木结构", "earth"),
            ("校舍建筑面积中：_x000D_\n租借面积", [("计", "rented"), ("租借公办", "rented_public")]),
        ]
        special = rooms["special_rooms"]
        lab = round_down(special * Decimal("0.6"), "0.1")
        office = round_down(w["admin"] * Decimal("0.6"), "0.1")
        canteen = round_down(w["living"] * Decimal("0.4"), "0.1")
        toilets = round_down(w["living"] * Decimal("0.1"), "0.1")
        items = [
            ("总计", area(total)),
            ("其中：危房", {}),
            ("当年新增校舍", {}),
            ("一、教学及辅助用房", area(w["aux"])),
            ("教室", area(rooms["classroom"])),
            ("实验室", area(lab)),
            ("图书室", area(special - lab)),
            ("微机室", {}),
            ("语音室", {}),
            ("体育馆", area(w["indoor"])),
            ("二、行政办公用房", area(w["admin"])),
            ("教师办公室", area(office)),
            ("三、生活用房", area(w["living"])),
            ("教工宿舍", {}),
            ("教师周转宿舍", {}),
            ("学生宿舍", {}),
            ("食堂", area(canteen)),
            ("厕所", area(toilets)),
            ("其他", area(w["living"] - canteen - toilets)),
            ("四、其他用房", area(w["other_use"])),
        ]
    rows = [(label, f"{i:02d}", values) for i, (label, values) in enumerate(items, start=1)]
    return row_sheet(f"{table}{suffix}", "中小学校舍情况", table, "平方米", tree, rows, grid)


def _conditions(s, generation, suffix, grid) -> Sheet:
    v = VOCAB[generation]
    table = v["code"]["conditions"]
    w = s.whole
    if generation == "jiaoji-2021":  # items down the side, units in a 计量单位 column
        items = [
            ("一、占地面积", "平方米", w["land"]),
            ("其中：绿化用地面积", "平方米", w["green"]),
            ("运动场地面积", "平方米", w["ground"]),
            ("二、图书", "册", w["books"]),
            ("三、计算机", "台", w["computers_total"]),
            ("其中：教学用计算机", "台", w["computers"]),
            ("四、网络多媒体教室", "间", w["multimedia"]),
            ("五、固定资产总值", "万元", w["assets"]),
            ("其中：教学仪器设备资产值", "万元", w["equipment"]),
        ]
        rows = [
            (label, f"{i:02d}", {"value": value}, unit)
            for i, (label, unit, value) in enumerate(items, start=1)
        ]
        return row_sheet(
            f"{table}{suffix}", "中小学办学条件", table, "", [("数量", "value")], rows, grid, unit_column=True
        )
    tree = [
        (
            "占地面积（平方米）",
            [("合计", "land"), ("其中：绿化用地面积", "green"), ("其中：运动场地面积", "ground")],
        ),
        ("图书（册）", "books"),
        ("计算机（台）", [("合计", "computers_total"), ("其中：教学用", "computers")]),
        ("网络多媒体教室（间）", "multimedia"),
        ("固定资产总值（万元）", [("合计", "assets"), ("其中：教学仪器设备资产值", "equipment")]),
    ]
    rows = [("总计", "01", dict(w))]
    return row_sheet(f"{table}{suffix}", "中小学占地面积及其他办学条件", table, "", tree, rows, grid)
