"""Training plots: gradient flow per parameter and loss/accuracy curves (matplotlib).

Figures are made with matplotlib's object API on the Agg canvas, never through
pyplot, so nothing global changes (a notebook's backend stays as it was) and a
figure is freed like any object. Jupyter displays the returned figures.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import _inspect as ins

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ZERO = "#d62728"  # red: zero or missing gradients
EXPLODING = "#ff7f0e"  # orange: exploding gradients
MAX_BAR = "#9ecae1"
MEAN_BAR = "#08519c"


def _figure(width: float, height: float) -> Figure:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "leafgrad.viz plots need matplotlib: pip install leafgrad[viz]  "
            "(or: pip install matplotlib)"
        ) from e
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


@dataclass
class GradFlow:
    """Gradient statistics per parameter, with the problems found.

    ``mean``/``max`` are of ``|grad|`` (NaN where a parameter has no gradient).
    ``missing``: ``.grad`` is None; ``zero``: every entry is 0; ``exploding``: the
    largest entry exceeds ``explode_at`` or is not finite.
    """

    names: list[str]
    mean: list[float]
    max: list[float]
    explode_at: float
    missing: list[str] = field(default_factory=list)
    zero: list[str] = field(default_factory=list)
    exploding: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> dict[str, str]:
        """``{name: problem}`` for every parameter with a problem."""
        out = {n: "no grad" for n in self.missing}
        out.update({n: "zero grad" for n in self.zero})
        out.update({n: "exploding" for n in self.exploding})
        return out

    @property
    def ok(self) -> bool:
        """No parameter has a missing, zero or exploding gradient."""
        return not (self.missing or self.zero or self.exploding)

    def __str__(self) -> str:
        width = max([len(n) for n in self.names] + [9])
        lines = [f"{'parameter'.ljust(width)}  {'mean|grad|':>11}  {'max|grad|':>11}"]
        flags = self.flagged
        for n, mean, mx in zip(self.names, self.mean, self.max):
            note = f"  <- {flags[n]}" if n in flags else ""
            lines.append(f"{n.ljust(width)}  {_fmt(mean):>11}  {_fmt(mx):>11}{note}")
        return "\n".join(lines)


def _fmt(v: float) -> str:
    return "-" if v != v else f"{v:.3g}"


def grad_flow(named_parameters: Iterable, explode_at: float = 1e3) -> GradFlow:
    """Mean and max ``|grad|`` of each parameter, flagging missing, zero and exploding ones.

    ``named_parameters``: ``model.named_parameters()`` or ``(name, tensor)`` pairs.
    """
    from ..backend import np

    names, means, maxes = [], [], []
    stats = GradFlow(names, means, maxes, explode_at)
    items = named_parameters.items() if isinstance(named_parameters, Mapping) \
        else named_parameters
    for name, p in items:
        if not ins.is_tensor(p):
            raise TypeError(f"grad_flow: expected (name, tensor) pairs, got "
                            f"{type(p).__name__} for {name!r}")
        if not p.requires_grad:
            continue  # frozen parameters take no part in training
        names.append(str(name))
        g = p.grad
        if g is None:
            means.append(math.nan)
            maxes.append(math.nan)
            stats.missing.append(str(name))
            continue
        a = np.abs(ins.to_numpy(g).astype("float64"))
        if a.size == 0:
            means.append(0.0)
            maxes.append(0.0)
            continue
        mean, mx = float(a.mean()), float(a.max())
        means.append(mean)
        maxes.append(mx)
        if not np.all(np.isfinite(a)) or mx > explode_at:
            stats.exploding.append(str(name))
        elif mx == 0.0:
            stats.zero.append(str(name))
    return stats


def plot_grad_flow(named_parameters: Iterable, path: str | None = None, log: bool = False,
                   explode_at: float = 1e3, title: str | None = None) -> Figure:
    """A bar chart of the mean and max ``|grad|`` of each parameter, returned as a matplotlib
    ``Figure`` (saved to ``path`` when given). Parameters with no, zero or exploding
    gradients are marked in red/orange; ``fig.grad_flow`` holds the numbers and flags.

    >>> loss.backward()                                          # doctest: +SKIP
    >>> fig = plot_grad_flow(model.named_parameters(), "grad_flow.png", log=True)
    >>> fig.grad_flow.flagged                                    # doctest: +SKIP
    {'layer3.weight': 'zero grad'}
    """
    stats = grad_flow(named_parameters, explode_at)
    n = len(stats.names)
    fig = _figure(max(6.0, 0.55 * n + 2.5), 4.8)
    ax = fig.add_subplot()
    fig.grad_flow = stats
    xs = list(range(n))
    finite = [v for v in stats.max if v == v and math.isfinite(v) and v > 0]
    floor = min(finite) / 10 if finite else 1e-8

    def shown(v: float) -> float:
        if v != v or (log and v == 0):
            return math.nan  # no bar: no gradient, or zero on a log scale
        if not math.isfinite(v):
            return max(finite + [explode_at]) * 10
        return v

    ax.bar(xs, [shown(v) for v in stats.max], width=0.8, color=MAX_BAR,
           label="max |grad|", zorder=2)
    ax.bar(xs, [shown(v) for v in stats.mean], width=0.45, color=MEAN_BAR,
           label="mean |grad|", zorder=3)
    if log:
        ax.set_yscale("log")
    top = max([v for v in map(shown, stats.max) if v == v] + [floor])
    if log:
        ax.set_ylim(floor, top * 30)
    else:
        ax.set_ylim(0, top * 1.12 if top > 0 else 1)
    if stats.exploding or (log and top > explode_at / 10):
        ax.axhline(explode_at, color=EXPLODING, linestyle="--", linewidth=1, zorder=4,
                   label=f"exploding above {explode_at:g}")
    flags = stats.flagged
    ax.set_xticks(xs)
    ax.set_xticklabels(stats.names, rotation=45 if n > 3 else 0, ha="right" if n > 3 else
                       "center", fontsize=9)
    for tick, name in zip(ax.get_xticklabels(), stats.names):
        if name in flags:
            tick.set_color(ZERO if flags[name] != "exploding" else EXPLODING)
            tick.set_fontweight("bold")
    ymin, ymax = ax.get_ylim()
    for x, name in zip(xs, stats.names):
        if name not in flags:
            continue
        colour = ZERO if flags[name] != "exploding" else EXPLODING
        y = shown(stats.max[x]) if flags[name] == "exploding" else \
            (ymin if log else ymin + 0.02 * (ymax - ymin))
        ax.annotate(flags[name], (x, y), xytext=(0, 4), textcoords="offset points",
                    ha="center", va="bottom", color=colour, fontsize=8, fontweight="bold",
                    rotation=90 if n > 12 else 0, zorder=5)
    ax.set_ylabel("|gradient|" + (" (log scale)" if log else ""))
    ax.set_xlabel("parameter")
    ax.set_xlim(-0.6, n - 0.4)
    ax.grid(axis="y", alpha=0.3, zorder=0)
    if title is None:
        title = "Gradient flow: mean and max |grad| per parameter"
        notes = []
        if flags:
            kinds = sorted(set(flags.values()))
            notes.append(f"{len(flags)} flagged ({', '.join(kinds)})")
        if not log and len(finite) > 1 and max(finite) > 1e3 * min(finite):
            notes.append("small bars hidden by big ones: try log=True")
        if notes:
            title += "\n" + "\n".join(notes)
    ax.set_title(title, fontsize=11)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig


# -- history ---------------------------------------------------------------------------------
def _as_series(history: Any) -> dict[str, list[float]]:
    """``{metric: values}`` from a dict of lists, a list of per-epoch dicts, or an object
    with a ``history`` dict (as Keras returns)."""
    history = getattr(history, "history", history)
    if isinstance(history, Mapping):
        series = {str(k): list(v) for k, v in history.items()}
    else:
        rows = list(history)
        if not all(isinstance(r, Mapping) for r in rows):
            raise TypeError("plot_history: expected a dict of lists or a list of dicts "
                            "(one per epoch)")
        series = {}
        for i, row in enumerate(rows):
            for k, v in row.items():
                series.setdefault(str(k), [math.nan] * i).append(v)
            for k in series:
                if len(series[k]) < i + 1:
                    series[k].append(math.nan)
    out = {}
    for k, vs in series.items():
        out[k] = [_float(v) for v in vs]
    return out


def _float(v: Any) -> float:
    if v is None:
        return math.nan
    if ins.is_tensor(v):
        return float(v.item())
    return float(v)


def _panel(key: str) -> str:
    k = key.lower()
    if "loss" in k:
        return "loss"
    if "acc" in k:
        return "accuracy"
    return "other"


def plot_history(history: Any, path: str | None = None, title: str | None = None,
                 log_loss: bool = False) -> Figure:
    """Loss and accuracy curves of a training run as a matplotlib ``Figure`` (saved to
    ``path`` when given).

    ``history``: ``{"train_loss": [...], "val_loss": [...], "val_acc": [...]}``, or a list
    of per-epoch dicts; an ``"epoch"`` (or ``"step"``) entry gives the x axis. Keys with
    ``loss`` share one panel, keys with ``acc`` another, the rest a third. The best
    validation value of each panel is marked.

    >>> fig = plot_history({"train_loss": [1.0, 0.6, 0.4], "val_loss": [1.1, 0.8, 0.7]})
    >>> fig.savefig("loss.png")  # doctest: +SKIP
    """
    from matplotlib.ticker import MaxNLocator

    series = _as_series(history)
    xkey = next((k for k in ("epoch", "epochs", "step", "steps", "iteration") if k in series),
                None)
    xs_given = series.pop(xkey) if xkey else None
    if not series:
        raise ValueError("plot_history: the history has no metrics to plot")
    panels: dict[str, list[str]] = {}
    for k in series:
        panels.setdefault(_panel(k), []).append(k)
    order = [p for p in ("loss", "accuracy", "other") if p in panels]
    fig = _figure(6.4 * len(order) if len(order) > 1 else 6.4, 4.2)
    axes = fig.subplots(1, len(order), squeeze=False)[0]
    for ax, panel in zip(axes, order):
        for i, key in enumerate(panels[panel]):
            ys = series[key]
            xs = xs_given[:len(ys)] if xs_given is not None else list(range(1, len(ys) + 1))
            style = "--" if key.lower().startswith(("val", "valid", "test")) else "-"
            ax.plot(xs, ys, style, marker="o" if len(ys) <= 30 else None, markersize=3,
                    linewidth=1.6, label=key, color=f"C{i}")
            if style == "--" and panel in ("loss", "accuracy"):
                _mark_best(ax, xs, ys, best_is_max=panel == "accuracy", colour=f"C{i}")
        ax.set_xlabel(xkey or "epoch")
        if all(float(x).is_integer() for x in (xs_given or [1])):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(panel)
        if panel == "loss" and log_loss:
            ax.set_yscale("log")
        ax.set_title(panel.capitalize() if panel != "other" else "Other metrics", fontsize=11)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig


def _mark_best(ax: Any, xs: list, ys: list, best_is_max: bool, colour: str) -> None:
    pts = [(x, y) for x, y in zip(xs, ys) if y == y and math.isfinite(y)]
    if not pts:
        return
    x, y = (max if best_is_max else min)(pts, key=lambda p: p[1])
    ax.plot([x], [y], marker="*", markersize=12, color=colour, zorder=5, linestyle="none")
    ax.annotate(f"best {y:.4g}", (x, y), xytext=(6, 6 if best_is_max else -12),
                textcoords="offset points", fontsize=8, color=colour)
