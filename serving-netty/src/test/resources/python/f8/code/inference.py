import os
import subprocess
import time


def _hold(variable):
    # a test hook: waits while the file the variable names exists (the test deletes it to let go)
    path = os.environ.get(variable)
    while path and os.path.exists(path):
        time.sleep(0.02)


def model_fn(model_dir):
    _hold("SMC_TEST_HOLD_LOAD")
    return 1


def input_fn(body, content_type):
    return body.decode("utf-8") if isinstance(body, bytes) else body


def predict_fn(data, model):
    if data == "sleep":
        time.sleep(3600)
    if data == "busy":
        while True:
            pass
    if data == "stubborn":
        try:
            time.sleep(3600)
        except KeyboardInterrupt:
            _hold("SMC_TEST_HOLD_INTERRUPT")
            raise
    if data == "child":
        subprocess.Popen(["sleep", "3600"])
        time.sleep(3600)
    if data.startswith("nap"):
        time.sleep(float(data[3:]))
    return str(os.getpid())


def output_fn(prediction, accept):
    return prediction, "text/plain"
