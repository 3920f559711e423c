"""A kindergarten's 基础基 school workbook (2020/21 学年初, 国统制[2018]86号) laid out cell for cell as
the one real export known: the web grid's letters in row 1 and row numbers in column A, the title
in row 2, the table code and its unit in one cell padded with spaces, the 基础基111 form in blocks
opened by 续 rows with 名称 / 代码 row pairs, its own line numbers in column L, and the 附设班 block
(rows 20-35) repeating the 举办者 / 属地管理教育行政部门 / 地址 headers; numbers stored as text,
'*' in cells not to be filled, '_x000D_' line breaks in headers, 编号 in the 乙 column.

Written with openpyxl at explicit coordinates (Excel's, 1-based), independently of the sample's
export generator, so that the importer is tested against the notes and not against itself.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

CODE = "1133007639"
NAME = "慈溪市示例幼儿园"
ATTACHED = [
    ("附设幼儿班", "119"),
    ("附设小学班", "219"),
    ("附设普通初中班", "319"),
    ("附设职业初中班", "329"),
    ("附设普通高中班", "349"),
    ("附设特教班", "519"),
    ("附设中职班", "368"),
]


def _grid(ws, columns: int, rows: int) -> None:
    """Row 1: A, B, C … over the table's columns; column A: 1, 2, 3 … (numbers, as exported)."""
    for c in range(columns):
        ws.cell(row=1, column=c + 2, value=chr(65 + c))
    for r in range(2, rows + 1):
        ws.cell(row=r, column=1, value=r - 1)


def _put(ws, cells: dict) -> None:
    for ref, value in cells.items():
        ws[ref] = value


def form_111(ws, code=CODE, name=NAME, type_name="幼儿园", type_code="111") -> None:
    """基础基111 as the real workbook lays it out (see the module's docstring)."""
    _grid(ws, 11, 35)
    ws["B2"] = "基础教育学校（机构）统计调查表"
    ws.merge_cells("B2:L2")
    ws["B3"] = "基础基111" + " " * 150 + "单位："
    _put(
        ws,
        {
            "B6": "学校标识码",
            "D6": "学校（机构）_x000D_\n名称（章）",
            "H6": "学校（机构）英文名称",
            "B7": code,
            "D7": name,
            "H7": "*",
            "B8": "续",
            "D9": "学校（机构）地址",
            "G9": "学校（机构）所在地城乡类型",
            "H9": "学校（机构）属地管理教育行政部门",
            "C10": "名称",
            "D10": "浙江省宁波市慈溪市某某镇某某路1号",
            "G10": "镇中心区",
            "H10": "浙江省宁波市慈溪市教育局",
            "C11": "代码",
            "D11": "330282123201",
            "G11": "121",
            "H11": "330282000000",
            "B12": "续",
            "D13": "学校（机构）办学类型",
            "E13": "学校（机构）举办者",
            "G13": "性质类别",
            "H13": "规定年制",
            "J13": "规定入学年龄",
            "C14": "名称",
            "D14": type_name,
            "E14": "民办",
            "G14": "*",
            "H14": "小学",
            "I14": "初中",
            "J14": "小学",
            "K14": "初中",
            "C15": "代码",
            "D15": type_code,
            "E15": "999",
            "H15": "-1",
            "I15": "-1",
            "J15": "-1",
            "K15": "-1",
            "B16": "续",
            "C17": "邮政编码",
            "D17": "315300",
            "E17": "校园网域名",
            "F17": "*",
            "G17": "校长",
            "H17": "某某某",
            "C18": "办公电话",
            "D18": "0574-00000000",
            "E18": "电子信箱",
            "F18": "*",
            "G18": "填表人",
            "H18": "某某",
            "C19": "传真电话",
            "D19": "*",
            "E19": "经度",
            "F19": "121.2",
            "G19": "纬度",
            "H19": "30.2",
            "B20": "续",
            "D21": "学校（机构）举办者",
            "E21": "学校（机构）属地管理教育行政部门",
            "G21": "学校（机构）地址",
            "H21": "规定年制",
            "J21": "规定入学年龄",
        },
    )
    for i, (label, attached_code) in enumerate(ATTACHED):
        top = 22 + 2 * i
        _put(
            ws,
            {
                f"B{top}": "名称",
                f"C{top}": label,
                f"H{top}": "小学" if i % 2 else "初中",
                f"J{top}": "小学" if i % 2 else "初中",
                f"B{top + 1}": "代码",
                f"C{top + 1}": attached_code,
                f"H{top + 1}": "*",
                f"J{top + 1}": "-1",
            },
        )
    written = [r for r in range(6, 36) if any(ws.cell(row=r, column=c).value for c in range(2, 12))]
    for n, r in enumerate(written[:22], start=1):
        ws.cell(row=r, column=12, value=str(10 * n))  # the form's own line numbers 10 … 220


