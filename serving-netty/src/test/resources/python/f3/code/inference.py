def model_fn(model_dir):
    return "m"


def transform_fn(model, body, content_type, accept):
    return "%s|%s|%s|%s|%s" % (model, type(body).__name__, len(body), content_type, accept), "text/plain"
