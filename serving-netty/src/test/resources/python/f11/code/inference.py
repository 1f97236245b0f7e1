import os
import sys

print("f11 module imported")


def model_fn(model_dir):
    print("f11 model_fn in", model_dir)
    return 1


def input_fn(body, content_type):
    return body.decode("utf-8") if isinstance(body, bytes) else body


def predict_fn(data, model):
    if data == "flood":
        for i in range(10000):
            print("flood line %d" % i)
        print("L" * (1024 * 1024))
        sys.stdout.buffer.write(b"bad bytes \xff\xfe end\n")
        sys.stdout.write("no newline at the end")
        sys.stdout.flush()
    return str(os.getpid())


def output_fn(prediction, accept):
    return prediction, "text/plain"
