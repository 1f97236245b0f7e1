"""A fake Java peer for smc_worker.py: listens on a real Unix socket, starts the real worker process, speaks the
frames of python-workers.md section 3.5. Shared by the test_*.py files."""

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import textwrap
import time

sys.dont_write_bytecode = True  # no __pycache__ next to the shipped worker (it would end up in the jar)
HERE = os.path.dirname(os.path.abspath(__file__))
WORKER_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "main", "resources", "io", "smcontainers", "serving",
                                           "netty", "python"))
WORKER = os.path.join(WORKER_DIR, "smc_worker.py")
sys.path.insert(0, WORKER_DIR)
import smc_worker  # noqa: E402  (the module under test, for constants and in-process codec tests)

HEADER = struct.Struct(">IBBHQ")
LOAD, INVOKE, PING, SHUTDOWN = 0x01, 0x02, 0x03, 0x04
HELLO, LOADED, LOAD_FAILED, RESULT, ERROR, PONG, CANCELLED = 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87

try:
    import numpy  # noqa: F401
    HAVE_NUMPY = True
except ImportError:
    HAVE_NUMPY = False


def block(*fields):
    return struct.pack(">%dI" % len(fields), *(len(f) for f in fields)) + b"".join(fields)


def unblock(data, n):
    lengths = struct.unpack_from(">%dI" % n, data, 0)
    offset, out = 4 * n, []
    for length in lengths:
        out.append(data[offset:offset + length])
        offset += length
    assert offset == len(data), "block of %d fields takes %d bytes, payload has %d" % (n, offset, len(data))
    return out


def frame(kind, seq, payload=b""):
    return HEADER.pack(12 + len(payload), kind, 0, 0, seq) + payload


def headers_field(pairs, encoding="iso-8859-1"):
    return b"".join(k.encode(encoding) + b"\0" + v.encode(encoding) + b"\0" for k, v in pairs)


class Reply:
    def __init__(self, kind, seq, payload):
        self.kind, self.seq, self.payload = kind, seq, payload
        self.status = None
        if kind == RESULT:
            self.status = struct.unpack_from(">H", payload, 0)[0]
            ct, phrase, headers, body = unblock(payload[4:], 4)
            self.content_type = ct.decode()
            self.phrase = phrase.decode()
            parts = headers.decode().split("\0")[:-1]
            self.headers = dict(zip(parts[0::2], parts[1::2]))
            self.body = body
        elif kind in (ERROR, LOAD_FAILED):
            self.status, self.error_kind = struct.unpack_from(">HB", payload, 0)
            error_type, message, trace, phrase = unblock(payload[4:], 4)
            self.error_type, self.message = error_type.decode(), message.decode()
            self.trace, self.phrase = trace.decode(), phrase.decode()
        elif kind in (HELLO, LOADED):
            self.json = json.loads(payload.decode())

    def __repr__(self):
        return "Reply(0x%02x, %r)" % (self.kind, self.__dict__)


class Peer:
    """Listens, starts the worker, accepts its connection. Use as a context manager; kills the worker at exit."""

    def __init__(self, python=None, env=None, args=(), cwd=None, token="t0ken"):
        self.dir = tempfile.mkdtemp(prefix="smcw-")
        self.path = os.path.join(self.dir, "w.sock")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(4)
        self.listener.settimeout(20)
        full_env = dict(os.environ)
        full_env.update({"SMC_WORKER_SOCKET": self.path, "SMC_WORKER_TOKEN": token, "SMC_WORKER_ID": "m/0",
                         "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"})
        full_env.update(env or {})
        self.proc = subprocess.Popen([python or sys.executable, *args, WORKER], env=full_env, cwd=cwd or self.dir,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     start_new_session=True)
        self.conn, _ = self.listener.accept()
        self.conn.settimeout(20)
        self.seq = 0
        self.hello = self.read()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        try:
            self.conn.close()
        finally:
            self.listener.close()
            if self.proc.poll() is None:
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            self.proc.stdout.close()
            self.proc.stderr.close()
            shutil.rmtree(self.dir, ignore_errors=True)

    def recv_exact(self, n):
        chunks, have = [], 0
        while have < n:
            chunk = self.conn.recv(min(n - have, 1 << 20))
            if not chunk:
                raise EOFError("worker closed the socket after %d of %d bytes" % (have, n))
            chunks.append(chunk)
            have += len(chunk)
        return b"".join(chunks)

    def read(self):
        length, kind, flags, reserved, seq = HEADER.unpack(self.recv_exact(16))
        assert flags == 0 and reserved == 0
        return Reply(kind, seq, self.recv_exact(length - 12))

    def send(self, kind, payload=b""):
        self.seq += 1
        self.conn.sendall(frame(kind, self.seq, payload))
        return self.seq

    def load(self, model_dir, **keys):
        request = {"model_dir": model_dir, "code_dir": None, "module": "inference", "module_explicit": False,
                   "extra_path": [], "model_name": "model", "gpu_id": None, "codecs": "sc",
                   "npy_allow_pickle": False, "log_level": "INFO", "timeout_action": "kill", "server_version": "t"}
        request.update(keys)
        seq = self.send(LOAD, json.dumps(request).encode())
        reply = self.read()
        assert reply.seq == seq, (reply.seq, seq)
        return reply

    def invoke(self, body=b"", content_type="application/json", accept="application/json", negotiated=None,
               request_id="r-1", custom_attributes="", headers=()):
        if negotiated is None:
            negotiated = accept if accept in ("application/json", "text/csv", "application/x-npy") else ""
        payload = block(content_type.encode(), accept.encode(), negotiated.encode(), request_id.encode(),
                        custom_attributes.encode(), headers_field(headers), body)
        seq = self.send(INVOKE, payload)
        reply = self.read()
        assert reply.seq == seq, (reply.seq, seq)
        return reply

    def stderr_text(self):
        """Everything the worker wrote on stderr; call after the worker has exited."""
        return self.proc.stderr.read().decode("utf-8", "replace")


def model_dir(test, code=None, files=None, code_subdir=True):
    """A temp model dir with code/inference.py (or inference.py at the root) from `code`; removed after the test."""
    root = tempfile.mkdtemp(prefix="smcm-")
    test.addCleanup(shutil.rmtree, root, True)
    code_dir = os.path.join(root, "code") if code_subdir else root
    os.makedirs(code_dir, exist_ok=True)
    if code is not None:
        with open(os.path.join(code_dir, "inference.py"), "w") as f:
            f.write(textwrap.dedent(code))
    for name, content in (files or {}).items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb" if isinstance(content, bytes) else "w") as f:
            f.write(content)
    return root, code_dir


def wait_for(predicate, timeout=10.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.01)
    raise AssertionError("timed out waiting for " + what)
