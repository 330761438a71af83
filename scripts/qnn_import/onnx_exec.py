"""Independent NumPy reference executor for QONNX and FINN ONNX graphs (part of qnn-import).

    from onnx_exec import execute, OPS, ExecError, tensor_datatypes, datatype_range
    outputs = execute(model, {"global_in": x})            # {graph output name: array}
    every = execute(model, feeds, want_all=True)          # every tensor, initializers included

execute(model, feeds, want_all=False, check_datatypes=False)
    Runs the graph's nodes in topological order (computed here; the file's node order does not
    matter), initializers as constants, and returns the graph outputs (or every tensor). Floating
    tensors are computed and returned as float64 (float32 inputs convert exactly, so results are
    double-precision references, not float32 re-computations); integer tensors are int64 and
    integer operators (MultiThreshold counts, xnor-popcount, MVAU/VVAU accumulation of integer
    operands) are exact. With check_datatypes=True every initializer, fed or computed tensor
    that carries a FINN datatype annotation must hold values of that datatype.
ExecError (a ValueError)
    Unsupported op, missing tensor, bad attribute or shape: one line naming the node
    (`node 3 'conv1' (Conv): ...`, its index in graph.node) and the op type.
OPS
    Every op_type spelling execute accepts. QONNX ops are matched whatever their domain
    (qonnx.custom_op.general, finn.custom_op.general), FINN HW ops also with the _hls/_rtl
    suffixes of finn.custom_op.fpgadataflow.hls/.rtl and the older _Batch names.
canonical_op_type(op_type, domain="") -> (name, specialized)
    The executor's name for an op type and whether it is a specialised FINN HW node.
tensor_datatypes(model), datatype_range(name)
    FINN datatype annotations {tensor: "INT4", ...} and (min, max, is_integer) of a datatype.

Operator semantics and the sources they follow are described in onnx_exec_std.py (standard ONNX)
and onnx_exec_finn.py (QONNX, FINN). Subgraph ops (If, Loop, Scan) are not supported.

Sliding-window layouts: a specialised (_hls/_rtl) depthwise ConvolutionInputGenerator emits its
windows in FINN's HW stream order (channel fold, kernel position, SIMD lane), Im2Col and the generic
generator in im2col order (kernel position, channel). The executor tags each such tensor with its
order, carries the tag through Identity, StreamingFIFO, StreamingDataWidthConverter and
DuplicateStreams, and VVAU / Pool read their windows by the tag, so the values downstream are
the same whichever generator produced them.
"""
import heapq

from onnx import numpy_helper

try:
    from .onnx_exec_common import (ExecError, NodeCtx, datatype_range, datatype_violation,
                                   node_label, one_line, tensor_datatypes, to_exec_array)
    from .onnx_exec_finn import FINN_ALIASES, FINN_OPS, QONNX_OPS
    from .onnx_exec_std import STD_OPS
except ImportError:  # run with scripts/qnn_import itself on sys.path
    from onnx_exec_common import (ExecError, NodeCtx, datatype_range, datatype_violation,
                                  node_label, one_line, tensor_datatypes, to_exec_array)
    from onnx_exec_finn import FINN_ALIASES, FINN_OPS, QONNX_OPS
    from onnx_exec_std import STD_OPS

__all__ = ["execute", "OPS", "ExecError", "canonical_op_type", "tensor_datatypes",
           "datatype_range"]

_REGISTRY = dict(STD_OPS)
_REGISTRY.update(QONNX_OPS)
_REGISTRY.update(FINN_OPS)
_QONNX_ALIASES = {"IntQuant": "Quant"}
_FINN_BASES = set(FINN_OPS) | set(FINN_ALIASES)


def canonical_op_type(op_type, domain=""):
    """(executor op name, specialised HW node?) for a node's op_type and domain."""
    if op_type in _QONNX_ALIASES:
        return _QONNX_ALIASES[op_type], False
    name, specialized = op_type, str(domain).endswith((".hls", ".rtl"))
    if name.endswith(("_hls", "_rtl")) and name[:-4].replace("_Batch", "") in _FINN_BASES:
        name, specialized = name[:-4], True
    if name.endswith("_Batch") and name[:-6] in _FINN_BASES:
        name = name[:-6]
    if name in FINN_ALIASES:
        name, hw_only = FINN_ALIASES[name]
        specialized = specialized or hw_only
    elif name not in FINN_OPS:
        specialized = False
    return name, specialized


def _spellings():
    names = set(STD_OPS) | set(QONNX_OPS) | set(_QONNX_ALIASES)
    for base in _FINN_BASES:
        names.update({base, base + "_hls", base + "_rtl", base + "_Batch"})
    return frozenset(names)


OPS = _spellings()


def _default_opset(model):
    for imp in model.opset_import:
        if imp.domain in ("", "ai.onnx"):
            return int(imp.version)
    return 13


def _declared_shape(value_info):
    """Concrete dims of a graph input (None for a symbolic or unknown dim), or None."""
    t = value_info.type
    if not t.HasField("tensor_type") or not t.tensor_type.HasField("shape"):
        return None
    return [d.dim_value if d.HasField("dim_value") else None for d in t.tensor_type.shape.dim]


