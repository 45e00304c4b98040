"""Writing an ONNX graph whose large constants stay outside it, and running it on one thread.

A graph written here keeps every constant of ``EXTERNAL_FROM`` elements or more out of the
serialised model (ONNX external data); ONNX Runtime is handed those arrays and reads them in
place, so a model built at load holds one copy of its weights, not three (arrays, protobuf,
serialised bytes). The session runs on one intra-op thread: the node's classifier answers one
short description at a time, where a second thread only adds hand-offs and spins on a busy
machine."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

OPSET = 20  # the first opset with a Gelu operator
#: Constants of at least this many elements are kept outside the serialised graph.
EXTERNAL_FROM = 1024


class OnnxModel(NamedTuple):
    model: bytes  # the serialised ONNX model, its large constants marked as external data
    external: dict[str, NDArray[Any]]  # those constants by name, C-contiguous


class GraphWriter:
    """Nodes and constants of a graph being written, each output given a fresh name."""

    def __init__(self) -> None:
        from onnx import TensorProto, helper, numpy_helper

        self._onnx = TensorProto, helper, numpy_helper
        self.nodes: list[Any] = []
        self.initialisers: list[Any] = []
        self.external: dict[str, NDArray[Any]] = {}

    def constant(self, name: str, value: NDArray[Any]) -> str:
        tensor_proto, helper, numpy_helper = self._onnx
        array = np.ascontiguousarray(value) if np.ndim(value) else np.asarray(value).copy()
        if array.size < EXTERNAL_FROM:
            self.initialisers.append(numpy_helper.from_array(array, name))
            return name
        tensor = tensor_proto(name=name, data_type=helper.np_dtype_to_tensor_dtype(array.dtype))
        tensor.dims.extend(array.shape)
        tensor.data_location = tensor_proto.EXTERNAL
        for key, text in (("location", name), ("offset", "0"), ("length", str(array.nbytes))):
            tensor.external_data.add(key=key, value=text)
        self.initialisers.append(tensor)
        self.external[name] = array
        return name

    def op(self, op_type: str, *inputs: str, output: str | None = None, **attributes: Any) -> str:
        name = output or f"{op_type.lower()}_{len(self.nodes)}"
        self.nodes.append(self._onnx[1].make_node(op_type, list(inputs), [name], **attributes))
        return name

    def model(
        self, name: str, inputs: list[tuple[str, Any, list[Any]]], outputs: list[tuple[str, Any, list[Any]]]
    ) -> OnnxModel:
        """The serialised model; ``inputs`` and ``outputs`` as (name, element type, shape)."""
        tensor_proto, helper, _ = self._onnx
        graph = helper.make_graph(
            self.nodes,
            name,
            [helper.make_tensor_value_info(n, getattr(tensor_proto, t), s) for n, t, s in inputs],
            [helper.make_tensor_value_info(n, getattr(tensor_proto, t), s) for n, t, s in outputs],
            self.initialisers,
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
        return OnnxModel(model.SerializeToString(), self.external)


class OneThreadSession:
    """An ONNX Runtime session of ``model`` on one thread, holding the external arrays it reads."""

    def __init__(self, model: OnnxModel) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        # the session reads these arrays in place: they live as long as this object
        self._arrays = [onnxruntime.OrtValue.ortvalue_from_numpy(a) for a in model.external.values()]
        options.add_external_initializers(list(model.external), self._arrays)
        self._session = onnxruntime.InferenceSession(model.model, options, providers=["CPUExecutionProvider"])

    def run(self, feeds: dict[str, NDArray[Any]]) -> NDArray[Any]:
        """The model's first output."""
        out: NDArray[Any] = self._session.run(None, feeds)[0]
        return out
