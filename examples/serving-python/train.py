"""Trains the example model: a scikit-learn logistic regression on the iris data set (bundled with scikit-learn, no
download), saved with joblib into a SageMaker-style model folder together with code/inference.py.

Usage: python3 train.py MODEL_DIR      (Debian: apt-get install python3-sklearn; run with /usr/bin/python3)
"""

import os
import shutil
import sys

import joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression


def main(model_dir):
    features, labels = load_iris(return_X_y=True)
    model = LogisticRegression(max_iter=1000).fit(features, labels)
    os.makedirs(os.path.join(model_dir, "code"), exist_ok=True)
    joblib.dump(model, os.path.join(model_dir, "model.joblib"))
    here = os.path.dirname(os.path.abspath(__file__))
    shutil.copy(os.path.join(here, "code", "inference.py"), os.path.join(model_dir, "code", "inference.py"))
    print("trained on %d rows, accuracy %.3f; model in %s" % (len(labels), model.score(features, labels), model_dir))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
