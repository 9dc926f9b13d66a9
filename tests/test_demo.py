"""The demo `make demo` runs: it must run and show the right numbers."""

from __future__ import annotations

from leafgrad import demo


def test_demo_runs_and_shows_gradients(capsys):
    demo.main()
    out = capsys.readouterr().out
    assert "dw/dx = y + 1 = 4.0" in out and "dw/dy = x = 2.0" in out
    assert "dL/dx = 6/x = 3.0" in out
    assert "MulBackward0" in out and "AccumulateGrad" in out
