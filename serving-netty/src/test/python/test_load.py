"""LOAD: sys.path, module import, function table, framework defaults layering, arity, eager model_fn (3.14)."""

import json
import os
import unittest

from harness import LOAD_FAILED, LOADED, Peer, model_dir

F1 = """
    import json, os
    def model_fn(model_dir):
        with open(os.path.join(model_dir, "weights.json")) as f:
            return json.load(f)
    def predict_fn(data, model):
        return data * model
"""


def functions(reply):
    return reply.json["functions"]


class LoadTest(unittest.TestCase):
    def load(self, code, files=None, **keys):
        root, code_dir = model_dir(self, code, files)
        peer = Peer()
        self.addCleanup(peer.close)
        keys.setdefault("code_dir", code_dir)
        return peer, peer.load(root, **keys), root, code_dir

    def test_f1_functions_and_module_file(self):
        _, reply, root, code = self.load(F1, {"weights.json": "[6, 9, 42]"})
        self.assertEqual(LOADED, reply.kind, reply)
        self.assertEqual(os.path.join(code, "inference.py"), reply.json["module_file"])
        self.assertEqual({"model_fn": "user", "input_fn": "default", "predict_fn": "user", "output_fn": "default",
                          "transform_fn": "default", "pre_model_fn": "default", "model_warmup_fn": "default"},
                         functions(reply))
        self.assertEqual([], reply.json["context_args"])
        self.assertIsInstance(reply.json["load_ms"], int)

    def test_no_module_at_all_uses_defaults_and_the_default_model_fn_fails_with_the_sc_text(self):
        _, reply, _, _ = self.load(None)
        self.assertEqual(LOAD_FAILED, reply.kind)
        self.assertEqual((500, 1, "NotImplementedError"), (reply.status, reply.error_kind, reply.error_type))
        self.assertEqual("\nPlease provide a model_fn implementation.\n"
                         "See documentation for model_fn at https://github.com/aws/sagemaker-python-sdk\n",
                         reply.message)
        self.assertIn("Traceback (most recent call last)", reply.trace)

    def test_an_explicit_module_that_is_missing_names_the_module_and_the_places_searched(self):
        _, reply, root, code = self.load(F1, module="missing", module_explicit=True)
        self.assertEqual(LOAD_FAILED, reply.kind)
        self.assertEqual("ModuleNotFoundError", reply.error_type)
        self.assertEqual("user module 'missing' not found (searched %s, %s)" % (code, root), reply.message)

    def test_an_import_error_inside_the_user_module_is_not_mistaken_for_a_missing_module(self):
        _, reply, _, _ = self.load("import no_such_dependency_xyz\n")
        self.assertEqual(LOAD_FAILED, reply.kind)
        self.assertEqual("ModuleNotFoundError", reply.error_type)
        self.assertIn("no_such_dependency_xyz", reply.message)
        self.assertIn("inference.py", reply.trace)

    def test_transform_fn_with_input_fn_fails_with_the_sc_message(self):
        _, reply, _, _ = self.load("""
            def model_fn(d): return 1
            def transform_fn(m, b, c, a): return b
            def input_fn(b, c): return b
        """)
        self.assertEqual((LOAD_FAILED, "ValueError"), (reply.kind, reply.error_type))
        self.assertEqual("Cannot use transform_fn implementation with input_fn, predict_fn, and/or output_fn",
                         reply.message)

    def test_wrong_arity_fails_the_load_with_the_sit_message(self):
        _, reply, _, _ = self.load("""
            def model_fn(d): return 1
            def predict_fn(data): return data
        """)
        self.assertEqual((LOAD_FAILED, "TypeError"), (reply.kind, reply.error_type))
        self.assertEqual("predict_fn takes 1 arguments but 2 were given.", reply.message)

    def test_a_non_callable_attribute_fails_the_load(self):
        _, reply, _, _ = self.load("model_fn = 42\n")
        self.assertEqual((LOAD_FAILED, "TypeError"), (reply.kind, reply.error_type))
        self.assertIn("model_fn in ", reply.message)
        self.assertIn("is not callable (it is int)", reply.message)

    def test_context_parameter_is_counted_per_function(self):
        _, reply, _, _ = self.load("""
            def model_fn(model_dir, context): return context.system_properties
            def input_fn(body, content_type): return body
            def predict_fn(data, model, context): return data
            def output_fn(prediction, accept, ctx): return prediction
        """)
        self.assertEqual(LOADED, reply.kind, reply)
        self.assertEqual(["model_fn", "predict_fn", "output_fn"], reply.json["context_args"])

    def test_model_fn_error_returns_its_type_message_and_traceback(self):
        peer, reply, _, _ = self.load("""
            def model_fn(model_dir):
                raise RuntimeError("cannot load weights")
        """)
        self.assertEqual((LOAD_FAILED, 500, 1, "RuntimeError", "cannot load weights"),
                         (reply.kind, reply.status, reply.error_kind, reply.error_type, reply.message))
        self.assertIn('raise RuntimeError("cannot load weights")', reply.trace)
        # Java logs a failed load once for all workers (spec 3.7); the worker itself does not print it
        peer.conn.close()
        peer.proc.wait(10)
        self.assertNotIn("cannot load weights", peer.stderr_text())

    def test_memory_error_in_model_fn_is_507_kind_memory(self):
        _, reply, _, _ = self.load("""
            def model_fn(model_dir):
                raise MemoryError("too big")
        """)
        self.assertEqual((LOAD_FAILED, 507, 5, "MemoryError"),
                         (reply.kind, reply.status, reply.error_kind, reply.error_type))

    def test_pre_model_fn_model_fn_and_warmup_run_once_in_order_with_str_model_dir(self):
        peer, reply, root, _ = self.load("""
            calls = []
            def pre_model_fn(model_dir): calls.append(("pre", type(model_dir).__name__, model_dir))
            def model_fn(model_dir):
                calls.append(("model", model_dir))
                return "M"
            def model_warmup_fn(model_dir, model): calls.append(("warmup", model))
            def transform_fn(model, body, content_type, accept):
                return repr(calls), "text/plain"
        """)
        self.assertEqual(LOADED, reply.kind, reply)
        body = peer.invoke(b"", accept="text/plain").body.decode()
        self.assertEqual(repr([("pre", "str", root), ("model", root), ("warmup", "M")]), body)

    def test_sys_path_cwd_and_environment_seen_by_the_user_module(self):
        extra = os.path.join(os.path.dirname(__file__), "extra-dir-for-test")
        peer, reply, root, code = self.load("""
            import os, sys
            def model_fn(model_dir): return None
            def transform_fn(model, body, content_type, accept):
                return {"path": sys.path, "cwd": os.getcwd(), "numpy": "numpy" in sys.modules}
        """, extra_path=[extra])
        self.assertEqual(LOADED, reply.kind, reply)
        seen = json.loads(peer.invoke(b"", accept="application/json").body)
        self.assertEqual([extra, code], seen["path"][:2])
        self.assertEqual(root, seen["path"][-1])
        here = os.path.dirname(os.path.abspath(__file__))
        worker_dir = os.path.normpath(os.path.join(here, "..", "..", "main", "resources", "io", "smcontainers",
                                                   "serving", "netty", "python"))
        self.assertNotIn(worker_dir, [os.path.abspath(p) for p in seen["path"]])
        self.assertEqual(peer.dir, seen["cwd"])  # the peer starts the worker in its temp dir (Java: model dir)
        self.assertFalse(seen["numpy"], "a module with its own codecs must not pay for numpy")

    def test_root_level_inference_py_is_found_through_the_model_dir(self):
        root, _ = model_dir(self, F1, {"weights.json": "[1]"}, code_subdir=False)
        with Peer() as peer:
            reply = peer.load(root, code_dir=None)
            self.assertEqual(LOADED, reply.kind, reply)
            self.assertEqual(os.path.join(root, "inference.py"), reply.json["module_file"])

    def test_sagemaker_program_with_py_suffix_and_a_package_module(self):
        root, code = model_dir(self, None, {"code/handler/__init__.py": "def model_fn(d): return 7\n"})
        with Peer() as peer:
            reply = peer.load(root, code_dir=code, module="handler.py", module_explicit=True)
            self.assertEqual(LOADED, reply.kind, reply)
            self.assertEqual("user", functions(reply)["model_fn"])


