"""Serving functions for the iris model. Only model_fn and predict_fn are written: the runtime's default input_fn
and output_fn decode JSON/CSV/NPY requests into numpy arrays and encode the predictions for the Accept header."""

import os

import joblib
import numpy as np


def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "model.joblib"))


def predict_fn(data, model):
    rows = np.asarray(data, dtype=float)
    if rows.ndim == 1:  # one CSV line or one JSON list is one sample
        rows = rows.reshape(1, -1)
    return model.predict(rows)
