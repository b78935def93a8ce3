#!/usr/bin/env python3
"""Runs each mserve model template's initialize/inference the way its server would, on a GPU and on the CPU.

    python scripts/gpu-template-check.py [--only torchserve|triton] [--gpu-id N] [--require-cuda]

Needs only Python and torch (a CUDA build to check the GPU path); numpy, Pillow, onnx and
onnxruntime are used when present, and what cannot run without them is reported as skipped.
No Node, Java, TorchServe or Triton: TorchServe's BaseHandler and Context are used when the
`ts` package is installed, else a stand-in with the same device rule; Triton's
triton_python_backend_utils is always a stand-in (the real one only imports inside Triton's stub).

For every template: a CPU run (TorchServe gpu_id None, Triton model_instance_kind "CPU"), then a
GPU run (gpu_id N, kind "GPU" with model_instance_device_id N). With CUDA visible the GPU run
must place the model on cuda:N; without, it must fall back to the CPU ("GPU not present, CPU
path checked"). Both runs must give the same answers. Prints one JSON summary on stdout and
exits 1 when a check fails (2 with --require-cuda on a machine without CUDA).
"""

import argparse
import base64
import importlib.util
import io
import json
import os
import sys
import tempfile
import types

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INTENT = os.path.join(ROOT, "fixtures", "intent")
# Scores may differ in the last digits: cuDNN convolutions use TF32 on recent GPUs by default.
TOLERANCE = 1e-3


class Skip(Exception):
    """A template that cannot run in this environment (a missing package), with why."""


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def device_of(model):
    return str(next(model.parameters()).device)


def max_diff(a, b):
    """Largest difference between two answers of the same shape; labels must match exactly."""
    if isinstance(a, dict):
        assert a.keys() == b.keys(), f"keys differ: {sorted(a)} vs {sorted(b)}"
        return max((max_diff(a[k], b[k]) for k in a), default=0.0)
    if isinstance(a, (list, tuple)):
        assert len(a) == len(b), f"lengths differ: {len(a)} vs {len(b)}"
        return max((max_diff(x, y) for x, y in zip(a, b)), default=0.0)
    if isinstance(a, float) or isinstance(b, float):
        return abs(float(a) - float(b))
    assert a == b, f"{a!r} != {b!r}"
    return 0.0


# --- TorchServe -------------------------------------------------------------------------------


def torchserve_base():
    """The real BaseHandler and Context when TorchServe is installed, else stand-ins."""
    try:
        from ts.context import Context
        from ts.torch_handler import base_handler  # noqa: F401

        return Context, "ts " + getattr(importlib.import_module("ts.version"), "__version__", "")
    except ImportError:
        pass

    class BaseHandler:
        """BaseHandler 0.12's device rule and TorchScript loading, for machines without TorchServe."""

        def initialize(self, context):
            properties = context.system_properties
            gpu_id = properties.get("gpu_id")
            self.device = torch.device(f"cuda:{gpu_id}" if torch.cuda.is_available() and gpu_id is not None else "cpu")
            self.manifest = context.manifest
            model_dir = properties["model_dir"]
            serialized = self.manifest["model"]["serializedFile"]
            self.model = torch.jit.load(os.path.join(model_dir, serialized), map_location=self.device)
            self.model.eval()
            mapping = os.path.join(model_dir, "index_to_name.json")
            self.mapping = json.load(open(mapping)) if os.path.exists(mapping) else None
            self.initialized = True

        def inference(self, data, *args, **kwargs):
            with torch.inference_mode():
                return self.model(data, *args, **kwargs)

    class Context:
        def __init__(self, model_name, model_dir, manifest, batch_size, gpu, mms_version, model_yaml_config=None):
            self.model_name = model_name
            self.manifest = manifest
            self.system_properties = {"model_dir": model_dir, "gpu_id": gpu, "batch_size": batch_size}
            self.model_yaml_config = model_yaml_config or {}

    package = types.ModuleType("ts")
    handler_package = types.ModuleType("ts.torch_handler")
    module = types.ModuleType("ts.torch_handler.base_handler")
    module.BaseHandler = BaseHandler
    sys.modules.update({"ts": package, "ts.torch_handler": handler_package, "ts.torch_handler.base_handler": module})
    return Context, "stand-in BaseHandler (ts not installed)"


