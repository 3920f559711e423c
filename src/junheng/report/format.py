"""The report's number formatting: `junheng.format`, re-exported under its old name.

The formatters live in `junheng.format`, below every stage, so that the plan (`junheng.planning`) words
its measures as the report does without importing the report (inputs → method → planning → report).
"""

from junheng.format import *  # noqa: F403
