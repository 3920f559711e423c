"""The statistics forms behind each school of the sample, and a branch campus split off.

Students by grade, teachers by degree, subject and title, class-size buckets, areas in m²,
equipment in 万元.

Consistent with the sample's row by construction (the import must give the row back exactly).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, Decimal

import numpy as np
import pandas as pd

GENERATIONS = ("jiaoji-2021", "jichuji-2018")
SECTION_ZH = {"primary": "小学", "junior": "初中", "senior": "高中"}
GRADE_NAMES = ("一年级", "二年级", "三年级", "四年级", "五年级", "六年级")
GRADES = {"primary": 6, "junior": 3, "senior": 3}
BUCKETS = [(0, 25), (26, 30), (31, 35), (36, 40), (41, 45), (46, 50), (51, 55), (56, 60), (61, 65), (66, 999)]
LIMIT = {"primary": 45, "junior": 50}
TYPES = {
    "primary": ("211", "小学"),
    "teaching_point": ("218", "小学教学点"),
    "junior": ("311", "初级中学"),
    "nine_year": ("312", "九年一贯制学校"),
    "twelve_year": ("345", "十二年一贯制学校"),
    "complete_middle": ("341", "完全中学"),
    "special": ("514", "其他特教学校"),
    "senior_only": ("342", "高级中学"),
    "kindergarten": ("111", "幼儿园"),
}
SECTIONS = {
    "primary": ("primary",),
    "teaching_point": ("primary",),
    "junior": ("junior",),
    "nine_year": ("primary", "junior"),
    "twelve_year": ("primary", "junior", "senior"),
    "complete_middle": ("junior", "senior"),
    "special": ("primary", "junior"),
    "senior_only": ("senior",),
    "kindergarten": (),
}
LOCATIONS = {
    "urban": (("111", "主城区"), ("112", "城乡结合区")),
    "town": (("121", "镇中心区"), ("122", "镇乡结合区")),
    "rural": (("210", "乡中心区"), ("220", "村庄")),
}
CAMPUS_SHARE = Decimal("0.25")


def _dec(value) -> Decimal:
    """A sample value (a float of at most a few decimals) as the decimal a user typed."""
    return Decimal(repr(float(value)))


def round_down(value: Decimal, step: str) -> Decimal:
    """Round towards zero to ``step`` ('0.1', '0.01', '1')."""
    return value.quantize(Decimal(step), rounding=ROUND_DOWN)


def _int(value) -> int:
    return 0 if value is None or (isinstance(value, float) and math.isnan(value)) else int(value)


def _maybe(value):
    """None for a value the sample leaves empty (NaN), else the int."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else int(value)


@dataclass
class SectionStats:
    """One 学段 of a school as the statistics forms record it."""

    grades: list
    girls: int
    graduates: int
    entrants: int | None  # None: '*' (a special school's tables have no intake)
    migrant: int
    buckets: list | None  # classes per BUCKETS entry; None: '*' (no class-size table)
    degrees: dict  # doctorate, master, bachelor, college, senior_secondary, below_senior_secondary
    subjects: dict  # pe, music, fine_arts, art_course, chinese, math, other
    titles: dict  # senior, vice_senior, intermediate, assistant, clerk, untitled
    backbone: int

    @property
    def students(self) -> int:
        """Students of the 学段 (the sum of the grades)."""
        return sum(self.grades)

    @property
    def teachers(self) -> int:
        """Full-time teachers (the sum over degrees)."""
        return sum(self.degrees.values())

    @property
    def classes(self) -> int | None:
        """Classes (the sum over class sizes); None without a class-size table."""
        return None if self.buckets is None else sum(self.buckets)


