"""Seeing autograd: graph pictures (``make_dot``, ``print_graph``) and training plots
(``plot_grad_flow``, ``plot_history``).

``graphviz`` and ``matplotlib`` are optional (``pip install leafgrad[viz]``) and are
imported only when a function needs them.
"""

from __future__ import annotations

from .graph import dot_not_found_error, format_graph, make_dot, print_graph
from .plots import GradFlow, grad_flow, plot_grad_flow, plot_history

__all__ = ["make_dot", "print_graph", "format_graph", "dot_not_found_error", "plot_grad_flow",
           "plot_history", "grad_flow", "GradFlow"]
