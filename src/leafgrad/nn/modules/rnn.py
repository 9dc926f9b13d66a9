"""Recurrent layers: RNN, LSTM, GRU (multi-layer, bidirectional, batch_first, dropout
between layers) and their single-step cells, with PyTorch's parameter names
(``weight_ih_l0``, ``bias_hh_l1_reverse`` ...), initialisation and errors.

The recurrences are composites of leafgrad ops: each layer projects the whole input
sequence at once (one matmul), then steps through time.
"""

from __future__ import annotations

import math
import numbers
import warnings

from ...backend import np
from ...ops.registry import Op, apply
from ...ops.shape import stack
from ...tensor import Tensor
from .. import _functional_layers as _F
from ..module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _zeros(shape, like: Tensor) -> Tensor:
    return Tensor._make(np.zeros(tuple(shape), like._data.dtype))


def _sig(a):
    return a.sigmoid() if isinstance(a, Tensor) else 1.0 / (1.0 + np.exp(-a))


def _tanh(a):
    return a.tanh() if isinstance(a, Tensor) else np.tanh(a)


def _cat(parts):
    if isinstance(parts[0], Tensor):
        from ...ops.shape import cat

        return cat(parts, -1)
    return np.concatenate(parts, -1)


class LSTMCellStep(Op):
    """One LSTM step as one primitive: (h', c') from the step's input projection ``xw``
    (biases included), ``hx``, ``cx`` and the transposed recurrent weight. A composite
    would record a dozen nodes per time step; the vjp recomputes the gates instead."""

    args = ("xw", "hx", "cx", "whh_t")
    saves = ("xw", "hx", "cx", "whh_t", "result")
    outputs = 2
    array_vjp = True

    def forward(xp, xw, hx, cx, whh_t):
        gates = xw + hx @ whh_t
        h = cx.shape[-1]
        i = 1.0 / (1.0 + xp.exp(-gates[..., :2 * h]))
        f = i[..., h:]
        i = i[..., :h]
        g = xp.tanh(gates[..., 2 * h:3 * h])
        o = 1.0 / (1.0 + xp.exp(-gates[..., 3 * h:]))
        c = f * cx + i * g
        return (o * xp.tanh(c)).astype(xw.dtype, copy=False), c.astype(xw.dtype, copy=False)

    def vjp(g, out, xw, hx, cx, whh_t):
        gh, gc = g
        _, c = out
        h = cx.shape[-1]
        gates = xw + hx @ whh_t
        i = _sig(gates[..., :h])
        f = _sig(gates[..., h:2 * h])
        gg = _tanh(gates[..., 2 * h:3 * h])
        o = _sig(gates[..., 3 * h:])
        tc = _tanh(c)
        dc = gc + gh * o * (1 - tc * tc)
        dgates = _cat([dc * gg * i * (1 - i), dc * cx * f * (1 - f), dc * i * (1 - gg * gg),
                       gh * tc * o * (1 - o)])
        return dgates, dgates @ whh_t.T, dc * f, hx.T @ dgates


class GRUCellStep(Op):
    """One GRU step as one primitive: h' from the step's input projection ``xw`` (b_ih
    included), ``hx``, the transposed recurrent weight and ``b_hh`` (needed inside
    r * (W_hn h + b_hn)); the vjp recomputes the gates."""

    args = ("xw", "hx", "whh_t", "b_hh")
    saves = ("xw", "hx", "whh_t", "b_hh")
    array_vjp = True

    def forward(xp, xw, hx, whh_t, b_hh, *, has_b):
        gh = hx @ whh_t
        if has_b:
            gh = gh + b_hh
        h = hx.shape[-1]
        rz = 1.0 / (1.0 + xp.exp(-(xw[..., :2 * h] + gh[..., :2 * h])))
        r, z = rz[..., :h], rz[..., h:]
        n = xp.tanh(xw[..., 2 * h:] + r * gh[..., 2 * h:])
        return ((1 - z) * n + z * hx).astype(xw.dtype, copy=False)

    def vjp(g, out, xw, hx, whh_t, b_hh, *, has_b):
        h = hx.shape[-1]
        gh = hx @ whh_t
        if has_b:
            gh = gh + b_hh
        r = _sig(xw[..., :h] + gh[..., :h])
        z = _sig(xw[..., h:2 * h] + gh[..., h:2 * h])
        hn = gh[..., 2 * h:]
        n = _tanh(xw[..., 2 * h:] + r * hn)
        dn = g * (1 - z) * (1 - n * n)
        dr = dn * hn * r * (1 - r)
        dz = g * (hx - n) * z * (1 - z)
        dgh = _cat([dr, dz, dn * r])
        dhx = g * z + dgh @ whh_t.T
        db = dgh.sum(0) if has_b else None
        return _cat([dr, dz, dn]), dhx, hx.T @ dgh, db


