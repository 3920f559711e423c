"""The optimal plan (达标测算): the least-cost additions that make a county pass Part R.

    import junheng
    from junheng.planning.optimal import optimal_plan

    c = junheng.county("990181", 2024)
    result = optimal_plan(c)             # settings: plan.yaml `optimal` (docs/optimal.md)
    result.rows                          # one row per school and measure: quantity, cost, reason
    result.changes                       # the same as a change set: c.with_changes(result.changes)
    result.summary                       # status, totals, the solver's bound

The model (docs/optimal.md): for every in-scope section-school i and indicator k of Part R the
ratio to the standard is r_ik = scale_k (base_ik + Σ_j a_ij x_j) / (students_i T_k), linear in the
additions x_j (teachers, rooms: whole numbers; m², yuan: continuous). The school rule (R rule 1) is
r_ik ≥ 0.85 for every k and r_ik ≥ y_ik with Σ_k y_ik ≥ 6, y binary; an indicator a school already
meets keeps being met and needs no binary, and a school missing at most one indicator needs none
at all. Each coefficient limit (R rule 2) is a second-order cone in the same ratios:
sqrt(Σ w_i (r_i − μ)²) ≤ L μ with μ = Σ w_i r_i and w_i = students_i / students. The objective is
the cost: one-off costs plus recurring costs over ``horizon_years``. SCIP (pyscipopt) solves the
mixed-integer conic programme and reports whether the answer is proven optimal, with its bound.

The answer is then made exact: continuous amounts are rounded up to 0.01, every rule is checked
again with the method's own comparisons, and additions are trimmed until taking away one whole unit
or 1 % of a continuous amount makes some rule fail (irreducible).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from junheng.i18n import pick, t
from junheng.planning.config import PlanConfig, load_config
from junheng.planning.optimal_settings import MEASURES, Settings

HIRES = ("R1", "R3")  # a new post: the section's full-time teachers grow too
# a teacher the plan hires or moves counts in these school figures as well (G9: trained 360 hours in
# five years, G12: certified), where the school gives them: the post is filled by a certified teacher
# in the training cycle, or the plan's own hires would fail G9 and G12 (990121: G9 99.9%)
COUNTED_AS = ("teachers_trained_360h", "teachers_certified")
TEACHERS = ("R1", "R2", "R3")  # section columns; the others are counted once per school
MARGIN = 1e-6  # the solver's constraints are tightened by this (its tolerance is 1e-6)
# Continuous additions (m², yuan) are rounded up to their indicator's `add_step` (rules YAML: whole m²,
# equipment to the hundred yuan): a budget line never carries a fraction of a unit, and the plan's rows,
# the report's 达标测算 and the rectification plan show one and the same amount.


@dataclass
class Model:
    """The arrays of one county-year's optimisation (built by `build`)."""

    sec: pd.DataFrame  # in-scope section-schools (rows i)
    inds: list  # indicator specs (columns k)
    base: np.ndarray  # numerators (i, k)
    coef: np.ndarray  # ratio to the standard per unit of numerator (i, k)
    limit: dict  # section -> coefficient limit
    min_met: int
    floor: float
    vars: pd.DataFrame  # additions (rows j): school, section, k, column, integer, cost, cap ...
    terms: list  # per j: list of (i, a): numerator of i in k_j grows by a per unit


def _prepare(m: Model) -> None:
    """Arrays reused by every check: where each addition goes, section rows and weights."""
    if getattr(m, "_v", None) is not None:
        return
    nk = len(m.inds)
    m._v = {col: m.vars[col].to_numpy() for col in m.vars.columns}
    ks = m._v["k"].astype(int) if len(m.vars) else np.array([], dtype=int)
    m._k = ks
    # every (row, amount) of every addition in one pair of arrays, each addition's a slice of them
    lengths = np.array([len(terms) for terms in m.terms], dtype=int)
    rows = np.array([i for terms in m.terms for i, _a in terms], dtype=int)
    amounts = np.array([a for terms in m.terms for _i, a in terms], dtype=float)
    ends = np.cumsum(lengths)
    spans = zip((ends - lengths).tolist(), ends.tolist(), strict=True)
    m._cols = [(rows[a:e], amounts[a:e]) for a, e in spans]
    m._var_of = np.repeat(np.arange(len(lengths)), lengths)
    m._flat = rows * nk + ks[m._var_of] if len(rows) else np.array([], int)
    m._a = amounts
    section = m.sec["section"].to_numpy()
    students = m.sec["students"].to_numpy(dtype=float)
    m._sections = {}
    for sec in m.limit:
        idx = np.flatnonzero(section == sec)
        if len(idx):
            m._sections[sec] = (idx, students[idx] / students[idx].sum())
    m._section_of = section
    m._position = np.zeros(len(section), dtype=int)  # row i is m._sections[section][0][position]
    for idx, _w in m._sections.values():
        m._position[idx] = np.arange(len(idx))


def _ratios(m: Model, x: np.ndarray) -> np.ndarray:
    _prepare(m)
    num = m.base.copy().ravel()
    if len(x):
        np.add.at(num, m._flat, m._a * x[m._var_of])
    return num.reshape(m.base.shape) * m.coef


def _school_ok(m: Model, r: np.ndarray) -> np.ndarray:
    from junheng.method.tolerance import reaches

    met = reaches(r, 1.0)
    return (met.sum(axis=1) >= m.min_met) & (met | reaches(r, m.floor)).all(axis=1)


def _cv(v: np.ndarray, w: np.ndarray) -> float:
    mu = float(w @ v)
    return math.sqrt(float(w @ (v - mu) ** 2)) / mu if mu else math.inf


