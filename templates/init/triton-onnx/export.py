"""Writes model.onnx: a small regressor (4 features -> 1 value) with a variable batch dimension."""

import inspect

import torch
from torch import nn


class Regressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 1)

    def forward(self, features):
        return self.linear(features)


if __name__ == "__main__":
    torch.manual_seed(0)
    model = Regressor().eval()
    # The TorchScript-based exporter needs only the onnx package (the dynamo one also needs onnxscript).
    legacy = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    torch.onnx.export(
        model,
        (torch.ones(1, 4),),
        "model.onnx",
        input_names=["features"],
        output_names=["value"],
        dynamic_axes={"features": {0: "batch"}, "value": {0: "batch"}},
        **legacy,
    )
    print("wrote model.onnx; try:", model(torch.ones(1, 4)).tolist())
