"""A custom TorchServe handler: the skeleton to fill in (mserve template).

The contract TorchServe 0.12 enforces:
- This module must define exactly ONE class of its own (imported classes do not
  count), or a module-level `handle(data, context)` function instead. Two classes
  fail with "Expected only one class in custom service code".
- The class is built with no arguments; `initialize(context)` runs once per worker.
- `handle(data, context)` receives a LIST of requests (a batch, up to batchSize)
  and must return a list of the same length, one answer per request, in order.
  Anything else is answered with 503 "number of batch response mismatched".
- Each request is a dict: the raw body under "body", form fields under their names.
- Raise an exception to fail the whole batch (503); answers must be JSON-serialisable,
  str or bytes.

Devices: on a server with GPUs (`mserve serve --gpus ...`, TorchServe's number_of_gpu)
each worker gets its own `gpu_id` in context.system_properties (0..number_of_gpu-1, counted
within CUDA_VISIBLE_DEVICES); on a CPU-only server it is None. initialize() turns it into
self.device, falling back to CPU when torch sees no CUDA: put the model and every batch there.

As written, it answers each request with what it received (an echo), so it loads
and runs before you change anything.
"""

import os

import torch
from ts.torch_handler.base_handler import BaseHandler


class CustomHandler(BaseHandler):
    def initialize(self, context):
        # context.system_properties: model_dir (the unpacked archive), gpu_id, batch_size.
        # context.manifest: MAR-INF/MANIFEST.json as a dict (serializedFile, modelFile, ...).
        # context.model_yaml_config: the --config-file YAML, so your own keys arrive here too.
        self.model_dir = context.system_properties["model_dir"]
        self.manifest = context.manifest or {}
        self.config = getattr(context, "model_yaml_config", None) or {}
        # The GPU TorchServe assigned this worker, or the CPU when it assigned none or CUDA is absent.
        gpu_id = context.system_properties.get("gpu_id")
        self.device = torch.device(f"cuda:{gpu_id}" if gpu_id is not None and torch.cuda.is_available() else "cpu")
        # Load your weights onto that device here, e.g.:
        #   weights = os.path.join(self.model_dir, self.manifest["model"]["serializedFile"])
        #   self.model = torch.jit.load(weights, map_location=self.device).eval()
        self.model = None
        self.initialized = True

    def preprocess(self, data):
        # Turn the batch of requests into model input. Decode bytes here; tensors go to
        # self.device (torch.tensor(..., device=self.device) or .to(self.device)).
        inputs = []
        for request in data:
            payload = request.get("data") if request.get("data") is not None else request.get("body")
            if isinstance(payload, (bytes, bytearray)):
                payload = payload.decode("utf-8", errors="replace")
            inputs.append(payload)
        return inputs

    def inference(self, data, *args, **kwargs):
        # Run the model on the whole batch at once: that is what batching is for.
        return data if self.model is None else self.model(data)

    def postprocess(self, data):
        # One JSON-serialisable answer per request, in request order (.tolist() copies GPU tensors back).
        return [{"echo": item, "model_dir": os.path.basename(self.model_dir)} for item in data]

    def handle(self, data, context):
        # BaseHandler.handle also times each step and serves explanations; this keeps it explicit.
        return self.postprocess(self.inference(self.preprocess(data)))
