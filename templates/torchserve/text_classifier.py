"""TorchServe handler for a bag-of-words text classifier (mserve template).

Expects in the model folder (the archive root): the model class file named by the
manifest's modelFile (default model.py), the state_dict named by serializedFile,
vocab.json (token -> id, "<unk>" = 0) and index_to_name.json (class index -> label).
Replies per request: {"intent": label, "score": p, "topk": [{"label", "score"}, ...]}.
Devices: the model and each batch go to cuda:<gpu_id> when TorchServe assigned the worker
a GPU (system_properties["gpu_id"]) and torch sees CUDA, else to the CPU.
"""

import importlib
import json
import os
import re

import torch
from ts.torch_handler.base_handler import BaseHandler

# Must match the tokenizer the model was trained with (fixtures/intent/train.py).
TOKEN = re.compile(r"[a-z0-9']+")


class TextClassifierHandler(BaseHandler):
    """The module's only class: TorchServe refuses handler modules that define more than one."""

    def initialize(self, context):
        properties = context.system_properties
        model_dir = properties["model_dir"]
        gpu_id = properties.get("gpu_id")
        self.device = torch.device(f"cuda:{gpu_id}" if torch.cuda.is_available() and gpu_id is not None else "cpu")
        manifest_model = (context.manifest or {}).get("model", {})
        with open(os.path.join(model_dir, "vocab.json")) as f:
            self.vocab = json.load(f)
        with open(os.path.join(model_dir, "index_to_name.json")) as f:
            self.labels = json.load(f)
        self.topk = int(((getattr(context, "model_yaml_config", None) or {}).get("handler") or {}).get("topk", 3))
        self.topk = max(1, min(self.topk, len(self.labels)))

        # The model folder is on sys.path, so the model file imports by its module name.
        module_name = os.path.splitext(manifest_model.get("modelFile", "model.py"))[0]
        module = importlib.import_module(module_name)
        model_classes = [
            obj for obj in vars(module).values()
            if isinstance(obj, type) and issubclass(obj, torch.nn.Module) and obj.__module__ == module.__name__
        ]
        if len(model_classes) != 1:
            raise RuntimeError(f"{module_name}.py must define exactly one nn.Module class, found {len(model_classes)}")
        model_class = model_classes[0]
        self.model = model_class(len(self.vocab), num_classes=len(self.labels))
        weights = os.path.join(model_dir, manifest_model.get("serializedFile", "model.pt"))
        self.model.load_state_dict(torch.load(weights, map_location=self.device, weights_only=True))
        self.model.to(self.device).eval()
        self.initialized = True

    @staticmethod
    def _text_of(request):
        # TorchServe passes the raw body as "body", form fields by name ("data" by convention).
        payload = request.get("data") if request.get("data") is not None else request.get("body")
        if isinstance(payload, (bytes, bytearray)):
            payload = payload.decode("utf-8", errors="replace")
        if isinstance(payload, str):
            stripped = payload.strip()
            if stripped.startswith("{"):
                try:
                    payload = json.loads(stripped)
                except ValueError:
                    return payload
            else:
                return payload
        if isinstance(payload, dict):
            return str(payload.get("text", payload.get("data", "")))
        if isinstance(payload, list):
            return " ".join(str(item) for item in payload)
        return "" if payload is None else str(payload)

    def preprocess(self, data):
        # One EmbeddingBag call for the whole batch: ids concatenated, offsets mark each request.
        ids, offsets = [], []
        for request in data:
            offsets.append(len(ids))
            ids.extend(self.vocab.get(token, 0) for token in TOKEN.findall(self._text_of(request).lower()))
        return (
            torch.tensor(ids, dtype=torch.long, device=self.device),
            torch.tensor(offsets, dtype=torch.long, device=self.device),
        )

    def inference(self, data, *args, **kwargs):
        ids, offsets = data
        with torch.inference_mode():
            return self.model(ids, offsets)

    def postprocess(self, data):
        probabilities = torch.softmax(data, dim=1)
        scores, indices = probabilities.topk(self.topk, dim=1)
        results = []
        for row_scores, row_indices in zip(scores.tolist(), indices.tolist()):
            topk = [
                {"label": self.labels[str(i)], "score": round(s, 6)} for s, i in zip(row_scores, row_indices)
            ]
            results.append({"intent": topk[0]["label"], "score": topk[0]["score"], "topk": topk})
        return results
