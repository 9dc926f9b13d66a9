"""Read back the nodes and edges of a graphviz.Digraph's DOT source (for the viz tests)."""

from __future__ import annotations

import re
from collections import Counter

_ID = r'("(?:[^"\\]|\\.)*"|[^\s\[\]";{}]+)'
_EDGE = re.compile(rf"^\s*{_ID}\s*->\s*{_ID}\s*(?:\[(.*)\])?\s*$", re.S)
_NODE = re.compile(rf"^\s*{_ID}\s*\[(.*)\]\s*$", re.S)
_ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[^\s\]]+)')


def _unquote(s: str) -> str:
    if s.startswith('"') and s.endswith('"'):
        return s[1:-1].replace('\\"', '"')
    return s


def attrs(text: str | None) -> dict:
    """``{key: value}`` of a DOT attribute list."""
    return {k: _unquote(v) for k, v in _ATTR.findall(text or "")}


def parse(dot) -> tuple[dict, list]:
    """``({node_id: attrs}, [(src, dst, attrs)])`` of a Digraph's body (top level only)."""
    nodes: dict = {}
    edges: list = []
    depth = 0
    for stmt in dot.body:
        s = stmt.strip()
        if s.startswith("subgraph") or s == "}":
            depth += 1 if s.startswith("subgraph") else -1
            continue
        if depth:
            continue
        m = _EDGE.match(stmt)
        if m:
            edges.append((_unquote(m[1]), _unquote(m[2]), attrs(m[3])))
            continue
        m = _NODE.match(stmt)
        if m:
            nodes.setdefault(_unquote(m[1]), {}).update(attrs(m[2]))
    return nodes, edges


def canonical(dot) -> tuple[Counter, Counter]:
    """The graph modulo ids: a multiset of (label, colour) nodes and one of
    (source label, target label, style) edges."""
    nodes, edges = parse(dot)

    def key(n):
        a = nodes.get(n, {})
        return (a.get("label", n), a.get("fillcolor", ""))

    node_set = Counter(key(n) for n in nodes)
    edge_set = Counter((key(a)[0], key(b)[0], e.get("style", "") + e.get("dir", ""))
                       for a, b, e in edges)
    return node_set, edge_set


def by_colour(dot) -> dict:
    """``{fillcolor: sorted labels}``."""
    nodes, _ = parse(dot)
    out: dict = {}
    for a in nodes.values():
        out.setdefault(a.get("fillcolor", ""), []).append(a.get("label", ""))
    return {k: sorted(v) for k, v in out.items()}
