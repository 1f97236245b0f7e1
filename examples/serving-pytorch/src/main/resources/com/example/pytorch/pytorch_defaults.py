"""The example PyTorch framework's Python defaults: used wherever the user's inference.py has no function of that
name (runtime defaults < these < the user's functions). Input decoding and output encoding stay with the runtime's
default codecs (JSON, CSV, NPY -> numpy)."""

import os

import numpy as np
import torch


def model_fn(model_dir):
    """Loads the TorchScript model `model.pt` from the model folder (CPU; `gpu_id` is in the context when used)."""
    path = os.path.join(model_dir, "model.pt")
    if not os.path.exists(path):
        raise FileNotFoundError("no TorchScript model: %s does not exist (save one with torch.jit.save)" % path)
    model = torch.jit.load(path, map_location="cpu")
    model.eval()
    return model


def predict_fn(data, model):
    """Runs the model on a float32 batch; one row becomes a batch of one. Returns a numpy array."""
    if isinstance(data, torch.Tensor):
        batch = data.to(torch.float32)
    else:
        batch = torch.from_numpy(np.asarray(data, dtype=np.float32))
    if batch.dim() == 1:
        batch = batch.unsqueeze(0)
    with torch.no_grad():
        return model(batch).numpy()
