"""Issue #22: corrupt outputs and a damaged manifest are noticed and remade, never "跳过（未变化）"."""

import json

from junheng.batch.manifest import NAME, Manifest, output_sums
from junheng.batch.runner import rerun_reason

OUTPUTS = ["990102_2024.html", "990102_2024.pdf"]


def made(tmp_path):
    for name, text in zip(OUTPUTS, ["<html>report</html>", "%PDF-1.7 body %%EOF"], strict=True):
        (tmp_path / name).write_text(text, encoding="utf-8")
    manifest = Manifest(tmp_path)
    entry = {
        "status": "done",
        "fingerprint": "abc",
        "outputs": OUTPUTS,
        "output_sums": output_sums(tmp_path, OUTPUTS),
    }
    manifest.record("990102_2024", entry)
    assert Manifest(tmp_path).is_current("990102_2024", "abc", tmp_path)
    return manifest


def test_a_truncated_pdf_is_remade(tmp_path):
    made(tmp_path)
    pdf = tmp_path / OUTPUTS[1]
    pdf.write_bytes(pdf.read_bytes()[:8])
    manifest = Manifest(tmp_path)
    assert not manifest.is_current("990102_2024", "abc", tmp_path)
    assert rerun_reason(manifest.entries["990102_2024"], {}, "abc") == ("missing",)


def test_an_emptied_or_edited_html_is_remade(tmp_path):
    made(tmp_path)
    (tmp_path / OUTPUTS[0]).write_text("", encoding="utf-8")
    assert not Manifest(tmp_path).is_current("990102_2024", "abc", tmp_path)
    made(tmp_path)
    (tmp_path / OUTPUTS[0]).write_text("<html>REPORT</html>", encoding="utf-8")  # same size, other bytes
    assert not Manifest(tmp_path).is_current("990102_2024", "abc", tmp_path)


def test_a_manifest_of_an_older_version_checks_presence(tmp_path):
    made(tmp_path)
    entries = json.loads((tmp_path / NAME).read_text(encoding="utf-8"))
    del entries["990102_2024"]["output_sums"]
    (tmp_path / NAME).write_text(json.dumps(entries), encoding="utf-8")
    assert Manifest(tmp_path).is_current("990102_2024", "abc", tmp_path)


def test_a_truncated_or_deleted_manifest_remakes_everything_and_says_so(tmp_path):
    made(tmp_path)
    text = (tmp_path / NAME).read_text(encoding="utf-8")
    (tmp_path / NAME).write_text(text[: len(text) // 2], encoding="utf-8")
    manifest = Manifest(tmp_path)
    assert manifest.damaged and not manifest.is_current("990102_2024", "abc", tmp_path)
    (tmp_path / NAME).unlink()
    manifest = Manifest(tmp_path)
    assert not manifest.damaged and not manifest.is_current("990102_2024", "abc", tmp_path)
    assert rerun_reason(manifest.entries.get("990102_2024"), {}, "abc") == ("new",)


def test_the_run_says_the_manifest_was_damaged(tmp_path, monkeypatch):
    """`junheng run` warns of a damaged manifest (the reports themselves are faked here)."""
    from pathlib import Path

    from junheng.batch import runner

    def fake(todo, *args, **kwargs):
        for task in todo:
            yield {
                "key": task.key,
                "county_code": task.county_code,
                "year": task.year,
                "status": "error",
                "error": "fake",
            }

    monkeypatch.setattr(runner, "_local", fake)
    sample = Path(__file__).parent.parent / "data" / "sample"
    out = tmp_path / "out"
    out.mkdir()
    (out / NAME).write_text('{"990102_2024": {"status"', encoding="utf-8")
    summary = runner.run(
        sample, counties=["990102"], years=[2024], formats=("html",), out_dir=out, quiet=True, province=False
    )
    assert summary["warnings"] == [f"运行记录 {out / NAME} 已损坏，无法读取：全部报告将重新生成"]
    assert [f["key"] for f in summary["failed"]] == ["990102_2024"]
    assert set(json.loads((out / NAME).read_text(encoding="utf-8"))) == {"990102_2024"}  # repaired
