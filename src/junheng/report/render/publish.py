"""What of an executed notebook is published: decided by cell tags and nothing else.

| tag | effect |
|---|---|
| ``remove-cell`` (also ``hide-cell``) | the cell is not published |
| ``remove-input`` (also ``hide-input``) | only the cell's outputs are published |
| ``remove-output`` (also ``hide-output``) | only the cell's code is published |
| ``parameters``, ``injected-parameters`` | never published (papermill's parameter cells) |
| ``lang-zh``, ``lang-en`` | published only in a report of that language |
| ``toc`` | the cell is replaced by the table of contents |
| ``new-page`` | the PDF starts a new page before the cell |
| ``appendix`` | headings from this cell on are numbered as appendices |
| ``landscape`` | the cell is set on landscape pages in the PDF |

Everything else a cell shows is published: Markdown cells, Markdown output, images (SVG, PNG,
JPEG), HTML (tables, DataFrames, styled tables) and printed text. Warnings and other output
written to stderr are not published; they are returned as notes so that nothing is silent.
A cell that raised an error stops publishing.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from nbconvert.preprocessors import TagRemovePreprocessor

from junheng.report.blocks import META_MIMETYPE
LANG_TAG_PREFIX = "lang-"
TOC_TAG = "toc"
TOC_MARKUP = '<div class="toc"></div>'


class PublishError(RuntimeError):
    """The notebook cannot be published as it is (a cell raised an error)."""


@dataclass
class Published:
    """A notebook ready for rendering, what it says about itself, and notes on what was left out."""

    nb: object
    meta: dict
    notes: list = field(default_factory=list)

    @property
    def lang(self) -> str:
        """The report's language: ``zh`` unless the notebook says otherwise."""
        return self.meta.get("lang") or "zh"


def report_meta(nb) -> dict:
    """What the report says about itself (title, running header, language, status…): the
    `META_MIMETYPE` output of its cover; otherwise the papermill parameters.
    """
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if META_MIMETYPE in data:
                return dict(data[META_MIMETYPE])
    params = nb.metadata.get("papermill", {}).get("parameters", {})
    return {"lang": params.get("lang", "zh")} if params else {}


def _tags(cell) -> set:
    return set(cell.get("metadata", {}).get("tags", []))


def _remover() -> TagRemovePreprocessor:
    return TagRemovePreprocessor(
        enabled=True,
        remove_cell_tags={"remove-cell", "hide-cell", "parameters", "injected-parameters"},
        remove_input_tags={"remove-input", "hide-input"},
        remove_all_outputs_tags={"remove-output", "hide-output"},
    )


def publishable(nb, lang: str | None = None) -> Published:
    """A copy of ``nb`` holding exactly what is published (see the module docstring)."""
    meta = report_meta(nb)
    lang = lang or meta.get("lang") or "zh"
    meta["lang"] = lang
    nb = copy.deepcopy(nb)
    nb.cells = [cell for cell in nb.cells if _language_matches(_tags(cell), lang)]
    nb, _ = _remover().preprocess(nb, {})
    notes = []
    for number, cell in enumerate(nb.cells, start=1):
        if TOC_TAG in _tags(cell):
            cell.cell_type = "markdown"
            cell.source = TOC_MARKUP
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
            continue
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                raise PublishError(f"cell {number}: {output.get('ename')}: {output.get('evalue')}")
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                notes.append(f"cell {number}: {output.get('text', '').strip()[:300]}")
                continue
            data = output.get("data")
            if data is not None and META_MIMETYPE in data:
                data.pop(META_MIMETYPE)          # read above; not content
                if not data:
                    continue
            kept.append(output)
        cell.outputs = kept
    return Published(nb, meta, notes)


def _language_matches(tags: set, lang: str) -> bool:
    wanted = {tag[len(LANG_TAG_PREFIX) :] for tag in tags if tag.startswith(LANG_TAG_PREFIX)}
    return not wanted or lang in wanted
