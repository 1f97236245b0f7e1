import os


def model_fn(model_dir):
    return "model-b"


def transform_fn(model, body, content_type, accept):
    return model + " " + str(os.getpid()), "text/plain"