def run_handler(path, model_dir, manifest, gpu_id, batch, context_class):
    module = load_module(path, f"handler_{os.path.basename(path)[:-3]}_{gpu_id}")
    classes = [c for c in vars(module).values() if isinstance(c, type) and c.__module__ == module.__name__]
    handler = classes[0]()
    context = context_class("model", model_dir, manifest, len(batch), gpu_id, "0.12.0", model_yaml_config={})
    sys.path.insert(0, model_dir)
    try:
        handler.initialize(context)
    finally:
        sys.path.remove(model_dir)
    if "handle" in vars(type(handler)):
        answers = handler.handle(batch, context)
    else:
        with torch.inference_mode():
            answers = handler.postprocess(handler.inference(handler.preprocess(batch)))
    placed = device_of(handler.model) if isinstance(getattr(handler, "model", None), torch.nn.Module) else None
    return {"device": str(handler.device), "model_device": placed, "answers": answers}


def text_classifier_case(work):
    samples = [json.loads(line)["text"] for line in open(os.path.join(INTENT, "samples.jsonl"))]
    manifest = {"model": {"serializedFile": "model.pt", "modelFile": "model.py", "handler": "text_classifier.py"}}
    return INTENT, manifest, [{"body": text.encode()} for text in samples]


def image_classifier_case(work):
    try:
        from PIL import Image
    except ImportError as error:
        raise Skip(f"Pillow not installed ({error})")
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3, stride=2),
        torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(),
        torch.nn.Linear(8, 4),
    ).eval()
    folder = os.path.join(work, "image")
    os.makedirs(folder)
    torch.jit.trace(model, torch.rand(1, 3, 224, 224)).save(os.path.join(folder, "model.pt"))
    json.dump({str(i): f"class{i}" for i in range(4)}, open(os.path.join(folder, "index_to_name.json"), "w"))
    batch = []
    generator = torch.Generator().manual_seed(1)
    for i, size in enumerate([(320, 240), (224, 224), (500, 300)]):
        pixels = torch.randint(0, 256, (size[1], size[0], 3), dtype=torch.uint8, generator=generator)
        buffer = io.BytesIO()
        Image.frombytes("RGB", size, bytes(pixels.flatten().tolist())).save(buffer, format="PNG")
        # The three forms the handler accepts: raw bytes, base64 text, {"data": base64}.
        raw = buffer.getvalue()
        batch.append([{"body": raw}, {"body": base64.b64encode(raw).decode()}, {"body": {"data": base64.b64encode(raw).decode()}}][i])
    return folder, {"model": {"serializedFile": "model.pt", "handler": "image_classifier.py"}}, batch


def custom_case(work):
    folder = os.path.join(work, "custom")
    os.makedirs(folder)
    return folder, {"model": {"handler": "custom.py"}}, [{"body": b"hello"}, {"data": "world"}]


TORCHSERVE = {
    "torchserve/text_classifier.py": text_classifier_case,
    "torchserve/image_classifier.py": image_classifier_case,
    "torchserve/custom.py": custom_case,
}


def check_torchserve(name, make_case, work, gpu_id, cuda):
    context_class, base = torchserve_base()
    model_dir, manifest, batch = make_case(work)
    path = os.path.join(ROOT, "templates", name)
    cpu = run_handler(path, model_dir, manifest, None, batch, context_class)
    gpu = run_handler(path, model_dir, manifest, gpu_id, batch, context_class)
    want = f"cuda:{gpu_id}" if cuda else "cpu"
    assert cpu["device"] == "cpu", f"gpu_id None must run on the CPU, ran on {cpu['device']}"
    assert gpu["device"] == want, f"gpu_id {gpu_id} must run on {want}, ran on {gpu['device']}"
    if gpu["model_device"] is not None:
        assert gpu["model_device"] == want, f"model weights on {gpu['model_device']}, not {want}"
    return {
        "device": gpu["device"],
        "model_device": gpu["model_device"],
        "cpu_device": cpu["device"],
        "answers": len(gpu["answers"]),
        "max_abs_diff": max_diff(cpu["answers"], gpu["answers"]),
        "base_handler": base,
    }


# --- Triton Python backend ----------------------------------------------------------------------


def pb_utils_stand_in(np):
    """What model.py uses of triton_python_backend_utils, with the same type mapping."""
    module = types.ModuleType("triton_python_backend_utils")
    types_by_name = {
        "TYPE_BOOL": np.bool_, "TYPE_UINT8": np.uint8, "TYPE_UINT16": np.uint16, "TYPE_UINT32": np.uint32,
        "TYPE_UINT64": np.uint64, "TYPE_INT8": np.int8, "TYPE_INT16": np.int16, "TYPE_INT32": np.int32,
        "TYPE_INT64": np.int64, "TYPE_FP16": np.float16, "TYPE_FP32": np.float32, "TYPE_FP64": np.float64,
        "TYPE_STRING": np.object_,
    }

    class Tensor:
        def __init__(self, name, array):
            self._name, self._array = name, array

        def name(self):
            return self._name

        def as_numpy(self):
            return self._array

    class TritonError:
        def __init__(self, message):
            self.message = message

    class InferenceResponse:
        def __init__(self, output_tensors=None, error=None):
            self.output_tensors, self.error = output_tensors or [], error

    class InferenceRequest:
        def __init__(self, inputs):
            self.inputs = inputs

    module.Tensor = Tensor
    module.TritonError = TritonError
    module.InferenceResponse = InferenceResponse
    module.InferenceRequest = InferenceRequest
    module.triton_string_to_numpy = lambda name: types_by_name[name]
    module.get_input_tensor_by_name = lambda request, name: next((t for t in request.inputs if t.name() == name), None)
    return module


