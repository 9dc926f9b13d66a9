"""The demo `make demo` runs: it must run, show the right numbers and write its outputs."""

from __future__ import annotations

import shutil

import pytest

from leafgrad import demo


def test_demo_runs_and_writes_its_outputs(tmp_path, capsys):
    demo.main([str(tmp_path)])
    out = capsys.readouterr().out
    assert "dw/dx = y + 1 = 4.0" in out and "dw/dy = x = 2.0" in out
    assert "MulBackward0" in out and "AccumulateGrad" in out
    assert "dL/dy = 0.015625" in out and "dy/dz = 48" in out and "dz/dx = 4" in out
    assert "backward agrees: x.grad = 3.0" in out
    last = [line for line in out.splitlines() if "val accuracy" in line][-1]
    assert float(last.split("val accuracy")[1].strip().rstrip("%")) >= 96.0
    assert (tmp_path / "explain.txt").read_text().count("dz/dx = 4") == 1
    assert (tmp_path / "grad_flow.png").stat().st_size > 1000
    assert (tmp_path / "loss_curve.png").stat().st_size > 1000


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz's dot program is not installed")
def test_demo_draws_graphs(tmp_path, capsys):
    demo.main([str(tmp_path)])
    for name in ("seed_graph.png", "training_step_graph.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