@dataclass
class SchoolStats:
    """A school (or campus) as the exports show it: identity, 学段, whole-school figures."""

    code: str
    name: str
    kind: str  # a key of TYPES
    location: tuple  # (code, name)
    sponsor: tuple  # (name, code)
    division: str  # 12-digit 统计用区划代码
    county_code: str
    county_name: str
    counted: bool
    sections: dict = field(default_factory=dict)
    whole: dict = field(default_factory=dict)  # core areas (Decimal m²), money (Decimal 万元), counts


def _rng(code: str, year: int):
    return np.random.default_rng(int(code) * 10 + year % 10)


def _degrees(t: int, q: int, section: str, rng) -> dict:
    if section == "primary":  # qualified: college or higher
        doctorate = 1 if q >= 25 and rng.random() < 0.35 else 0
        master = min(q - doctorate, round(q * 0.06))
        bachelor = min(q - doctorate - master, round(q * 0.72))
        college = q - doctorate - master - bachelor
        rest = t - q
        below = rest // 5
        return dict(
            doctorate=doctorate,
            master=master,
            bachelor=bachelor,
            college=college,
            senior_secondary=rest - below,
            below_senior_secondary=below,
        )
    if section == "junior":  # qualified: bachelor or higher
        doctorate = 1 if q >= 20 and rng.random() < 0.4 else 0
        master = min(q - doctorate, round(q * 0.1))
        rest = t - q
        high_school = rest // 4
        return dict(
            doctorate=doctorate,
            master=master,
            bachelor=q - doctorate - master,
            college=rest - high_school,
            senior_secondary=high_school,
            below_senior_secondary=0,
        )
    master = round(t * 0.15)
    return dict(
        doctorate=0,
        master=master,
        bachelor=t - master,
        college=0,
        senior_secondary=0,
        below_senior_secondary=0,
    )


def _subjects(t: int, pe_art: int, rng) -> dict:
    pe = (pe_art + 1) // 2
    music = (pe_art - pe + 1) // 2
    fine = pe_art - pe - music
    course = 1 if fine >= 2 and rng.random() < 0.5 else 0
    rest = t - pe_art
    chinese, math_ = int(rest * 0.4), int(rest * 0.3)
    return dict(
        pe=pe,
        music=music,
        fine_arts=fine - course,
        art_course=course,
        chinese=chinese,
        math=math_,
        other=rest - chinese - math_,
    )


def _titles(t: int, s: int, rng) -> dict:
    senior = 1 if s >= 20 and rng.random() < 0.3 else 0
    vice = min(s - senior, round(s * 0.3))
    rest = t - s
    assistant, clerk = int(rest * 0.6), int(rest * 0.1)
    return dict(
        senior=senior,
        vice_senior=vice,
        intermediate=s - senior - vice,
        assistant=assistant,
        clerk=clerk,
        untitled=rest - assistant - clerk,
    )


def _bucket(size: float) -> int:
    return next(i for i, (lo, hi) in enumerate(BUCKETS) if lo <= size <= hi)


def _buckets(students: int, classes, oversized, largest, limit) -> list | None:
    if classes is None:
        return None
    counts = [0] * len(BUCKETS)
    if not classes:
        return counts
    over = _int(oversized)
    if over:
        top = largest if largest is not None and largest > limit else limit + 1
        counts[_bucket(top)] += 1
        counts[_bucket(limit + 1)] += over - 1
    average = math.ceil(students / classes)
    counts[_bucket(min(average, limit) if limit else average)] += classes - over
    return counts


def _grades(total: int, n: int) -> list:
    base, extra = divmod(total, n)
    return [base + (1 if i < extra else 0) for i in range(n)]


