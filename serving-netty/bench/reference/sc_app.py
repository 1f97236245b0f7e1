"""The reference stack's WSGI app for the benchmark: what sagemaker-containers 2.8 runs inside gunicorn
(`_worker.Worker`, `_worker.Request`, `_transformer.Transformer`, `_functions.error_wrapper`), reduced to the code
paths a request takes, calling the same four functions of bench/python-echo/code/inference.py.

gunicorn -k gevent -w W -b unix:SOCK --pythonpath <python-echo/code>,<this dir> sc_app:app
"""

import os
import sys

import flask
from werkzeug.wrappers import Request as WerkzeugRequest

import inference as user_module

UTF8_TYPES = ("application/json", "text/csv")


class ClientError(Exception):
    pass


class UnsupportedFormatError(Exception):
    pass


def error_wrapper(fn, error_class):  # sagemaker_containers._functions.error_wrapper
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as e:
            raise error_class(e).with_traceback(sys.exc_info()[2])
    return wrapper


class Request(flask.Request):  # sagemaker_containers._worker.Request
    default_mimetype = "application/json"

    def __init__(self, environ=None, serving_env=None):
        super().__init__(environ=environ or flask.request.environ)
        self._default_accept = os.environ.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", "application/json")

    @property
    def content_type(self):
        return self.headers.get("ContentType") or self.headers.get("Content-Type") or "application/json"

    @property
    def accept(self):
        accept = self.headers.get("Accept")
        return self._default_accept if not accept or accept == "*/*" else accept

    @property
    def content(self):
        as_text = self.content_type in UTF8_TYPES
        return self.get_data(as_text=as_text)


class Response(flask.Response):  # sagemaker_containers._worker.Response
    default_mimetype = "application/json"

    def __init__(self, response=None, status=200, headers=None, mimetype=None, accept=None):
        super().__init__(response=response, status=status, headers=headers, mimetype=mimetype)


class Transformer:  # sagemaker_containers._transformer.Transformer
    def __init__(self, model_fn, input_fn, predict_fn, output_fn):
        self._model_fn = error_wrapper(model_fn, ClientError)
        self._input_fn = error_wrapper(input_fn, ClientError)
        self._predict_fn = error_wrapper(predict_fn, ClientError)
        self._output_fn = error_wrapper(output_fn, ClientError)
        self._model = None

    def initialize(self):
        self._model = self._model_fn(os.environ.get("SM_MODEL_DIR", "/opt/ml/model"))

    def _default_transform_fn(self, model, content, content_type, accept):
        try:
            data = self._input_fn(content, content_type)
        except UnsupportedFormatError as e:
            return flask.Response(str(e), 415)
        prediction = self._predict_fn(data, model)
        try:
            result = self._output_fn(prediction, accept)
        except UnsupportedFormatError as e:
            return flask.Response(str(e), 406)
        return result

    def transform(self):
        request = Request()
        result = self._default_transform_fn(self._model, request.content, request.content_type, request.accept)
        if isinstance(result, tuple):
            return Response(response=result[0], mimetype=result[1])
        return result


def ping():
    return Response(status=200)


transformer = Transformer(user_module.model_fn, user_module.input_fn, user_module.predict_fn, user_module.output_fn)
app = flask.Flask(__name__)
app.before_first_request(transformer.initialize)
app.add_url_rule(rule="/invocations", endpoint="invocations", view_func=transformer.transform, methods=["POST"])
app.add_url_rule(rule="/ping", endpoint="ping", view_func=ping)
app.request_class = Request
