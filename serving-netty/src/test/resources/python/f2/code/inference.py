import json


def model_fn(model_dir):
    print("f2 model_fn")
    return 2


def input_fn(body, content_type):
    return {"type": type(body).__name__, "content_type": content_type, "value": json.loads(body) if isinstance(body, str) else list(body)}


def predict_fn(data, model):
    data["times"] = model
    return data


def output_fn(prediction, accept):
    return json.dumps(prediction, sort_keys=True) + " accept=" + accept, "text/plain"
