"""``python -m leafgrad.demo`` (``make demo``): what leafgrad does, in under a minute.

1. The seed tutorial's graph ``w = x*y + x``: built as code runs, printed, differentiated,
   and drawn with its values and gradients.
2. The chain rule made executable: ``explain`` lists every path's local derivatives.
3. A real model: a small network trained on the bundled handwritten digits, with a
   progress bar, its loss curve, its gradient flow, and the graph of one training step.

Everything is written into ``demo-out/`` (or the directory given as the first argument).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import leafgrad as torch
from leafgrad import nn, optim
from leafgrad.autograd import explain
from leafgrad.datasets import load_digits, train_test_split
from leafgrad.nn import functional as F
from leafgrad.utils.data import DataLoader, TensorDataset


def _render(dot, path: Path, notes: list) -> None:
    """Write ``path``.png, or say why only the DOT source could be written."""
    try:
        dot.render(str(path), format="png", cleanup=True)
        notes.append(f"{path}.png")
    except Exception as e:  # noqa: BLE001 - the demo goes on without the picture
        path.with_suffix(".dot").write_text(dot.source)
        notes.append(f"{path.with_suffix('.dot')} (no PNG: {str(e).splitlines()[0]})")


def seed_graph(out: Path, notes: list) -> None:
    print("1. A graph is recorded as code runs\n")
    x = torch.tensor(2.0, requires_grad=True)
    y = torch.tensor(3.0, requires_grad=True)
    z = x * y
    w = z + x
    print(f"   x = {x}\n   y = {y}\n   z = x * y = {z}\n   w = z + x = {w}\n")
    print("   its backward graph (grad_fn and next_functions):")
    for line in torch.viz.format_graph(w).splitlines():
        print("     " + line)
    w.backward()
    print(f"\n   after w.backward():  dw/dx = y + 1 = {x.grad.item()},  "
          f"dw/dy = x = {y.grad.item()}\n")
    dot = torch.viz.make_dot(w, params={"x": x, "y": y, "w": w}, show_values=True,
                             show_grads=True, legend=True)
    _render(dot, out / "seed_graph", notes)


def chain_rule(out: Path, notes: list) -> None:
    print("2. The chain rule, path by path: L = log(y), y = z**3, z = x**2 at x = 2\n")
    x = torch.tensor(2.0, requires_grad=True)
    z = x**2
    y = z**3
    L = torch.log(y)
    text = explain(L, x, names={"x": x, "z": z, "y": y, "L": L}, quiet=True).text
    print("\n".join("   " + line for line in text.splitlines()))
    (out / "explain.txt").write_text(text + "\n")
    notes.append(str(out / "explain.txt"))
    L.backward()
    print(f"\n   backward agrees: x.grad = {x.grad.item()} = 6/x\n")


def _progress(iterable, total: int, desc: str):
    try:
        from tqdm import tqdm
    except ImportError:  # the progress extra is optional
        return iterable
    return tqdm(iterable, total=total, desc=desc, leave=False, ncols=80)


def train_digits(out: Path, notes: list, epochs: int = 20) -> float:
    print("3. Training a network on the bundled handwritten digits (8x8 images)\n")
    torch.manual_seed(0)
    data = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(data.data, data.target,
                                                        test_size=0.25, seed=0)
    mean, std = x_train.mean(0), x_train.std(0) + 0.1  # standardise each pixel
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=32, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                          nn.Linear(64, 10))
    opt = optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    schedule = optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    history: dict = {"train loss": [], "val loss": [], "val accuracy": []}
    print(f"   {len(x_train)} training and {len(x_test)} test images; model:")
    print("\n".join("     " + line for line in repr(model).splitlines()))
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        model.train()
        total, count = 0.0, 0
        for xb, yb in _progress(loader, len(loader), f"epoch {epoch:2d}"):
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(yb)
            count += len(yb)
        schedule.step()
        model.eval()
        with torch.no_grad():
            logits = model(x_test)
            val_loss = F.cross_entropy(logits, y_test).item()
            acc = (logits.argmax(1) == y_test).float().mean().item()
        history["train loss"].append(total / count)
        history["val loss"].append(val_loss)
        history["val accuracy"].append(acc)
        print(f"   epoch {epoch:2d}  train loss {total / count:.4f}  val loss {val_loss:.4f}  "
              f"val accuracy {acc:.1%}")
    print(f"   trained in {time.perf_counter() - start:.1f} s\n")

    # One more step, kept for pictures: its graph and the gradients it leaves.
    opt.zero_grad()
    loss = F.cross_entropy(model(x_train[:64]), y_train[:64])
    dot = torch.viz.make_dot(loss, params=dict(model.named_parameters()), show_memory=True)
    loss.backward()
    _render(dot, out / "training_step_graph", notes)
    try:
        torch.viz.plot_grad_flow(model.named_parameters(), out / "grad_flow.png", log=True)
        torch.viz.plot_history(history, out / "loss_curve.png")
        notes += [str(out / "grad_flow.png"), str(out / "loss_curve.png")]
    except ImportError as e:
        notes.append(f"(no charts: {e})")
    return history["val accuracy"][-1]


def main(argv: list | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0] if argv else "demo-out")
    out.mkdir(parents=True, exist_ok=True)
    notes: list = []
    print("leafgrad demo: autograd you can see.\n")
    seed_graph(out, notes)
    chain_rule(out, notes)
    train_digits(out, notes)
    print("Outputs written:")
    for n in notes:
        print(f"   {n}")


if __name__ == "__main__":
    main()
