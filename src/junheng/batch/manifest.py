"""reports/.manifest.json: for every finished report, the fingerprint of its inputs and what it
found (verdict, key coefficients). Written atomically after each task.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

NAME = ".manifest.json"


class Manifest:
    def __init__(self, out_dir: Path):
        self.path = Path(out_dir) / NAME
        self.entries = {}
        if self.path.exists():
            try:
                self.entries = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self.entries = {}  # a damaged manifest only costs a re-run

    def is_current(self, key: str, fingerprint: str, out_dir: Path) -> bool:
        entry = self.entries.get(key)
        if not entry or entry.get("fingerprint") != fingerprint or entry.get("status") == "error":
            return False
        return all((Path(out_dir) / name).exists() for name in entry.get("outputs", []))

    def record(self, key: str, entry: dict) -> None:
        self.entries[key] = entry
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".manifest.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(self.entries, handle, ensure_ascii=False, indent=1, sort_keys=True)
        os.replace(tmp, self.path)