def run_triton(path, folder, config, kind, device_id, requests_inputs, pb_utils):
    module = load_module(path, f"model_{os.path.basename(path)[:-3]}_{kind}")
    model = module.TritonPythonModel()
    args = {
        "model_config": json.dumps(config),
        "model_instance_kind": kind,
        "model_instance_device_id": str(device_id),
        "model_repository": folder,
        "model_version": "1",
        "model_name": config["name"],
    }
    model.initialize(args)
    requests = [pb_utils.InferenceRequest([pb_utils.Tensor(n, a) for n, a in inputs.items()]) for inputs in requests_inputs]
    responses = model.execute(requests)
    answers = []
    for response in responses:
        assert response.error is None, f"error response: {response.error.message}"
        answers.append({t.name(): t.as_numpy().tolist() for t in response.output_tensors})
    inner = getattr(model, "model", None)
    placed = device_of(inner) if isinstance(inner, torch.nn.Module) and list(inner.parameters()) else None
    return {"device": str(getattr(model, "device", "unset")), "model_device": placed, "answers": answers}


def version_folder(work, name, files):
    folder = os.path.join(work, name)
    os.makedirs(os.path.join(folder, "1"))
    for file_name, write in files.items():
        write(os.path.join(folder, "1", file_name))
    return folder


def triton_python_case(work, np):
    config = {"name": "skeleton", "input": [{"name": "INPUT0", "data_type": "TYPE_FP32"}],
              "output": [{"name": "OUTPUT0", "data_type": "TYPE_FP32"}]}
    inputs = [{"INPUT0": np.arange(8, dtype=np.float32).reshape(2, 4)}, {"INPUT0": np.ones((1, 4), np.float32)}]
    return version_folder(work, "skeleton", {}), config, inputs, None


def triton_torchscript_case(work, np):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3)).eval()
    scripted = torch.jit.script(model)
    folder = version_folder(work, "scripted", {"model.pt": lambda p: scripted.save(p)})
    config = {"name": "scripted", "input": [{"name": "INPUT__0", "data_type": "TYPE_FP32"}],
              "output": [{"name": "OUTPUT__0", "data_type": "TYPE_FP32"}]}
    rows = np.linspace(-2, 2, 20, dtype=np.float32).reshape(5, 4)
    return folder, config, [{"INPUT__0": rows[:3]}, {"INPUT__0": rows[3:]}], None


def triton_onnx_case(work, np):
    try:
        import onnx
        import onnxruntime
        from onnx import TensorProto, helper, numpy_helper
    except ImportError as error:
        raise Skip(f"onnx/onnxruntime not installed ({error})")
    rng = np.random.default_rng(0)
    weights = rng.standard_normal((4, 3)).astype(np.float32)
    bias = rng.standard_normal(3).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["xw"]), helper.make_node("Add", ["xw", "b"], ["y"])],
        "affine",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3])],
        [numpy_helper.from_array(weights, "w"), numpy_helper.from_array(bias, "b")],
    )
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    proto.ir_version = 8
    folder = version_folder(work, "onnx", {"model.onnx": lambda p: onnx.save(proto, p)})
    config = {"name": "onnx", "input": [{"name": "x", "data_type": "TYPE_FP32"}],
              "output": [{"name": "y", "data_type": "TYPE_FP32"}]}
    rows = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    cuda_provider = "CUDAExecutionProvider" in onnxruntime.get_available_providers()
    note = None if cuda_provider else "onnxruntime has no CUDAExecutionProvider (CPU package): the GPU run falls back to the CPU"
    return folder, config, [{"x": rows}], {"cuda_provider": cuda_provider, "note": note}