def check(m: Model, x: np.ndarray) -> dict:
    """The school rule and every coefficient for additions ``x``, with the method's comparisons."""
    from junheng.method.tolerance import within

    r = _ratios(m, x)
    schools = _school_ok(m, r)
    cvs = {}
    for section, (rows, w) in m._sections.items():
        limit = m.limit[section]
        for k, ind in enumerate(m.inds):
            cv = _cv(r[rows, k], w)
            cvs[(section, ind.id)] = (cv, limit, bool(within(cv, limit)))
    passed = bool(schools.all()) and all(v[2] for v in cvs.values())
    return {"ratios": r, "schools": schools, "cv": cvs, "passed": passed}


def _local(m: Model, r: np.ndarray, j: int, delta: float) -> tuple[np.ndarray, list, dict]:
    """The effect of changing addition ``j`` by ``delta`` from ratios ``r``.

    Returns the rows touched, their school-rule results and the coefficients of their
    sections in that indicator (only what the change can alter).
    """
    k = int(m._k[j])
    idx, a = _column(m, j)
    touched = r[idx].copy()
    touched[:, k] += a * delta * m.coef[idx, k]
    ok = _school_ok(m, touched)
    cvs = {}
    for sec in {m._section_of[i] for i in idx}:
        rows, w = m._sections[sec]
        v = r[rows, k].copy()
        pos = np.searchsorted(rows, idx)
        mine = m._section_of[idx] == sec
        v[pos[mine]] = touched[mine, k]
        cvs[(sec, m.inds[k].id)] = _cv(v, w)
    return idx, ok, cvs


class Spreads:
    """The coefficients of every section and indicator at ratios ``r``, asked again after a small change.

    `polish` and `_reasons` ask, for one addition at a time, whether the coefficients of its sections
    stay within a bound if that addition changes. Recomputing a coefficient costs a pass over every
    school of the section (`_cv`), and one is asked for every trial: quadratic in schools. Here each
    (section, indicator) keeps its weighted mean μ = Σ w v and squared deviations M = Σ w (v − μ)²;
    a change of a few ratios v_p by d_p gives, for any centre c (here the stored μ, Σ w = 1),

        μ' = μ + Σ w_p d_p,   M' = M + Σ w_p ((v_p + d_p − c)² − (v_p − c)²) − (μ' − c)²

    in O(changed rows). The answer is the same as `_cv`'s, not an approximation of it: each stored
    sum carries a bound on its rounding error (ε (n + 8) per sum of n terms, sixteen times over, as
    for `_cv`'s own sums), and an estimate not clearly on one side of the bound is decided by `_cv`
    itself. `accept` updates the sums the same way and adds its error; after `REFRESH` updates a
    (section, indicator) is summed afresh (`tests/test_optimal_incremental.py`).
    """

    EPS = float(np.finfo(float).eps)
    REFRESH = 16

    def __init__(self, m: Model, r: np.ndarray, scratch: bool = False):
        self.m = m
        self.r = r  # updated in place by `accept`
        self.scratch = scratch  # every answer from `_cv` (the quadratic reference, for tests and benchmarks)
        self.sums: dict = {}  # (section, k) -> [μ, M, error of M, error of μ, updates]
        self.exact = 0  # how many answers needed `_cv`
        self.asked = 0

    def _g(self, sec) -> float:
        return 16 * (len(self.m._sections[sec][0]) + 8) * self.EPS

    def _sums(self, sec, k: int) -> list:
        key = (sec, k)
        if key not in self.sums:
            rows, w = self.m._sections[sec]
            v = self.r[rows, k]
            # pairwise sums, not BLAS: OpenBLAS splits a dot product of more than 10,000 terms
            # between threads, thousands of times slower on a loaded machine
            mu = float(np.sum(w * v))
            m2 = float(np.sum(w * (v - mu) ** 2))
            g = self._g(sec)
            self.sums[key] = [mu, m2, g * abs(m2) + (g * mu) ** 2, g * abs(mu), 0]
        return self.sums[key]

    def _update(self, sec, k: int, pos: np.ndarray, old: np.ndarray, value: np.ndarray) -> list:
        """The sums with rows ``pos`` of the section changed from ``old`` to ``value``, with their errors."""
        mu, m2, err, drift, updates = self._sums(sec, k)
        w = self.m._sections[sec][1][pos]
        g = self._g(sec)
        shift = float(np.sum(w * (value - old)))
        plus, minus = float(np.sum(w * (value - mu) ** 2)), float(np.sum(w * (old - mu) ** 2))
        m2_new = m2 + plus - minus - shift * shift
        # the stored μ is off by `drift`: M' is off by 2 drift |shift| more, and rounding here
        err_new = err + 2 * drift * abs(shift) + g * (abs(m2) + plus + minus + shift * shift + abs(m2_new))
        return [mu + shift, m2_new, err_new, drift + g * (abs(mu) + abs(shift)), updates + 1]

    def changed(self, idx: np.ndarray, k: int, new: np.ndarray) -> dict:
        """Per section of rows ``idx``: (estimated coefficient, allowance, exact) with rows idx at ``new``.

        ``exact()`` is `_cv` of the section's ratios with the change (a pass over the section); it
        lies within ``allowance`` of the estimate.
        """
        m = self.m
        out = {}
        sections = m._section_of[idx]
        for sec in dict.fromkeys(sections):  # in the order of the rows, as `_local` builds its dict
            rows, w = m._sections[sec]
            mine = sections == sec
            pos = m._position[idx[mine]]
            value = new[mine]
            mu, m2, err, drift, _n = self._update(sec, k, pos, self.r[idx[mine], k], value)
            g = self._g(sec)
            spread = err + g * abs(m2) + (g * mu) ** 2 + drift**2  # and `_cv`'s own rounding
            rel = 2 * (drift + g * abs(mu)) / mu if mu > 0 else math.inf
            if mu > 0 and m2 >= 0 and rel < 0.5 and math.isfinite(m2) and math.isfinite(spread):
                estimate = math.sqrt(m2) / mu
                high = math.sqrt(m2 + spread) / mu * (1 + rel)
                low = math.sqrt(max(m2 - spread, 0.0)) / mu * (1 - rel)
                allowance = max(high - estimate, estimate - low)
            else:
                estimate, allowance = math.nan, math.inf

            def exact(rows=rows, w=w, pos=pos, value=value):
                self.exact += 1
                v = self.r[rows, k].copy()
                v[pos] = value
                return _cv(v, w)

            out[sec] = (estimate, allowance, exact)
        return out

    def within(self, idx: np.ndarray, k: int, new: np.ndarray, bound) -> dict:
        """Per section of rows ``idx``: whether its coefficient, rows idx at ``new``, is ≤ ``bound(section)``.

        The same answer as ``_cv(...) <= bound(section)`` on the changed ratios.
        """
        out = {}
        for sec, (estimate, allowance, exact) in self.changed(idx, k, new).items():
            b = bound(sec)
            self.asked += 1
            if self.scratch:
                out[sec] = bool(exact() <= b)
            elif estimate + allowance < b:
                out[sec] = True
            elif estimate - allowance > b:
                out[sec] = False
            else:
                out[sec] = bool(exact() <= b)
        return out

    def accept(self, idx: np.ndarray, k: int, value: np.ndarray) -> None:
        """Set rows ``idx`` of indicator ``k`` to ``value`` (in place) and update their sections' sums."""
        m = self.m
        sections = m._section_of[idx]
        for sec in dict.fromkeys(sections):
            mine = sections == sec
            sums = self._update(sec, k, m._position[idx[mine]], self.r[idx[mine], k], value[mine])
            if sums[4] < self.REFRESH and math.isfinite(sums[1]) and math.isfinite(sums[2]):
                self.sums[(sec, k)] = sums
            else:
                self.sums.pop((sec, k), None)  # summed afresh when next asked
        self.r[idx, k] = value


