import os
import time

print("f12 loading pid %d" % os.getpid())


def model_fn(model_dir):
    mode = os.environ.get("F12_MODE", "sleep")
    if mode == "sleep":
        time.sleep(float(os.environ.get("F12_SLEEP", "3")))
        if os.environ.get("SMC_WORKER_ID", "").endswith("/1"):
            time.sleep(float(os.environ.get("F12_SLOT1_EXTRA", "0")))
    elif mode == "raise":
        raise RuntimeError("model_fn failed on purpose")
    elif mode == "exit":
        os._exit(1)
    elif mode == "memory":
        raise MemoryError("no room for the model")
    return 1


def input_fn(body, content_type):
    return body.decode("utf-8") if isinstance(body, bytes) else body


def predict_fn(data, model):
    if data.startswith("hold:"):
        # "hold:<dir>": mark this worker busy in <dir>, then wait (at most 60 s) until the test creates <dir>/release
        folder = data[5:]
        open(os.path.join(folder, "busy-%d" % os.getpid()), "w").close()
        deadline = time.time() + 60
        while not os.path.exists(os.path.join(folder, "release")) and time.time() < deadline:
            time.sleep(0.01)
    elif data.startswith("nap"):
        time.sleep(float(data[3:]))
    return str(os.getpid())


def output_fn(prediction, accept):
    return prediction, "text/plain"