def extra_112(ws) -> None:
    """基础基112: 项目 | 编号 | 内容 | 单位 | 备注, 编号 as text."""
    _grid(ws, 5, 9)
    ws["B2"] = "学校（机构）基本情况续表"
    ws.merge_cells("B2:F2")
    ws["B3"] = "基础基112" + " " * 150 + "单位:"
    for c, header in zip("BCDEF", ("项目", "编号", "内容", "单位", "备注"), strict=True):
        ws[f"{c}4"] = header
    rows = [
        ("县级及以上骨干教师（小学）", "26", "*", "人"),
        ("县级及以上骨干教师（初中）", "27", "*", "人"),
        ("县级及以上骨干教师（高中）", "28", "*", "人"),
    ]
    for r, row in enumerate(rows, start=5):
        for c, value in zip("BCDE", row, strict=True):
            ws[f"{c}{r}"] = value


def buildings_511(ws) -> None:
    """基础基511 (幼儿园校舍情况) as in the notes: merged headers, code row, 编号 as text, '*' cells."""
    _grid(ws, 9, 12)
    ws["B2"] = "幼儿园校舍情况"
    ws.merge_cells("B2:J2")
    ws["B3"] = "基础基511" + " " * 150 + "单位：平方米"
    ws["B4"], ws["C4"] = "项目", "编号"
    ws.merge_cells("B4:B5")
    ws.merge_cells("C4:C5")
    ws["D4"] = "校舍建筑面积"
    ws.merge_cells("D4:H4")
    for c, label in zip("DEFGH", ("合计", "框架结构", "砖混结构", "砖木结构", "土木结构"), strict=True):
        ws[f"{c}5"] = label
    ws["I4"] = "校舍建筑面积中：_x000D_\n租借面积"
    ws.merge_cells("I4:J4")
    ws["I5"], ws["J5"] = "计", "租借公办的基础教育学校的校舍建筑面积"
    ws["B6"], ws["C6"] = "甲", "乙"
    for i, c in enumerate("DEFGHIJ", start=1):
        ws[f"{c}6"] = str(i)
    rows = [
        ("总计", "1", ["2400.5", "2400.5", "", "", "", "", ""]),
        ("其中：危房", "2", ["", "", "", "", "", "*", "*"]),
        ("当年新增校舍", "3", ["", "", "", "", "", "*", "*"]),
        ("一、教学及辅助用房", "4", ["1800", "1800", "", "", "", "", ""]),
    ]
    for r, (label, number, values) in enumerate(rows, start=7):
        ws[f"B{r}"], ws[f"C{r}"] = label, number
        for c, value in zip("DEFGHIJ", values, strict=True):
            if value:
                ws[f"{c}{r}"] = value


def kindergarten_workbook(path: Path, code=CODE, name=NAME) -> Path:
    """The whole workbook: 封面, 目录, 基础基111, 112, 511."""
    wb = Workbook()
    cover = wb.active
    cover.title = "封面"
    cover["A1"] = "基础教育基层统计调查表（2020/2021学年初）"
    cover["A3"] = "制表机关：教育部 批准机关：国家统计局 批准文号：国统制[2018]86号"
    contents = wb.create_sheet("目录")
    for r, (table, title) in enumerate(
        [
            ("表号", "表名"),
            ("基础基111", "基础教育学校（机构）统计调查表"),
            ("基础基112", "续表"),
            ("基础基511", "幼儿园校舍情况"),
        ],
        start=1,
    ):
        contents.cell(row=r, column=1, value=table)
        contents.cell(row=r, column=2, value=title)
    form_111(wb.create_sheet("基础基111"), code, name)
    extra_112(wb.create_sheet("基础基112"))
    buildings_511(wb.create_sheet("基础基511"))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
