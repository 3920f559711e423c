"""A CJK font that works on a machine with no CJK font installed (see shared/TOOLING.md):
Noto Sans CJK SC (SIL OFL) shipped by the `mplfonts` package, registered by explicit path.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

FAMILY = "Noto Sans CJK SC"
CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # Debian fonts-noto-cjk
]


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    try:
        import mplfonts

        path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
        if path.exists():
            return path
    except ImportError:
        pass
    for candidate in CANDIDATES:
        if Path(candidate).exists():
            return Path(candidate)
    raise FileNotFoundError("no CJK font: install the 'mplfonts' package (pip install mplfonts)")


@lru_cache(maxsize=1)
def use_cjk_in_matplotlib() -> str:
    from matplotlib import font_manager, rcParams

    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    rcParams["font.sans-serif"] = [name, "DejaVu Sans"]
    rcParams["font.family"] = "sans-serif"
    rcParams["axes.unicode_minus"] = False
    return name
