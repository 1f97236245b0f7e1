"""Default codecs in-process: byte goldens from serving-contract.md 3.8 (the sagemaker-containers encoder tests)."""

import io
import struct
import unittest

from harness import HAVE_NUMPY, smc_worker

Codecs, UnsupportedFormatError, DecodeError = smc_worker.Codecs, smc_worker.UnsupportedFormatError, smc_worker.DecodeError


def npy_header(data):
    length = struct.unpack("<H", data[8:10])[0]
    return data[10:10 + length]


@unittest.skipUnless(HAVE_NUMPY, "numpy is not importable by this interpreter")
class NumpyCodecsTest(unittest.TestCase):
    def setUp(self):
        import numpy as np
        self.np = np
        self.codecs = Codecs("sc", False, np)

    def encode(self, value, content_type):
        return self.codecs.encode(value, content_type)

    def test_json_encode_goldens(self):
        np = self.np
        for value, expected in (([42, 6, 9], b"[42, 6, 9]"), ([42.0, 6.0, 9.0], b"[42.0, 6.0, 9.0]"),
                                (["42", "6", "9"], b'["42", "6", "9"]'), (np.array([42, 6, 9]), b"[42, 6, 9]"),
                                (np.array([42.0, 6.0, 9.0]), b"[42.0, 6.0, 9.0]"),
                                (np.array(["42", "6", "9"]), b'["42", "6", "9"]'),
                                ({42: {"6": 9.0}}, b'{"42": {"6": 9.0}}'), ({"\u00e9": 1}, b'{"\\u00e9": 1}'),
                                ([1e16, 1e-05, 0.0001, float("nan")], b"[1e+16, 1e-05, 0.0001, NaN]"),
                                (np.float32(0.1), b"0.10000000149011612"), (np.array([[1, 2], [3, 4]]), b"[[1, 2], [3, 4]]"),
                                (np.array(5.5), b"5.5")):
            self.assertEqual(expected, self.encode(value, "application/json"), value)

    def test_json_encode_of_an_unconvertible_object_is_a_type_error(self):
        self.assertRaises(TypeError, self.encode, object(), "application/json")

    def test_json_decode_to_arrays(self):
        np = self.np
        self.assertEqual(np.int64, self.codecs.decode("[42, 6, 9]", "application/json").dtype)
        self.assertEqual(np.float64, self.codecs.decode("[42.0, 6, 9]", "application/json").dtype)
        self.assertEqual(["42", "6", "9"], self.codecs.decode('["42", "6", "9"]', "application/json").tolist())
        self.assertEqual((2, 2), self.codecs.decode("[[1, 2], [3, 4]]", "application/json").shape)
        self.assertEqual([[1, 2], [3]], self.codecs.decode("[[1, 2], [3]]", "application/json"))  # ragged: plain

    def test_csv_decode_goldens(self):
        np = self.np
        decode = lambda text: self.codecs.decode(text, "text/csv")  # noqa: E731
        self.assertEqual((np.float64, [42.0, 6.0, 9.0]), (decode("42\n6\n9\n").dtype, decode("42\n6\n9\n").tolist()))
        self.assertEqual([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], decode("1,2,3\n4,5,6\n").tolist())
        self.assertEqual(((), 42.0), (decode("42").shape, decode("42").tolist()))
        self.assertEqual(["aaa", "bbb"], decode("aaa\nbbb\n").tolist())
        self.assertEqual([["1", "a"], ["2", "b"]], decode("1,a\n2,b\n").tolist())
        self.assertEqual(["False,", "True.", "False,"], decode('"False,"\n"True."\n"False,"\n').tolist())
        self.assertEqual(["aaa", 'b"bb', "ccc"], decode('aaa\n"b""bb"\nccc\n').tolist())
        self.assertEqual(["a\nb", "c"], decode('"a\nb"\nc\n').tolist())
        self.assertEqual((np.float64, (0,)), (decode("").dtype, decode("").shape))
        self.assertRaises(DecodeError, decode, "1,2\n3\n")

    def test_csv_encode_goldens(self):
        np = self.np
        for value, expected in (([42, 6, 9], "42\n6\n9\n"), ([42.0, 6.0, 9.0], "42.0\n6.0\n9.0\n"),
                                (["42", "6", "9"], "42\n6\n9\n"),
                                (["False,", "True.", "False,"], '"False,"\nTrue.\n"False,"\n'),
                                (["aaa", 'b"bb', "ccc"], 'aaa\n"b""bb"\nccc\n'), (["a\nb", "c"], '"a\nb"\nc\n'),
                                ([[1.5, 2], [3, 4]], "1.5,2.0\n3.0,4.0\n"), (np.array([0.1], dtype=np.float32), "0.1\n"),
                                ([True, False], "True\nFalse\n"), (np.array([36.0, 81.0, 1764.0]), "36.0\n81.0\n1764.0\n"),
                                (42.0, "42.0\n"), ([1e16], "1e+16\n")):
            self.assertEqual(expected.encode(), self.encode(value, "text/csv"), value)

    def test_npy_goldens(self):
        np = self.np
        data = self.encode(np.array([6, 9.3]), "application/x-npy")
        self.assertEqual(b"\x93NUMPY\x01\x00", data[:8])
        self.assertEqual(0, (10 + len(npy_header(data))) % 64)
        self.assertEqual(b"{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", npy_header(data).rstrip())
        self.assertIn(b"'descr': '<U2'", npy_header(self.encode(["42", "6", "9"], "application/x-npy")))
        self.assertIn(b"'descr': '<i8'", npy_header(self.encode([1, 2], "application/x-npy")))
        self.assertEqual([6.0, 9.3], self.codecs.decode(data, "application/x-npy").tolist())

    def test_unsupported_types(self):
        with self.assertRaises(UnsupportedFormatError) as caught:
            self.codecs.decode(b"x", "application/octet-stream")
        self.assertTrue(caught.exception.message.startswith(
            "Content type application/octet-stream is not supported by this framework.\n\n            Please"))
        self.assertRaises(UnsupportedFormatError, self.encode, [1], "application/x-recordio-protobuf")
        self.assertRaises(UnsupportedFormatError, self.codecs.decode, b"PK", "application/x-npz")  # sc: no NPZ

    def test_sit_flavour_csv_and_npz(self):
        np = self.np
        sit = Codecs("sit", False, np)
        decoded = sit.decode("42\n6\n9\n", "text/csv")
        self.assertEqual((np.int64, [42, 6, 9]), (decoded.dtype, decoded.tolist()))
        self.assertEqual(b"a,b\n", sit.encode([["a", "b"]], "text/csv"))
        self.assertEqual(b'x"y,z\n', sit.encode([['x"y', "z"]], "text/csv"))  # no quoting in SIT
        try:
            import scipy.sparse
        except ImportError:
            self.skipTest("scipy is not importable")
        for fmt in ("csr", "csc", "coo"):
            matrix = scipy.sparse.random(4, 5, density=0.5, format=fmt, random_state=1)
            buf = io.BytesIO()
            scipy.sparse.save_npz(buf, matrix)
            decoded = sit.decode(buf.getvalue(), "application/x-npz")
            self.assertTrue((decoded.toarray() == matrix.toarray()).all(), fmt)
        self.assertRaises(DecodeError, sit.decode, b"PK not a zip", "application/x-npz")