def _column(m: Model, j: int) -> tuple[np.ndarray, np.ndarray]:
    """The section-school rows addition ``j`` adds to, and how much per unit."""
    return m._cols[j]


# -- building the model ---------------------------------------------------------------------------
def _cap(settings: Settings, school: str, measure: str):
    if not settings.caps:
        return math.inf
    for key in (school, "*"):
        caps = settings.caps.get(key) or settings.caps.get(str(key)) or {}
        if measure in caps and caps[measure] is not None:
            return float(caps[measure])
    return math.inf


def _unit_cost(config: PlanConfig | None, settings: Settings, measure: str) -> tuple:
    """(objective weight per unit, unit cost or None, recurring) of a measure."""
    entry = config.entry("measures", measure) if config is not None else {}
    cost = entry.get("unit_cost")
    recurring = bool(entry.get("recurring", False))
    if cost is None:
        weight = float(settings.weights.get(measure, 0) or 0)
        return max(weight, 1e-3), None, recurring
    return float(cost) * (settings.horizon_years if recurring else 1) + 1e-3, float(cost), recurring


def _schools(codes: pd.Series) -> list:
    """(school code, its rows) in the order schools first appear, as ``groupby(sort=False).groups``."""
    ids, uniques = pd.factorize(codes, sort=False)
    order = np.argsort(ids, kind="stable")
    order = order[ids[order] >= 0]  # no code: no school (as groupby drops it)
    cuts = np.flatnonzero(np.diff(ids[order])) + 1
    return [(uniques[ids[g[0]]], g.tolist()) for g in np.split(order, cuts)] if len(order) else []


