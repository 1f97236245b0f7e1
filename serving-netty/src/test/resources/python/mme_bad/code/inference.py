def model_fn(model_dir):
    raise RuntimeError("this model cannot load")