def triton_intent_case(work, np):
    import shutil

    folder = os.path.join(work, "intent")
    os.makedirs(os.path.join(folder, "1"))
    shutil.copy(os.path.join(INTENT, "model.py"), os.path.join(folder, "1", "model_def.py"))
    for name in ("model.pt", "vocab.json", "index_to_name.json"):
        shutil.copy(os.path.join(INTENT, name), os.path.join(folder, "1", name))
    config = {
        "name": "intent",
        "input": [{"name": "TEXT", "data_type": "TYPE_STRING"}],
        "output": [{"name": "INTENT", "data_type": "TYPE_STRING"}, {"name": "SCORE", "data_type": "TYPE_FP32"}],
        "parameters": {"model_module": {"string_value": "model_def"}, "weights": {"string_value": "model.pt"}},
    }
    texts = [json.loads(line)["text"].encode() for line in open(os.path.join(INTENT, "samples.jsonl"))]
    requests = [{"TEXT": np.array(texts[i : i + 6], dtype=np.object_).reshape(-1, 1)} for i in range(0, len(texts), 6)]
    return folder, config, requests, None


TRITON = {
    "triton/python.py": ("templates/triton/python.py", triton_python_case),
    "triton/torchscript_wrapper.py": ("templates/triton/torchscript_wrapper.py", triton_torchscript_case),
    "triton/onnx_wrapper.py": ("templates/triton/onnx_wrapper.py", triton_onnx_case),
    "fixtures/intent/triton_model.py": ("fixtures/intent/triton_model.py", triton_intent_case),
}


def check_triton(name, spec, work, gpu_id, cuda):
    try:
        import numpy as np
    except ImportError as error:
        raise Skip(f"numpy not installed ({error})")
    pb_utils = pb_utils_stand_in(np)
    sys.modules["triton_python_backend_utils"] = pb_utils
    relative, make_case = spec
    folder, config, requests, extra = make_case(work, np)
    path = os.path.join(ROOT, relative)
    cpu = run_triton(path, folder, config, "CPU", 0, requests, pb_utils)
    gpu = run_triton(path, folder, config, "GPU", gpu_id, requests, pb_utils)
    usable = cuda and (extra or {}).get("cuda_provider", True)
    want = f"cuda:{gpu_id}" if usable else "cpu"
    assert cpu["device"] == "cpu", f"a KIND_CPU instance must run on the CPU, ran on {cpu['device']}"
    assert gpu["device"] == want, f"a KIND_GPU instance on device {gpu_id} must run on {want}, ran on {gpu['device']}"
    if gpu["model_device"] is not None:
        assert gpu["model_device"] == want, f"model weights on {gpu['model_device']}, not {want}"
    result = {
        "device": gpu["device"],
        "model_device": gpu["model_device"],
        "cpu_device": cpu["device"],
        "answers": len(gpu["answers"]),
        "max_abs_diff": max_diff(cpu["answers"], gpu["answers"]),
    }
    if extra and extra.get("note"):
        result["note"] = extra["note"]
    return result


# --- main -----------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["torchserve", "triton"], help="check one server's templates")
    parser.add_argument("--gpu-id", type=int, default=0, help="the GPU id the server would assign (default 0)")
    parser.add_argument("--require-cuda", action="store_true", help="exit 2 when no CUDA device is visible")
    options = parser.parse_args()

    cuda = torch.cuda.is_available() and options.gpu_id < torch.cuda.device_count()
    summary = {
        "torch": torch.__version__,
        "cuda": {
            "available": torch.cuda.is_available(),
            "devices": torch.cuda.device_count(),
            "name": torch.cuda.get_device_name(options.gpu_id) if cuda else None,
            "version": torch.version.cuda,
        },
        "gpu_id": options.gpu_id,
        "mode": "cuda" if cuda else "cpu",
        "note": f"GPU run on cuda:{options.gpu_id}" if cuda else "GPU not present, CPU path checked",
        "results": [],
    }
    groups = []
    if options.only in (None, "torchserve"):
        groups += [(name, check_torchserve, case) for name, case in TORCHSERVE.items()]
    if options.only in (None, "triton"):
        groups += [(name, check_triton, spec) for name, spec in TRITON.items()]
    for name, check, spec in groups:
        with tempfile.TemporaryDirectory(prefix="mserve-gpu-check-") as work:
            entry = {"template": name}
            try:
                entry.update(check(name, spec, work, options.gpu_id, cuda))
                if entry["max_abs_diff"] > TOLERANCE:
                    raise AssertionError(f"GPU and CPU answers differ by {entry['max_abs_diff']} (> {TOLERANCE})")
                entry["status"] = "pass"
            except Skip as reason:
                entry.update(status="skip", reason=str(reason))
            except Exception as error:  # every failure is reported, the other templates still run
                entry.update(status="fail", reason=f"{type(error).__name__}: {error}")
            summary["results"].append(entry)
    summary["ok"] = all(r["status"] != "fail" for r in summary["results"])
    print(json.dumps(summary, indent=2))
    if not summary["ok"]:
        return 1
    return 2 if options.require_cuda and not cuda else 0


if __name__ == "__main__":
    sys.exit(main())