def _section(row, section: str, migrant: int, rng) -> SectionStats:
    if section == "senior":
        students = _int(row["students_senior"])
        teachers = math.ceil(students * 0.085)
        classes = math.ceil(students / 50) if students else 0
        return SectionStats(
            grades=_grades(students, 3),
            girls=round(students * 0.49),
            graduates=students // 3,
            entrants=students // 3,
            migrant=0,
            buckets=_buckets(students, classes, 0, None, None),
            degrees=_degrees(teachers, teachers, "senior", rng),
            subjects=_subjects(teachers, round(teachers * 0.12), rng),
            titles=_titles(teachers, round(teachers * 0.5), rng),
            backbone=round(teachers * 0.08),
        )
    students = _int(row[f"students_{section}"])
    teachers = _int(row[f"teachers_{section}"])
    special = row["school_type"] == "special"
    return SectionStats(
        grades=_grades(students, GRADES[section]),
        girls=round(students * 0.48),
        graduates=students // GRADES[section],
        entrants=None if special else _int(row[f"entrants_{section}"]),
        migrant=migrant,
        buckets=None
        if special
        else _buckets(
            students,
            _maybe(row[f"classes_{section}"]),
            row[f"oversized_classes_{section}"],
            _maybe(row[f"max_class_size_{section}"]),
            LIMIT[section],
        ),
        degrees=_degrees(teachers, _int(row[f"teachers_qualified_{section}"]), section, rng),
        subjects=_subjects(teachers, _int(row[f"teachers_pe_art_{section}"]), rng),
        titles=_titles(teachers, _int(row[f"teachers_senior_title_{section}"]), rng),
        backbone=_int(row[f"teachers_backbone_{section}"]),
    )


def school_stats(row, county_name: str) -> SchoolStats:
    """The statistics forms behind one school of the sample, consistent with its row."""
    year = int(row["year"])
    rng = _rng(row["school_code"], year)
    kind = row["school_type"]
    sections = SECTIONS[kind]
    compulsory = [s for s in sections if s != "senior"]
    migrant = _int(row["migrant_students"])
    students = {s: _int(row[f"students_{s}"]) for s in compulsory}
    total = sum(students.values()) or 1
    first = round(migrant * students[compulsory[0]] / total) if len(compulsory) > 1 else migrant
    shares = {compulsory[0]: first, **({compulsory[1]: migrant - first} if len(compulsory) > 1 else {})}
    seq = int(row["school_code"][-4:])
    teaching, sports = _dec(row["teaching_space_m2"]), _dec(row["sports_area_m2"])
    share = Decimal(str(round(rng.uniform(0.05, 0.15), 3)))
    indoor = Decimal(0) if kind == "teaching_point" else min(sports, round_down(sports * share, "0.1"))
    equipment = Decimal(int(row["equipment_value_yuan"])) / 10000
    computers = _int(row["computers"])
    ground = sports - indoor
    land = round_down(ground * Decimal("2.5") + teaching * Decimal("0.5"), "1")
    whole = {
        "aux": teaching + indoor,
        "indoor": indoor,
        "ground": ground,
        "land": land,
        "green": round_down(land * Decimal("0.3"), "1"),
        "admin": round_down(teaching * Decimal("0.12"), "0.1"),
        "living": round_down(teaching * Decimal("0.3"), "0.1"),
        "other_use": round_down(teaching * Decimal("0.04"), "0.1"),
        "books": _int(row["books"]),
        "computers": computers,
        "computers_total": computers + round(computers * 0.2),
        "multimedia": _int(row["multimedia_rooms"]),
        "equipment": equipment,
        "assets": equipment * 3 + round_down(teaching / 100, "0.0001"),
    }
    location = LOCATIONS[row["location"]][seq % 2]
    private = row["ownership"] == "private"
    return SchoolStats(
        code=row["school_code"],
        name=row["school_name"],
        kind=kind,
        location=location,
        sponsor=("民办", "999") if private else ("地方教育部门", "821"),
        division=f"{row['county_code']}{seq % 30 + 1:03d}{(seq * 7) % 200 + 1:03d}",
        county_code=row["county_code"],
        county_name=county_name,
        counted=kind != "teaching_point",
        sections={s: _section(row, s, shares.get(s, 0), rng) for s in sections},
        whole=whole,
    )


