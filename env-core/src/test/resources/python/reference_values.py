# The reference toolkit's value rules, in Python itself: for each input line (a JSON string holding one raw
# hyperparameter value), print [decoded?, SM_HP_* value, CLI argument, repr(decoded)] as one JSON line.
import json
import sys


def env_value(value):
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def arg_value(value):
    if value is None:
        return ""
    if isinstance(value, dict):
        return ",".join("{}={}".format(k, v) for k, v in sorted(value.items()))
    return str(value)


for line in sys.stdin:
    raw = json.loads(line)
    try:
        value = json.loads(raw)
        decoded = True
    except Exception:  # the toolkit keeps the raw value on any decoding error
        value = raw
        decoded = False
    sys.stdout.write(json.dumps([decoded, env_value(value), arg_value(value), repr(value)]) + "\n")
