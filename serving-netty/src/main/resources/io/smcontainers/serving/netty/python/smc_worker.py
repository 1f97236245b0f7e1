"""smcontainers Python worker: runs a user's inference.py for the Netty serving runtime.

One process holds one model copy. It connects to the Unix socket Java listens on (SMC_WORKER_SOCKET), says HELLO
with its one-time token (SMC_WORKER_TOKEN), then answers LOAD, INVOKE, PING and SHUTDOWN frames until the socket
closes. Frames, payloads and the handler contract: shared/spec/python-workers.md sections 3.5 and 3.14-3.17.

Standard library only; numpy (and scipy for NPZ) are imported at LOAD, and only when a default codec is in use.
"""

import gc
import json
import os
import signal
import socket
import struct
import sys
import time

PROTOCOL = 1

LOAD, INVOKE, PING, SHUTDOWN = 0x01, 0x02, 0x03, 0x04
HELLO, LOADED, LOAD_FAILED, RESULT, ERROR, PONG, CANCELLED = 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87

KIND_USER, KIND_UNSUPPORTED, KIND_BAD_REQUEST, KIND_TOOLKIT, KIND_MEMORY, KIND_INTERNAL = 1, 2, 3, 4, 5, 6

HEADER = struct.Struct(">IBBHQ")  # len (= 12 + payload), type, flags, reserved, seq
INVOKE_LENGTHS = struct.Struct(">7I")
RESULT_PREFIX = struct.Struct(">HH4I")  # status, 0, block of 4 lengths
ERROR_PREFIX = struct.Struct(">HBB4I")  # status, kind, 0, block of 4 lengths

BUFFER_KEEP = 1 << 20  # the reusable receive buffer; bigger frames get a one-off buffer

FUNCTIONS = ("model_fn", "input_fn", "predict_fn", "output_fn", "transform_fn", "pre_model_fn", "model_warmup_fn")
ARITY = {"model_fn": 1, "input_fn": 2, "predict_fn": 2, "output_fn": 2, "transform_fn": 4, "pre_model_fn": 1,
         "model_warmup_fn": 2}
UTF8_TYPES = ("application/json", "text/csv")
JSON, CSV, NPY, NPZ = "application/json", "text/csv", "application/x-npy", "application/x-npz"

MODEL_FN_MISSING = """
Please provide a model_fn implementation.
See documentation for model_fn at https://github.com/aws/sagemaker-python-sdk
"""
PREDICT_FN_MISSING = """
Please provide a predict_fn implementation.
See documentation for predict_fn at https://github.com/aws/sagemaker-python-sdk
"""
TRANSFORM_CONFLICT = "Cannot use transform_fn implementation with input_fn, predict_fn, and/or output_fn"


def log(message):
    sys.stderr.write("smc-worker: %s\n" % message)
    sys.stderr.flush()


# --------------------------------------------------------------------------------------------------------------------
# Errors


class UnsupportedFormatError(Exception):
    """A default codec has no decoder/encoder for the media type (the sagemaker-containers class and text)."""

    def __init__(self, content_type, detail=None):
        self.message = (
            "Content type %s is not supported by this framework.\n\n"
            "            Please implement input_fn to to deserialize the request data or an output_fn to\n"
            "            serialize the response. For more information, see the SageMaker Python SDK README."
            % content_type)
        if detail:
            self.message += "\n" + detail
        Exception.__init__(self, self.message)


class DecodeError(Exception):
    """The body cannot be parsed by a default decoder (400)."""


class WorkerError(Exception):
    """A failure that already carries its status, kind and reason phrase."""

    def __init__(self, status, kind, message, phrase=""):
        Exception.__init__(self, message)
        self.status, self.kind, self.phrase = status, kind, phrase


def _mro_names(exc):
    return {c.__name__ for c in type(exc).__mro__}


