import json
import os
import sys


def model_fn(model_dir):
    return 1


def transform_fn(model, body, content_type, accept):
    return json.dumps({
        "cwd": os.getcwd(),
        "path0": sys.path[0],
        "omp": os.environ.get("OMP_NUM_THREADS"),
        "custom": os.environ.get("SAGEMAKER_CUSTOM_VAR"),
        "pythonpath": os.environ.get("PYTHONPATH"),
    }), "application/json"
