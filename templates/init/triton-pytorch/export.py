"""Writes model.pt: a small TorchScript regressor (4 features -> 1 value). Replace the module with yours."""

import torch
from torch import nn


class Regressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 1)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.linear(features)


if __name__ == "__main__":
    torch.manual_seed(0)
    model = Regressor().eval()
    torch.jit.script(model).save("model.pt")
    print("wrote model.pt; try:", model(torch.ones(1, 4)).tolist())