def build(c, config: PlanConfig | None = None, settings: Settings | None = None) -> Model:
    """The optimisation arrays of an evaluated county-year (`junheng.county`)."""
    settings = settings or Settings()
    rules = c.rules
    inds = [i for i in rules.indicators if i.threshold]
    sec = c.evaluated_schools.reset_index(drop=True)
    n = len(sec)
    base = np.zeros((n, len(inds)))
    coef = np.zeros((n, len(inds)))
    students = sec["students"].to_numpy(dtype=float)
    for k, ind in enumerate(inds):
        base[:, k] = (
            sec[f"num_{ind.key}"].to_numpy(dtype=float)
            if f"num_{ind.key}" in sec
            else (sec[f"value_{ind.key}"].to_numpy(dtype=float) * students / ind.scale)
        )
        threshold = sec["section"].map(ind.threshold).to_numpy(dtype=float)
        coef[:, k] = ind.scale / (students * threshold)
    rows, terms = [], []
    ownership = sec["ownership"].to_numpy()
    shares = sec["share"].to_numpy(dtype=float) if "share" in sec else np.ones(n)
    pairs = zip(sec["school_code"], sec["section"], strict=True)
    per_section = [((code, s), [i]) for i, (code, s) in enumerate(pairs)]
    per_school = [((code, None), idx) for code, idx in _schools(sec["school_code"])]
    for k, ind in enumerate(inds):
        measure, column = MEASURES[ind.id]
        weight, unit_cost, recurring = _unit_cost(config, settings, measure)
        groups = per_section if ind.id in TEACHERS else per_school
        for (code, section), idx in groups:
            private = ownership[idx[0]] == "private"
            if ind.id in TEACHERS:
                col = f"{column}_{section}"
                share = [(i, 1.0) for i in idx]
            else:
                col = column
                share = [(i, float(shares[i]) if shares[i] == shares[i] else 1.0) for i in idx]
            rows.append(
                {
                    "school_code": code,
                    "section": section,
                    "k": k,
                    "indicator": ind.id,
                    "measure": measure,
                    "column": col,
                    "extra_column": f"teachers_{section}" if ind.id in HIRES else None,
                    "integer": bool(ind.integer_add),
                    "step": 1.0 if ind.integer_add else float(ind.add_step or 1.0),
                    "weight": weight,
                    "unit_cost": unit_cost,
                    "recurring": recurring,
                    "cap": _cap(settings, code, measure),
                    "payer": "sponsor" if private else "public",
                    "kind": "add",
                }
            )
            terms.append(share)
    if settings.transfers:
        for k, ind in enumerate(inds):
            if ind.id not in TEACHERS:
                continue
            measure, column = MEASURES[ind.id]
            for i, (code, section) in enumerate(zip(sec["school_code"], sec["section"], strict=True)):
                for kind, a in (("transfer_in", 1.0), ("transfer_out", -1.0)):
                    cap = math.floor(base[i, k]) if kind == "transfer_out" else math.inf
                    if kind == "transfer_out" and (base[i, k] * coef[i, k] < 1 or ownership[i] == "private"):
                        cap = 0
                    if kind == "transfer_in" and ownership[i] == "private":
                        cap = 0
                    rows.append(
                        {
                            "school_code": code,
                            "section": section,
                            "k": k,
                            "indicator": ind.id,
                            "measure": measure,
                            "column": f"{column}_{section}",
                            "extra_column": f"teachers_{section}",
                            "integer": True,
                            "step": 1.0,
                            "weight": float(settings.transfer_cost) / 2 + 1e-3,
                            "unit_cost": None,
                            "recurring": False,
                            "cap": cap,
                            "payer": "public",
                            "kind": kind,
                        }
                    )
                    terms.append([(i, a)])
    limit = dict(rules.cv_limit or {})
    rule = rules.school_rule or {"min_met": len(inds), "floor_ratio": 1.0}
    m = Model(
        sec,
        inds,
        base,
        coef,
        limit,
        int(rule["min_met"]),
        float(rule["floor_ratio"]),
        pd.DataFrame(rows),
        terms,
    )
    _prepare(m)
    return m


# -- solving --------------------------------------------------------------------------------------
@dataclass
class Solution:
    """What the solver returned, before rounding."""

    x: np.ndarray
    # optimal (proved), best_found (a solution at a time or node limit: valid, not proved least-cost),
    # infeasible (proved: no plan passes), not_found (a limit reached without any solution: unknown)
    status: str
    objective: float
    bound: float
    gap: float
    seconds: float
    relaxed: bool = False  # solved with the school rule and coefficients made soft (cannot pass)
    solver_status: str = ""  # SCIP's own word: optimal, infeasible, timelimit, nodelimit ...