# The steps take ``w_hh`` already transposed (``whh_t``); for LSTM and RNN the caller
# has folded ``b_hh`` into ``xw`` (pass None), GRU needs it apart (inside r * (...)).
def _lstm_step(xw, h, c, whh_t, b_hh, whr_t):
    if b_hh is not None:
        xw = xw + b_hh
    if xw.dim() == 2 and h.dim() == 2 and xw.dtype == h.dtype == c.dtype == whh_t.dtype:
        h, c = apply(LSTMCellStep, xw, h, c, whh_t)
    else:
        gates = xw + h @ whh_t
        i, f, g, o = gates.chunk(4, -1)
        c = f.sigmoid() * c + i.sigmoid() * g.tanh()
        h = o.sigmoid() * c.tanh()
    if whr_t is not None:
        h = h @ whr_t
    return h, c


def _gru_step(xw, h, whh_t, b_hh):
    if xw.dim() == 2 and h.dim() == 2 and xw.dtype == h.dtype == whh_t.dtype:
        has_b = b_hh is not None
        b = b_hh if has_b else Tensor._make(np.zeros((whh_t.shape[1],), xw._data.dtype))
        return apply(GRUCellStep, xw, h, whh_t, b, has_b=has_b)
    gh = h @ whh_t
    if b_hh is not None:
        gh = gh + b_hh
    ir, iz, in_ = xw.chunk(3, -1)
    hr, hz, hn = gh.chunk(3, -1)
    r = (ir + hr).sigmoid()
    z = (iz + hz).sigmoid()
    n = (in_ + r * hn).tanh()
    return (1 - z) * n + z * h


def _rnn_step(xw, h, whh_t, b_hh, relu: bool):
    pre = xw + h @ whh_t
    if b_hh is not None:
        pre = pre + b_hh
    return pre.relu() if relu else pre.tanh()


