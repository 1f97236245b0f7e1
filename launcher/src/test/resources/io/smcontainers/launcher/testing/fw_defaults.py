import os


def model_fn(model_dir):
    with open(os.path.join(model_dir, "model.txt")) as f:
        return f.read().strip()


def predict_fn(data, model):
    return "framework predict: %s on %s" % (model, data)


def output_fn(prediction, accept):
    return prediction, "text/plain"
