"""Writes an example TorchScript model into MODEL_DIR/model.pt: y = x @ W.T + b with fixed weights (3 inputs,
2 outputs), so the served predictions are easy to check by hand.

Usage: python3 make_model.py MODEL_DIR      (Debian: apt-get install python3-torch; run with /usr/bin/python3)
"""

import os
import sys

import torch


class Linear(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(3, 2)
        with torch.no_grad():
            self.layer.weight.copy_(torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 1.0]]))
            self.layer.bias.copy_(torch.tensor([0.5, -1.0]))

    def forward(self, x):
        return self.layer(x)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    os.makedirs(sys.argv[1], exist_ok=True)
    torch.jit.save(torch.jit.script(Linear()), os.path.join(sys.argv[1], "model.pt"))
    print("wrote", os.path.join(sys.argv[1], "model.pt"))