class StdlibCodecsTest(unittest.TestCase):
    def setUp(self):
        self.codecs = Codecs("sc", False, None)

    def test_json_without_numpy(self):
        self.assertEqual([1, 2.5], self.codecs.decode("[1, 2.5]", "application/json"))
        self.assertEqual(b'{"a": [1, 2.5]}', self.codecs.encode({"a": [1, 2.5]}, "application/json"))

    def test_csv_without_numpy(self):
        decode = lambda text: self.codecs.decode(text, "text/csv")  # noqa: E731
        self.assertEqual([[1.0, 2.0], [3.0, 4.0]], decode("1,2\n3,4\n"))
        self.assertEqual([42.0, 6.0, 9.0], decode("42\n6\n9\n"))
        self.assertEqual([1.0, 2.0], decode("1,2\n"))
        self.assertEqual(42.0, decode("42"))
        self.assertEqual(["aaa", "bbb"], decode("aaa\nbbb\n"))
        self.assertEqual([], decode(""))
        self.assertRaises(DecodeError, decode, "1,2\n3\n")
        self.assertEqual(b"1\n2.5\n", self.codecs.encode([1, 2.5], "text/csv"))
        self.assertEqual(b"1,2\n3,4\n", self.codecs.encode([[1, 2], [3, 4]], "text/csv"))
        self.assertEqual(b"7\n", self.codecs.encode(7, "text/csv"))
        self.assertEqual(b'"a,b"\n', self.codecs.encode(["a,b"], "text/csv"))

    def test_charset_parameter_and_unknown_charsets(self):
        self.assertEqual(["\u00e9"], self.codecs.decode('["\u00e9"]'.encode("latin-1"),
                                                        "application/json; charset=ISO-8859-1"))
        self.assertRaises(DecodeError, self.codecs.decode, b"[]", "application/json; charset=nope-42")


if __name__ == "__main__":
    unittest.main()
