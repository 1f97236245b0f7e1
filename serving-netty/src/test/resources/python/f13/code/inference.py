class Response:
    def __init__(self, body, status, mimetype):
        self.status_code = status
        self.body = body
        self.mimetype = mimetype
        self.headers = {"X-From-Response": "1"}

    def get_data(self):
        return self.body


def model_fn(model_dir):
    return 1


def transform_fn(model, body, content_type, accept):
    kind = body.strip() if isinstance(body, str) else body.decode().strip()
    if kind == "str":
        return "plain text"
    if kind == "bytes":
        return b"\x00\x01raw"
    if kind == "dict":
        return {"a": 1, "b": [1, 2]}
    if kind == "ndarray":
        import numpy as np
        return np.array([1.5, 2.5])
    if kind == "none":
        return None
    if kind == "response":
        return Response(b"created", 201, "text/plain")
    if kind.startswith("big"):
        return b"x" * (int(kind[3:]) << 20)
    return "?"