def _solve(m: Model, settings: Settings, cones: set, soft: bool = False) -> Solution:
    from pyscipopt import Model as Scip
    from pyscipopt import quicksum

    start = time.perf_counter()
    r0 = m.base * m.coef
    s = Scip()
    s.hideOutput()
    s.setParam("limits/time", float(settings.time_limit))
    s.setParam("limits/gap", 0.0)
    nv = len(m.vars)
    x = []
    integer = m.vars["integer"].to_numpy()
    cap = m.vars["cap"].to_numpy(dtype=float)
    # continuous additions in units of what the school needs from zero (numbers near 1)
    scale = np.ones(nv)
    for j in range(nv):
        if not integer[j]:
            k = m._v["k"][j]
            scale[j] = max(1.0 / max(m.coef[i, k] * a, 1e-12) for i, a in m.terms[j])
    for j in range(nv):
        ub = cap[j] / scale[j] if math.isfinite(cap[j]) else None
        x.append(s.addVar(f"x{j}", vtype="I" if integer[j] else "C", lb=0, ub=ub))
    # ratio expressions (only where something can be added)
    contrib: dict = {}
    for j, terms in enumerate(m.terms):
        k = m._v["k"][j]
        for i, a in terms:
            contrib.setdefault((i, k), []).append((j, a * m.coef[i, k] * scale[j]))

    def ratio(i, k):
        return r0[i, k] + quicksum(w * x[j] for j, w in contrib.get((i, k), []))

    give_up = {}
    objective = quicksum(m._v["weight"][j] * scale[j] * x[j] for j in range(nv))
    penalty = 0
    if soft:
        penalty = 10 * (float(m.vars["weight"].max()) * 1e6 + 1)
    nk = len(m.inds)
    kinds = m.vars["kind"].to_numpy()
    for i in range(len(m.sec)):
        missed = [k for k in range(nk) if r0[i, k] < 1]
        can_drop = {
            k for k in range(nk) if any(kinds[j] == "transfer_out" for j, _ in contrib.get((i, k), []))
        }
        if not missed and not can_drop:
            continue
        g = 0
        if soft:
            g = give_up[i] = s.addVar(f"g{i}", vtype="B")
        for k in range(nk):
            if (i, k) not in contrib:
                continue
            if r0[i, k] >= 1:
                if k in can_drop:  # a donor keeps meeting the standard of the teachers it gives
                    s.addCons(ratio(i, k) >= min(1 + MARGIN, r0[i, k]) - 2 * g)
                continue
            if r0[i, k] < m.floor:
                s.addCons(ratio(i, k) >= m.floor + MARGIN - 2 * g)
        if len(missed) > len(m.inds) - m.min_met:
            ys = []
            for k in missed:
                y = s.addVar(f"y{i}_{k}", vtype="B")
                ys.append(y)
                if (i, k) in contrib:
                    s.addCons(ratio(i, k) >= (1 + MARGIN) * y)
                else:
                    s.addCons(y <= 0)
            s.addCons(quicksum(ys) >= len(missed) - (len(m.inds) - m.min_met) - len(missed) * g)
    slack = {}
    for section, k in sorted(cones):
        limit = m.limit[section]
        rows = np.flatnonzero(m.sec["section"].to_numpy() == section)
        w = m.sec["students"].to_numpy()[rows].astype(float)
        w = w / w.sum()
        mu = s.addVar(f"mu_{section}_{k}", lb=float(w @ r0[rows, k]) * 0.5)
        s.addCons(mu == quicksum(float(w[n]) * ratio(i, k) for n, i in enumerate(rows)))
        ds = []
        for n, i in enumerate(rows):
            d = s.addVar(f"d_{section}_{k}_{i}", lb=None)
            s.addCons(d == math.sqrt(w[n]) * (ratio(i, k) - mu))
            ds.append(d)
        top = s.addVar(f"t_{section}_{k}", lb=0)
        if soft:
            e = slack[(section, k)] = s.addVar(f"e_{section}_{k}", lb=0)
            s.addCons(top == (limit - MARGIN) * mu + e)
            penalty_e = penalty
            objective = objective + penalty_e * e
        else:
            s.addCons(top == (limit - MARGIN) * mu)
        s.addCons(quicksum(d * d for d in ds) <= top * top)
    for measure, total in (settings.total_caps or {}).items():
        js = [j for j in range(nv) if m._v["measure"][j] == measure and kinds[j] == "add"]
        if js and total is not None:
            s.addCons(quicksum(scale[j] * x[j] for j in js) <= float(total))
    # transfers are budget-neutral: as many teachers leave as arrive, per section and indicator
    if (kinds != "add").any():
        for _key, grp in m.vars[kinds != "add"].groupby(["section", "k"]):
            s.addCons(quicksum((1 if kinds[j] == "transfer_in" else -1) * x[j] for j in grp.index) == 0)
    if soft:
        objective = objective + penalty * quicksum(give_up.values())
    s.setObjective(objective, "minimize")
    s.optimize()
    status = s.getStatus()
    seconds = time.perf_counter() - start
    if s.getNSols() == 0:
        bound = float(s.getDualbound())  # ±1e20 (SCIP's infinity) before any bound is known
        return Solution(
            np.zeros(nv),
            _word(status, has_solution=False),
            math.nan,
            math.nan if s.isInfinity(abs(bound)) else bound,
            math.nan,
            seconds,
            soft,
            status,
        )
    sol = s.getBestSol()
    values = np.array([s.getSolVal(sol, v) for v in x]) * scale
    values = np.where(integer, np.round(values), np.maximum(values, 0))
    return Solution(
        values,
        _word(status, has_solution=True),
        float(s.getObjVal()),
        float(s.getDualbound()),
        float(s.getGap()),
        seconds,
        soft,
        status,
    )


def _word(scip_status: str, has_solution: bool) -> str:
    """The plan's status from SCIP's: only a proof says optimal or infeasible.

    Without a solution, "infeasible" (and "inforunbd": the cost is bounded below by 0, so not
    unbounded) is a proof that no plan passes; a time, node, memory or other limit proves nothing
    (``not_found``). With one, only "optimal" proves it least-cost; any limit gives ``best_found``.
    """
    if has_solution:
        return "optimal" if scip_status == "optimal" else "best_found"
    return "infeasible" if scip_status in ("infeasible", "inforunbd") else "not_found"


def _needed_cones(m: Model, x: np.ndarray, margin: float = 0.9) -> set:
    """The coefficients that fail, or come within 10 % of their limit, at additions ``x``."""
    out = set()
    for (section, ind_id), (cv, limit, _ok) in check(m, x)["cv"].items():
        if not (cv <= margin * limit):
            out.add((section, next(k for k, i in enumerate(m.inds) if i.id == ind_id)))
    return out


def solve(m: Model, settings: Settings) -> Solution:
    """Solve, adding a coefficient's cone only where it is needed (checked after each solve)."""
    cones = _needed_cones(m, np.zeros(len(m.vars)))
    total = 0.0
    for _ in range(8):
        sol = _solve(m, settings, cones)
        total += sol.seconds
        if sol.status == "infeasible":  # proved: the nearest plan, the rules made soft
            proof = sol.solver_status
            sol = _solve(m, settings, cones | _all_cones(m), soft=True)
            sol.seconds += total
            sol.status, sol.solver_status = "infeasible", f"{proof}; nearest plan: {sol.solver_status}"
            return sol
        if sol.status == "not_found":  # a limit without a solution: unknown whether a plan passes
            sol.seconds = total
            return sol
        more = _needed_cones(m, sol.x) - cones
        if not more:
            sol.seconds = total
            return sol
        cones |= more
    sol.seconds = total
    return sol


def _all_cones(m: Model) -> set:
    return {(s, k) for s in m.limit for k in range(len(m.inds)) if (m.sec["section"] == s).any()}


# -- exact amounts and irreducibility ----------------------------------------------------------------
def _round_up(x: np.ndarray, integer: np.ndarray, step: np.ndarray) -> np.ndarray:
    return np.where(integer, np.round(x), np.ceil(np.round(x / step, 6)) * step)


def _steps(m: Model) -> np.ndarray:
    """The unit each addition is rounded up to (1 for teachers and rooms, `add_step` otherwise)."""
    if not len(m.vars):
        return np.ones(0)
    return m.vars["step"].to_numpy(dtype=float) if "step" in m.vars else np.ones(len(m.vars))


