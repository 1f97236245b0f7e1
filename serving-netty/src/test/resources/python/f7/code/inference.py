import os


class BaseInferenceToolkitError(Exception):
    def __init__(self, status_code, message, phrase):
        self.status_code = status_code
        self.message = message
        self.phrase = phrase


class Teapot(BaseInferenceToolkitError):
    pass


def model_fn(model_dir):
    return 1


def input_fn(body, content_type):
    return body.decode("utf-8") if isinstance(body, bytes) else body


def predict_fn(data, model):
    if data == "teapot":
        raise Teapot(418, "short and stout", "I'm a teapot\r\nx")
    if data == "pid":
        return str(os.getpid())
    raise ValueError("boom")


def output_fn(prediction, accept):
    return prediction, "text/plain"
