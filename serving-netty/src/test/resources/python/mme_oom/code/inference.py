def model_fn(model_dir):
    raise MemoryError("model too big")
