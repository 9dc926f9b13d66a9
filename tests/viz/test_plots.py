"""plot_grad_flow / grad_flow and plot_history: the numbers, the flags and what is drawn."""

from __future__ import annotations

import math

import pytest

import leafgrad
from leafgrad.viz import GradFlow, grad_flow, plot_grad_flow, plot_history

pytest.importorskip("matplotlib", reason="the plots need matplotlib (leafgrad[viz])")

PNG = b"\x89PNG\r\n\x1a\n"


def with_grad(values, grad):
    t = leafgrad.tensor(values, requires_grad=True)
    if grad is not None:
        (t * leafgrad.tensor(grad)).sum().backward()  # d/dt sum(t * g) = g
    return t


def params():
    return [
        ("fc1.weight", with_grad([[1.0, 2.0]], [[1.0, -3.0]])),
        ("fc1.bias", with_grad([0.5], [0.0])),
        ("fc2.weight", with_grad([1.0, 1.0], None)),
        ("fc2.bias", with_grad([1.0, 1.0], [2e4, 0.0])),
        ("fc3.weight", with_grad([1.0], [math.inf])),
        ("frozen", leafgrad.tensor([1.0])),
    ]


def test_grad_flow_numbers_and_flags():
    stats = grad_flow(params())
    assert stats.names == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight"]
    # |[1, -3]|: mean 2, max 3; [0]: 0; None: nan; |[2e4, 0]|: mean 1e4, max 2e4
    assert stats.mean[:2] == [2.0, 0.0] and stats.max[:2] == [3.0, 0.0]
    assert math.isnan(stats.mean[2]) and math.isnan(stats.max[2])
    assert stats.mean[3] == 1e4 and stats.max[3] == 2e4
    assert stats.missing == ["fc2.weight"]
    assert stats.zero == ["fc1.bias"]
    assert stats.exploding == ["fc2.bias", "fc3.weight"]
    assert stats.flagged == {"fc2.weight": "no grad", "fc1.bias": "zero grad",
                             "fc2.bias": "exploding", "fc3.weight": "exploding"}
    assert not stats.ok
    assert grad_flow(params(), explode_at=1e5).exploding == ["fc3.weight"]
    text = str(stats).splitlines()
    assert text[0].split() == ["parameter", "mean|grad|", "max|grad|"]
    assert text[1].split() == ["fc1.weight", "2", "3"]
    assert text[3].split() == ["fc2.weight", "-", "-", "<-", "no", "grad"]


def test_grad_flow_accepts_a_dict_and_rejects_non_tensors():
    ok = grad_flow({"w": with_grad([1.0], [0.5])})
    assert ok.ok and ok.max == [0.5] and isinstance(ok, GradFlow)
    with pytest.raises(TypeError, match="expected \\(name, tensor\\) pairs"):
        grad_flow([("w", 1.0)])


def test_plot_grad_flow_draws_and_flags(tmp_path):
    path = tmp_path / "flow.png"
    fig = plot_grad_flow(params(), path=str(path))
    with open(path, "rb") as f:
        assert f.read(8) == PNG
    assert fig.grad_flow.flagged == grad_flow(params()).flagged
    (ax,) = fig.axes
    assert [t.get_text() for t in ax.get_xticklabels()] == fig.grad_flow.names
    colours = {t.get_text(): t.get_color() for t in ax.get_xticklabels()}
    assert colours["fc1.bias"] == colours["fc2.weight"] == "#d62728"
    assert colours["fc2.bias"] == "#ff7f0e"
    assert colours["fc1.weight"] == "black"
    notes = sorted(t.get_text() for t in ax.texts)
    assert notes == ["exploding", "exploding", "no grad", "zero grad"]
    assert "4 flagged" in ax.get_title()
    heights = [b.get_height() for b in ax.containers[0]]  # the max |grad| bars
    assert heights[:2] == [3.0, 0.0] and heights[3] == 2e4
    assert ax.get_yscale() == "linear"
    labels = ax.get_legend_handles_labels()[1]
    assert labels == ["exploding above 1000", "max |grad|", "mean |grad|"]


def test_plot_grad_flow_log_scale():
    fig = plot_grad_flow([("a", with_grad([1.0], [1e-3])), ("b", with_grad([1.0], [0.5]))],
                         log=True)
    (ax,) = fig.axes
    assert ax.get_yscale() == "log"
    assert ax.get_ylabel() == "|gradient| (log scale)"
    assert fig.grad_flow.ok and len(ax.texts) == 0
    assert ax.get_title() == "Gradient flow: mean and max |grad| per parameter"


def test_plot_grad_flow_suggests_log_when_bars_hide():
    fig = plot_grad_flow([("a", with_grad([1.0], [1e-3])), ("b", with_grad([1.0], [500.0]))])
    assert "try log=True" in fig.axes[0].get_title()


def test_plot_history_dict_of_lists(tmp_path):
    history = {"train_loss": [2.0, 1.0, 0.5], "val_loss": [2.1, 0.9, 1.2],
               "train_acc": [0.5, 0.7, 0.9], "val_acc": [0.4, 0.8, 0.75]}
    path = tmp_path / "history.png"
    fig = plot_history(history, path=str(path), title="run 1")
    with open(path, "rb") as f:
        assert f.read(8) == PNG
    loss_ax, acc_ax = fig.axes
    assert [ln.get_label() for ln in loss_ax.lines if not ln.get_label().startswith("_")] == \
        ["train_loss", "val_loss"]
    train = loss_ax.lines[0]
    assert list(train.get_xdata()) == [1, 2, 3] and list(train.get_ydata()) == [2.0, 1.0, 0.5]
    assert train.get_linestyle() == "-" and loss_ax.lines[1].get_linestyle() == "--"
    # the best validation values are marked: min loss 0.9 at epoch 2, max acc 0.8 at epoch 2
    assert [t.get_text() for t in loss_ax.texts] == ["best 0.9"]
    assert [t.get_text() for t in acc_ax.texts] == ["best 0.8"]
    assert loss_ax.get_title() == "Loss" and acc_ax.get_title() == "Accuracy"
    assert fig._suptitle.get_text() == "run 1"


def test_plot_history_list_of_epochs_with_gaps_and_tensors():
    rows = [{"epoch": 0, "loss": leafgrad.tensor(1.5)},
            {"epoch": 5, "loss": 1.0, "val_loss": 1.2, "lr": 0.1},
            {"epoch": 10, "loss": 0.5, "val_loss": 0.8, "lr": 0.01}]
    fig = plot_history(rows, log_loss=True)
    loss_ax, other_ax = fig.axes
    assert loss_ax.get_yscale() == "log" and loss_ax.get_xlabel() == "epoch"
    val = loss_ax.lines[1]
    assert list(val.get_xdata()) == [0, 5, 10]
    assert math.isnan(val.get_ydata()[0]) and list(val.get_ydata()[1:]) == [1.2, 0.8]
    assert [ln.get_label() for ln in other_ax.lines] == ["lr"]
    assert other_ax.get_title() == "Other metrics"


def test_plot_history_errors():
    with pytest.raises(ValueError, match="no metrics"):
        plot_history({"epoch": [1, 2]})
    with pytest.raises(TypeError, match="a dict of lists or a list of dicts"):
        plot_history([1.0, 2.0])
