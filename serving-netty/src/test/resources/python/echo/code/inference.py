def model_fn(model_dir):
    return None


def input_fn(body, content_type):
    return body


def predict_fn(data, model):
    return data


def output_fn(prediction, accept):
    return prediction, accept
