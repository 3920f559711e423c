"""CJK fonts that work on a machine with no CJK font installed.

CJK fonts that work on a machine with no CJK font installed (the `mplfonts` package ships Noto Sans / Serif /
Sans Mono CJK SC under the SIL Open Font License), registered by explicit path for matplotlib and handed to
Typst as a folder of exactly those files. Once `junheng.report` is imported, Noto Sans CJK SC is also the
fallback of every font matplotlib draws with (`keep_cjk_fallback`): a notebook's own theme keeps Chinese.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import sys
import tempfile
from functools import cache, wraps
from pathlib import Path

FAMILY = "Noto Sans CJK SC"
# The files the reports use (mplfonts also ships SimHei, which is not freely licensed: never used).
FILES = ("NotoSansCJKsc-Regular.otf", "NotoSerifCJKsc-Regular.otf", "NotoSansMonoCJKsc-Regular.otf")
_WRAPPED = "_junheng_cjk_fallback"  # marks the wrapped lookup of matplotlib's font manager
DEBIAN = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")  # fonts-noto-cjk


def _mplfonts_dir() -> Path | None:
    """The folder of fonts mplfonts ships, found without importing it (it imports fontTools' reader)."""
    try:
        spec = importlib.util.find_spec("mplfonts")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "fonts"
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
def register_cjk() -> str:
    """Register Noto Sans CJK SC with matplotlib's font manager; returns its family name."""
    from matplotlib import font_manager

    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


@cache
def use_cjk_in_matplotlib() -> str:
    """Register Noto Sans CJK SC with matplotlib as the first sans-serif font.

    Register Noto Sans CJK SC with matplotlib and put it first among sans-serif fonts, so that Chinese labels
    render in every chart of the session, and keep it as the fallback of any font chosen later
    (`keep_cjk_fallback`). Returns the family name.
    """
    from matplotlib import rcParams

    name = register_cjk()
    keep_cjk_fallback()
    rcParams["font.sans-serif"] = [name, *[f for f in rcParams["font.sans-serif"] if f != name]]
    rcParams["font.family"] = "sans-serif"
    rcParams["axes.unicode_minus"] = False
    return name


def keep_cjk_fallback(font_manager=None) -> None:
    """Draw every character the chosen fonts lack in the CJK font, whatever fonts are chosen.

    matplotlib (3.6 and later) draws a text with the fonts of its family list, glyph by glyph: a
    character the first font lacks comes from the next, and one no font has is an empty box
    (the "LastResort" font). ``sns.set_theme()``, ``sns.set_style(...)``, ``plt.style.use(...)``,
    ``plt.rcParams["font.family"] = ...`` or ``fontfamily="..."`` on one text all replace that list
    with Latin fonts. Here the font manager's lookup of the list (``_find_fonts_by_props``, which
    every backend and the text layout call) gets Noto Sans CJK SC appended behind the fonts it
    found: Latin text stays in the chosen font, Chinese comes from the CJK font, and rcParams stay
    as the notebook set them. Applied once per process (to the class, so a rebuilt font manager
    keeps it); ``font_manager`` is the module (default: imported).

    Why there: matplotlib has no hook for rcParams changes (wrapping its validators would append
    the CJK font to what the notebook reads back, and still miss ``fontfamily=`` on one text, which
    never passes through rcParams). ``_find_fonts_by_props`` is private but has been the one
    lookup since matplotlib 3.6 made fonts fall back; tests/test_researcher_fonts.py fails if it
    stops being called.
    """
    if font_manager is None:
        from matplotlib import font_manager
    manager = font_manager.FontManager
    find = manager._find_fonts_by_props
    if getattr(find, _WRAPPED, False):
        return
    found = []  # the CJK font as matplotlib's lookup names it (found on first use)

    @wraps(find)
    def find_fonts_by_props(self, prop, fontext="ttf", directory=None, *args, **kwargs):
        paths = find(self, prop, fontext, directory, *args, **kwargs)
        if fontext != "ttf" or directory is not None:  # PDF/PS core fonts (AFM), a font folder
            return paths
        if not found:
            found.append(_cjk_path(find, self, font_manager))
        return paths if found[0] is None or found[0] in paths else [*paths, found[0]]

    setattr(find_fonts_by_props, _WRAPPED, True)
    manager._find_fonts_by_props = find_fonts_by_props


def _cjk_path(find, manager, font_manager):
    """The CJK font as ``find`` (matplotlib's lookup) names it; None without one (nothing appended)."""
    try:
        path = cjk_font_path()
    except FileNotFoundError:
        return None
    found = find(manager, font_manager.FontProperties(fname=str(path)))[0]
    face = getattr(font_manager, "FontPath", None)  # matplotlib 3.11: a path and a face index
    return face(found, 0) if face is not None and not isinstance(found, face) else found


class _AfterFontManager(importlib.abc.MetaPathFinder):
    """Applies `keep_cjk_fallback` as soon as ``matplotlib.font_manager`` has been imported."""

    def find_spec(self, name, path=None, target=None):  # noqa: D102 (importlib's)
        if name != "matplotlib.font_manager":
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)  # as it would have been found without this finder
        if spec is not None and spec.loader is not None:
            execute = spec.loader.exec_module

            def exec_module(module):
                execute(module)
                keep_cjk_fallback(module)

            spec.loader.exec_module = exec_module
        return spec


def keep_cjk_fallback_once_imported() -> None:
    """`keep_cjk_fallback` now if matplotlib's font manager is imported, else when it is.

    Called by ``import junheng.report``, which imports no matplotlib itself (issue #21): a notebook
    that draws its own charts with seaborn after ``junheng.county(...)`` gets Chinese too.
    """
    if "matplotlib.font_manager" in sys.modules:
        keep_cjk_fallback(sys.modules["matplotlib.font_manager"])
    elif not any(isinstance(finder, _AfterFontManager) for finder in sys.meta_path):
        sys.meta_path.insert(0, _AfterFontManager())
