"""A script-mode training script: fits y = a*x + b by gradient descent, standard library only.

It reads what SageMaker gives every script: hyperparameters as command-line arguments, the training channel
in SM_CHANNEL_TRAINING and the model directory in SM_MODEL_DIR.
"""
import argparse
import csv
import json
import os


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--learning-rate", type=float, default=0.01)
    parser.add_argument("--model-dir", default=os.environ.get("SM_MODEL_DIR", "model"))
    parser.add_argument("--train", default=os.environ.get("SM_CHANNEL_TRAINING", "data"))
    args = parser.parse_args()

    points = []
    for name in sorted(os.listdir(args.train)):
        with open(os.path.join(args.train, name), newline="") as f:
            for row in csv.DictReader(f):
                points.append((float(row["x"]), float(row["y"])))
    if not points:
        raise ValueError("no training data in " + args.train)

    a, b = 0.0, 0.0
    for epoch in range(args.epochs):
        grad_a = sum(2 * (a * x + b - y) * x for x, y in points) / len(points)
        grad_b = sum(2 * (a * x + b - y) for x, y in points) / len(points)
        a -= args.learning_rate * grad_a
        b -= args.learning_rate * grad_b
    loss = sum((a * x + b - y) ** 2 for x, y in points) / len(points)
    print("epochs=%d a=%.4f b=%.4f loss=%.6f" % (args.epochs, a, b, loss))

    os.makedirs(args.model_dir, exist_ok=True)
    with open(os.path.join(args.model_dir, "model.json"), "w") as f:
        json.dump({"a": a, "b": b, "loss": loss, "host": os.environ.get("SM_CURRENT_HOST")}, f)


if __name__ == "__main__":
    main()