class FrameworkDefaultsTest(unittest.TestCase):
    DEFAULTS = """
        def model_fn(model_dir):
            return "framework-model"
        def input_fn(body, content_type):
            return "framework-input:" + body
        def predict_fn(data, model):
            return "%s|%s" % (data, model)
    """

    def defaults_file(self, root, text):
        import textwrap
        path = os.path.join(root, "fw", "my_framework_defaults.py")
        os.makedirs(os.path.dirname(path))
        with open(path, "w") as f:
            f.write(textwrap.dedent(text))
        return path

    def test_framework_functions_are_used_where_the_user_module_has_none(self):
        root, _ = model_dir(self, None)
        with Peer() as peer:
            reply = peer.load(root, defaults_file=self.defaults_file(root, self.DEFAULTS))
            self.assertEqual(LOADED, reply.kind, reply)
            self.assertEqual({"model_fn": "framework", "input_fn": "framework", "predict_fn": "framework",
                              "output_fn": "default"},
                             {k: v for k, v in functions(reply).items() if k in ("model_fn", "input_fn", "predict_fn",
                                                                                 "output_fn")})
            self.assertEqual(b'"framework-input:x|framework-model"', peer.invoke(b"x").body)

    def test_user_functions_override_framework_functions_one_by_one(self):
        root, code = model_dir(self, """
            def input_fn(body, content_type):
                return "user-input:" + body
        """)
        with Peer() as peer:
            reply = peer.load(root, code_dir=code, defaults_file=self.defaults_file(root, self.DEFAULTS))
            self.assertEqual(("user", "framework"), (functions(reply)["input_fn"], functions(reply)["model_fn"]))
            self.assertEqual(b'"user-input:x|framework-model"', peer.invoke(b"x").body)

    def test_a_user_chain_function_wins_over_a_framework_transform_fn(self):
        root, code = model_dir(self, """
            def predict_fn(data, model):
                return ["user", data]
        """)
        fw = self.defaults_file(root, """
            def model_fn(model_dir): return 1
            def transform_fn(model, body, content_type, accept): return b"framework transform"
        """)
        with Peer() as peer:
            reply = peer.load(root, code_dir=code, defaults_file=fw)
            self.assertEqual("default", functions(reply)["transform_fn"])
            self.assertEqual(b'["user", "x"]', peer.invoke(b'"x"').body)

    def test_framework_arity_errors_fail_the_load_too(self):
        root, _ = model_dir(self, None)
        with Peer() as peer:
            reply = peer.load(root, defaults_file=self.defaults_file(root, "def model_fn(): return 1\n"))
            self.assertEqual((LOAD_FAILED, "model_fn takes 0 arguments but 1 were given."),
                             (reply.kind, reply.message))


if __name__ == "__main__":
    unittest.main()
