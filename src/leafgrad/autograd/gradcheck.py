"""gradcheck / gradgradcheck: analytical vs central finite-difference Jacobians."""

from __future__ import annotations

from collections.abc import Callable


class GradcheckError(RuntimeError):
    """Raised by gradcheck when the analytical and numerical Jacobians disagree."""


def _as_tuple(x) -> tuple:
    return tuple(x) if isinstance(x, (list, tuple)) else (x,)


def _differentiable_outputs(outputs) -> list:
    return [o for o in outputs if o.requires_grad]


def _numerical_jacobian(fn: Callable, inputs: tuple, outputs: list, eps: float) -> list:
    """jac[i][j]: d output j / d input i, as an array of shape (numel_in, numel_out)."""
    from ..backend import np

    jacs = []
    for inp in inputs:
        if not _needs_grad(inp):
            jacs.append(None)
            continue
        per_out = [np.zeros((inp._data.size, o._data.size), dtype=np.float64) for o in outputs]
        for k in range(inp._data.size):
            idx = np.unravel_index(k, inp._data.shape)
            orig = inp._data[idx].copy()
            inp._data[idx] = orig - eps
            minus = [o._data.astype(np.float64).copy() for o in _run(fn, inputs)]
            inp._data[idx] = orig + eps
            plus = [o._data.astype(np.float64).copy() for o in _run(fn, inputs)]
            inp._data[idx] = orig
            for j, (p, m) in enumerate(zip(plus, minus)):
                per_out[j][k] = ((p - m) / (2 * eps)).reshape(-1)
        jacs.append(per_out)
    return jacs


def _run(fn, inputs) -> list:
    # Grad mode stays on: gradgradcheck's function itself calls autograd.grad.
    # Only the differentiable outputs: they line up with the analytical Jacobian's.
    return [o.detach() for o in _as_tuple(fn(*inputs)) if _needs_grad(o)]


def _needs_grad(x) -> bool:
    from ..tensor import Tensor

    return isinstance(x, Tensor) and x.requires_grad


def _analytical_jacobian(inputs: tuple, outputs: list) -> list:
    from ..autograd import grad
    from ..backend import np
    from ..tensor import Tensor

    diff_inputs = [x for x in inputs if _needs_grad(x)]
    jacs = {id(x): [np.zeros((x._data.size, o._data.size)) for o in outputs]
            for x in diff_inputs}
    for j, out in enumerate(outputs):
        for k in range(out._data.size):
            v = np.zeros(out._data.size, dtype=out._data.dtype)
            v[k] = 1
            gs = grad(out, diff_inputs, Tensor._make(v.reshape(out._data.shape)),
                      retain_graph=True, allow_unused=True)
            for x, g in zip(diff_inputs, gs):
                if g is not None:
                    jacs[id(x)][j][:, k] = g._data.reshape(-1)
    return [jacs.get(id(x)) if _needs_grad(x) else None for x in inputs]


def gradcheck(func: Callable, inputs, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True, nondet_tol: float = 0.0,
              check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
              check_batched_grad: bool = False, check_backward_ad: bool = True,
              fast_mode: bool = False, masked: bool | None = None, **unused) -> bool:
    """Check ``func``'s gradients against central finite differences (use float64 inputs).

    >>> x = leafgrad.randn(3, dtype=leafgrad.float64, requires_grad=True)
    >>> leafgrad.autograd.gradcheck(leafgrad.sin, (x,))
    True
    """
    from ..tensor import Tensor

    inputs = _as_tuple(inputs)
    for i, x in enumerate(inputs):
        if _needs_grad(x) and x._data.dtype.itemsize < 8:
            import warnings

            warnings.warn(
                f"Input #{i} requires gradient and is not a double precision floating point. "
                "This check will likely fail if all the inputs are not of double precision "
                "floating point. ",
                UserWarning,
                stacklevel=2,
            )
    if not any(_needs_grad(x) for x in inputs):
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but none of "
            "the them have requires_grad=True."
        )
    outputs = [o for o in _as_tuple(func(*inputs)) if isinstance(o, Tensor)]
    diff_outputs = _differentiable_outputs(outputs)
    if not diff_outputs:
        return True  # nothing differentiable to compare
    numerical = _numerical_jacobian(func, inputs, diff_outputs, eps)
    analytical = _analytical_jacobian(inputs, diff_outputs)
    from ..backend import np

    for i, (num, ana) in enumerate(zip(numerical, analytical)):
        if num is None:
            continue
        for j, (n, a) in enumerate(zip(num, ana)):
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                from ..creation import tensor

                msg = (
                    f"Jacobian mismatch for output {j} with respect to input {i},\n"
                    f"numerical:{tensor(n)!r}\nanalytical:{tensor(a)!r}\n"
                )
                return _fail_or_false(msg, raise_exception)
    return True


def _fail_or_false(msg: str, raise_exception: bool) -> bool:
    if raise_exception:
        raise GradcheckError(msg)
    return False


def gradgradcheck(func: Callable, inputs, grad_outputs=None, *, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, gen_non_contig_grad_outputs=False,
                  raise_exception: bool = True, **unused) -> bool:
    """Check second derivatives: gradcheck of the vjp of ``func`` (float64 inputs)."""
    from ..autograd import grad
    from ..creation import randn_like

    inputs = _as_tuple(inputs)
    outputs = [o for o in _as_tuple(func(*inputs)) if _needs_grad(o)]
    if grad_outputs is None:
        grad_outputs = tuple(randn_like(o).requires_grad_() for o in outputs)
    grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if _needs_grad(x)]

    def vjp(*args):
        ins, gos = args[:n_in], args[n_in:]
        outs = [o for o in _as_tuple(func(*ins)) if _needs_grad(o)]
        diff = [ins[i] for i in diff_idx]
        gs = grad(outs, diff, gos, create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(vjp, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
