"""Comparisons at a threshold, with the engine's floating-point tolerance.

Every judged figure uses them: Part R, the coefficients, and the items of Parts G, Q and S
(docs/method.md#tolerance, decision D1). Values are compared at full precision, never rounded
first, and a value equal to its threshold up to floating-point error counts as equal to it. Binary
floating point cannot hold most decimals, so a figure that is mathematically at the threshold may
compute a hair below or above it:

- a nine-year school with 110 primary and 130 junior students and 1,334 m² of teaching space gives
  its junior section 1,334 × 143/253 / 130 = 5.8 m² per student exactly (R4), which computes as
  5.799999999999999;
- a village school funded 500,210 yuan against a benchmark of 5,002.1 yuan × 100 students (G6):
  5002.1 × 100 computes as 500210.00000000006;
- 30,000.10 yuan of training funds out of 600,002 yuan of public funds is exactly 5% (Q4), and
  computes as 0.049999999999999996.

The relative tolerance is far below any published precision (2 decimals) and only absorbs that
error. A ratio of two whole numbers (17/20 against 85%) needs no tolerance, but is compared the same
way. All thresholds are ≥ 0.
"""

from __future__ import annotations

TOLERANCE = 1e-9


def reaches(value, threshold):
    """At least: value ≥ threshold ("不低于", "达到…以上"); equal up to floating-point error meets it."""
    return value >= threshold * (1 - TOLERANCE)


def within(value, limit):
    """At most: value ≤ limit ("不超过"); equal up to floating-point error stays within it."""
    return value <= limit * (1 + TOLERANCE)


def below(value, limit):
    """Strictly below: value < limit ("低于"), or short of a minimum.

    Equal up to floating-point error is not below: a difference rate of 0.15 fails "below 0.15",
    however it was computed.
    """
    return value < limit * (1 - TOLERANCE)


def exceeds(value, limit):
    """Strictly above: value > limit, over a maximum ("more than 50%").

    Equal up to floating-point error does not exceed it.
    """
    return value > limit * (1 + TOLERANCE)