def _split_counts(values: dict, total: int | None = None) -> dict:
    """A campus's share of counts: a quarter of each (rounded down), the last absorbing a total."""
    out = {k: int(v * CAMPUS_SHARE) for k, v in values.items()}
    if total is not None:
        keys = list(out)
        while sum(out.values()) > total:
            k = next(k for k in reversed(keys) if out[k] > 0)
            out[k] -= 1
        out[keys[-1]] += total - sum(out.values())
    return out


def split_campus(school: SchoolStats) -> tuple[SchoolStats, SchoolStats]:
    """A branch campus (不计校数) taken out of ``school``: both add up exactly to the school."""
    campus_sections, parent_sections = {}, {}
    for s, sec in school.sections.items():
        degrees = _split_counts(sec.degrees)
        teachers = sum(degrees.values())
        subjects = _split_counts(sec.subjects, teachers)
        titles = _split_counts(sec.titles, teachers)
        grades = [int(g * CAMPUS_SHARE) for g in sec.grades]
        buckets = None
        if sec.buckets is not None:
            buckets = [0] * len(BUCKETS)
            main = max(range(len(BUCKETS)), key=lambda i: (sec.buckets[i] if BUCKETS[i][1] <= 45 else -1, -i))
            buckets[main] = int(sum(sec.buckets) * CAMPUS_SHARE)
        campus = SectionStats(
            grades=grades,
            girls=int(sec.girls * CAMPUS_SHARE),
            graduates=int(sec.graduates * CAMPUS_SHARE),
            entrants=None if sec.entrants is None else int(sec.entrants * CAMPUS_SHARE),
            migrant=int(sec.migrant * CAMPUS_SHARE),
            buckets=buckets,
            degrees=degrees,
            subjects=subjects,
            titles=titles,
            backbone=int(sec.backbone * CAMPUS_SHARE),
        )
        campus_sections[s] = campus
        parent_sections[s] = SectionStats(
            grades=[a - b for a, b in zip(sec.grades, grades, strict=True)],
            girls=sec.girls - campus.girls,
            graduates=sec.graduates - campus.graduates,
            entrants=None if sec.entrants is None else sec.entrants - campus.entrants,
            migrant=sec.migrant - campus.migrant,
            buckets=None if buckets is None else [a - b for a, b in zip(sec.buckets, buckets, strict=True)],
            degrees={k: v - degrees[k] for k, v in sec.degrees.items()},
            subjects={k: v - subjects[k] for k, v in sec.subjects.items()},
            titles={k: v - titles[k] for k, v in sec.titles.items()},
            backbone=sec.backbone - campus.backbone,
        )
    steps = {"equipment": "0.01", "assets": "0.01"}
    campus_whole = {}
    for k, v in school.whole.items():
        campus_whole[k] = (
            round_down(v * CAMPUS_SHARE, steps.get(k, "0.1"))
            if isinstance(v, Decimal)
            else int(v * CAMPUS_SHARE)
        )
    campus_whole["indoor"] = min(campus_whole["indoor"], campus_whole["aux"])
    parent_whole = {k: v - campus_whole[k] for k, v in school.whole.items()}
    campus = replace(
        school,
        code=f"{school.code[:6]}9{school.code[-3:]}",
        name=f"{school.name}西校区",
        counted=False,
        sections=campus_sections,
        whole=campus_whole,
    )
    return replace(school, sections=parent_sections, whole=parent_whole), campus