def classify(exc, stage):
    """(status, kind, type, message, phrase) for an exception raised in `stage` (input/predict/output/...)."""
    names = _mro_names(exc)
    if isinstance(exc, WorkerError):
        return exc.status, exc.kind, type(exc).__name__, str(exc), exc.phrase
    if isinstance(exc, DecodeError):
        return 400, KIND_BAD_REQUEST, type(exc).__name__, str(exc), ""
    if "UnsupportedFormatError" in names and stage in ("input_fn", "output_fn"):
        return (415 if stage == "input_fn" else 406), KIND_UNSUPPORTED, "UnsupportedFormatError", str(exc), ""
    if "BaseInferenceToolkitError" in names and type(getattr(exc, "status_code", None)) is int:
        message = getattr(exc, "message", None)
        phrase = getattr(exc, "phrase", None)
        return (exc.status_code, KIND_TOOLKIT, type(exc).__name__, str(exc) if message is None else str(message),
                "" if phrase is None else str(phrase))
    if "PredictionException" in names and type(getattr(exc, "error_code", None)) is int:
        message = getattr(exc, "message", None)
        return exc.error_code, KIND_TOOLKIT, type(exc).__name__, str(exc) if message is None else str(message), ""
    if isinstance(exc, MemoryError):
        return 507, KIND_MEMORY, type(exc).__name__, str(exc), ""
    return 500, KIND_USER, type(exc).__name__, str(exc), ""


# --------------------------------------------------------------------------------------------------------------------
# Default codecs (sagemaker-containers encoders; `sit` variants behind codecs="sit")


def media_type(value):
    """Lower-cased type/subtype without parameters."""
    return value.split(";", 1)[0].strip().lower() if value else ""


def charset_of(value):
    for part in value.split(";")[1:]:
        key, _, val = part.partition("=")
        if key.strip().lower() == "charset":
            return val.strip().strip('"') or "utf-8"
    return "utf-8"


def as_text(body, content_type, what):
    if isinstance(body, str):
        return body
    try:
        return bytes(body).decode(charset_of(content_type or ""), "replace")
    except LookupError as e:
        raise DecodeError("Error while decoding %s: %s" % (what, e))


def array_to_json(value):
    def default(o):
        if hasattr(o, "tolist"):
            return o.tolist()
        return json.JSONEncoder().default(o)

    return json.dumps(value, default=default)