def _topological_order(graph, available):
    """Indices of graph.node in an executable order (ties keep file order)."""
    nodes = list(graph.node)
    graph_inputs = {i.name for i in graph.input}
    producer = {}
    for i, node in enumerate(nodes):
        for out in node.output:
            if not out:
                continue
            if out in producer:
                raise ExecError("%s: output '%s' is also produced by %s"
                                % (node_label(node, i), out,
                                   node_label(nodes[producer[out]], producer[out])))
            if out in available:
                raise ExecError("%s: output '%s' is also a graph input or initializer"
                                % (node_label(node, i), out))
            producer[out] = i
    waiting = [0] * len(nodes)
    users = [[] for _ in nodes]
    for i, node in enumerate(nodes):
        deps = set()
        for name in node.input:
            if not name or name in available:
                continue
            if name not in producer:
                if name in graph_inputs:
                    raise ExecError("%s: graph input '%s' was not fed"
                                    % (node_label(node, i), name))
                raise ExecError("%s: input '%s' is neither a graph input, an initializer nor "
                                "any node's output" % (node_label(node, i), name))
            deps.add(producer[name])
        waiting[i] = len(deps)
        for d in deps:
            users[d].append(i)
    ready = [i for i in range(len(nodes)) if waiting[i] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        i = heapq.heappop(ready)
        order.append(i)
        for u in users[i]:
            waiting[u] -= 1
            if waiting[u] == 0:
                heapq.heappush(ready, u)
    if len(order) != len(nodes):
        stuck = min(set(range(len(nodes))) - set(order))
        raise ExecError("%s: the graph has a cycle through this node"
                        % node_label(nodes[stuck], stuck))
    return order


def _check_dtype(dtypes, name, value, where):
    dt = dtypes.get(name)
    if dt is None:
        return
    try:
        problem = datatype_violation(dt, value)
    except ValueError as e:
        raise ExecError("%s: tensor '%s': %s" % (where, name, one_line(e)))
    if problem:
        raise ExecError("%s: tensor '%s': %s" % (where, name, problem))


def execute(model, feeds, want_all=False, check_datatypes=False):
    """Run `model` on `feeds` ({graph input name: array}); see the module docstring."""
    graph = model.graph
    opset = _default_opset(model)
    dtypes = tensor_datatypes(model) if check_datatypes else {}
    values = {}
    for init in graph.initializer:
        values[init.name] = to_exec_array(numpy_helper.to_array(init))
        _check_dtype(dtypes, init.name, values[init.name], "initializer")
    declared = {vi.name: vi for vi in graph.input}
    for name, value in feeds.items():
        if name not in declared and name not in values:
            raise ExecError("feed '%s' is not a graph input (inputs: %s)"
                            % (name, ", ".join(sorted(declared))))
        try:
            arr = to_exec_array(value)
        except ExecError as e:
            raise ExecError("feed '%s': %s" % (name, e))
        shape = _declared_shape(declared[name]) if name in declared else None
        if shape is not None and (len(shape) != arr.ndim or any(
                d not in (None, 0) and d != s for d, s in zip(shape, arr.shape))):
            raise ExecError("feed '%s' has shape %s but the graph declares %s"
                            % (name, tuple(arr.shape), tuple(shape)))
        _check_dtype(dtypes, name, arr, "feed")
        values[name] = arr
    layouts = {}
    for index in _topological_order(graph, set(values)):
        node = graph.node[index]
        label = node_label(node, index)
        op, specialized = canonical_op_type(node.op_type, node.domain)
        fn = _REGISTRY.get(op)
        if fn is None:
            raise ExecError("%s: unsupported op type %s (domain %s)"
                            % (label, node.op_type, node.domain or "ai.onnx"))
        ctx = NodeCtx(node, index, op, [values[n] if n else None for n in node.input], opset,
                      [layouts.get(n) for n in node.input], specialized)
        try:
            outs = fn(ctx)
        except ExecError:
            raise
        except (ValueError, IndexError, TypeError, ArithmeticError, MemoryError) as e:
            raise ExecError("%s: %s: %s" % (label, type(e).__name__, one_line(e)))
        outs = list(outs) + [None] * (len(node.output) - len(outs))
        for i, name in enumerate(node.output):
            if not name:
                continue
            if outs[i] is None:
                raise ExecError("%s: output %d ('%s') is not produced by this op"
                                % (label, i, name))
            try:
                values[name] = to_exec_array(outs[i])
            except ExecError as e:
                raise ExecError("%s: output '%s': %s" % (label, name, e))
            if ctx.out_layouts.get(i) is not None:
                layouts[name] = ctx.out_layouts[i]
            _check_dtype(dtypes, name, values[name], label)
    missing = [o.name for o in graph.output if o.name not in values]
    if missing:
        raise ExecError("graph output(s) %s are never computed" % ", ".join(missing))
    if want_all:
        return dict(values)
    return {o.name: values[o.name] for o in graph.output}

