import os
import subprocess
import time


def model_fn(model_dir):
    return 1


def input_fn(body, content_type):
    return body.decode("utf-8") if isinstance(body, bytes) else body


def predict_fn(data, model):
    if data == "sleep":
        time.sleep(3600)
    if data == "busy":
        while True:
            pass
    if data == "child":
        subprocess.Popen(["sleep", "3600"])
        time.sleep(3600)
    if data.startswith("nap"):
        time.sleep(float(data[3:]))
    return str(os.getpid())


def output_fn(prediction, accept):
    return prediction, "text/plain"
