def model_fn(model_dir):
    return 1


def predict_fn(data):
    return data
