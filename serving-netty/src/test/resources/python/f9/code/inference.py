import ctypes
import os


def model_fn(model_dir):
    return 1


def input_fn(body, content_type):
    return body.decode("utf-8") if isinstance(body, bytes) else body


def predict_fn(data, model):
    if data == "segv":
        ctypes.string_at(0)
    if data == "exit3":
        os._exit(3)
    if data == "kill9":
        os.kill(os.getpid(), 9)
    return str(os.getpid())


def output_fn(prediction, accept):
    return prediction, "text/plain"