def polish(m: Model, x: np.ndarray, target: bool, scratch: bool = False) -> np.ndarray:
    """Round continuous amounts up to their steps (whole m², 100 yuan) and trim what the rules do not need.

    ``target``: whether the additions pass every rule; trimming keeps what passes passing (and,
    for a county that cannot pass, keeps every rule that the additions meet and lets no
    coefficient get worse). ``scratch``: recompute every coefficient from scratch (`Spreads`; the same
    answer, quadratic in schools: the reference of tests and `benchmarks/optimal_benchmark.py`).
    """
    _prepare(m)
    integer = m.vars["integer"].to_numpy()
    steps = _steps(m)
    x = _round_up(np.maximum(x, 0), integer, steps)
    kinds = m.vars["kind"].to_numpy()
    if target and not check(m, x)["passed"]:
        # the solver's tolerance left a hair short: raise continuous amounts a little
        for factor in (1e-6, 1e-5, 1e-4, 1e-3):
            y = _round_up(x * (1 + factor) + (~integer) * steps * (x > 0), integer, steps)
            if check(m, y)["passed"]:
                x = y
                break
    base = check(m, x)
    passing = base["schools"]
    ceiling = {key: max(cv, limit) * (1 + 1e-9) for key, (cv, limit, _ok) in base["cv"].items()}
    spreads = m._spreads = Spreads(m, base["ratios"].copy(), scratch)
    r = spreads.r

    def trial(j, delta):
        """The rows addition ``j`` adds to, its indicator, and their ratios if it changes by ``delta``."""
        idx, a = _column(m, j)
        k = int(m._k[j])
        touched = r[idx].copy()
        touched[:, k] += a * delta * m.coef[idx, k]
        return idx, k, touched

    def keeps(j, delta):
        """Every school that passes still passes, no coefficient gets worse than it is or its limit.

        The same answer as `_local` and `_cv` from scratch, in O(rows of ``j``) (`Spreads`).
        """
        idx, k, touched = trial(j, delta)
        if (passing[idx] & ~_school_ok(m, touched)).any():
            return False
        ind = m.inds[k].id
        return all(spreads.within(idx, k, touched[:, k], lambda sec: ceiling[(sec, ind)]).values())

    def accept(j, value):
        idx, k, touched = trial(j, value - x[j])
        spreads.accept(idx, k, touched[:, k])
        x[j] = value

    changed = True
    while changed:
        changed = False
        order = np.argsort(-(m.vars["weight"].to_numpy() * x))  # the dearest first
        for j in order:
            if x[j] <= 0 or kinds[j] != "add":
                continue
            if integer[j]:
                while x[j] >= 1 and keeps(j, -1.0):
                    accept(j, x[j] - 1)
                    changed = True
            else:
                unit = steps[j]
                step = round(x[j] - unit, 6)  # one step less: trim to the least amount that keeps
                if step < 0 or not keeps(j, step - x[j]):
                    continue
                if keeps(j, -x[j]):
                    accept(j, 0.0)
                    changed = True
                    continue
                lo, hi = 0.0, step  # bisection between what fails and what keeps
                for _ in range(40):
                    mid = (lo + hi) / 2
                    if keeps(j, mid - x[j]):
                        hi = mid
                    else:
                        lo = mid
                    if hi - lo < unit / 4:
                        break
                value = math.ceil(round(hi / unit, 6)) * unit
                accept(j, value if keeps(j, value - x[j]) else step)
                changed = True
    return x


# -- the result -----------------------------------------------------------------------------------
@dataclass
class OptimalPlan:
    """The optimal plan of a county-year: rows, change set, summary (see the module docstring)."""

    rows: pd.DataFrame
    changes: pd.DataFrame
    summary: dict
    failing: list = field(default_factory=list)  # rules still failing (cannot pass under the caps)
    model: Model | None = None  # the arrays solved (`build`) and the amounts per variable
    x: np.ndarray | None = None

    def to_dict(self) -> dict:
        """Summary, rows, change set and what still fails, as plain data (``junheng plan --json``).

        Strict JSON: a missing number (no unit cost, no bound) is None, never NaN.
        """
        return _plain(
            {
                "summary": self.summary,
                "rows": self.rows.to_dict("records"),
                "changes": self.changes.to_dict("records"),
                "failing": self.failing,
            }
        )


def _plain(value):
    """Numbers as Python floats and ints, NaN as None, through dicts and lists."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    return value


def _reasons(m: Model, x: np.ndarray, scratch: bool = False) -> list:
    """Why each addition is there: the school rule, a coefficient, or both.

    An addition serves the school rule when, without it, one of its schools would fail; it serves a
    coefficient when, without it, that coefficient would fail.
    """
    from junheng.method.tolerance import TOLERANCE

    full = check(m, x)
    r = full["ratios"]
    spreads = Spreads(m, r, scratch)
    out = []
    for j in range(len(m.vars)):
        if x[j] <= 0:
            out.append("")
            continue
        kind = m._v["kind"][j]
        if kind != "add":
            out.append(kind)
            continue
        # what `_local(m, r, j, -x[j])` gives, each coefficient in O(rows of j) (`Spreads`)
        idx, a = _column(m, j)
        k = int(m._k[j])
        touched = r[idx].copy()
        touched[:, k] += a * -x[j] * m.coef[idx, k]
        school = bool((full["schools"][idx] & ~_school_ok(m, touched)).any())
        ind = m.inds[k].id
        passing = [sec for sec in dict.fromkeys(m._section_of[idx]) if full["cv"][(sec, ind)][2]]
        limits = {sec: full["cv"][(sec, ind)][1] * (1 + TOLERANCE) for sec in m._section_of[idx]}
        stays = spreads.within(idx, k, touched[:, k], limits.__getitem__)
        coeff = any(not stays[sec] for sec in passing)
        out.append("both" if school and coeff else "coefficient" if coeff else "school")
    return out


def everything(m: Model) -> np.ndarray:
    """The additions that bring every school to every standard (the plan without optimisation)."""
    x = np.zeros(len(m.vars))
    for j, terms in enumerate(m.terms):
        if m._v["kind"][j] != "add":
            continue
        k = m._v["k"][j]
        need = max(max(0.0, (1 / m.coef[i, k] - m.base[i, k]) / a) for i, a in terms)
        step = float(m._v["step"][j]) if "step" in m._v else 1.0
        x[j] = math.ceil(need - 1e-9) if m._v["integer"][j] else math.ceil(need / step - 1e-9) * step
    return x


def _var(m: Model, j: int) -> dict:
    """Addition ``j``'s row of ``m.vars`` (what ``m.vars.loc[j]`` holds, without building a Series)."""
    _prepare(m)
    return {col: values[j] for col, values in m._v.items()}