class Codecs:
    """The default input_fn / output_fn bodies; numpy is used when it is importable."""

    def __init__(self, flavour="sc", allow_pickle=False, np=None):
        self.flavour = flavour
        self.allow_pickle = allow_pickle
        self.np = np

    # decode ---------------------------------------------------------------------------------------------------------

    def decode(self, body, content_type):
        kind = media_type(content_type)
        if kind == JSON:
            return self.json_to_value(as_text(body, content_type, "json"))
        if kind == CSV:
            text = as_text(body, content_type, "csv")
            return self.csv_to_sit(text) if self.flavour == "sit" else self.csv_to_value(text)
        if kind == NPY:
            return self.npy_to_array(body if not isinstance(body, str) else body.encode("utf-8"))
        if kind == NPZ and self.flavour == "sit":
            return self.npz_to_sparse(body if not isinstance(body, str) else body.encode("utf-8"))
        raise UnsupportedFormatError(content_type)

    def json_to_value(self, text):
        try:
            value = json.loads(text)
        except ValueError as e:
            raise DecodeError("Error while decoding json: %s" % e)
        if self.np is None:
            return value
        try:
            return self.np.array(value)
        except ValueError:
            return value

    def csv_to_value(self, text):
        import csv
        import io
        try:
            rows = list(csv.reader(io.StringIO(text), delimiter=",", quotechar='"', doublequote=True, strict=True))
        except csv.Error as e:
            raise DecodeError("Error while decoding csv: %s" % e)
        np = self.np
        if np is not None:
            try:
                array = np.array(rows).squeeze()
            except ValueError as e:
                raise DecodeError("Error while decoding csv: %s" % e)
            try:
                return array.astype(None)
            except ValueError:
                return array
        if len({len(r) for r in rows}) > 1:
            raise DecodeError("Error while decoding csv: rows have different numbers of fields")
        try:
            cells = [[float(c) for c in r] for r in rows]
        except ValueError:
            cells = rows
        return squeeze(cells)

    def csv_to_sit(self, text):
        import io
        np = self.require_numpy(CSV, decode=True)
        try:
            return np.genfromtxt(io.StringIO(text), dtype=None, delimiter=",")
        except ValueError as e:
            raise DecodeError("Error while decoding csv: %s" % e)

    def npy_to_array(self, data):
        import io
        np = self.require_numpy(NPY, decode=True)
        if not bytes(data[:6]) == b"\x93NUMPY":
            raise DecodeError("Error while decoding npy: the body is not an NPY file (no \\x93NUMPY magic)")
        try:
            return np.load(io.BytesIO(data), allow_pickle=self.allow_pickle)
        except ValueError as e:
            if "allow_pickle" in str(e):
                raise WorkerError(415, KIND_UNSUPPORTED, "NPY object arrays need pickles, which are disallowed "
                                  "(SMC_PY_NPY_ALLOW_PICKLE=true allows them): %s" % e)
            raise DecodeError("Error while decoding npy: %s" % e)
        except Exception as e:  # truncated data, bad header: numpy raises several types
            raise DecodeError("Error while decoding npy: %s" % e)

    def npz_to_sparse(self, data):
        import io
        self.require_numpy(NPZ, decode=True)
        try:
            import scipy.sparse
        except ImportError:
            raise UnsupportedFormatError(NPZ, "scipy is not installed")
        try:
            return scipy.sparse.load_npz(io.BytesIO(data))
        except Exception as e:
            raise DecodeError("Error while decoding npz: %s" % e)

    def require_numpy(self, content_type, decode):
        if self.np is None:
            raise WorkerError(415 if decode else 406, KIND_UNSUPPORTED,
                              "%s: numpy is not installed" % UnsupportedFormatError(content_type).message)
        return self.np

    # encode ---------------------------------------------------------------------------------------------------------

    def encode(self, value, content_type):
        """bytes for `content_type`, one of the concrete types Java negotiated."""
        kind = media_type(content_type)
        if kind == JSON:
            return array_to_json(value).encode("utf-8")
        if kind == CSV:
            return (self.array_to_sit_csv(value) if self.flavour == "sit" else self.array_to_csv(value)).encode("utf-8")
        if kind == NPY:
            import io
            np = self.require_numpy(NPY, decode=False)
            buffer = io.BytesIO()
            np.save(buffer, value)
            return buffer.getvalue()
        raise UnsupportedFormatError(content_type)

    def array_to_csv(self, value):
        import csv
        import io
        np = self.np
        if np is not None:
            rows = np.array(value)
            if len(rows.shape) == 1:
                rows = np.reshape(rows, (rows.shape[0], 1))
            elif len(rows.shape) == 0:
                rows = np.reshape(rows, (1, 1))
        else:
            rows = to_rows(value)
        stream = io.StringIO()
        writer = csv.writer(stream, lineterminator="\n", delimiter=",", quotechar='"', doublequote=True, strict=True)
        try:
            writer.writerows(rows)
        except csv.Error as e:
            raise Exception("Error while encoding csv: %s" % e)
        return stream.getvalue()

    def array_to_sit_csv(self, value):
        import io
        np = self.require_numpy(CSV, decode=False)
        stream = io.StringIO()
        np.savetxt(stream, value, delimiter=",", fmt="%s")
        return stream.getvalue()


def squeeze(table):
    """numpy's squeeze for a list of equal-length rows: drop every dimension of length 1."""
    if len(table) == 1:
        row = table[0]
        return row[0] if len(row) == 1 else row
    if table and len(table[0]) == 1:
        return [r[0] for r in table]
    return table


def to_rows(value):
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        return [[value]]
    value = list(value)
    if all(isinstance(v, (str, bytes)) or not hasattr(v, "__iter__") for v in value):
        return [[v] for v in value]
    return value


# --------------------------------------------------------------------------------------------------------------------
# Context (the MMS/SIT API, one object per worker)


def parse_pairs(data, encoding):
    """`name NUL value NUL ...` -> list of (name, value)."""
    if not data:
        return []
    parts = bytes(data).decode(encoding, "replace").split("\0")
    if parts and parts[-1] == "":
        parts.pop()
    return [(parts[i], parts[i + 1]) for i in range(0, len(parts) - 1, 2)]


class RequestProcessor:
    def __init__(self):
        self.headers = {}
        self.lower = {}
        self.status = 200
        self.phrase = ""
        self.response_headers = {}

    def reset(self, pairs):
        self.headers = {}
        self.lower = {}
        for name, value in pairs:
            if name in self.headers:
                self.headers[name] += "," + value
            else:
                self.headers[name] = value
            self.lower[name.lower()] = self.headers[name]
        self.status = 200
        self.phrase = ""
        self.response_headers = {}

    def get_request_properties(self):
        return self.headers

    def get_request_property(self, name):
        return self.lower.get(name.lower())

    def report_status(self, code, reason_phrase=None):
        self.status = int(code)
        self.phrase = "" if reason_phrase is None else str(reason_phrase)

    def add_response_property(self, key, value):
        self.response_headers[str(key)] = str(value)

    def get_response_headers(self):
        return self.response_headers

    def get_response_status_code(self):
        return self.status

    def get_response_status_phrase(self):
        return self.phrase


