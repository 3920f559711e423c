"""CJK fonts that work on a machine with no CJK font installed.

CJK fonts that work on a machine with no CJK font installed (the `mplfonts` package ships Noto Sans / Serif /
Sans Mono CJK SC under the SIL Open Font License), registered by explicit path for matplotlib and handed to
Typst as a folder of exactly those files.
"""

from __future__ import annotations

import os
import tempfile
from functools import cache
from pathlib import Path

FAMILY = "Noto Sans CJK SC"
# The files the reports use (mplfonts also ships SimHei, which is not freely licensed: never used).
FILES = ("NotoSansCJKsc-Regular.otf", "NotoSerifCJKsc-Regular.otf", "NotoSansMonoCJKsc-Regular.otf")
DEBIAN = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")  # fonts-noto-cjk


def _mplfonts_dir() -> Path | None:
    try:
        import mplfonts
    except ImportError:
        return None
    folder = Path(mplfonts.__file__).parent / "fonts"
    return folder if folder.is_dir() else None


@cache
def cjk_font_path() -> Path:
    """Noto Sans CJK SC: the font of charts and tables."""
    folder = _mplfonts_dir()
    if folder and (folder / FILES[0]).exists():
        return folder / FILES[0]
    if DEBIAN.exists():
        return DEBIAN
    raise FileNotFoundError("no CJK font: install the 'mplfonts' package (pip install mplfonts)")


@cache
def typst_font_dir() -> Path:
    """A folder holding links to exactly the report fonts (Typst reads whole folders)."""
    source = _mplfonts_dir()
    target = Path(tempfile.gettempdir()) / f"junheng-fonts-{os.getuid() if hasattr(os, 'getuid') else 0}"
    target.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        link = target / name
        origin = source / name if source else None
        if origin and origin.exists() and not link.exists():
            try:
                link.symlink_to(origin)
            except FileExistsError:  # another process (a parallel test worker) made it meanwhile
                pass
            except OSError:
                import shutil

                shutil.copy(origin, link)
    if not any(target.iterdir()):
        link = target / DEBIAN.name
        if DEBIAN.exists() and not link.exists():
            try:
                link.symlink_to(DEBIAN)
            except FileExistsError:
                pass
    return target


@cache
def use_cjk_in_matplotlib() -> str:
    """Register Noto Sans CJK SC with matplotlib as the first sans-serif font.

    Register Noto Sans CJK SC with matplotlib and put it first among sans-serif fonts, so that Chinese labels
    render in every chart of the session. Returns the family name.
    """
    from matplotlib import font_manager, rcParams

    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    rcParams["font.sans-serif"] = [name, *[f for f in rcParams["font.sans-serif"] if f != name]]
    rcParams["font.family"] = "sans-serif"
    rcParams["axes.unicode_minus"] = False
    return name
