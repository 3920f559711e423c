"""Seeded synthetic school data, shaped on national statistics (issue #3).

One vectorised generator serves the bundled sample province (10 designed counties, see
``sample_province.py``) and the national-scale benchmark dataset (~2,900 counties, ~200,000
schools). Targets: primary schools ≈ 780 students on average, junior ≈ 1,000; primary schools
17% urban / 27% town / 56% rural; 6.2 teachers per 100 primary and 7.9 per 100 junior students,
78% / 92% with a bachelor's degree; ≈ 4.4–5.1 m² teaching space, ≈ 8 m² sports area and
≈ 2,300 yuan equipment per student, urban schools crowded and better equipped, rural the reverse.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from junheng.method.rules import RuleSet

# Schools per county by kind of county (averages; the national generator draws around them).
KINDS = {
    #            primary  tp  junior nine twelve cm  special urban town private
    "district": (38, 0, 14, 4, 1, 2, 1, 0.60, 0.30, 0.10),
    "city": (40, 8, 15, 5, 1, 2, 1, 0.25, 0.35, 0.08),
    "plain": (45, 16, 16, 4, 0, 1, 1, 0.08, 0.28, 0.04),
    "mountain": (28, 34, 10, 6, 0, 1, 1, 0.04, 0.20, 0.0),
    "migrant": (48, 4, 18, 6, 1, 2, 1, 0.30, 0.35, 0.15),
}
TYPES = ["primary", "teaching_point", "junior", "nine_year", "twelve_year", "complete_middle", "special"]
LOCATIONS = np.array(["urban", "town", "rural"], dtype=object)
INDICATORS = ["R1", "R2", "R3", "R4", "R5", "R6", "R7"]
# value / threshold for a typical school, and the urban / town / rural effect on it
BASE_RATIO = np.array([1.40, 1.30, 1.22, 1.10, 1.12, 1.16, 1.14])
LOCATION_EFFECT = np.array(
    [
        [1.04, 1.14, 1.04, 0.93, 0.82, 1.18, 1.08],  # urban: crowded, well equipped
        [1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 1.00],  # town
        [0.96, 0.88, 0.92, 1.08, 1.22, 0.90, 0.94],  # rural: space, fewer things
    ]
)
TEACHERS_PER_STUDENT = {"primary": 0.062, "junior": 0.079}
SPLIT = {
    "nine_year": {"primary": 1.0, "junior": 1.1},
    "twelve_year": {"primary": 1.0, "junior": 1.1, "senior": 1.32},
    "complete_middle": {"junior": 1.0, "senior": 1.2},
}
SUBJECTS = ("数学", "语文", "科学")


def _thresholds() -> dict:
    rules = RuleSet("youzhi-2017")
    return {ind.id: ind for ind in rules.indicators}


def county_plan(rng, codes, names, kinds, scale=1.0, jitter=False) -> pd.DataFrame:
    """One row per county: its kind, school counts per type, location shares, quality, growth."""
    rows = []
    for code, name, kind in zip(codes, names, kinds, strict=False):
        spec = KINDS[kind]
        counts = np.array(spec[:7], dtype=float) * scale
        if jitter:
            counts = rng.poisson(counts)
        rows.append(
            {
                "county_code": code,
                "county_name": name,
                "kind": kind,
                **{f"n_{t}": int(round(c)) for t, c in zip(TYPES, counts, strict=True)},
                "urban": spec[7],
                "town": spec[8],
                "private": spec[9],
                "quality": float(np.clip(rng.normal(1.0, 0.05), 0.88, 1.12)),
                "growth": {"district": 0.02, "migrant": 0.03, "mountain": -0.03}.get(kind, -0.01),
            }
        )
    return pd.DataFrame(rows)


def base_schools(rng, plan: pd.DataFrame) -> pd.DataFrame:
    """The schools of every county (stable across years).

    The schools of every county (stable across years): codes, names, types, locations, sizes, and a latent
    quality per indicator.
    """
    parts = []
    for t in TYPES:
        n = plan[f"n_{t}"].to_numpy()
        parts.append(
            pd.DataFrame(
                {
                    "county_code": np.repeat(plan["county_code"].to_numpy(), n),
                    "school_type": t,
                    "urban": np.repeat(plan["urban"].to_numpy(), n),
                    "town": np.repeat(plan["town"].to_numpy(), n),
                    "private_p": np.repeat(plan["private"].to_numpy(), n),
                }
            )
        )
    s = pd.concat(parts, ignore_index=True)
    n = len(s)
    u = rng.random(n)
    stype = s["school_type"].to_numpy()
    urban, town = s["urban"].to_numpy(), s["town"].to_numpy()
    junior_like = np.isin(stype, ["junior", "complete_middle", "twelve_year"])
    urban = np.where(junior_like, np.minimum(urban * 1.3, 0.9), urban)
    loc = np.where(u < urban, 0, np.where(u < urban + town, 1, 2))
    loc = np.where(stype == "teaching_point", np.where(rng.random(n) < 0.05, 1, 2), loc)
    loc = np.where(stype == "special", 0, loc)
    s["loc"] = loc
    s["location"] = LOCATIONS[loc]
    private = (
        (rng.random(n) < s["private_p"].to_numpy() * 1.5)
        & (loc < 2)
        & np.isin(stype, ["primary", "junior", "nine_year"])
    )
    s["ownership"] = np.where(private, "private", "public")

    def size(mean, sigma, lo, hi):
        return np.clip(np.round(rng.lognormal(np.log(mean), sigma, n)), lo, hi)

    p_mean = np.choose(loc, [1300, 850, 500])
    j_mean = np.choose(loc, [1350, 1050, 620])

    s["size_primary"] = np.select(
        [
            stype == "primary",
            stype == "teaching_point",
            stype == "nine_year",
            stype == "twelve_year",
            stype == "special",
        ],
        [
            size(p_mean, 0.35, 120, 1900),
            size(68, 0.5, 12, 150),
            size(520, 0.35, 80, 1300),
            size(900, 0.25, 300, 1300),
            size(70, 0.3, 20, 160),
        ],
        0,
    )
    s["size_junior"] = np.select(
        [
            stype == "junior",
            stype == "nine_year",
            stype == "twelve_year",
            stype == "complete_middle",
            stype == "special",
        ],
        [
            size(j_mean, 0.3, 150, 1900),
            size(380, 0.35, 60, 1000),
            size(650, 0.25, 200, 1000),
            size(800, 0.3, 200, 1400),
            size(40, 0.3, 10, 90),
        ],
        0,
    )
    s["size_senior"] = np.select(
        [stype == "twelve_year", stype == "complete_middle"],
        [size(750, 0.25, 200, 1200), size(1100, 0.3, 300, 2000)],
        0,
    )
    s["size_primary"] = np.minimum(s["size_primary"], 1950).round()
    s["size_junior"] = np.minimum(s["size_junior"], 1950).round()
    s["latent"] = list(rng.normal(0, 0.11, (n, 7)))
    s["built_year"] = np.where(rng.random(n) < 0.35, rng.integers(2016, 2023, n), rng.integers(1958, 2016, n))
    s["migrant_share"] = np.clip(rng.normal(0.06, 0.04, n), 0, 0.4)
    s["school_seq"] = s.groupby("county_code").cumcount() + 1
    s["school_code"] = s["county_code"] + s["school_seq"].map(lambda i: f"{i:04d}")
    return s.drop(columns=["urban", "town", "private_p"])


def _names(s: pd.DataFrame, county_names: dict) -> pd.Series:
    suffix = {
        "primary": "小学",
        "teaching_point": "教学点",
        "junior": "初级中学",
        "nine_year": "九年一贯制学校",
        "twelve_year": "十二年一贯制学校",
        "complete_middle": "中学",
        "special": "特殊教育学校",
    }
    place = {"urban": "城关", "town": "镇", "rural": "村"}
    stems = "东南西北中新和平安康福兴华阳光明清泉石桥柳林花溪山河湖岭"
    out = []
    for code, seq, t, loc, own in zip(
        s["county_code"], s["school_seq"], s["school_type"], s["location"], s["ownership"], strict=True
    ):
        base = county_names.get(code, "示例县")[:2]
        stem = stems[seq % len(stems)] + stems[(seq * 7) % len(stems)]
        if t == "special":
            out.append(f"{base}特殊教育学校")
            continue
        prefix = "民办" if own == "private" else ""
        out.append(f"{prefix}{base}{stem}{place[loc]}{suffix[t]}")
    return pd.Series(out, index=s.index)


# townships of a sample county: 街道 in the town centre, 镇 and 乡 around it (fictional, like the names)
TOWNSHIPS = {
    "urban": ("东城街道", "西城街道", "南城街道", "北城街道"),
    "town": ("青山镇", "白石镇", "大营镇", "新集镇", "黄庄镇"),
    "rural": ("柳河乡", "杨树乡", "高岭乡", "三道乡", "马场乡", "石门乡"),
}


def townships(codes: pd.Series, locations: pd.Series) -> pd.Series:
    """乡镇（街道） of each school, from its code and location alone (no random draw).

    Two schools get the same name when their sequence numbers differ by a multiple of 30 (the name
    stems repeat): (seq + seq // 30) steps by 31 between them, so they lie in different townships
    unless they are a multiple of 4 (urban), 5 (town) or 6 (rural) such steps apart.
    """
    seq = codes.str[-4:].astype(int)
    return pd.Series(
        [TOWNSHIPS[loc][(n + n // 30) % len(TOWNSHIPS[loc])] for n, loc in zip(seq, locations, strict=True)],
        index=codes.index,
    )


def yearly_schools(rng, base: pd.DataFrame, plan: pd.DataFrame, year: int, ratios=None) -> pd.DataFrame:
    """The schools table of one year.

    ``ratios`` (n × 7, value / threshold) may be given by a caller that shapes a story; otherwise they follow
    the national pattern.
    """
    s = base.copy()
    n = len(s)
    p = plan.set_index("county_code")
    growth = s["county_code"].map(p["growth"]).to_numpy()
    drift = (1 + growth) ** (year - 2024) * rng.normal(1, 0.02, n)
    stype = s["school_type"].to_numpy()
    students = {sec: np.round(s[f"size_{sec}"].to_numpy() * drift) for sec in ("primary", "junior", "senior")}
    single = ~np.isin(stype, ["nine_year", "twelve_year"])
    for sec in ("primary", "junior"):  # G4: keep ordinary schools within 2000 students
        students[sec] = np.where(single, np.minimum(students[sec], 1990), students[sec])
    if ratios is None:
        ratios = default_ratios(rng, s, plan, year)
    thr = _thresholds()
    out = pd.DataFrame(
        {
            "county_code": s["county_code"],
            "county_name": s["county_code"].map(p["county_name"]),
            "year": year,
            "school_code": s["school_code"],
            "school_name": s["school_name"],
            "school_type": stype,
            "ownership": s["ownership"],
            "location": s["location"],
        }
    )
    for sec in ("primary", "junior", "senior"):
        out[f"students_{sec}"] = students[sec]
    # per-section teacher counts from R1-R3 (ceil keeps a passing ratio above its threshold)
    for sec in ("primary", "junior"):
        nsec = students[sec]
        has = nsec > 0

        def count(k, sec=sec, nsec=nsec):
            need = ratios[:, k] * thr[INDICATORS[k]].threshold[sec] * nsec / 100
            return np.where(ratios[:, k] >= 1, np.ceil(need - 1e-9), np.floor(need))

        qualified, backbone, pe_art = count(0), count(1), count(2)
        teachers = np.ceil(nsec * TEACHERS_PER_STUDENT[sec] * rng.normal(1, 0.06, n))
        teachers = np.where(stype == "teaching_point", np.maximum(teachers, 2), teachers)
        teachers = np.maximum.reduce([teachers, qualified, backbone, pe_art])
        small = (
            (stype == "teaching_point") | ((stype == "primary") & (s["location"].to_numpy() == "rural"))
        ) & (nsec < 100)
        itinerant = np.where(small & (sec == "primary") & (rng.random(n) < 0.6), pe_art, 0)
        out[f"teachers_{sec}"] = np.where(has, teachers, 0)
        out[f"teachers_qualified_{sec}"] = np.where(has, qualified, 0)
        out[f"teachers_backbone_{sec}"] = np.where(has, backbone, 0)
        out[f"teachers_pe_art_{sec}"] = np.where(has, pe_art - itinerant, 0)
        out[f"teachers_senior_title_{sec}"] = np.where(has, np.round(teachers * rng.uniform(0.35, 0.6, n)), 0)
        if sec == "primary":
            out["teachers_pe_art_itinerant_primary"] = np.where(has, itinerant, 0)
    # shared facilities sized so that every section of the school reaches ratio × threshold
    weighted = students["primary"] + students["junior"] + students["senior"]
    binding = {}
    for k in (3, 4, 5, 6):
        ind = thr[INDICATORS[k]]
        need = np.zeros(n)
        for t in TYPES:
            mine = stype == t
            w = SPLIT.get(t)
            if w is None:
                sec = "junior" if t == "junior" else "primary"
                need[mine] = ind.threshold[sec]
                continue
            total = sum(wt * students[sc][mine] for sc, wt in w.items())
            weighted[mine] = total
            need[mine] = max(ind.threshold[sc] / w[sc] for sc in w if sc != "senior")
        binding[k] = need
    out["teaching_space_m2"] = np.round(ratios[:, 3] * binding[3] * weighted, 1)
    out["sports_area_m2"] = np.round(ratios[:, 4] * binding[4] * weighted, 1)
    out["equipment_value_yuan"] = np.round(ratios[:, 5] * binding[5] * weighted, -2)
    rooms = ratios[:, 6] * binding[6] * weighted / 100
    out["multimedia_rooms"] = np.where(ratios[:, 6] >= 1, np.ceil(rooms), np.floor(rooms))
    total_students = students["primary"] + students["junior"] + students["senior"]
    out["computers"] = np.round(total_students * rng.uniform(0.10, 0.2, n))
    out["books"] = np.round(
        (students["primary"] * 28 + students["junior"] * 42 + students["senior"] * 50)
        * rng.uniform(0.6, 1.4, n)
    )
    special = stype == "special"
    for col in ("teaching_space_m2", "sports_area_m2", "equipment_value_yuan"):
        out.loc[special, col] = np.round(
            total_students[special]
            * {"teaching_space_m2": 12, "sports_area_m2": 10, "equipment_value_yuan": 5000}[col]
        )
    _optional_columns(rng, out, s, students)
    return out


def default_ratios(rng, s, plan, year) -> np.ndarray:
    """Each school's indicator values as ratios to the threshold, before any story."""
    quality = s["county_code"].map(plan.set_index("county_code")["quality"]).to_numpy()
    latent = np.vstack(s["latent"].to_numpy())
    improvement = 1 + 0.025 * (year - 2024)
    noise = rng.normal(0, 0.03, latent.shape)
    return (
        BASE_RATIO
        * LOCATION_EFFECT[s["loc"].to_numpy()]
        * quality[:, None]
        * improvement
        * np.exp(latent + noise)
    )


def _optional_columns(rng, out, s, students) -> None:
    n = len(out)
    stype = out["school_type"].to_numpy()
    loc = s["loc"].to_numpy()
    target_p = np.choose(loc, [42, 38, 30])
    target_j = np.choose(loc, [47, 45, 40])
    cp = np.where(
        students["primary"] > 0,
        np.ceil(students["primary"] / np.where(stype == "teaching_point", 22, target_p)),
        0,
    )
    cj = np.where(students["junior"] > 0, np.ceil(students["junior"] / target_j), 0)
    out["classes_primary"], out["classes_junior"] = cp, cj
    avg_p = np.where(cp > 0, students["primary"] / np.maximum(cp, 1), np.nan)
    avg_j = np.where(cj > 0, students["junior"] / np.maximum(cj, 1), np.nan)
    # no class larger than the section itself (a teaching point of 13 has no class of 15)
    out["max_class_size_primary"] = np.where(
        cp > 0,
        np.minimum(np.minimum(45, students["primary"]), np.ceil(avg_p) + rng.integers(0, 4, n)),
        np.nan,
    )
    out["max_class_size_junior"] = np.where(
        cj > 0, np.minimum(np.minimum(50, students["junior"]), np.ceil(avg_j) + rng.integers(0, 4, n)), np.nan
    )
    out["oversized_classes_primary"] = np.where(cp > 0, 0, np.nan)
    out["oversized_classes_junior"] = np.where(cj > 0, 0, np.nan)
    rooms = np.maximum(1, np.ceil((cp + cj) / 12))
    out["music_rooms"] = rooms + (rng.random(n) < 0.2)
    out["art_rooms"] = rooms + (rng.random(n) < 0.2)
    built = s["built_year"].to_numpy()
    old = built < 2016
    out["music_room_min_m2"] = np.where(old, rng.integers(74, 110, n), rng.integers(96, 130, n))
    out["art_room_min_m2"] = np.where(old, rng.integers(68, 105, n), rng.integers(90, 125, n))
    out["built_year"] = built
    compulsory = students["primary"] + students["junior"]
    out["migrant_students"] = np.round(compulsory * s["migrant_share"].to_numpy())
    out["boarding"] = np.where(
        (loc == 2) & np.isin(stype, ["junior", "nine_year"]) & (rng.random(n) < 0.6), "yes", "no"
    )
    out["entrants_primary"] = np.round(students["primary"] / 6)
    out["entrants_junior"] = np.round(students["junior"] / 3)
    out["entrants_catchment_primary"] = out["entrants_primary"]
    out["entrants_catchment_junior"] = np.floor(out["entrants_junior"] * rng.uniform(0.96, 1.0, n))
    funded = (
        np.maximum(students["primary"], np.where((loc == 2) | (stype == "teaching_point"), 100, 0)) * 650
        + students["junior"] * 850
    )
    out["public_funds_yuan"] = np.round(funded * rng.uniform(1.0, 1.15, n), -2)
    out["training_funds_yuan"] = np.round(out["public_funds_yuan"] * rng.uniform(0.052, 0.08, n), -2)
    teachers = out["teachers_primary"] + out["teachers_junior"]
    out["teachers_certified"] = teachers
    out["teachers_trained_360h"] = teachers
    out["has_charter"] = "yes"
    out["ict_management"] = "yes"
    out["moral_education_rating"] = rng.choice([3, 4], n, p=[0.6, 0.4])
    special = stype == "special"
    for col in (
        "classes_primary",
        "classes_junior",
        "max_class_size_primary",
        "max_class_size_junior",
        "oversized_classes_primary",
        "oversized_classes_junior",
        "entrants_primary",
        "entrants_junior",
        "entrants_catchment_primary",
        "entrants_catchment_junior",
    ):
        out.loc[special, col] = np.nan


def county_table(rng, schools: pd.DataFrame, plan: pd.DataFrame) -> pd.DataFrame:
    """County-level items G, Q and vetoes, every one passing (stories change them afterwards)."""
    keys = ["county_code", "year"]
    g = schools.groupby(keys)
    teachers = g["teachers_primary"].sum() + g["teachers_junior"].sum()
    junior = g["students_junior"].sum()
    special = (
        schools[schools["school_type"] == "special"]
        .groupby(keys)[["students_primary", "students_junior"]]
        .sum()
        .sum(axis=1)
    )
    c = pd.DataFrame(index=teachers.index)
    m = len(c)
    c["county_name"] = g["county_name"].first()
    for col in (
        "layout_planned",
        "unified_building_standard",
        "unified_staffing_standard",
        "unified_funding_standard",
        "unified_equipment_standard",
        "small_school_funding_ok",
        "performance_pay_budgeted",
        "county_managed_staffing",
        "left_behind_care_system",
    ):
        c[col] = "yes"
    c["layout_evidence"] = "县域义务教育学校布局专项规划（2021—2025年）"
    c["public_funds_benchmark_yuan"] = 650
    c["special_students"] = special.reindex(c.index).fillna(0)
    c["special_public_funds_yuan"] = np.round(c["special_students"] * rng.uniform(6400, 9500, m), -2)
    c["civil_servant_avg_pay_yuan"] = np.round(rng.uniform(85000, 120000, m), -2)
    c["teacher_avg_pay_yuan"] = c["civil_servant_avg_pay_yuan"] + np.round(rng.uniform(200, 4000, m), -2)
    c["teachers_rotation_eligible"] = np.round(teachers * 0.55)
    c["teachers_rotated"] = np.ceil(c["teachers_rotation_eligible"] * rng.uniform(0.105, 0.16, m))
    c["backbone_rotated"] = np.ceil(c["teachers_rotated"] * rng.uniform(0.21, 0.32, m))
    c["quality_hs_places"] = np.round(junior / 3 * 0.45)
    c["quality_hs_places_allocated"] = np.ceil(c["quality_hs_places"] * rng.uniform(0.5, 0.62, m))
    c["quality_hs_places_allocated_rural"] = np.round(
        c["quality_hs_places_allocated"] * rng.uniform(0.4, 0.7, m)
    )
    migrants = g["migrant_students"].sum()
    c["migrant_children_eligible"] = np.round(migrants * 1.04)
    c["migrant_children_public"] = np.ceil(c["migrant_children_eligible"] * rng.uniform(0.86, 0.96, m))
    cohort = np.round(junior / 3)
    c["cohort_grade7_enrolled"] = cohort
    c["cohort_deaths"] = rng.integers(0, 4, m)
    c["cohort_transfers_in"] = np.round(cohort * rng.uniform(0.01, 0.03, m))
    c["cohort_transfers_out"] = np.round(cohort * rng.uniform(0.01, 0.03, m))
    c["cohort_graduates"] = np.round(
        (cohort - c["cohort_deaths"]) * rng.uniform(0.96, 0.995, m)
        + c["cohort_transfers_in"]
        - c["cohort_transfers_out"]
    )
    c["disabled_children_school_age"] = np.round(c["special_students"] * 2.2 + 20)
    c["disabled_children_enrolled"] = np.ceil(
        c["disabled_children_school_age"] * rng.uniform(0.955, 0.995, m)
    )
    c["ict_use_rating"] = rng.choice([3, 4], m)
    c["curriculum_rating"] = rng.choice([3, 4], m)
    c["homework_burden_rating"] = rng.choice([3, 4], m)
    for veto in (
        "exam_admission",
        "illegal_school_choice",
        "key_schools",
        "major_safety_incident",
        "falsified_data",
    ):
        c[f"veto_{veto}"] = "no"
    c["basic_balance_year"] = rng.integers(2013, 2019, m)
    students = g["students_primary"].sum() + junior
    c["resident_population"] = np.round(students * rng.uniform(6.5, 8.0, m), -2)
    return c.reset_index()


def monitoring_table(rng, county: pd.DataFrame) -> pd.DataFrame:
    """The national monitoring table: level and difference rate per county-year, section and subject."""
    rows = (
        county[["county_code", "year"]]
        .merge(pd.DataFrame({"section": ["primary", "junior"]}), how="cross")
        .merge(pd.DataFrame({"subject": list(SUBJECTS)}), how="cross")
    )
    m = len(rows)
    rows["level"] = rng.choice([3, 4], m, p=[0.6, 0.4])
    rows["difference_rate"] = np.round(rng.uniform(0.05, 0.13, m), 3)
    return rows


GROUP_SHARES = {
    "parents": 0.55,
    "teachers": 0.14,
    "principals": 0.02,
    "students": 0.16,
    "deputies": 0.03,
    "cppcc": 0.03,
    "residents": 0.07,
}


def survey_table(rng, county: pd.DataFrame, rate=None) -> pd.DataFrame:
    """The survey table: valid and positive answers per county-year and respondent group."""
    sample = np.ceil(county["resident_population"].to_numpy() * 1.6 / 1000)
    rows = []
    for (code, year), total, r in zip(
        county[["county_code", "year"]].itertuples(index=False),
        sample,
        rng.uniform(0.88, 0.96, len(county)) if rate is None else rate,
        strict=False,
    ):
        for group, share in GROUP_SHARES.items():
            valid = int(max(5, round(total * share)))
            positive = int(round(valid * np.clip(r + rng.normal(0, 0.015), 0, 1)))
            rows.append(
                {
                    "county_code": code,
                    "year": year,
                    "group": group,
                    "valid_answers": valid,
                    "positive_answers": positive,
                }
            )
    return pd.DataFrame(rows)


def national(seed: int = 20240901, counties: int = 2900, years=(2024,)) -> dict:
    """A national-size dataset in the directory-of-tables layout (for benchmarks; not committed)."""
    rng = np.random.default_rng(seed)
    kinds = rng.choice(list(KINDS), counties, p=[0.15, 0.15, 0.40, 0.20, 0.10])
    codes = [f"{11 + i // 100:02d}{i // 10 % 10 + 1:02d}{i % 10 + 1:02d}" for i in range(counties)]
    names = [f"县{i:04d}" for i in range(counties)]
    plan = county_plan(rng, codes, names, kinds, scale=0.9, jitter=True)
    base = base_schools(rng, plan)
    base["school_name"] = [f"学校{c}" for c in base["school_code"]]
    schools = pd.concat([yearly_schools(rng, base, plan, y) for y in years], ignore_index=True)
    county = county_table(rng, schools, plan)
    return {
        "schools": schools,
        "county": county,
        "monitoring": monitoring_table(rng, county),
        "survey": survey_table(rng, county),
    }
