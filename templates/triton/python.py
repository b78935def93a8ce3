"""{{name}}: a Triton Python-backend model (scaffolded by `mserve init --target triton`).

Triton imports this file as model.py from the version folder (model_repository/{{name}}/1/)
and calls the class TritonPythonModel:

- initialize(args) once per model instance, when the model loads;
- execute(requests) for every batch the scheduler forms: a list of requests in,
  exactly one InferenceResponse per request out, in the same order;
- finalize() once, when the model unloads.

Inputs and outputs are numpy arrays. Their names, datatypes and dims are the ones in
mserve.yaml (targets.triton.inputs / outputs), which `mserve package` writes into
config.pbtxt. With max-batch-size > 0 every array has the batch dimension first.

Devices: Triton tells each instance where it runs. args["model_instance_kind"] is "GPU" for an
instance_group of KIND_GPU (`mserve deploy --gpus ...`) and "CPU" otherwise, and
args["model_instance_device_id"] names the GPU as the server numbers them (within the
server's CUDA_VISIBLE_DEVICES). instance_device() below turns that into "cuda:N", or "cpu"
when the instance is a CPU one or torch sees no CUDA; load your model onto it, e.g.
torch.jit.load(path, map_location=self.device), and move each batch with .to(self.device).

As scaffolded, the model answers OUTPUT0 = INPUT0 * 2, so it deploys and predicts before you
change anything:

    mserve package && mserve deploy model_repository/{{name}}
    mserve predict {{name}} --data '[[1, 2, 3, 4]]'
"""

import json
import os

import numpy as np
import triton_python_backend_utils as pb_utils


def instance_device(args):
    """Where Triton placed this instance: "cuda:N" on GPU N when CUDA is usable here, else "cpu"."""
    if args.get("model_instance_kind") != "GPU":
        return "cpu"
    try:
        import torch
    except ImportError:
        # numpy alone runs on the CPU; a GPU framework (torch, cupy, onnxruntime-gpu) would use the id.
        return "cpu"
    return f"cuda:{args.get('model_instance_device_id', '0')}" if torch.cuda.is_available() else "cpu"


class TritonPythonModel:
    def initialize(self, args):
        # args: model_config (JSON text of config.pbtxt), model_repository (the model's folder),
        # model_version, model_name, model_instance_kind, model_instance_device_id.
        self.config = json.loads(args["model_config"])
        self.device = instance_device(args)
        self.folder = os.path.join(args["model_repository"], args["model_version"])
        # The numpy dtype of each output, from config.pbtxt, so answers have the declared type.
        self.output_dtypes = {
            o["name"]: pb_utils.triton_string_to_numpy(o["data_type"]) for o in self.config["output"]
        }
        # Load weights or other files here, e.g.:
        #   self.weights = np.load(os.path.join(self.folder, "weights.npy"))
        # List such files under extra-files in mserve.yaml so `package` copies them next to model.py.
        self.scale = 2.0

    def execute(self, requests):
        responses = []
        for request in requests:
            # One numpy array per input; shape [batch, *dims] when the model batches.
            x = pb_utils.get_input_tensor_by_name(request, "INPUT0").as_numpy()

            # Your model here: compute each output as a numpy array.
            y = x * self.scale

            out = pb_utils.Tensor("OUTPUT0", y.astype(self.output_dtypes["OUTPUT0"]))
            responses.append(pb_utils.InferenceResponse(output_tensors=[out]))
            # A request that cannot be answered gets an error response instead:
            #   pb_utils.InferenceResponse(error=pb_utils.TritonError("why"))
        return responses

    def finalize(self):
        # Release what initialize() acquired (files, threads, sessions).
        pass
