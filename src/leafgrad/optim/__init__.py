"""Optimizers and learning-rate schedulers, as in ``torch.optim``.

>>> import leafgrad.optim as optim
>>> w = leafgrad.zeros(3, requires_grad=True)
>>> opt = optim.Adam([w], lr=0.01)
"""

from __future__ import annotations

from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .asgd import ASGD
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax",
           "NAdam", "RAdam", "LBFGS", "ASGD", "Rprop", "lr_scheduler"]
