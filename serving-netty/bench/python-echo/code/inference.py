"""The benchmark's echo model (python-workers spec 4.4): the four functions pass the body through unchanged, so
every stack runs the same four user calls and nobody imports numpy."""


def model_fn(model_dir):
    return "echo"


def input_fn(body, content_type):
    return body


def predict_fn(data, model):
    return data


def output_fn(prediction, accept):
    return prediction, accept
