import os


def model_fn(model_dir):
    return 1


def input_fn(body, content_type):
    return body


def predict_fn(data, model):
    if data == "memoryerror":
        raise MemoryError()
    return str(os.getpid())


def output_fn(prediction, accept):
    return prediction, "text/plain"