class Metrics:
    """Stub of the MMS metrics object: add_* methods print a [METRICS] line."""

    def __getattr__(self, name):
        if not name.startswith("add_"):
            raise AttributeError(name)

        def add(*args, **kwargs):
            sys.stdout.write("[METRICS] %s %s %s\n" % (name[4:], " ".join(map(str, args)), kwargs or ""))
            sys.stdout.flush()

        return add


class Context:
    def __init__(self, model_name, model_dir, gpu_id, server_version):
        self.model_name = model_name
        self.system_properties = {"model_dir": model_dir, "gpu_id": gpu_id, "batch_size": 1,
                                  "server_name": "smcontainers", "server_version": server_version}
        self.request_ids = {0: ""}
        self.request_processor = [RequestProcessor()]
        self.custom_attributes = None
        self.custom_attributes_map = {}
        self.metrics = Metrics()
        self.manifest = {"model": {"modelName": model_name}}
        self.content_type = None

    def reset(self, request_id, custom_attributes, pairs):
        self.request_ids = {0: request_id}
        self.request_processor[0].reset(pairs)
        self.custom_attributes = custom_attributes or None
        attributes = {}
        if custom_attributes:
            for item in custom_attributes.split(";"):
                key, sep, value = item.partition("=")
                if sep:
                    attributes[key.strip()] = value.strip()
        self.custom_attributes_map = attributes
        self.content_type = None

    @staticmethod
    def _check(idx):
        if idx != 0:
            raise IndexError("request index %r out of range: one request per invocation" % (idx,))

    def get_request_id(self, idx=0):
        self._check(idx)
        return self.request_ids[0]

    def get_request_header(self, idx, key):
        self._check(idx)
        return self.request_processor[0].get_request_property(key)

    def get_all_request_header(self, idx):
        self._check(idx)
        return self.request_processor[0].get_request_properties()

    def set_response_status(self, code=200, phrase="", idx=0):
        self._check(idx)
        self.request_processor[0].report_status(code, phrase)

    def set_all_response_status(self, code=200, phrase=""):
        self.request_processor[0].report_status(code, phrase)

    def set_response_header(self, idx, key, value):
        self._check(idx)
        self.request_processor[0].add_response_property(key, value)

    def set_response_content_type(self, idx, value):
        self._check(idx)
        self.content_type = value

    def get_response_content_type(self, idx):
        self._check(idx)
        return self.content_type

    def get_response_headers(self, idx):
        self._check(idx)
        return self.request_processor[0].get_response_headers()

    def get_response_status(self, idx=0):
        self._check(idx)
        processor = self.request_processor[0]
        return processor.status, processor.phrase


# --------------------------------------------------------------------------------------------------------------------
# Function table


class Function:
    """One of the seven handler functions with its call rule (context appended or not), decided once at load."""

    __slots__ = ("name", "fn", "origin", "with_context")

    def __init__(self, name, fn, origin):
        self.name, self.fn, self.origin = name, fn, origin
        self.with_context = False
        if origin == "default":
            return
        expected = ARITY[name]
        declared = parameter_count(fn)
        if declared is None:
            return
        if declared == expected + 1:
            self.with_context = True
        elif declared != expected:
            raise TypeError("%s takes %d arguments but %d were given."
                            % (getattr(fn, "__name__", name), declared, expected))

    def bound(self, context):
        """The callable for the hot path: the function itself, or one that appends the context."""
        if not self.with_context:
            return self.fn
        fn = self.fn
        return lambda *args: fn(*args, context)


