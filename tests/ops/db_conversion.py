"""OpInfo entries: conversions between dtypes (the Tensor methods of ``ops/conversion.py``).

A cast is differentiable between floating dtypes (``ToCopyBackward0``; the gradient is cast
back to the input's dtype) and cuts the graph to integer and bool dtypes. Casts that round
(float64 -> float32 / float16) cannot pass a float64 finite-difference gradcheck, so those
entries run in the "float32" slot only and draw their own source dtype: they are checked
against PyTorch's values and gradients; the float64 entries are gradchecked.
Dtypes travel as names (strings) and are looked up on the module under test.
"""

from __future__ import annotations

from .opdb import OpInfo, Sample

F32 = ("float32",)
BOTH = ("float32", "float64")


def _src(d, dtype=None, lo=-3.0, hi=3.0):
    return d.array(d.shape(), lo, hi, dtype=dtype)


def _to_samples(d):
    x = _src(d)
    if d.dtype.name == "float64":  # exact targets only: the gradcheck runs in float64
        return Sample(x, target=d.choice(["float64", "int64", "bool"]), copy=d.bool())
    return Sample(x, target=d.choice(["float64", "float16", "float32", "int32", "uint8",
                                      "bool"]), copy=d.bool())


def _to(T, x, target, copy):
    if target == "uint8":
        x = x.abs()  # negative floats to uint8 are undefined in C (and in PyTorch)
    return x.to(getattr(T, target), copy=copy)


def _to_other_samples(d):
    x = _src(d)
    other = d.array(d.shape(max_dims=1), dtype=d.choice(
        ["float64", "int64"] if d.dtype.name == "float64" else
        ["float64", "float16", "float32", "int16", "bool"]))
    return Sample(x, other)


def _to_device_samples(d):
    x = _src(d)
    target = d.choice(["float64", "none"] if d.dtype.name == "float64" else
                      ["float64", "float16", "none", "int8"])
    return Sample(x, target=target, device=d.choice(["cpu", "device"]))


def _to_device(T, x, target, device):
    dev = T.device("cpu") if device == "device" else "cpu"
    if target == "none":
        return x.to(dev)
    return x.to(dev, getattr(T, target))


def _narrowing(source):
    """A cast method on inputs of ``source`` dtype drawn whatever the slot's dtype."""
    return lambda d: Sample(_src(d, source))


def _int_samples(lo, hi):
    return lambda d: Sample(_src(d, None, lo, hi))


def _type_samples(d):
    return Sample(_src(d), target=d.choice(["float64", "float16", "float32", "int64", "bool"]),
                  form=d.choice(["dtype", "name", "class"]))


def _type(T, x, target, form):
    d = getattr(T, target)
    legacy = {"float64": "DoubleTensor", "float16": "HalfTensor", "float32": "FloatTensor",
              "int64": "LongTensor", "bool": "BoolTensor"}[target]
    if form == "name":
        return x.type(f"{T.__name__}.{legacy}")
    if form == "class":
        return x.type(getattr(T, legacy))
    return x.type(d)


def _type_as_samples(d):
    return Sample(_src(d), d.array((1,), dtype=d.choice(
        ["float64", "int32"] if d.dtype.name == "float64" else
        ["float64", "float16", "float32", "int32", "bool"])))


def _new_samples(d):
    return Sample(_src(d), size=d.shape(max_dims=2), fill=d.choice([1.5, -2, True]))


def _new(T, x, size, fill):
    return (x.new_zeros(size), x.new_ones(size), x.new_full(size, fill), x.new_empty(size).shape,
            x.new_tensor([[1, 2]]), x.new_zeros(size, dtype=T.int64))


ENTRIES: list = [
    OpInfo("to", _to_samples, fn=_to, method=False, dtypes=BOTH, atol=1e-3, rtol=1e-3),
    OpInfo("to", _to_other_samples, fn=lambda T, x, other: x.to(other), method=False,
           dtypes=BOTH, atol=1e-3, rtol=1e-3, id="to_other"),
    OpInfo("to", _to_device_samples, fn=_to_device, method=False, dtypes=BOTH, atol=1e-3,
           rtol=1e-3, id="to_device"),
    OpInfo("double", lambda d: Sample(_src(d)), fn=lambda T, x: x.double(), method=False,
           dtypes=BOTH),
    OpInfo("float", _narrowing("float64"), fn=lambda T, x: x.float(), method=False,
           dtypes=F32, id="float_cast"),
    OpInfo("half", _narrowing("float32"), fn=lambda T, x: x.half(), method=False, dtypes=F32,
           atol=1e-3, rtol=1e-3),
    OpInfo("half", _narrowing("float64"), fn=lambda T, x: x.half() * 2, method=False,
           dtypes=F32, atol=1e-3, rtol=1e-3, id="half_from_double"),
    OpInfo("type", _type_samples, fn=_type, method=False, dtypes=F32, atol=1e-3, rtol=1e-3),
    OpInfo("type_as", _type_as_samples, fn=lambda T, x, other: x.type_as(other), method=False,
           dtypes=F32, atol=1e-3, rtol=1e-3),
    OpInfo("type_as", lambda d: Sample(_src(d), d.array((2,), dtype="float64")),
           fn=lambda T, x, other: x.type_as(other) * other.sum(), method=False, dtypes=BOTH,
           id="type_as_double"),
    OpInfo("cpu", lambda d: Sample(_src(d)), fn=lambda T, x: x.cpu() * 2, method=False,
           dtypes=BOTH),
    # casts to integers and bool: values only (no gradient flows)
    OpInfo("int", _int_samples(-1e6, 1e6), fn=lambda T, x: x.int(), method=False, grad=False,
           node=False, dtypes=BOTH),
    OpInfo("long", _int_samples(-1e6, 1e6), fn=lambda T, x: x.long(), method=False,
           grad=False, node=False, dtypes=BOTH),
    OpInfo("short", _int_samples(-3e4, 3e4), fn=lambda T, x: x.short(), method=False,
           grad=False, node=False, dtypes=BOTH),
    OpInfo("char", _int_samples(-127, 127), fn=lambda T, x: x.char(), method=False,
           grad=False, node=False, dtypes=BOTH),
    OpInfo("byte", _int_samples(0, 255), fn=lambda T, x: x.byte(), method=False, grad=False,
           node=False, dtypes=BOTH),
    OpInfo("bool", _int_samples(-1, 1), fn=lambda T, x: (x.bool(), (x * 0).bool()),
           method=False, grad=False, node=False, dtypes=BOTH),
    OpInfo("new_zeros", _new_samples, fn=_new, method=False, grad=False, node=False,
           dtypes=BOTH, covers=("new_ones", "new_full", "new_empty", "new_tensor")),
]
