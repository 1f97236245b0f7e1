"""A user module for the example PyTorch framework: only input_fn is overridden (requests look like
{"instances": [[...], ...]}); model_fn and predict_fn come from the framework's defaults, output_fn from the runtime."""

import json

import numpy as np


def input_fn(body, content_type):
    if content_type != "application/json":
        raise ValueError("this model takes application/json {\"instances\": [...]}, not %s" % content_type)
    return np.asarray(json.loads(body)["instances"], dtype=np.float32)
