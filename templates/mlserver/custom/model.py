"""{{name}}: a custom MLServer model.

MLServer imports this file from the model's folder: model-settings.json says
"implementation": "model.Model" (module `model`, class `Model`), and
`mserve package --target mlserver` writes that for you from mserve.yaml's
`model-file: model.py`. As it is, the model loads and answers: it returns the
sum of each input row. Replace load() and predict() with your own.
"""

import os

import numpy as np
from mlserver import MLModel
from mlserver.codecs import NumpyCodec
from mlserver.types import InferenceRequest, InferenceResponse
from mlserver.utils import get_model_uri


class Model(MLModel):
    async def load(self) -> bool:
        # Runs once per version when MLServer loads it (`mserve deploy`).
        # Read your weights here: parameters.uri in model-settings.json (mserve.yaml's
        # `serialized-file`) is resolved from this folder by get_model_uri.
        # This skeleton has no weights, so it scales by 1.0.
        # MLServer points parameters.uri at this folder when none is given.
        self._scale = 1.0
        path = await get_model_uri(self.settings)
        if os.path.isfile(path):
            with open(path) as f:
                self._scale = float(f.read().strip() or 1.0)
        return True

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        # One v2 request: named tensors in, named tensors out. The input's name,
        # datatype and shape are the ones mserve.yaml declares under
        # targets.mlserver.inputs (MLServer serves them as the model's metadata,
        # which `mserve predict` uses to shape --data).
        rows = NumpyCodec.decode_input(payload.inputs[0]).astype(np.float64)
        if rows.ndim == 1:
            rows = rows.reshape(1, -1)
        scores = rows.sum(axis=1, keepdims=True) * self._scale
        return InferenceResponse(
            model_name=self.name,
            model_version=self.version,
            outputs=[NumpyCodec.encode_output("output-0", scores)],
        )