def senior_only(county_code: str, county_name: str, year: int) -> SchoolStats:
    """A 高级中学 (senior only): in the 高中 exports, not compulsory education."""
    rng = _rng(f"{county_code}0999", year)
    students, teachers = 1260, 106
    buckets = _buckets(students, 26, 0, None, None)
    section = SectionStats(
        grades=_grades(students, 3),
        girls=610,
        graduates=410,
        entrants=420,
        migrant=0,
        buckets=buckets,
        degrees=_degrees(teachers, teachers, "senior", rng),
        subjects=_subjects(teachers, 12, rng),
        titles=_titles(teachers, 60, rng),
        backbone=9,
    )
    whole = {
        "aux": Decimal("16800.5"),
        "indoor": Decimal("2100"),
        "ground": Decimal("21000"),
        "land": Decimal("60000"),
        "green": Decimal("18000"),
        "admin": Decimal("2000"),
        "living": Decimal("9000"),
        "other_use": Decimal("500"),
        "books": 60000,
        "computers": 300,
        "computers_total": 360,
        "multimedia": 36,
        "equipment": Decimal("420.5"),
        "assets": Decimal("1800"),
    }
    return SchoolStats(
        code=f"{county_code}0999",
        name=f"{county_name}第一高级中学",
        kind="senior_only",
        location=LOCATIONS["urban"][0],
        sponsor=("地方教育部门", "821"),
        division=f"{county_code}001001",
        county_code=county_code,
        county_name=county_name,
        counted=True,
        sections={"senior": section},
        whole=whole,
    )


def kindergartens(county_code: str, county_name: str) -> list[SchoolStats]:
    """Two kindergartens (one public, one private): in a county's folder of school workbooks.

    Not compulsory education: the import lists them as not imported. Their workbooks follow the
    one real export known, a kindergarten's (see school_workbooks.kindergarten_workbook).
    """
    out = []
    for n, (name, sponsor, location) in enumerate(
        (
            (f"{county_name}实验幼儿园", ("地方教育部门", "821"), LOCATIONS["urban"][0]),
            (f"{county_name}小太阳幼儿园", ("民办", "999"), LOCATIONS["town"][0]),
        ),
        start=1,
    ):
        whole = {
            "aux": Decimal(1800 + 400 * n),
            "admin": Decimal(300),
            "living": Decimal(600 + 100 * n),
            "other_use": Decimal(0),
        }
        out.append(
            SchoolStats(
                code=f"{county_code}80{n:02d}",
                name=name,
                kind="kindergarten",
                location=location,
                sponsor=sponsor,
                division=f"{county_code}00{n}0{n}0",
                county_code=county_code,
                county_name=county_name,
                counted=True,
                whole=whole,
            )
        )
    return out


def county_year_stats(schools: pd.DataFrame) -> tuple[list[SchoolStats], list[dict]]:
    """Every institution of one county-year as the exports show it, and the filled parent map.

    One public urban or town primary school is split into itself and a 不计校数 branch campus;
    beside the sample's schools (a special school among them) a 高级中学 and two kindergartens,
    which are not compulsory education.
    """
    first = schools.iloc[0]
    county_code, county_name, year = first["county_code"], first["county_name"], int(first["year"])
    stats = [school_stats(row, county_name) for _, row in schools.iterrows()]
    candidates = [
        i
        for i, (s, (_, row)) in enumerate(zip(stats, schools.iterrows(), strict=True))
        if s.kind == "primary" and row["ownership"] == "public" and row["location"] != "rural"
    ]
    parents = []
    if candidates:
        i = candidates[0]
        stats[i], campus = split_campus(stats[i])
        stats.insert(i + 1, campus)
        parents.append(
            {
                "year": None,
                "county_code": county_code,
                "code": campus.code,
                "name": campus.name,
                "school_type": TYPES["primary"][1],
                "students": sum(sec.students for sec in campus.sections.values()),
                "parent_code": stats[i].code,
                "parent_name": stats[i].name,
            }
        )
    stats.append(senior_only(county_code, county_name, year))
    stats += kindergartens(county_code, county_name)
    return stats, parents


def room_areas(whole: dict) -> dict:
    """The sub-rows of 教学及辅助用房 (not read by the import; they add up)."""
    aux, indoor = whole["aux"], whole["indoor"]
    special = round_down(aux * Decimal("0.15"), "0.1")
    classroom = aux - special - indoor
    return {"classroom": classroom, "special_rooms": special}
