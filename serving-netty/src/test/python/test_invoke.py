"""INVOKE: argument types and order, default codec goldens end to end, result normalisation, context, errors
(python-workers.md 3.15-3.17; goldens from serving-contract.md 3.8 and Appendix A)."""

import json
import os
import struct
import unittest

from harness import ERROR, HAVE_NUMPY, LOADED, RESULT, Peer, model_dir

F1 = """
    import json, os
    def model_fn(model_dir):
        with open(os.path.join(model_dir, "weights.json")) as f:
            return json.load(f)
    def predict_fn(data, model):
        return data * model
"""

SC_415 = ("Content type fake/type is not supported by this framework.\n\n"
          "            Please implement input_fn to to deserialize the request data or an output_fn to\n"
          "            serialize the response. For more information, see the SageMaker Python SDK README.")


class Loaded(unittest.TestCase):
    """A worker loaded with `code` for the whole test."""

    def start(self, code, files=None, python=None, args=(), **keys):
        root, code_dir = model_dir(self, code, files)
        self.peer = Peer(python=python, args=args)
        self.addCleanup(self.peer.close)
        reply = self.peer.load(root, code_dir=code_dir, **keys)
        self.assertEqual(LOADED, reply.kind, reply)
        return reply

    def error(self, reply, status, kind, error_type):
        self.assertEqual(ERROR, reply.kind, reply)
        self.assertEqual((status, kind, error_type), (reply.status, reply.error_kind, reply.error_type), reply.message)


@unittest.skipUnless(HAVE_NUMPY, "numpy is not importable by this interpreter")
class DefaultCodecsEndToEndTest(Loaded):
    def setUp(self):
        self.start(F1, {"weights.json": "[6, 9, 42]"})

    def test_e1_goldens_json_csv_npy(self):
        body = b"[6, 9, 42.0]"
        json_reply = self.peer.invoke(body, accept="application/json")
        self.assertEqual((200, "application/json", b"[36.0, 81.0, 1764.0]"),
                         (json_reply.status, json_reply.content_type, json_reply.body))
        csv_reply = self.peer.invoke(body, accept="text/csv")
        self.assertEqual((200, "text/csv", b"36.0\n81.0\n1764.0\n"),
                         (csv_reply.status, csv_reply.content_type, csv_reply.body))
        npy = self.peer.invoke(body, accept="application/x-npy")
        self.assertEqual("application/x-npy", npy.content_type)
        header = b"{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }"
        self.assertEqual(b"\x93NUMPY\x01\x00", npy.body[:8])
        header_len = struct.unpack("<H", npy.body[8:10])[0]
        self.assertEqual(header, npy.body[10:10 + header_len].rstrip(b" \n"))
        self.assertEqual(struct.pack("<3d", 36.0, 81.0, 1764.0), npy.body[10 + header_len:])

    def test_csv_in_npy_in(self):
        self.assertEqual(b"[36.0, 81.0, 1764.0]", self.peer.invoke(b"6\n9\n42\n", content_type="text/csv").body)
        import io
        import numpy as np
        buf = io.BytesIO()
        np.save(buf, np.array([6, 9, 42]))
        self.assertEqual(b"[36, 81, 1764]",
                         self.peer.invoke(buf.getvalue(), content_type="application/x-npy").body)

    def test_e2_unsupported_content_type_415_and_accept_406_with_the_sc_text(self):
        reply = self.peer.invoke(b"[1]", content_type="fake/type")
        self.error(reply, 415, 2, "UnsupportedFormatError")
        self.assertEqual(SC_415, reply.message)
        reply = self.peer.invoke(b"[1]", accept="image/png", negotiated="")
        self.error(reply, 406, 2, "UnsupportedFormatError")
        self.assertEqual(SC_415.replace("fake/type", "image/png"), reply.message)

    def test_e3_malformed_bodies_are_400_naming_the_codec(self):
        for body, content_type, prefix in ((b"[1, 2", "application/json", "Error while decoding json: "),
                                           (b"", "application/json", "Error while decoding json: "),
                                           (b"1,2\n3\n", "text/csv", "Error while decoding csv: "),
                                           (b'"a\n', "text/csv", "Error while decoding csv: "),
                                           (b"\x93NUMPY\x01\x00garbage", "application/x-npy",
                                            "Error while decoding npy: "),
                                           (b"not npy at all", "application/x-npy", "Error while decoding npy: ")):
            reply = self.peer.invoke(body, content_type=content_type)
            self.error(reply, 400, 3, "DecodeError")
            self.assertTrue(reply.message.startswith(prefix), (body, reply.message))

    def test_e4_npy_object_array_is_415_without_pickles(self):
        import io
        import numpy as np
        buf = io.BytesIO()
        np.save(buf, np.array([{"a": 1}], dtype=object), allow_pickle=True)
        reply = self.peer.invoke(buf.getvalue(), content_type="application/x-npy")
        self.error(reply, 415, 2, "WorkerError")
        self.assertIn("SMC_PY_NPY_ALLOW_PICKLE=true", reply.message)

    def test_e5_content_type_with_charset_reaches_the_default_decoder(self):
        reply = self.peer.invoke("[6, 9, 42.0]".encode("utf-16-le"),
                                 content_type="Application/JSON; charset=utf-16-le")
        self.assertEqual((200, b"[36.0, 81.0, 1764.0]"), (reply.status, reply.body), reply)

    def test_e16_many_requests_each_get_their_own_answer(self):
        for i in range(200):
            expected = ("[%d, %d, %d]" % (6 * i, 9 * i, 42 * i)).encode()
            self.assertEqual(expected, self.peer.invoke(("[%d]" % i).encode()).body)


