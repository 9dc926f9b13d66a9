"""Tensor: a backend array with autograd state (requires_grad, grad, grad_fn, version).

Operators and methods are the op functions of ``leafgrad.ops`` bound onto the
class in one table at the bottom of ``leafgrad/ops/__init__.py``; this file holds
only the state and the methods about autograd, conversion and identity.
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Callable

from . import autograd as _autograd
from . import dtypes as _dt
from .autograd import grad_mode
from .autograd.graph import RemovableHandle, add_hook
from .backend import np

_new = object.__new__


_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
                 "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                 "privateuseone")


class device:
    """A device name, as ``torch.device``: ``device('cpu')``, ``device('cuda', 0)``.

    Any of PyTorch's device types can be named (so ``device('cuda' if ... else 'cpu')``
    works), but tensors live on the CPU only: creating or moving a tensor to another
    device raises a RuntimeError.

    >>> leafgrad.device('cpu')
    device(type='cpu')
    """

    __slots__ = ("type", "index")

    def __init__(self, type: str | device = "cpu", index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, int) and not isinstance(type, bool):
            raise RuntimeError("Cannot access accelerator device when none is available.")
        elif not isinstance(type, str):
            got = "NoneType" if type is None else builtins_type(type).__name__
            raise TypeError(
                f"device() received an invalid combination of arguments - got ({got}), but "
                "expected one of:\n * (leafgrad.device device)\n      didn't match because "
                f"some of the arguments have invalid types: (!{got}!)\n * (str type, int "
                "index = -1)\n"
            )
        else:
            name, sep, idx = type.partition(":")
            if sep:
                if not idx.isdigit() or (len(idx) > 1 and idx[0] == "0"):
                    raise RuntimeError(f"Invalid device string: '{type}'")
                index = int(idx)
            if not name.isalpha() and name != "privateuseone":
                raise RuntimeError(f"Invalid device string: '{type}'")
            if name not in _DEVICE_TYPES:
                raise RuntimeError(
                    f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start of "
                    f"device string: {type}"
                )
            type = name
        if index is not None:
            if not isinstance(index, int) or isinstance(index, bool):
                raise TypeError(f"device(): argument 'index' (position 2) must be int, not "
                                f"{builtins_type(index).__name__}")
            if index < 0:
                raise RuntimeError("Device index must not be negative")
        self.type = type
        self.index = index

    def __repr__(self) -> str:
        idx = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{idx})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


builtins_type = type
CPU = device("cpu")


def check_device(d) -> None:
    """Accept ``d`` (None, a string, a device) only where it names the CPU."""
    if d is None or d is CPU or d == "cpu":
        return
    d = d if isinstance(d, device) else device(d)
    if d.type != "cpu":
        raise RuntimeError(
            f"leafgrad tensors live on the CPU: device '{d}' is not available (leafgrad has no "
            f"'{d.type}' backend)"
        )


class _VariableMeta(type):
    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, Tensor)


class Tensor:
    """An n-dimensional array that records the operations applied to it.

    >>> x = leafgrad.tensor([1., 2.], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4.])
    """

    # _view is set on views only (read only where _base is not None): a ViewMeta.
    __slots__ = ("_data", "_rg", "_edge", "_grad", "_vc", "_base", "_acc", "_extra", "_view",
                 "__weakref__")
    __array_priority__ = 1000  # ndarray (op) Tensor defers to Tensor's reflected operator

    # -- construction ----------------------------------------------------------------
    def __new__(cls, *args, **kwargs):
        # The legacy constructor: Tensor(data) or Tensor(*sizes) -> default-dtype tensor.
        from .creation import _legacy_tensor

        return _legacy_tensor(cls, *args, **kwargs)

    @staticmethod
    def _make(data) -> Tensor:
        """Wrap a backend array (no copy) as a fresh leaf that does not require grad."""
        t = _new(Tensor)
        t._data = data
        t._rg = False
        t._edge = None
        t._grad = None
        t._vc = [0]
        t._base = None
        t._acc = None
        t._extra = None
        return t

    @staticmethod
    def _make_output(data, node, nr: int, vc: list) -> Tensor:
        # A saved output, rebuilt on unpack: shares data and version, hangs on its node.
        t = Tensor._make(data)
        t._vc = vc
        t._rg = True
        t._edge = (node, nr)
        return t

    def _owns_data(self) -> bool:
        d = self._data
        return d.base is None and d.flags.writeable and self._base is None

    def _private_copy(self) -> Tensor:
        return Tensor._make(self._data.copy())

    # -- metadata --------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        """The sizes of the dimensions, a ``leafgrad.Size`` (a tuple)."""
        return tuple.__new__(Size, self._data.shape)

    def size(self, dim: int | None = None):
        """The shape (a ``leafgrad.Size``), or the size of dimension ``dim``.

        >>> leafgrad.zeros(2, 3).size(-1)
        3
        """
        if dim is None:
            return tuple.__new__(Size, self._data.shape)
        return self._data.shape[_dim_arg(dim, self._data.ndim, "size")]

    def dim(self) -> int:
        """The number of dimensions."""
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        """The number of elements."""
        return self._data.size

    nelement = numel

    @property
    def dtype(self) -> _dt.dtype:
        return _dt.FROM_NP[self._data.dtype]

    @property
    def device(self) -> device:
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def is_cpu(self) -> bool:
        return True

    @property
    def is_sparse(self) -> bool:
        return False

    @property
    def is_quantized(self) -> bool:
        return False

    @property
    def is_meta(self) -> bool:
        return False

    @property
    def layout(self) -> _dt.layout:
        return _dt.strided

    def get_device(self) -> int:
        """The device index; -1 for CPU tensors, as in PyTorch."""
        return -1

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_complex(self) -> bool:
        return False

    def is_signed(self) -> bool:
        return self._data.dtype.kind in "if"

    def element_size(self) -> int:
        """Bytes per element."""
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        """Bytes of the elements this tensor views (numel * itemsize)."""
        return self._data.nbytes

    def stride(self, dim: int | None = None):
        """Strides in elements (not bytes), as PyTorch reports them.

        >>> leafgrad.zeros(2, 3).t().stride()
        (1, 3)
        """
        a = self._data
        if a.size:
            st = tuple([s // a.itemsize for s in a.strides])
        else:  # NumPy gives empty arrays zero strides; PyTorch the contiguous ones
            st, n = [], 1
            for s in reversed(a.shape):
                st.append(n)
                n *= max(s, 1)
            st = tuple(reversed(st))
        return st if dim is None else st[_dim_arg(dim, a.ndim, "stride")]

    def is_contiguous(self, memory_format=None) -> bool:
        """Whether the elements lie in memory in row-major order without gaps."""
        return self._data.flags.c_contiguous

    def data_ptr(self) -> int:
        """The address of the first element."""
        return self._data.__array_interface__["data"][0]

    def storage_offset(self) -> int:
        """This tensor's first element's offset, in elements, into the memory it views."""
        a = root = self._data
        while isinstance(root.base, np.ndarray):
            root = root.base
        if root is a:
            return 0
        start = root.__array_interface__["data"][0]
        return (a.__array_interface__["data"][0] - start) // a.itemsize

    def is_shared(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False

    # -- autograd state --------------------------------------------------------------
    @property
    def grad_fn(self):
        if self._base is not None:
            sync_view(self)
        e = self._edge
        return e[0] if e is not None else None

    @property
    def _output_nr(self) -> int:
        if self._base is not None:
            sync_view(self)
        e = self._edge
        return e[1] if e is not None else 0

    @property
    def is_leaf(self) -> bool:
        if self._base is not None:
            sync_view(self)
        return self._edge is None

    @property
    def _version(self) -> int:
        return self._vc[0]

    def _is_view(self) -> bool:
        return self._base is not None

    @property
    def requires_grad(self) -> bool:
        """Whether ops on this tensor are recorded for differentiation."""
        if self._base is not None:
            sync_view(self)
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        value = bool(value)
        if self._edge is not None:
            if value:
                return
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if value and self._data.dtype.kind != "f":
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients")
        self._rg = value

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place (leaves only); returns self."""
        if requires_grad and self._edge is None and self._data.dtype.kind != "f":
            # (PyTorch's message here differs from the attribute setter's)
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    @property
    def grad(self) -> Tensor | None:
        """The gradient accumulated by backward (leaves, and non-leaves that retain_grad)."""
        if self._edge is not None and not self.retains_grad and self._grad is None:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. "
                "Its .grad attribute won't be populated during autograd.backward(). If you "
                "indeed want the .grad field to be populated for a non-leaf Tensor, use "
                ".retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by "
                "mistake, make sure you access the leaf Tensor instead. See "
                "github.com/pytorch/pytorch/pull/30531 for more information.",
                UserWarning,
                stacklevel=2,
            )
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    "attempting to assign a gradient of size "
                    f"'[{', '.join(map(str, value.shape))}]' to a tensor of size "
                    f"'[{', '.join(map(str, self.shape))}]'. Please ensure "
                    "that the gradient and the tensor are the same size"
                )
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_typeid_name(value.dtype)}' "
                    "to a "
                    f"tensor with grad_dtype '{self.dtype.legacy_name[:-6]}'. The gradient must "
                    "match the tensor's grad_dtype (defaults to the tensor's dtype). You can set "
                    "the tensor's grad_dtype attribute with a specific dtype, or None to allow "
                    "any dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and "
                    "its gradient may break downstream systems that assume they match."
                )
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def retains_grad(self) -> bool:
        return bool(self._extra and self._extra.get("retains_grad"))

    def retain_grad(self) -> None:
        """Keep this non-leaf's gradient in ``.grad`` after backward."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._edge is None or self.retains_grad:
            return
        ref = weakref.ref(self)

        def keep(g):
            t = ref()
            if t is not None:
                if not grad_mode.state.enabled:
                    g = g._private_copy()  # the engine may go on to use (or reuse) g
                t._grad = g if t._grad is None else t._grad + g

        keep.retains = True  # the engine runs it after the tensor's other hooks
        node, nr = self._edge
        node._register_tensor_prehook(nr, keep)
        self._extras()["retains_grad"] = True

    def _extras(self) -> dict:
        if self._extra is None:
            self._extra = {}
        return self._extra

    def _hook_list(self) -> list:
        hooks = self._extra and self._extra.get("hooks")
        return list(hooks.values()) if hooks else []

    def register_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(grad)`` runs when this tensor's gradient is computed; may return a new one."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._edge is not None:
            node, nr = self._edge
            return node._register_tensor_prehook(nr, hook)
        hooks = self._extras().setdefault("hooks", {})
        return add_hook(hooks, hook)

    def register_post_accumulate_grad_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(tensor)`` runs after a leaf's ``.grad`` has been accumulated."""
        if self._edge is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors"
            )
        if not self.requires_grad:
            raise RuntimeError(
                "cannot register a hook on a tensor that doesn't require gradient"
            )
        hooks = self._extras().setdefault("post_acc_hooks", {})
        return add_hook(hooks, hook)

    def backward(self, gradient: Tensor | None = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs=None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (a vector-Jacobian product)."""
        _autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> Tensor:
        """A leaf sharing data (and version counter) with self, outside the graph."""
        t = Tensor._make(self._data)
        t._vc = self._vc
        return t

    def detach_(self) -> Tensor:
        """Make self a leaf that does not require grad, in place."""
        if self._base is not None and self._edge is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is "
                "set as True, gradients are views of DDP buckets, and hence detach_() cannot "
                "be called on these gradients. To fix this error, please refer to the "
                "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."
            )
        self._edge = None
        self._rg = False
        return self

    @property
    def data(self) -> Tensor:
        """An alias of self's data outside the graph (like ``detach()``, sharing storage)."""
        t = Tensor._make(self._data)
        t._vc = [0]  # PyTorch: .data does not share the version counter
        return t

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        if self._rg and value._data.dtype.kind != "f":
            raise RuntimeError("data set to a tensor that requires gradients must be floating "
                               "point or complex dtype")
        self._data = value._data

    # -- conversion ------------------------------------------------------------------
    def numpy(self, *, force: bool = False):
        """The data as a NumPy array sharing memory (raises if it requires grad).

        ``force=True`` returns it even then (the array is outside the graph either way).
        """
        if self._rg and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        return self._data

    def __array__(self, dtype=None, copy=None):
        if self._rg:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        a = self._data
        if dtype is not None and a.dtype != dtype:
            return a.astype(dtype)
        return a.copy() if copy else a

    def item(self) -> float | int | bool:
        """The value of a one-element tensor as a Python number.

        >>> leafgrad.tensor([[2.5]]).item()
        2.5
        """
        a = self._data
        if a.size != 1:
            raise RuntimeError(f"a Tensor with {a.size} elements cannot be converted to Scalar")
        return a.reshape(()).item()

    def tolist(self):
        """The data as (nested lists of) Python numbers; a number for a 0-d tensor."""
        return self._data.tolist()

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self) -> bool:
        a = self._data
        if a.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {'more than one value' if a.size else 'no values'}"
                " is ambiguous"
            )
        return bool(a.reshape(()).item())

    def _scalar(self):
        # float(t) / int(t) / complex(t): Python's conversions of a one-element tensor.
        a = self._data
        if a.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return a.reshape(()).item()

    def __float__(self) -> float:
        return float(self._scalar())

    def __int__(self) -> int:
        return int(self._scalar())

    def __complex__(self) -> complex:
        return complex(self._scalar())

    def __index__(self) -> int:
        a = self._data
        if a.dtype.kind not in "iub" or a.size != 1:
            raise TypeError(
                "only integer tensors of a single element can be converted to an index"
            )
        return int(a.reshape(()).item())

    def __hash__(self) -> int:
        return id(self)

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        """Export as a DLPack capsule: ``numpy.from_dlpack`` / ``torch.from_dlpack`` share it."""
        if self._rg:
            raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
        # A CPU array has no stream to synchronise: PyTorch passes -1, NumPy wants None.
        return self._data.__dlpack__(stream=None, max_version=max_version,
                                     dl_device=dl_device, copy=copy)

    def __dlpack_device__(self):
        return self._data.__dlpack_device__()

    def __deepcopy__(self, memo: dict) -> Tensor:
        """A copy of a leaf: its data, requires_grad and grad (``copy.deepcopy(model)``)."""
        if self._edge is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the "
                "deepcopy protocol at the moment.  If you were attempting to deepcopy a module, "
                "this may be because of a leafgrad.nn.utils.weight_norm usage, see "
                "https://github.com/pytorch/pytorch/pull/103001"
            )
        if id(self) in memo:
            return memo[id(self)]
        t = Tensor._make(self._data.copy())
        t._rg = self._rg
        if self._extra and "buffer" in self._extra:
            t._extra = {"buffer": self._extra["buffer"]}
        memo[id(self)] = t
        if self._grad is not None:
            t._grad = self._grad.__deepcopy__(memo)
        return t

    def __copy__(self) -> Tensor:
        raise TypeError("leafgrad tensors do not support copy.copy: use t.clone() or "
                        "copy.deepcopy(t)")

    def __reduce_ex__(self, protocol):
        raise TypeError(
            "leafgrad tensors are not picklable: save them with leafgrad.save, which never "
            "runs code on load"
        )

    def __repr__(self) -> str:
        from .printing import tensor_repr

        return tensor_repr(self)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        # As PyTorch: a 0-d tensor formats as its Python number (f"{loss:.3f}", f"{t}"
        # -> '2.0'); others only with an empty spec, as their repr.
        if self._data.ndim == 0:
            return self._data.item().__format__(spec)
        return object.__format__(self, spec)