def parameter_count(fn):
    """len(inspect.signature(fn).parameters), without importing inspect (tens of milliseconds at start-up) for plain
    functions; None when there is no signature (some builtins)."""
    code = getattr(fn, "__code__", None)
    if type(fn).__name__ == "function" and code is not None and not hasattr(fn, "__wrapped__") \
            and not hasattr(fn, "__signature__"):
        return code.co_argcount + code.co_kwonlyargcount + bool(code.co_flags & 0x04) + bool(code.co_flags & 0x08)
    import inspect
    try:
        return len(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return None


def load_defaults_module(path):
    import importlib.util
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None:
        raise ImportError("framework defaults module %s cannot be loaded" % path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def functions_of(module):
    found = {}
    if module is None:
        return found
    for name in FUNCTIONS:
        fn = getattr(module, name, None)
        if fn is None:
            continue
        if not callable(fn):
            raise TypeError("%s in %s is not callable (it is %s)"
                            % (name, getattr(module, "__file__", module.__name__), type(fn).__name__))
        found[name] = fn
    if "transform_fn" in found and any(n in found for n in ("input_fn", "predict_fn", "output_fn")):
        raise ValueError(TRANSFORM_CONFLICT)
    return found


def default_model_fn(model_dir):
    raise NotImplementedError(MODEL_FN_MISSING)


def default_predict_fn(data, model):
    raise NotImplementedError(PREDICT_FN_MISSING)


# --------------------------------------------------------------------------------------------------------------------
# The worker


class Worker:
    def __init__(self, sock):
        self.sock = sock
        self.buffer = bytearray(BUFFER_KEEP)
        self.view = memoryview(self.buffer)
        self.start = 0
        self.end = 0
        self.model = None
        self.table = {}
        self.calls = {}
        self.context = None
        self.codecs = Codecs()
        self.negotiated = ""
        self.use_transform = False
        self.interrupt_mode = False
        self.sending = False
        self.interrupt_pending = False
        self.last_invoke = None  # seq of the last INVOKE, until a CANCELLED answers it (interrupt mode)
        self.trace_times = []
        self.model_dir = ""

    # frames ---------------------------------------------------------------------------------------------------------

    def fill(self, need):
        """Make `need` bytes available from self.start in self.buffer; False on EOF."""
        if self.start and self.end - self.start < need:
            pending = self.end - self.start
            self.buffer[0:pending] = self.buffer[self.start:self.end]
            self.start, self.end = 0, pending
        while self.end - self.start < need:
            n = self.sock.recv_into(self.view[self.end:])
            if n == 0:
                return False
            self.end += n
        return True

    def read_frame(self):
        """(type, seq, payload memoryview) or None at EOF. The payload is valid until the next read."""
        if not self.fill(HEADER.size):
            return None
        length, kind, _flags, _reserved, seq = HEADER.unpack_from(self.buffer, self.start)
        if length < 12:
            raise ProtocolError("frame length %d is shorter than the header" % length)
        size = length - 12
        if size <= BUFFER_KEEP - HEADER.size:
            # the header stays unconsumed until the whole frame is here (a signal may interrupt the wait)
            if not self.fill(HEADER.size + size):
                raise ProtocolError("socket closed inside a frame of %d bytes" % size)
            begin = self.start + HEADER.size
            payload = self.view[begin:begin + size]
            self.start = begin + size
            if self.start == self.end:
                self.start = self.end = 0
            return kind, seq, payload
        # a big frame: a one-off buffer of exactly its size
        self.start += HEADER.size
        big = bytearray(size)
        have = min(size, self.end - self.start)
        big[0:have] = self.buffer[self.start:self.start + have]
        self.start += have
        if self.start == self.end:
            self.start = self.end = 0
        view = memoryview(big)
        while have < size:
            n = self.sock.recv_into(view[have:])
            if n == 0:
                raise ProtocolError("socket closed inside a frame of %d bytes" % size)
            have += n
        return kind, seq, view

    def send(self, kind, seq, *parts):
        total = sum(len(p) for p in parts)
        buffers = [HEADER.pack(12 + total, kind, 0, 0, seq)]
        buffers.extend(p for p in parts if len(p))
        size = HEADER.size + total
        self.sending = True
        try:
            sent = self.sock.sendmsg(buffers)
            if sent < size:
                self.sock.sendall(b"".join(bytes(b) for b in buffers)[sent:])
        finally:
            self.sending = False
        if self.interrupt_pending:
            self.interrupt_pending = False
            raise KeyboardInterrupt()

    def send_json(self, kind, seq, value):
        self.send(kind, seq, json.dumps(value).encode("utf-8"))

    def send_error(self, kind, seq, status, error_kind, error_type, message, trace, phrase):
        fields = [error_type.encode("utf-8", "replace"), message.encode("utf-8", "replace"),
                  trace.encode("utf-8", "replace"), phrase.encode("utf-8", "replace")]
        prefix = ERROR_PREFIX.pack(status, error_kind, 0, *(len(f) for f in fields))
        self.send(kind, seq, prefix, *fields)

    def print_trace(self, trace):
        now = time.monotonic()
        self.trace_times = [t for t in self.trace_times if now - t < 1.0]
        if len(self.trace_times) < 10:
            self.trace_times.append(now)
            sys.stderr.write("".join("smc-worker: %s\n" % line for line in trace.rstrip("\n").split("\n")))
            sys.stderr.flush()

    # main loop ------------------------------------------------------------------------------------------------------

    def hello(self, token, worker_id):
        self.send_json(HELLO, 0, {"protocol": PROTOCOL, "pid": os.getpid(), "worker": worker_id, "token": token,
                                  "python": "%d.%d.%d" % sys.version_info[:3], "numpy": installed_numpy()})

    def serve(self):
        while True:
            try:
                frame = self.read_frame()
                if frame is None:
                    return 0
                kind, seq, payload = frame
                if kind == INVOKE:
                    self.invoke(seq, payload)
                elif kind == PING:
                    self.send(PONG, seq)
                elif kind == LOAD:
                    self.load(seq, json.loads(bytes(payload).decode("utf-8")))
                elif kind == SHUTDOWN:
                    return 0
                else:
                    raise ProtocolError("unknown frame type 0x%02x" % kind)
            except KeyboardInterrupt:
                if not self.interrupt_mode:
                    raise
                if self.last_invoke is not None:
                    seq, self.last_invoke = self.last_invoke, None
                    self.send(CANCELLED, seq)

    # LOAD -----------------------------------------------------------------------------------------------------------

    def load(self, seq, request):
        started = time.monotonic()
        try:
            loaded = self.load_model(request)
        except BaseException as e:
            if not isinstance(e, Exception):
                raise
            if isinstance(e, MemoryError):
                gc.collect()
            status, error_kind, error_type, message, phrase = classify(e, "model_fn")
            if error_kind != KIND_MEMORY:
                status, error_kind, phrase = 500, KIND_USER, ""
            trace = format_exc()  # not printed here: Java logs a failed load once, for all workers
            self.send_error(LOAD_FAILED, seq, status, error_kind, error_type, message, trace, phrase)
            return
        loaded["load_ms"] = int((time.monotonic() - started) * 1000)
        self.send_json(LOADED, seq, loaded)
        if self.interrupt_mode:
            signal.signal(signal.SIGINT, self.on_sigint)

    def load_model(self, request):
        model_dir = str(request["model_dir"])
        code_dir = request.get("code_dir")
        module_name = request.get("module") or "inference"
        if module_name.endswith(".py"):
            module_name = module_name[:-3]
        self.model_dir = model_dir
        self.interrupt_mode = request.get("timeout_action") == "interrupt"

        # 1. sys.path: no script dir; extra_path entries then the code dir first; the model dir last
        here = os.path.dirname(os.path.abspath(__file__))
        sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
        front = [str(p) for p in request.get("extra_path") or []]
        if code_dir:
            front.append(str(code_dir))
        sys.path[0:0] = front
        sys.path.append(model_dir)

        # 2. framework defaults, then the user module
        defaults_file = request.get("defaults_file")
        framework = functions_of(load_defaults_module(defaults_file)) if defaults_file else {}
        import importlib
        module = None
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as e:
            if e.name != module_name and not module_name.startswith((e.name or "\0") + "."):
                raise
            if request.get("module_explicit"):
                raise ModuleNotFoundError("user module '%s' not found (searched %s, %s)"
                                          % (module_name, code_dir, model_dir), name=module_name)
        user = functions_of(module)

        # 3. layering: runtime defaults < framework defaults < user functions
        chain = ("input_fn", "predict_fn", "output_fn")
        if "transform_fn" in user or ("transform_fn" in framework and not any(n in user for n in chain)):
            use_transform = True
        else:
            use_transform = False
            framework.pop("transform_fn", None)
        origins = {}
        table = {}
        for name in FUNCTIONS:
            if name in user:
                fn, origin = user[name], "user"
            elif name in framework:
                fn, origin = framework[name], "framework"
            else:
                fn, origin = None, "default"
            if use_transform and name in chain:
                fn, origin = None, "default"
            origins[name] = origin
            if fn is not None:
                table[name] = Function(name, fn, origin)  # 4. arity, once
        defaults = {"model_fn": default_model_fn, "predict_fn": default_predict_fn, "input_fn": self.default_input_fn,
                    "output_fn": self.default_output_fn}
        for name, fn in defaults.items():
            if name not in table:
                table[name] = Function(name, fn, "default")
        self.table = table
        self.use_transform = use_transform

        # 5. numpy, only when a default codec is in use
        np = None
        if not use_transform and (origins["input_fn"] == "default" or origins["output_fn"] == "default"):
            try:
                import numpy as np
            except ImportError:
                np = None
        self.codecs = Codecs(request.get("codecs") or "sc", bool(request.get("npy_allow_pickle")), np)

        # context, only when some function declared it
        if any(f.with_context for f in table.values()):
            self.context = Context(request.get("model_name") or "model", model_dir, request.get("gpu_id"),
                                   request.get("server_version") or "")

        self.calls = {name: function.bound(self.context) for name, function in table.items()}

        # 6. pre_model_fn, model_fn, model_warmup_fn
        if "pre_model_fn" in table:
            self.call(table["pre_model_fn"], model_dir)
        self.model = self.call(table["model_fn"], model_dir)
        if "model_warmup_fn" in table:
            self.call(table["model_warmup_fn"], model_dir, self.model)
        return {"module_file": getattr(module, "__file__", None), "functions": origins,
                "context_args": [n for n, f in table.items() if f.with_context],
                "numpy": getattr(np, "__version__", None)}

    def call(self, function, *args):
        if function.with_context:
            return function.fn(*args, self.context)
        return function.fn(*args)

    def on_sigint(self, signum, frame):
        if self.sending:
            self.interrupt_pending = True
            return
        raise KeyboardInterrupt()

    # INVOKE ---------------------------------------------------------------------------------------------------------

    def default_input_fn(self, body, content_type):
        return self.codecs.decode(body, content_type)

    def default_output_fn(self, prediction, accept):
        negotiated = self.negotiated
        if not negotiated:
            raise UnsupportedFormatError(accept)
        return self.codecs.encode(prediction, negotiated), negotiated

    def invoke(self, seq, payload):
        self.last_invoke = seq
        lengths = INVOKE_LENGTHS.unpack_from(payload, 0)
        offset = INVOKE_LENGTHS.size
        fields = []
        for n in lengths:
            fields.append(payload[offset:offset + n])
            offset += n
        if offset != len(payload):
            raise ProtocolError("INVOKE fields take %d bytes, payload has %d" % (offset, len(payload)))
        content_type = str(fields[0], "utf-8")
        accept = str(fields[1], "utf-8")
        self.negotiated = str(fields[2], "utf-8")
        body = bytes(fields[6])
        if content_type in UTF8_TYPES:
            body = body.decode("utf-8", "replace")
        context = self.context
        if context is not None:
            context.reset(str(fields[3], "utf-8"), str(fields[4], "utf-8"), parse_pairs(fields[5], "iso-8859-1"))
        stage = "transform_fn"
        try:
            calls = self.calls
            if self.use_transform:
                result = calls["transform_fn"](self.model, body, content_type, accept)
            else:
                stage = "input_fn"
                data = calls["input_fn"](body, content_type)
                stage = "predict_fn"
                prediction = calls["predict_fn"](data, self.model)
                stage = "output_fn"
                result = calls["output_fn"](prediction, accept)
            stage = "result"
            reply = self.normalise(result, accept)
        except Exception as e:
            if isinstance(e, MemoryError):
                gc.collect()
            status, error_kind, error_type, message, phrase = classify(e, stage)
            if stage == "result" and not isinstance(e, WorkerError):
                status, error_kind = 500, KIND_INTERNAL
            trace = format_exc()
            if status >= 500:
                self.print_trace(trace)
            self.send_error(ERROR, seq, status, error_kind, error_type, message, trace, phrase)
            return
        self.send(RESULT, seq, *reply)

    def normalise(self, result, accept):
        """RESULT payload parts: prefix, content type, phrase, headers, body."""
        status, phrase, headers = 200, "", {}
        context = self.context
        if context is not None:
            processor = context.request_processor[0]
            status, phrase, headers = processor.status, processor.phrase, dict(processor.response_headers)
        if isinstance(result, tuple):
            if len(result) < 2:
                raise WorkerError(500, KIND_INTERNAL, "transform_fn/output_fn returned a tuple of %d item(s); "
                                  "expected (body, content_type)" % len(result))
            body, content_type = self.body_of(result[0]), str(result[1])
        elif type(getattr(result, "status_code", None)) is int and callable(getattr(result, "get_data", None)):
            body = self.body_of(result.get_data())
            status = result.status_code
            content_type = getattr(result, "mimetype", None)
            for key, value in header_items(getattr(result, "headers", None)):
                if key.lower() == "content-type":
                    content_type = content_type or value
                else:
                    headers[key] = value
            if not content_type:
                content_type = self.plain_type(accept)
        else:
            body, content_type = self.body_of(result), self.plain_type(accept)
        header_bytes = "".join("%s\0%s\0" % (k, v) for k, v in headers.items()).encode("utf-8")
        ct = content_type.encode("utf-8")
        ph = phrase.encode("utf-8")
        prefix = RESULT_PREFIX.pack(status, 0, len(ct), len(ph), len(header_bytes), len(body))
        return prefix, ct, ph, header_bytes, body

    def plain_type(self, accept):
        if self.negotiated:
            return self.negotiated
        if accept and "," not in accept and "*" not in accept:
            return accept
        return "application/octet-stream"

    @staticmethod
    def body_of(value):
        if isinstance(value, (bytes, bytearray, memoryview)):
            return value
        if isinstance(value, str):
            return value.encode("utf-8")
        if value is None:
            raise WorkerError(500, KIND_INTERNAL, "transform_fn/output_fn returned None")
        try:
            return json.dumps(value, indent=2).encode("utf-8")
        except (TypeError, ValueError):
            raise WorkerError(500, KIND_INTERNAL, "Unsupported model output data type: %s" % type(value).__name__)


def format_exc():
    import traceback
    return traceback.format_exc()


def installed_numpy():
    """numpy's version from its distribution folder name (dist-info/egg-info) without importing numpy, importlib.util
    or importlib.metadata (tens of milliseconds at start-up); None when numpy is not on sys.path."""
    for entry in sys.path:
        parent = entry or "."
        if os.path.isfile(os.path.join(parent, "numpy", "__init__.py")):
            break
    else:
        return None
    try:
        names = os.listdir(parent)
    except OSError:
        return ""
    for name in names:
        lower = name.lower()
        if lower.startswith("numpy-") and lower.endswith((".dist-info", ".egg-info")):
            return name[6:].rsplit(".", 1)[0].split("-")[0].split(".egg")[0]
    return ""


def header_items(headers):
    if headers is None:
        return []
    if hasattr(headers, "items"):
        return [(str(k), str(v)) for k, v in headers.items()]
    return [(str(k), str(v)) for k, v in headers]


class ProtocolError(Exception):
    pass


def keep_heap_for_payloads():
    """glibc gives freed memory at the top of the heap back to the kernel once 128 KiB are free there, and maps blocks
    from 128 KiB up on their own: a worker that receives and answers 100 KB bodies then pays page faults and TLB
    shootdowns on every request (perf: about 60 % of the worker's time). Payloads up to 8 MiB (SageMaker's real-time
    limit is 6 MB) now reuse the heap, and up to 16 MiB of free heap is kept; bigger blocks are mapped as before. Other C
    libraries are left alone."""
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (ImportError, OSError, AttributeError):
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    mallopt(m_mmap_threshold, 8 << 20)
    mallopt(m_trim_threshold, 16 << 20)


def main():
    keep_heap_for_payloads()
    path = os.environ.get("SMC_WORKER_SOCKET")
    token = os.environ.get("SMC_WORKER_TOKEN")
    worker_id = os.environ.get("SMC_WORKER_ID", "")
    if not path or not token:
        log("SMC_WORKER_SOCKET and SMC_WORKER_TOKEN must be set; this script is started by the smcontainers server")
        return 2
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError as e:
        log("cannot connect to %s: %s" % (path, e))
        return 2
    return run(sock, token, worker_id)


def run(sock, token, worker_id):
    worker = Worker(sock)
    try:
        worker.hello(token, worker_id)
        return worker.serve()
    except ProtocolError as e:
        log("protocol error: %s" % e)
        return 3
    except (BrokenPipeError, ConnectionResetError):
        return 0
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        sock.close()


if __name__ == "__main__":
    sys.exit(main())
