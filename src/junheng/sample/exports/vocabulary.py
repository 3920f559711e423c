"""How each table generation names things: table codes, row and column labels, spellings."""

from __future__ import annotations

from junheng.sample.exports.model import SectionStats

VOCAB = {
    "jiaoji-2021": {
        "code": {
            "students": {"primary": "教基3112", "junior": "教基3115", "senior": "教基3118"},
            "classes": {"primary": "教基2106", "junior": "教基2107", "senior": "教基2107"},
            "teachers": {"primary": "教基4155", "junior": "教基4156", "senior": "教基4156"},
            "titles": "教基4153",
            "staff": "教基4149",
            "basic": "教基1001",
            "extra": "教基1102续",
            "buildings": "教基5170",
            "conditions": "教基5176",
        },
        "girls": "#女",
        "migrant": "#进城务工人员随迁子女",
        "degrees": [
            ("博士研究生", "doctorate"),
            ("硕士研究生", "master"),
            ("本科", "bachelor"),
            ("专科", "college"),
            ("高中阶段", "senior_secondary"),
            ("高中阶段以下", "below_senior_secondary"),
        ],
        "by_degree": "#按学历分",
        "by_title": "#按专业技术职务分",
        "by_subject": "#按授课课程分",
        "by_size": "按班额分",
        "backbone": "县级以上骨干教师({})",
        "backbone_rows": "县级及以上骨干教师（{}）",
        "indoor": "室内体育用房",
        "counted": ("是", "否"),
        "name_header": "学校名称",
        "location_header": ("城乡分类", "城乡分类代码"),
        "grid_labels": False,
    },
    "jichuji-2018": {
        "code": {
            "students": {"primary": "基础基312", "junior": "基础基313", "senior": "基础基314"},
            "classes": {"primary": "基础基212", "junior": "基础基213", "senior": "基础基213"},
            "teachers": {"primary": "基础基423", "junior": "基础基424", "senior": "基础基424"},
            "titles": "基础基422",
            "staff": "基础基412",
            "basic": "基础基111",
            "extra": "基础基112",
            "buildings": "基础基512",
            "conditions": "基础基522",
        },
        "girls": "其中：女",
        "migrant": "其中：进城务工人员随迁子女",
        "degrees": [
            ("研究生毕业", "postgraduate"),
            ("本科毕业", "bachelor"),
            ("专科毕业", "college"),
            ("高中阶段毕业", "senior_secondary"),
            ("高中阶段毕业以下", "below_senior_secondary"),
        ],
        "by_degree": "按学历分",
        "by_title": "按专业技术职务分",
        "by_subject": "按课程分",
        "by_size": "班额",
        "backbone": "县级及以上骨干教师（{}）",
        "backbone_rows": "县级及以上骨干教师（{}）",
        "indoor": "体育馆",
        "counted": ("1", "0"),
        "name_header": "学校（机构）名称",
        "location_header": ("城乡类型", "城乡类型代码"),
        "grid_labels": True,
    },
}
TITLES = [
    ("正高级", "senior"),
    ("副高级", "vice_senior"),
    ("中级", "intermediate"),
    ("助理级", "assistant"),
    ("员级", "clerk"),
    ("未定职级", "untitled"),
]


def bucket_label(lo: int, hi: int) -> str:
    """'25人及以下', '26-30人', '66人及以上'."""
    if lo == 0:
        return f"{hi}人及以下"
    if hi == 999:
        return f"{lo}人及以上"
    return f"{lo}-{hi}人"


def degree_values(sec: SectionStats, generation: str) -> dict:
    """Teachers by degree as the generation reports them (2018: one 研究生 row)."""
    d = sec.degrees
    if generation == "jichuji-2018":
        return {**d, "postgraduate": d["doctorate"] + d["master"]}
    return d


def subject_tree(generation: str) -> list:
    """The 按课程分 columns of the generation."""
    if generation == "jichuji-2018":
        return [
            ("品德与生活（社会）", "moral"),
            ("语文", "chinese"),
            ("数学", "math"),
            ("外语", "foreign"),
            ("体育", "pe"),
            ("音乐", "music"),
            ("美术", "fine_arts"),
            ("艺术", "art_course"),
            ("其他", "other"),
        ]
    return [
        ("道德与法治", "moral"),
        ("语文", "chinese"),
        ("数学", "math"),
        ("外语", "foreign"),
        ("科学", "science"),
        ("体育与健康", "pe"),
        ("艺术", [("计", "art_total"), ("音乐", "music"), ("美术", "fine_arts")]),
        ("信息科技", "it"),
        ("其他", "other"),
    ]


def subject_values(sec: SectionStats, generation: str) -> dict:
    """Teachers by subject as the generation reports them."""
    s = dict(sec.subjects)
    if generation == "jiaoji-2021":  # 艺术 is the group of 音乐 and 美术; the integrated course goes to 音乐
        s["music"] += s.pop("art_course")
        s["art_total"] = s["music"] + s["fine_arts"]
    return s