class Size(tuple):
    """The shape of a tensor: a tuple that prints as ``leafgrad.Size([2, 3])``."""

    __slots__ = ()

    def __new__(cls, sizes=()):
        items = tuple(sizes)
        if any(v.__class__ is not int for v in items):
            items = tuple([_size_item(v, i) for i, v in enumerate(items)])
        return tuple.__new__(cls, items)

    def __repr__(self) -> str:
        return f"leafgrad.Size([{', '.join(str(s) for s in self)}])"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, key):
        out = tuple.__getitem__(self, key)
        return tuple.__new__(Size, out) if isinstance(key, slice) else out

    def __add__(self, other):
        if not isinstance(other, tuple):
            raise TypeError(f"can only concatenate tuple (not {type(other).__name__}) to "
                            "leafgrad.Size")
        return tuple.__new__(Size, tuple.__add__(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return tuple.__new__(Size, tuple.__add__(other, self))

    def __mul__(self, n):
        out = tuple.__mul__(self, n)
        return out if out is NotImplemented else tuple.__new__(Size, out)

    __rmul__ = __mul__


def _size_item(v, i: int):
    """One element of ``Size(...)``: ints (NumPy's kept, bools as ints), one-element integer
    tensors read out; anything else is PyTorch's TypeError."""
    if isinstance(v, Tensor):
        if v._data.dtype.kind in "iub" and v._data.size == 1:
            return int(v._data.reshape(()).item())
    elif isinstance(v, bool):
        return int(v)
    elif isinstance(v, int) or (type(v).__module__ == "numpy" and hasattr(v, "__index__")):
        return v
    raise TypeError(f"leafgrad.Size() takes an iterable of 'int' (item {i} is "
                    f"'{type(v).__name__}')")


def _c_name(d: _dt.dtype) -> str:
    """A dtype's C type name, as some PyTorch messages print it ('double', 'float', 'long')."""
    return {"float16": "c10::Half", "float32": "float", "float64": "double", "int8": "signed char",
            "int16": "short", "int32": "int", "int64": "long", "uint8": "unsigned char",
            "bool": "bool"}[d.name]


def _typeid_name(d: _dt.dtype) -> str:
    """A dtype's C type as the compiler's typeid prints it ('long int', 'short int')."""
    c = _c_name(d)
    return {"long": "long int", "short": "short int"}.get(c, c)


def _wrap_dim(dim: int, ndim: int) -> int:
    """A possibly negative dim as an index, with PyTorch's error when out of range."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim % n


def _dim_arg(dim, ndim: int, fn: str) -> int:
    """``size(dim)`` / ``stride(dim)``: an int-like dim (not a bool), wrapped; PyTorch's errors."""
    if dim.__class__ is not int:
        if isinstance(dim, bool) or not hasattr(dim, "__index__"):
            raise TypeError(f"{fn}(): argument 'dim' (position 1) must be int, not "
                            f"{type(dim).__name__}")
        dim = dim.__index__()
    if ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return _wrap_dim(dim, ndim)


class Variable(metaclass=_VariableMeta):
    """The legacy ``Variable(t, requires_grad=False)``: returns a Tensor."""

    def __new__(cls, data, requires_grad: bool = False, volatile: bool = False):
        if not isinstance(data, Tensor):
            raise TypeError("Variable data has to be a tensor, but got " + type(data).__name__)
        t = data.detach()
        if requires_grad and t._data.dtype.kind != "f":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients")
        t.requires_grad = requires_grad
        return t


# -- views ------------------------------------------------------------------------------------
DEFAULT, NO_GRAD_MODE, MULTI_OUTPUT = 0, 1, 2  # how a view was made (PyTorch's CreationMeta)


class ViewMeta:
    """What a view remembers: how it was made, and which history of its base its
    ``grad_fn`` was computed against (an in-place op on the base or another view
    rewrites the base's history; the view's ``grad_fn`` is then regenerated)."""

    __slots__ = ("creation", "base_edge", "fn_name", "nr")

    def __init__(self, creation: int, base_edge, fn_name: str = "", nr: int = 0) -> None:
        self.creation = creation
        self.base_edge = base_edge
        self.fn_name = fn_name
        self.nr = nr


def mark_view(out: Tensor, base: Tensor, creation: int = DEFAULT, fn_name: str = "",
              nr: int = 0) -> None:
    """Make ``out`` a view of ``base``'s root: shared data, version counter and history."""
    root = base if base._base is None else base._base
    if base._base is not None and base._view.creation != DEFAULT:
        creation = base._view.creation  # a view of a no_grad/multi-output view inherits it
        fn_name, nr = base._view.fn_name, base._view.nr
    out._base = root
    out._vc = base._vc
    out._view = ViewMeta(creation, root._edge, fn_name, nr)


def sync_view(t: Tensor) -> None:
    """Regenerate a view's history when its base's history was rewritten in place."""
    root = t._base
    vm = t._view
    edge = root._edge
    if edge is vm.base_edge:
        return
    vm.base_edge = edge
    from .ops.inplace import view_edge

    t._edge = view_edge(t)
    t._rg = t._edge is not None
