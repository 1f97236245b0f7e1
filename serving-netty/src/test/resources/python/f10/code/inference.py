import os

hoard = []


def model_fn(model_dir):
    return 1


def input_fn(body, content_type):
    return body.decode("utf-8") if isinstance(body, bytes) else body


def predict_fn(data, model):
    if data == "hoard":
        hoard.append(b"x" * (50 << 20))
    if data == "memoryerror":
        raise MemoryError()
    return str(os.getpid())


def output_fn(prediction, accept):
    return prediction, "text/plain"