@unittest.skipUnless(HAVE_NUMPY, "numpy is not importable by this interpreter")
class PickleAllowedTest(Loaded):
    def test_e4_object_array_decodes_when_pickles_are_allowed(self):
        self.start("""
            def model_fn(d): return None
            def predict_fn(data, model): return repr(data.tolist())
            def output_fn(p, accept): return p
        """, npy_allow_pickle=True)
        import io
        import numpy as np
        buf = io.BytesIO()
        np.save(buf, np.array([{"a": 1}], dtype=object), allow_pickle=True)
        reply = self.peer.invoke(buf.getvalue(), content_type="application/x-npy", accept="text/plain")
        self.assertEqual((200, b"[{'a': 1}]"), (reply.status, reply.body))


class WithoutNumpyTest(Loaded):
    """`python3 -S` has no site-packages, so numpy is not importable: the stdlib codecs answer."""

    def setUp(self):
        self.start(F1.replace("return data * model", "return [x * w for x, w in zip(data, model)]"),
                   {"weights.json": "[6, 9, 42]"}, args=("-S",))

    def test_json_and_csv_without_numpy(self):
        reply = self.peer.invoke(b"[6, 9, 42.0]")
        self.assertEqual(b"[36, 81, 1764.0]", reply.body)  # Python ints stay ints (spec 3.16)
        self.assertEqual(b"36.0\n81.0\n1764.0\n",
                         self.peer.invoke(b"6\n9\n42\n", content_type="text/csv", accept="text/csv").body)

    def test_npy_is_415_in_and_406_out_without_numpy(self):
        reply = self.peer.invoke(b"\x93NUMPY", content_type="application/x-npy")
        self.error(reply, 415, 2, "WorkerError")
        self.assertTrue(reply.message.endswith("numpy is not installed"), reply.message)
        reply = self.peer.invoke(b"[1]", accept="application/x-npy")
        self.error(reply, 406, 2, "WorkerError")


class ArgumentsTest(Loaded):
    def test_e6_chain_argument_order_and_body_types(self):
        self.start("""
            def model_fn(model_dir): return "MODEL"
            def input_fn(body, content_type): return [type(body).__name__, body if isinstance(body, str) else body.hex(), content_type]
            def predict_fn(data, model): return data + [model]
            def output_fn(prediction, accept): return repr(prediction + [accept]), "text/plain"
        """)
        cases = (("application/json", b"\xff{}", "['str', '\ufffd{}', 'application/json', 'MODEL', 'a/b']"),
                 ("text/csv", b"1,2", "['str', '1,2', 'text/csv', 'MODEL', 'a/b']"),
                 ("application/json; charset=utf-8", b"{}", "['bytes', '7b7d', 'application/json; charset=utf-8', "
                                                            "'MODEL', 'a/b']"),
                 ("application/x-npy", b"\x93N", "['bytes', '934e', 'application/x-npy', 'MODEL', 'a/b']"))
        for content_type, body, expected in cases:
            reply = self.peer.invoke(body, content_type=content_type, accept="a/b")
            self.assertEqual((200, "text/plain", expected), (reply.status, reply.content_type, reply.body.decode()))

    def test_e6_transform_fn_arguments(self):
        self.start("""
            def model_fn(model_dir): return "MODEL"
            def transform_fn(model, body, content_type, accept):
                return repr([model, body, content_type, accept]), "x/y"
        """)
        reply = self.peer.invoke(b"abc", content_type="text/csv", accept="text/csv, application/json")
        self.assertEqual(("x/y", "['MODEL', 'abc', 'text/csv', 'text/csv, application/json']"),
                         (reply.content_type, reply.body.decode()))