class RNNBase(Module):
    """The shared body of RNN, LSTM and GRU: parameters, checks and the layer loop."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
                or not 0 <= dropout <= 1):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                "dropout expects num_layers greater than 1, but got "
                f"dropout={dropout} and num_layers={num_layers}", stacklevel=2)
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(
                f"batch_first should be of type bool, got: {type(batch_first).__name__}")
        if not isinstance(input_size, int):
            raise TypeError(
                f"input_size should be of type int, got: {type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(
                f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError(
                "proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = _GATES[mode] * hidden_size
        dirs = 2 if bidirectional else 1
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            for direction in range(dirs):
                layer_in = input_size if layer == 0 else real_hidden * dirs
                sfx = "_reverse" if direction == 1 else ""
                shapes = [(f"weight_ih_l{layer}{sfx}", (gate_size, layer_in)),
                          (f"weight_hh_l{layer}{sfx}", (gate_size, real_hidden))]
                if bias:
                    shapes += [(f"bias_ih_l{layer}{sfx}", (gate_size,)),
                               (f"bias_hh_l{layer}{sfx}", (gate_size,))]
                if proj_size > 0:
                    shapes += [(f"weight_hr_l{layer}{sfx}", (proj_size, hidden_size))]
                for name, shape in shapes:
                    setattr(self, name, _F._new_param(shape, dtype, device))
                names = [n for n, _ in shapes]
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, n) for n in self._flat_weights_names]

    @property
    def all_weights(self) -> list:
        """The parameters, one list per layer and direction."""
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """A no-op (PyTorch packs weights for cuDNN here)."""

    def reset_parameters(self) -> None:
        """Every parameter from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for w in self.parameters():
            _F._uniform_(w, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # -- checks ------------------------------------------------------------------------
    def check_input(self, input: Tensor, batch_sizes=None) -> None:
        w = self._flat_weights[0]
        if input.dtype != w.dtype:
            raise ValueError(
                f"RNN input dtype ({input.dtype}) does not match weight dtype ({w.dtype}). "
                f"Convert input: input.to({w.dtype}), or convert model: "
                f"model.to({input.dtype})")
        if input.dim() != 3:
            raise RuntimeError(f"input must have 3 dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                f"got {input.size(-1)}")

    def get_expected_hidden_size(self, input: Tensor, batch_sizes=None) -> tuple:
        mini_batch = input.size(0) if self.batch_first else input.size(1)
        dirs = 2 if self.bidirectional else 1
        h = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * dirs, mini_batch, h)

    def check_hidden_size(self, hx: Tensor, expected: tuple,
                          msg: str = "Expected hidden size {}, got {}") -> None:
        if tuple(hx.size()) != expected:
            raise RuntimeError(msg.format(expected, list(hx.size())))

    # -- the recurrence ------------------------------------------------------------------
    def _run(self, x: Tensor, h0: Tensor, c0: Tensor | None):
        """``x`` (L, N, in) seq-first; returns output (L, N, D*H) and final h (and c)."""
        dirs = 2 if self.bidirectional else 1
        steps = x.shape[0]
        hs, cs = [], []
        layer_in = x
        for layer in range(self.num_layers):
            outs = []
            for d in range(dirs):
                idx = layer * dirs + d
                names = self._all_weights[idx]
                p = {n.split("_l")[0]: getattr(self, n) for n in names}
                w_ih, w_hh = p["weight_ih"], p["weight_hh"]
                b_ih, b_hh = p.get("bias_ih"), p.get("bias_hh")
                xw = layer_in @ w_ih.t()
                step_bias = b_hh
                if b_ih is not None:
                    if self.mode != "GRU":  # both biases added once, outside the loop
                        xw = xw + (b_ih + b_hh)
                        step_bias = None
                    else:
                        xw = xw + b_ih
                xs = xw.unbind(0)
                whh_t = w_hh.t()
                w_hr = p.get("weight_hr")
                whr_t = w_hr.t() if w_hr is not None else None
                h = h0[idx]
                c = c0[idx] if c0 is not None else None
                seq = [None] * steps
                order = range(steps - 1, -1, -1) if d == 1 else range(steps)
                for t in order:
                    if self.mode == "LSTM":
                        h, c = _lstm_step(xs[t], h, c, whh_t, step_bias, whr_t)
                    elif self.mode == "GRU":
                        h = _gru_step(xs[t], h, whh_t, step_bias)
                    else:
                        h = _rnn_step(xs[t], h, whh_t, step_bias, self.mode == "RNN_RELU")
                    seq[t] = h
                outs.append(stack(seq) if steps else _zeros(
                    (0,) + tuple(h.shape), h))
                hs.append(h)
                if c is not None:
                    cs.append(c)
            layer_out = outs[0] if dirs == 1 else _cat_last(outs)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_out = _F.dropout(layer_out, self.dropout, True)
            layer_in = layer_out
        return layer_in, stack(hs), (stack(cs) if c0 is not None else None)

    def _prepare(self, input: Tensor, name: str):
        if input.dim() not in (2, 3):
            sfx = " tensor" if name == "RNN" else ""
            raise ValueError(
                f"{name}: Expected input to be 2D or 3D, got {input.dim()}D{sfx} instead")
        return input.dim() == 3

    def _seq_first(self, input: Tensor) -> Tensor:
        return input.transpose(0, 1) if self.batch_first else input

    def _finish(self, out: Tensor, batched: bool) -> Tensor:
        if self.batch_first:
            out = out.transpose(0, 1)
        if not batched:
            out = out.squeeze(0 if self.batch_first else 1)
        return out


def _cat_last(ts: list) -> Tensor:
    from ...ops.shape import cat

    return cat(ts, -1)


def _no_proj_size(kwargs: dict) -> None:
    if "proj_size" in kwargs:
        raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")


class _SimpleRecurrent(RNNBase):
    """RNN and GRU: one hidden state."""

    _name = "RNN"

    def forward(self, input: Tensor, hx: Tensor | None = None):
        batched = self._prepare(input, self._name)
        batch_dim = 0 if self.batch_first else 1
        if not batched:
            input = input.unsqueeze(batch_dim)
            if hx is not None:
                if hx.dim() != 2:
                    raise RuntimeError("For unbatched 2-D input, hx should also be 2-D but got "
                                       f"{hx.dim()}-D tensor")
                hx = hx.unsqueeze(1)
        elif hx is not None and hx.dim() != 3:
            raise RuntimeError("For batched 3-D input, hx should also be 3-D but got "
                               f"{hx.dim()}-D tensor")
        expected = self.get_expected_hidden_size(input)
        if hx is None:
            hx = _zeros(expected, input)
        self.check_input(input)
        self.check_hidden_size(hx, expected)
        out, h, _ = self._run(self._seq_first(input), hx, None)
        return self._finish(out, batched), (h if batched else h.squeeze(1))


class RNN(_SimpleRecurrent):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu).

    ``RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
    batch_first=False, dropout=0.0, bidirectional=False)``; returns ``(output, h_n)``.
    """

    def __init__(self, *args, **kwargs) -> None:
        _no_proj_size(kwargs)
        if len(args) > 3:
            nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self.__dict__["nonlinearity"] = nonlinearity
        super().__init__(mode, *args, **kwargs)
        self.nonlinearity = nonlinearity


class GRU(_SimpleRecurrent):
    """Gated recurrent unit (gates r, z, n); returns ``(output, h_n)``."""

    _name = "GRU"

    def __init__(self, *args, **kwargs) -> None:
        _no_proj_size(kwargs)
        super().__init__("GRU", *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory (gates i, f, g, o); returns ``(output, (h_n, c_n))``."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input: Tensor, batch_sizes=None) -> tuple:
        layers_dirs, mini_batch, _ = self.get_expected_hidden_size(input)
        return (layers_dirs, mini_batch, self.hidden_size)

    def forward(self, input: Tensor, hx: tuple | None = None):
        batched = self._prepare(input, "LSTM")
        batch_dim = 0 if self.batch_first else 1
        if not batched:
            input = input.unsqueeze(batch_dim)
        eh = self.get_expected_hidden_size(input)
        ec = self.get_expected_cell_size(input)
        if hx is None:
            hx = (_zeros(eh, input), _zeros(ec, input))
        else:
            h0, c0 = hx
            if batched:
                if h0.dim() != 3 or c0.dim() != 3:
                    raise RuntimeError(
                        "For batched 3-D input, hx and cx should also be 3-D but got "
                        f"({h0.dim()}-D, {c0.dim()}-D) tensors")
            else:
                if h0.dim() != 2 or c0.dim() != 2:
                    raise RuntimeError(
                        "For unbatched 2-D input, hx and cx should also be 2-D but got "
                        f"({h0.dim()}-D, {c0.dim()}-D) tensors")
                hx = (h0.unsqueeze(1), c0.unsqueeze(1))
        self.check_input(input)
        self.check_hidden_size(hx[0], eh, "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hx[1], ec, "Expected hidden[1] size {}, got {}")
        out, h, c = self._run(self._seq_first(input), hx[0], hx[1])
        if not batched:
            h, c = h.squeeze(1), c.squeeze(1)
        return self._finish(out, batched), (h, c)


# -- cells ---------------------------------------------------------------------------------
class RNNCellBase(Module):
    """The parameters of a one-step cell: ``num_chunks`` gates of ``hidden_size``."""

    _gates = 1

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 num_chunks: int | None = None, device=None, dtype=None) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        g = (num_chunks or self._gates) * hidden_size
        self.weight_ih = _F._new_param((g, input_size), dtype, device)
        self.weight_hh = _F._new_param((g, hidden_size), dtype, device)
        if bias:
            self.bias_ih = _F._new_param((g,), dtype, device)
            self.bias_hh = _F._new_param((g,), dtype, device)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    reset_parameters = RNNBase.reset_parameters

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nl = getattr(self, "nonlinearity", "tanh")
        if nl != "tanh":
            s += f", nonlinearity={nl}"
        return s

    def _xw(self, input: Tensor) -> Tensor:
        xw = input @ self.weight_ih.t()
        return xw if self.bias_ih is None else xw + self.bias_ih

    def _check(self, input: Tensor, hx, name: str, hname: str = "hidden"):
        if input.dim() not in (1, 2):
            raise ValueError(
                f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None and hx.dim() not in (1, 2):
            raise ValueError(
                f"{name}: Expected {hname} to be 1D or 2D, got {hx.dim()}D instead")
        return input.dim() == 2

    def _batched(self, input: Tensor, hx: Tensor | None, name: str):
        """Checked ``input`` and ``hx`` with a batch dim (``hx`` zeros if None), and whether
        the input had one."""
        batched = self._check(input, hx, name)
        if not batched:
            input = input.unsqueeze(0)
        hx = _zeros((input.shape[0], self.hidden_size), input) if hx is None else (
            hx if batched else hx.unsqueeze(0))
        return input, hx, batched


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, hx, batched = self._batched(input, hx, "RNNCell")
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        h = _rnn_step(self._xw(input), hx, self.weight_hh.t(), self.bias_hh,
                      self.nonlinearity == "relu")
        return h if batched else h.squeeze(0)


class GRUCell(RNNCellBase):
    """One step of a GRU."""

    _gates = 3

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, hx, batched = self._batched(input, hx, "GRUCell")
        h = _gru_step(self._xw(input), hx, self.weight_hh.t(), self.bias_hh)
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One step of an LSTM; returns ``(h', c')``."""

    _gates = 4

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx: tuple | None = None):
        if input.dim() not in (1, 2):
            raise ValueError(
                f"LSTMCell: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None:
            for idx, value in enumerate(hx):
                if value.dim() not in (1, 2):
                    raise ValueError(f"LSTMCell: Expected hx[{idx}] to be 1D or 2D, got "
                                     f"{value.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            z = _zeros((input.shape[0], self.hidden_size), input)
            hx = (z, z)
        elif not batched:
            hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        h, c = _lstm_step(self._xw(input), hx[0], hx[1], self.weight_hh.t(), self.bias_hh,
                          None)
        if not batched:
            h, c = h.squeeze(0), c.squeeze(0)
        return h, c
