import json


def model_fn(model_dir, context):
    return {"dir": context.system_properties["model_dir"]}


def input_fn(body, content_type, context):
    return body


def predict_fn(data, model, context):
    return {
        "custom": context.custom_attributes,
        "map": context.custom_attributes_map,
        "header": context.get_request_header(0, "x-test-header"),
        "request_id": context.get_request_id(),
    }


def output_fn(prediction, accept, context):
    context.set_response_status(202)
    context.set_response_header(0, "X-Model-Header", "yes")
    reply = prediction["map"].get("reply")
    if reply == "long":
        context.set_response_header(0, "X-Amzn-SageMaker-Custom-Attributes", "x" * 1100)
    elif reply is not None:
        context.set_response_header(0, "X-Amzn-SageMaker-Custom-Attributes", reply)
    return json.dumps(prediction, sort_keys=True), "application/json"