class ResultNormalisationTest(Loaded):
    def setUp(self):
        self.start("""
            class Resp:
                status_code = 201
                mimetype = "text/html"
                headers = [("Content-Type", "text/html; charset=utf-8"), ("X-From", "resp")]
                def get_data(self): return b"<p>"
            class Weird: pass
            def model_fn(model_dir): return None
            def transform_fn(model, body, content_type, accept):
                return {
                    "str": "h\\u00e9", "bytes": b"\\x00\\x01", "bytearray": bytearray(b"ba"), "dict": {"a": [1, 2]},
                    "none": None, "weird": Weird(), "tuple": ("t", 5), "tuple1": ("only",), "resp": Resp(),
                    "tuple_dict": ({"k": 1}, "application/json"),
                }[body]
        """)

    def result(self, which, accept="application/json", negotiated=None):
        return self.peer.invoke(which.encode(), content_type="text/csv", accept=accept, negotiated=negotiated)

    def test_e19_each_variant(self):
        reply = self.result("str")
        self.assertEqual(("application/json", "hé".encode()), (reply.content_type, reply.body))
        reply = self.result("bytes", accept="image/png", negotiated="")
        self.assertEqual(("image/png", b"\x00\x01"), (reply.content_type, reply.body))
        reply = self.result("bytearray", accept="text/csv, application/json", negotiated="text/csv")
        self.assertEqual(("text/csv", b"ba"), (reply.content_type, reply.body))
        reply = self.result("bytes", accept="text/*", negotiated="")
        self.assertEqual("application/octet-stream", reply.content_type)
        reply = self.result("dict")
        self.assertEqual(b'{\n  "a": [\n    1,\n    2\n  ]\n}', reply.body)
        reply = self.result("tuple")
        self.assertEqual(("5", b"t"), (reply.content_type, reply.body))
        reply = self.result("tuple_dict")
        self.assertEqual(("application/json", b'{\n  "k": 1\n}'), (reply.content_type, reply.body))
        reply = self.result("resp")
        self.assertEqual((201, "text/html", {"X-From": "resp"}, b"<p>"),
                         (reply.status, reply.content_type, reply.headers, reply.body))

    def test_e19_bad_results_are_internal_500s_and_the_worker_keeps_serving(self):
        self.error(self.result("none"), 500, 6, "WorkerError")
        self.assertEqual("transform_fn/output_fn returned None", self.result("none").message)
        reply = self.result("weird")
        self.error(reply, 500, 6, "WorkerError")
        self.assertEqual("Unsupported model output data type: Weird", reply.message)
        self.error(self.result("tuple1"), 500, 6, "WorkerError")
        self.assertEqual(b"\x00\x01", self.result("bytes").body)


class ContextTest(Loaded):
    def test_e8_headers_custom_attributes_status_and_response_header(self):
        self.start("""
            seen = {}
            def model_fn(model_dir, context):
                seen["props"] = dict(context.system_properties)
                return "M"
            def input_fn(body, content_type, context):
                return {"h": context.get_request_header(0, "x-MY-header"),
                        "all": context.get_all_request_header(0),
                        "id": context.get_request_id(),
                        "ca": context.custom_attributes, "cam": context.custom_attributes_map,
                        "proc": context.request_processor[0].get_request_property("X-My-Header")}
            def predict_fn(data, model, context):
                if data["ca"]:
                    context.set_response_status(202, "Accepted later")
                    context.set_response_header(0, "X-Out", "1")
                context.set_response_content_type(0, "overridden/by-result")
                try:
                    context.get_request_header(1, "x")
                except IndexError:
                    data["index_error"] = True
                data["props"] = seen["props"]
                return data
            def output_fn(prediction, accept, context):
                import json
                return json.dumps(prediction), "application/json"
        """, model_name="mymodel", gpu_id=None, server_version="9.9")
        reply = self.peer.invoke(b"{}", request_id="req-7", custom_attributes="a=1; b = x=y ;junk",
                                 headers=[("X-My-Header", "v\xe9"), ("Accept", "application/json")])
        self.assertEqual((RESULT, 202, "Accepted later", {"X-Out": "1"}, "application/json"),
                         (reply.kind, reply.status, reply.phrase, reply.headers, reply.content_type))
        seen = json.loads(reply.body)
        self.assertEqual("v\xe9", seen["h"])
        self.assertEqual("v\xe9", seen["proc"])
        self.assertEqual({"X-My-Header": "v\xe9", "Accept": "application/json"}, seen["all"])
        self.assertEqual("req-7", seen["id"])
        self.assertEqual("a=1; b = x=y ;junk", seen["ca"])
        self.assertEqual({"a": "1", "b": "x=y"}, seen["cam"])
        self.assertTrue(seen["index_error"])
        self.assertEqual({"model_dir": seen["props"]["model_dir"], "gpu_id": None, "batch_size": 1,
                          "server_name": "smcontainers", "server_version": "9.9"}, seen["props"])
        # the next request starts from a clean response state
        reply = self.peer.invoke(b"{}")
        self.assertEqual((200, "", {}), (reply.status, reply.phrase, reply.headers))