def cost_of(m: Model, x: np.ndarray, settings: Settings) -> float:
    """The cost of additions ``x`` in yuan (measures without a unit cost count nothing)."""
    total = 0.0
    for j in np.flatnonzero(x > 0):
        v = _var(m, j)
        if v["kind"] == "add" and v["unit_cost"] is not None and not pd.isna(v["unit_cost"]):
            total += float(x[j]) * v["unit_cost"] * (settings.horizon_years if v["recurring"] else 1)
    return total


def optimal_plan(
    c, config: PlanConfig | None = None, settings: Settings | None = None, **overrides
) -> OptimalPlan:
    """The least-cost additions that make the county-year pass Part R (docs/optimal.md).

    ``config``: the plan configuration (default: the county's, `c.plan_config`); ``settings``: the
    `optimal` section of it, or keyword overrides (``horizon_years=10``, ``transfers=True``,
    ``caps={...}``).
    """
    if config is None:
        config = getattr(c, "plan_config", None) or load_config(lang=c.lang)  # a broken plan.yaml: defaults
    settings = settings or Settings.from_config(config, **overrides)
    m = build(c, config, settings)
    zero = np.zeros(len(m.vars))
    if check(m, zero)["passed"]:
        sol = Solution(zero, "already_passing", 0.0, 0.0, 0.0, 0.0)
        x = zero
    else:
        sol = solve(m, settings)
        if sol.status == "not_found":
            x = _fallback(m, sol)
        else:
            x = polish(m, sol.x, target=not sol.relaxed)
    before = check(m, zero)
    result = check(m, x)
    rows = _rows(c, m, x, settings)
    status = plan_status(sol, result["passed"])
    adds = rows[rows["kind"] == "add"] if len(rows) else rows
    total = float(adds["cost"].fillna(0).sum()) if len(adds) else 0.0
    x_full = everything(m)
    full = cost_of(m, x_full, settings)
    failing = []
    if not result["passed"]:
        failing += [
            {"school_code": m.sec.at[i, "school_code"], "section": m.sec.at[i, "section"]}
            for i in np.flatnonzero(~result["schools"])
        ]
        failing += [
            {"section": s, "indicator": ind, "cv": cv, "limit": lim}
            for (s, ind), (cv, lim, ok) in result["cv"].items()
            if not ok
        ]
    summary = {
        "county_code": c.code,
        "year": c.year,
        "status": status,
        "status_text": status_text(status, sol.gap, c.lang),
        "solver_status": sol.solver_status,
        "total_cost": total,
        "public_cost": _paid(adds, "public"),
        "sponsor_cost": _paid(adds, "sponsor"),
        "full_cost": float(full),
        "saving": float(full - total),
        "full_passes": bool(check(m, x_full)["passed"]),
        "horizon_years": settings.horizon_years,
        "solver": "SCIP (pyscipopt)",
        "objective": sol.objective,
        "bound": sol.bound,
        "gap": sol.gap,
        "seconds": sol.seconds,
        "transfers": int(rows.loc[rows["kind"] == "transfer_in", "quantity"].sum()) if len(rows) else 0,
        "verified": bool(result["passed"]),
        # the total is proved the least (optimal; the nearest plan of a county proved unable to pass,
        # solved to optimality): only then does the report call it 最低 (least)
        "least_proved": status == "optimal"
        or (status == "infeasible" and sol.solver_status.endswith("nearest plan: optimal")),
        "close": _brought_to_the_limit(c, before, result),
    }
    return OptimalPlan(rows, change_set(rows, c.school_rows), summary, failing, m, x)


def _brought_to_the_limit(c, before: dict, after: dict) -> list:
    """The coefficients the plan brings from failing to within the borderline margin of their limit.

    The least plan stops at the limit (docs/method.md §4, borderline): a slightly different figure on
    the day of the inspection fails it again, and the county must be told so.
    """
    margin = c.rules.options.get("borderline_margin", 0.005)
    return [
        {"section": section, "indicator": ind, "cv": cv, "limit": limit}
        for (section, ind), (cv, limit, ok) in after["cv"].items()
        if ok and not before["cv"][(section, ind)][2] and limit - cv < margin
    ]


