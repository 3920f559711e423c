"""Executed report notebooks → the published HTML page and A4 PDF (tags decide what is shown)."""