class ErrorsTest(Loaded):
    def setUp(self):
        self.start("""
            import os
            class BaseInferenceToolkitError(Exception):
                def __init__(self, status_code, message, phrase):
                    self.status_code, self.message, self.phrase = status_code, message, phrase
                    super().__init__(status_code, message, phrase)
            class Teapot(BaseInferenceToolkitError):
                pass
            class PredictionException(Exception):
                def __init__(self, message, error_code=500):
                    self.message, self.error_code = message, error_code
                    super().__init__(message)
            class UnsupportedFormatError(Exception):
                pass
            def model_fn(model_dir): return None
            def input_fn(body, content_type):
                if body == "bad-input":
                    raise UnsupportedFormatError("user says no " + content_type)
                return body
            def predict_fn(data, model):
                if data == "boom": raise ValueError("boom")
                if data == "teapot": raise Teapot(418, "short and stout", "I'm a teapot\\r\\nx")
                if data == "mms": raise PredictionException("Some Prediction Error", 599)
                if data == "memory": raise MemoryError()
                if data == "unsupported-in-predict": raise UnsupportedFormatError("x")
                if data == "pid": return str(os.getpid())
                return data
            def output_fn(prediction, accept):
                if prediction == "bad-output":
                    raise UnsupportedFormatError("cannot " + accept)
                return prediction
        """)

    def ask(self, what):
        return self.peer.invoke(what.encode(), content_type="text/csv", accept="text/plain")

    def test_e9_user_errors(self):
        pid = self.ask("pid").body
        reply = self.ask("boom")
        self.error(reply, 500, 1, "ValueError")
        self.assertEqual("boom", reply.message)
        self.assertIn('raise ValueError("boom")', reply.trace)
        self.assertIn("Traceback (most recent call last)", reply.trace)
        reply = self.ask("teapot")
        self.error(reply, 418, 4, "Teapot")
        self.assertEqual(("short and stout", "I'm a teapot\r\nx"), (reply.message, reply.phrase))
        reply = self.ask("mms")
        self.error(reply, 599, 4, "PredictionException")
        self.assertEqual("Some Prediction Error", reply.message)
        self.error(self.ask("memory"), 507, 5, "MemoryError")
        self.error(self.ask("bad-input"), 415, 2, "UnsupportedFormatError")
        self.error(self.ask("bad-output"), 406, 2, "UnsupportedFormatError")
        self.error(self.ask("unsupported-in-predict"), 500, 1, "UnsupportedFormatError")
        self.assertEqual(pid, self.ask("pid").body, "the same worker keeps serving after errors")
        self.peer.conn.close()
        self.peer.proc.wait(10)
        stderr = self.peer.stderr_text()
        self.assertIn("smc-worker: ValueError: boom", stderr)
        self.assertNotIn("Teapot", stderr)  # 4xx tracebacks are not printed


class DefaultPredictTest(Loaded):
    def test_missing_predict_fn_is_500_with_the_sc_text(self):
        self.start("def model_fn(d): return 1\n")
        reply = self.peer.invoke(b"[1]")
        self.error(reply, 500, 1, "NotImplementedError")
        self.assertIn("Please provide a predict_fn implementation.", reply.message)


if __name__ == "__main__":
    unittest.main()
