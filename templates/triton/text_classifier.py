"""Triton Python-backend model for a bag-of-words text classifier (mserve template).

The version folder holds this file as model.py, the model class file (its module
name is the `model_module` parameter of config.pbtxt), the state_dict
(`weights` parameter), vocab.json (token -> id, "<unk>" = 0) and index_to_name.json
(class index -> label). Input TEXT (BYTES, one string per batch row); outputs
INTENT (BYTES) and SCORE (FP32).
"""

import os
import sys

# Triton's Python stub starts an isolated interpreter that ignores PYTHONPATH;
# honour it so the model finds torch and numpy in the environment mserve serve sets.
for entry in reversed(os.environ.get("PYTHONPATH", "").split(os.pathsep)):
    if entry and entry not in sys.path:
        sys.path.insert(0, entry)

import importlib  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import triton_python_backend_utils as pb_utils  # noqa: E402

# Must match the tokenizer the model was trained with (fixtures/intent/train.py).
TOKEN = re.compile(r"[a-z0-9']+")


class TritonPythonModel:
    def initialize(self, args):
        folder = os.path.join(args["model_repository"], args["model_version"])
        config = json.loads(args["model_config"])
        params = {k: v["string_value"] for k, v in config.get("parameters", {}).items()}
        torch.set_num_threads(1)
        with open(os.path.join(folder, "vocab.json")) as f:
            self.vocab = json.load(f)
        with open(os.path.join(folder, "index_to_name.json")) as f:
            self.labels = json.load(f)
        sys.path.insert(0, folder)
        module = importlib.import_module(params.get("model_module", "model_def"))
        classes = [
            obj for obj in vars(module).values()
            if isinstance(obj, type) and issubclass(obj, torch.nn.Module) and obj.__module__ == module.__name__
        ]
        if len(classes) != 1:
            raise RuntimeError(f"{module.__name__}.py must define exactly one nn.Module class, found {len(classes)}")
        self.model = classes[0](len(self.vocab), num_classes=len(self.labels))
        weights = os.path.join(folder, params.get("weights", "model.pt"))
        self.model.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
        self.model.eval()

    def execute(self, requests):
        # Every row of every request goes through one EmbeddingBag call.
        texts, sizes = [], []
        for request in requests:
            rows = pb_utils.get_input_tensor_by_name(request, "TEXT").as_numpy().reshape(-1)
            sizes.append(len(rows))
            texts.extend(r.decode("utf-8", "replace") if isinstance(r, bytes) else str(r) for r in rows)
        ids, offsets = [], []
        for text in texts:
            offsets.append(len(ids))
            ids.extend(self.vocab.get(token, 0) for token in TOKEN.findall(text.lower()))
        with torch.inference_mode():
            logits = self.model(torch.tensor(ids, dtype=torch.long), torch.tensor(offsets, dtype=torch.long))
        scores, indices = torch.softmax(logits, dim=1).max(dim=1)
        responses, start = [], 0
        for size in sizes:
            labels = [self.labels[str(i)].encode() for i in indices[start : start + size].tolist()]
            intent = pb_utils.Tensor("INTENT", np.array(labels, dtype=np.object_).reshape(size, 1))
            score = pb_utils.Tensor("SCORE", scores[start : start + size].numpy().astype(np.float32).reshape(size, 1))
            responses.append(pb_utils.InferenceResponse([intent, score]))
            start += size
        return responses