def plan_status(sol: Solution, passed: bool) -> str:
    """The plan's status: what the solver proved, and whether the exact plan passes every rule.

    ``optimal`` only when proved least-cost and passing; ``infeasible`` ("cannot pass") only when
    proved; a plan that passes without a proof is ``best_found``, one that does not ``not_found``.
    """
    if sol.status == "already_passing":
        return sol.status
    if passed:
        return "optimal" if sol.status == "optimal" and not sol.relaxed else "best_found"
    return "infeasible" if sol.status == "infeasible" else "not_found"


def status_text(status: str, gap: float, lang: str, key: str = "status") -> str:
    """The status in words (``key``: ``status`` for the command line, ``published_status`` for the report).

    A plan not proved least-cost says so, with the solver's relative gap when it reports one.
    """
    if status == "best_found" and gap is not None and math.isfinite(gap) and gap > 0:
        return t(f"optimal.{key}.best_found_gap", lang, gap=f"{gap * 100:.1f}%")
    return t(f"optimal.{key}.{status}", lang)


def _fallback(m: Model, sol: Solution) -> np.ndarray:
    """The plan when the solver found none within its limits: every standard in every school, trimmed.

    When that passes it is a valid plan (``sol`` becomes ``best_found``, its gap from the solver's
    bound when there is one); when it does not, ``sol`` stays ``not_found`` and the trimmed plan is
    shown with what still fails. Neither is called least-cost nor impossible: nothing was proved.
    """
    full = everything(m)
    passes = check(m, full)["passed"]
    x = polish(m, full, target=passes)
    if passes and check(m, x)["passed"]:
        sol.status = "best_found"
        sol.objective = float(m.vars["weight"].to_numpy() @ x) if len(x) else 0.0
        if math.isfinite(sol.bound) and sol.bound > 0:
            sol.gap = max(sol.objective - sol.bound, 0.0) / sol.bound
    sol.solver_status = f"{sol.solver_status}; no solution, plan from every standard"
    return x


def _paid(adds: pd.DataFrame, payer: str) -> float:
    return float(adds.loc[adds["payer"] == payer, "cost"].fillna(0).sum()) if len(adds) else 0.0


ROW_COLUMNS = [
    "school_code",
    "school_name",
    "section",
    "section_name",
    "indicator",
    "measure",
    "measure_name",
    "kind",
    "column",
    "extra_column",
    "quantity",
    "unit",
    "unit_cost",
    "recurring",
    "cost",
    "payer",
    "payer_text",
    "reason",
    "reason_text",
]


def _rows(c, m: Model, x: np.ndarray, settings: Settings) -> pd.DataFrame:
    reasons = _reasons(m, x) if len(x) else []
    names = getattr(c, "school_names", {})
    units = {i.id: pick(i.add_unit, c.lang) for i in m.inds}
    out = []
    for j in np.flatnonzero(x > 0):
        v = _var(m, j)
        qty = float(x[j])
        cost = None
        if v["kind"] == "add" and v["unit_cost"] is not None and not pd.isna(v["unit_cost"]):
            cost = qty * v["unit_cost"] * (settings.horizon_years if v["recurring"] else 1)
        section = v["section"]
        out.append(
            {
                "school_code": v["school_code"],
                "school_name": names.get(v["school_code"], v["school_code"]),
                "section": section,
                "section_name": t(f"report.section_names.{section}", c.lang)
                if isinstance(section, str)
                else "",
                "indicator": v["indicator"],
                "measure": v["measure"],
                "measure_name": t(f"plan.kind.{v['measure']}", c.lang),
                "kind": v["kind"],
                "column": v["column"],
                "extra_column": v["extra_column"],
                "quantity": qty,
                "unit": units[v["indicator"]],
                "unit_cost": v["unit_cost"],
                "recurring": bool(v["recurring"]),
                "cost": cost,
                "payer": v["payer"],
                "payer_text": t(f"optimal.payer.{v['payer']}", c.lang),
                "reason": reasons[j],
                "reason_text": t(f"optimal.reason.{reasons[j]}", c.lang),
            }
        )
    return pd.DataFrame(out, columns=ROW_COLUMNS)


def change_set(rows: pd.DataFrame, schools: pd.DataFrame | None = None) -> pd.DataFrame:
    """The plan's additions as a change set (`junheng.inputs.changes`): ``evaluate --changes``.

    A teacher hired or moved adds to (or leaves) the section's full-time teachers and, where
    ``schools`` (the county's school rows) give a school's figure, its trained and certified
    teachers (`COUNTED_AS`).
    """
    known: set = set()
    if schools is not None:
        for column in COUNTED_AS:
            if column in schools:
                given = schools.loc[schools[column].notna(), "school_code"]
                known.update((code, column) for code in given)
    out = []
    for r in rows.itertuples(index=False):
        sign = -1 if r.kind == "transfer_out" else 1
        delta = sign * r.quantity
        out.append({"school_code": r.school_code, "column": r.column, "delta": _fmt(delta)})
        if isinstance(r.extra_column, str) and r.extra_column:
            out.append({"school_code": r.school_code, "column": r.extra_column, "delta": _fmt(delta)})
            for column in COUNTED_AS:
                if (r.school_code, column) in known:
                    out.append({"school_code": r.school_code, "column": column, "delta": _fmt(delta)})
    frame = pd.DataFrame(out, columns=["school_code", "column", "delta"])
    if len(frame):  # one row per cell: a hire adds to the section's teachers once per measure
        frame["delta"] = frame["delta"].astype(float)
        frame = frame.groupby(["school_code", "column"], as_index=False, sort=False)["delta"].sum()
        frame = frame[frame["delta"] != 0]
        frame["delta"] = frame["delta"].map(_fmt)
    return frame.reset_index(drop=True)


def _fmt(value: float) -> str:
    value = round(float(value), 2)
    return str(int(value)) if value.is_integer() else f"{value:.2f}"
