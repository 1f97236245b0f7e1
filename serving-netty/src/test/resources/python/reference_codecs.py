"""The reference default codecs (sagemaker-containers _encoders / sagemaker-inference decoder.py, serving contract 3.8)
run over a generated corpus; prints one JSON line per body: the body and, per Accept, what the reference answers.

Usage: reference_codecs.py SEED COUNT  (needs numpy and scipy: Debian's /usr/bin/python3)
       reference_codecs.py floats SEED COUNT  (one line per double: bits, repr, str of float32 and of float16)

Per Accept the answer is {"ok": base64} or {"error": text}. Where the Java runtime deliberately differs (serving-netty
README, "Deliberate differences") the answer carries "differs": <row name> and, if the runtime answers, the bytes it must
answer ({"ok": ...} computed here by the rule the README states), else {"error": ...}.
"""
import ast
import base64
import csv
import io
import json
import random
import re
import struct
import sys

import numpy as np
import scipy.sparse

JSON, CSV, NPY, NPZ = "application/json", "text/csv", "application/x-npy", "application/x-npz"
ACCEPTS = (JSON, CSV, NPY)


# ---- the reference codecs (sagemaker-containers 2.8 _encoders.py) ----

def json_to_numpy(string_like):
    return np.array(json.loads(string_like))


def csv_to_numpy(string_like):
    stream = io.StringIO(string_like)
    reader = csv.reader(stream, delimiter=",", quotechar='"', doublequote=True, strict=True)
    array = np.array([row for row in reader]).squeeze()
    try:
        return array.astype(None)
    except ValueError:
        return array


def npy_to_numpy(npy_array):
    return np.load(io.BytesIO(npy_array), allow_pickle=True)


def npz_to_sparse(npz_bytes):  # sagemaker-inference decoder._npz_to_sparse
    return scipy.sparse.load_npz(io.BytesIO(npz_bytes))


def array_to_json(array_like):
    def default(_array_like):
        if hasattr(_array_like, "tolist"):
            return _array_like.tolist()
        return json.JSONEncoder().default(_array_like)
    return json.dumps(array_like, default=default)


def array_to_csv(array_like):
    array = np.array(array_like)
    if len(array.shape) == 1:
        array = np.reshape(array, (array.shape[0], 1))
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n", delimiter=",", quotechar='"', doublequote=True, strict=True)
    writer.writerows(array)
    return stream.getvalue()


def array_to_npy(array_like):
    buffer = io.BytesIO()
    np.save(buffer, array_like)
    return buffer.getvalue()


def text(body):  # Flask's request.get_data(as_text=True)
    return body.decode("utf-8", "replace")


def decode(body, content_type):
    if content_type == JSON:
        return json_to_numpy(text(body))
    if content_type == CSV:
        return csv_to_numpy(text(body))
    if content_type == NPY:
        return npy_to_numpy(body)
    return npz_to_sparse(body)


def encode(value, accept):
    if accept == JSON:
        return array_to_json(value).encode("utf-8")
    if accept == CSV:
        return array_to_csv(value).encode("utf-8")
    return array_to_npy(value)


# ---- one body through decode -> identity predict -> encode, with the documented differences ----

def refused_npy(body):
    """NPY bodies the runtime refuses although numpy 1.24 reads them (README, deliberate differences), else None."""
    try:
        stream = io.BytesIO(body)
        version = np.lib.format.read_magic(stream)
        length = struct.unpack("<H" if version[0] == 1 else "<I", stream.read(2 if version[0] == 1 else 4))[0]
        header = ast.literal_eval(stream.read(length).decode("utf-8" if version[0] == 3 else "latin-1"))
        dtype = np.dtype(header["descr"])
        shape = header["shape"]
    except Exception:  # noqa: BLE001 - numpy refuses these as well
        return None
    match = re.fullmatch(r"[<>|=]?U(\d+)", str(header["descr"]))
    item_size = int(match.group(1)) * 4 if match else dtype.itemsize
    count = int(np.prod(shape)) if shape else 1
    if count * item_size > len(body) - stream.tell():
        return "npy-size"
    if dtype.kind not in "fiubcUS":
        return "npy-dtype"
    if dtype.kind == "U" and count and item_size:
        data = np.frombuffer(body, dtype=("<" if dtype.byteorder != ">" else ">") + "u4", count=count * item_size // 4, offset=stream.tell())
        if data.max() > 0x10FFFF:
            return "npy-code-point"
    return None


def answers(body, content_type):
    out = {}
    if content_type == NPY:
        row = refused_npy(body)
        if row is not None:
            return {accept: {"error": "refused", "differs": row} for accept in ACCEPTS}
    try:
        value = decode(body, content_type)
    except Exception as e:  # noqa: BLE001 - every reference failure is an error answer
        extension = extended_decode(body, content_type, e)
        if extension is None:
            return {accept: {"error": "decode: %s: %s" % (type(e).__name__, e)} for accept in ACCEPTS}
        row, value = extension
        for accept in ACCEPTS:
            answer = run_encode(value, accept)
            answer["differs"] = row
            out[accept] = answer
        return out
    if scipy.sparse.issparse(value):
        value = value.toarray()  # the runtime densifies; the matrix dtype is kept
    for accept in ACCEPTS:
        out[accept] = run_encode(value, accept)
    return out


def extended_decode(body, content_type, error):
    """Inputs the reference refuses but the runtime decodes, by the README's rules; None where both refuse."""
    if content_type == JSON and isinstance(error, ValueError) and "inhomogeneous" in str(error):
        # ragged JSON: the runtime keeps the JSON tree (numpy 1.24 refuses to build an array)
        return "ragged-json", RaggedTree(json.loads(text(body)))
    if content_type == NPZ:
        try:
            with np.load(io.BytesIO(body), allow_pickle=False) as archive:
                if "format" in archive.files:
                    return None
                members = {name: archive[name] for name in archive.files}
        except Exception:  # noqa: BLE001
            return None
        return "npz-members", MemberMap(members)
    return None


class RaggedTree:
    def __init__(self, tree):
        self.tree = tree


class MemberMap:
    def __init__(self, members):
        self.members = members


def run_encode(value, accept):
    if isinstance(value, RaggedTree):
        if accept == JSON:
            return {"ok": b64(array_to_json(value.tree).encode("utf-8"))}
        return {"error": "a ragged JSON tree is not an array"}
    if isinstance(value, MemberMap):
        if accept == JSON:
            return {"ok": b64(array_to_json(value.members).encode("utf-8"))}
        return {"error": "a map of arrays is not an array"}
    array = np.asarray(value)
    if accept == NPY and array.dtype.hasobject:
        return {"error": "object arrays are not pickled", "differs": "npy-object"}
    if accept == CSV and array.ndim > 2:
        return {"error": "the runtime writes 1-D and 2-D arrays only", "differs": "csv-3d"}
    if accept == NPY and (array.dtype.byteorder == ">" or (array.ndim > 1 and not array.flags.c_contiguous)):
        # the runtime writes little-endian C order; the values are the same
        native = array.astype(array.dtype.newbyteorder("<"), order="C")
        return {"ok": b64(encode(native, accept)), "differs": "npy-layout"}
    if accept == NPY and array.dtype.kind == "b" and array.view(np.uint8).max(initial=0) > 1:
        # bool bytes other than 0 and 1: the runtime reads them as True and writes 1
        return {"ok": b64(encode(array.view(np.uint8) != 0, accept)), "differs": "npy-bool"}
    if accept == CSV and array.ndim == 0:
        # the reference fails iterating a 0-d array; the runtime writes the one value as a 1 x 1 table
        try:
            return {"ok": b64(encode(array.reshape(1, 1), accept)), "differs": "csv-0d"}
        except Exception as e:  # noqa: BLE001
            return {"error": "encode: %s: %s" % (type(e).__name__, e), "differs": "csv-0d"}
    try:
        return {"ok": b64(encode(value, accept))}
    except Exception as e:  # noqa: BLE001
        return {"error": "encode: %s: %s" % (type(e).__name__, e)}


def b64(data):
    return base64.b64encode(data).decode("ascii")


# ---- the corpus ----

SPECIAL_DOUBLES = [0.0, -0.0, 0.1, 0.5, 1.0, 1e16, 1e15, 9999999999999998.0, 1e-4, 1e-5, 5e-324, 2.2250738585072014e-308,
                   1.7976931348623157e308, 123456789012345678.0, 0.30000000000000004, float("nan"), float("inf"),
                   -float("inf"), 2.0 ** -1017, 2.0 ** 60, 2.0 ** -60, 113.3]


def rand_double(r):
    k = r.randrange(6)
    if k == 0:
        return r.choice(SPECIAL_DOUBLES)
    if k == 1:  # just below / at a power of two
        e = r.randrange(-1074, 1024)
        v = 2.0 ** e if e > -1075 else 5e-324
        return np.nextafter(v, 0.0) if r.random() < 0.5 else v
    if k == 2:
        return struct.unpack("<d", struct.pack("<Q", r.getrandbits(64)))[0]
    if k == 3:
        return round(r.uniform(-1000, 1000), r.randrange(6))
    if k == 4:
        return float(r.randrange(-10 ** 6, 10 ** 6))
    return r.uniform(-1, 1) * 10 ** r.randrange(-30, 30)


def rand_int(r):
    k = r.randrange(8)
    if k == 0:
        return r.choice([2 ** 63 - 1, 2 ** 63, -2 ** 63, -2 ** 63 - 1, 2 ** 64 - 1, 2 ** 64, 10 ** 30, -10 ** 25])
    return r.randrange(-10 ** r.randrange(1, 19), 10 ** r.randrange(1, 19))


ALPHABET = "abcAZ09 ,\"'\n\r\t\\/\u00e9\u00a0\u2028\u4e2d\U0001f600\x00\x7f;:-_."


def rand_text(r, n=None):
    n = r.randrange(0, 9) if n is None else n
    return "".join(r.choice(ALPHABET) for _ in range(n))


def rand_scalar(r, kinds):
    kind = r.choice(kinds)
    if kind == "int":
        return rand_int(r)
    if kind == "float":
        return rand_double(r)
    if kind == "str":
        return rand_text(r)
    if kind == "bool":
        return r.random() < 0.5
    if kind == "null":
        return None
    return {rand_text(r, 2): rand_scalar(r, ["int", "str", "float"])}


def rand_tree(r):
    k = r.randrange(10)
    kind_sets = [["int"], ["float"], ["str"], ["bool"], ["int", "float"], ["int", "str"], ["float", "str"], ["bool", "str"],
                 ["bool", "int"], ["int", "null"], ["dict"], ["int", "float", "bool"]]
    kinds = r.choice(kind_sets)
    if k == 0:
        return rand_scalar(r, kinds)
    shape = [r.randrange(0, 4) for _ in range(r.randrange(1, 4))]
    if k == 1 and shape[0] > 1:  # ragged
        def ragged(depth):
            if depth == len(shape):
                return rand_scalar(r, kinds)
            return [ragged(depth + 1) for _ in range(r.randrange(1, 4))]
        return ragged(0)

    def build(depth):
        if depth == len(shape):
            return rand_scalar(r, kinds)
        return [build(depth + 1) for _ in range(shape[depth])]
    return build(0)


def json_bodies(r):
    yield json.dumps(rand_tree(r), separators=r.choice([(",", ":"), (", ", ": ")])).encode("utf-8")


FIXED_JSON = [b"", b" ", b"null", b"[1, 2, 3]", b"[+Infinity]", b"[-INF]", b"[+INF]", b"[Infinity, -Infinity, NaN]",
              b"\xef\xbb\xbf[1]", "[1, 2]".encode("utf-16"), "[1, 2]".encode("utf-32"), "[1]".encode("utf-16-le"),
              b'["\xc0\xaf"]', b'["a\xffb", "\xe9"]', b'["\xed\xa0\x80"]', b"[" + b"9" * 4300 + b"]", b"[" + b"9" * 4301 + b"]",
              b"[0." + b"1" * 5000 + b"]", b"[1" + b"0" * 5000 + b".5]", b"[" * 32 + b"1" + b"]" * 32, b"[" * 33 + b"1" + b"]" * 33,
              b"[" * 40 + b"]" * 40, b'{"a": 1, "a": 2}', b'[1, "a"]', b'[1.5, "a"]', b'[true, "a"]', b'[true, 2]',
              b'[9223372036854775808]', b'[18446744073709551616]', b'[9223372036854775808, -1]', b'[9223372036854775808, "a"]',
              b'[-9223372036854775809]', b'[null, 1]', b'[{"a": 1}, {"b": 2, "c": [1, 2]}]', b'{"k": [1, 2]}', b'"text"',
              b'["a\\u0000b", "\\u0000", "c\\u0000"]', b'[[1, 2], [3]]', b'[1, [2]]', b'[[]]', b'[]', b'[[], []]',
              b'[1e400, -1e400]', b'[1E5, 1e-7]', b'[-0, -0.0]', b'["\\ud83d\\ude00", "\\ud800"]', b'[1,]', b'[01]',
              b'[7]extra', b'  [1]  \n', b'[1]\x00', b'[\xc2\xa01]', b'[1\t,\r\n2]', b'-0', b'[-0, 1]', b'1E400',
              b'"\\u0000"', b'[true, false]', b'[[true], [1.5]]', b'[1e-7, 2]', b'{"a": [1, 2], "b": null}', b'[{}]',
              b'[[1, 2], [3, 4]]', b'[["a", 1], [2.5, true]]', b'[18446744073709551615, 1]', b'[18446744073709551615, -1]',
              b'[18446744073709551615, 1.5]', b'[18446744073709551615, true]', b'["\xf0\x9f\x98\x80", "\xf4\x90\x80\x80"]',
              b'["\xe0\x80\xaf", "\xf0\x80\x80\xaf", "\xe2\x82"]', b'{"\\u00e9": {"k": [1, "x"]}}', b'[NaN, 1]', b'[1, null, 2.5]',
              b'"' + b'x' * 70000 + b'"', b'[' + b','.join([b'1'] * 20000) + b']']


def csv_number(r, v):
    k = r.randrange(8)
    if k == 0:
        return repr(v)
    if k == 1:
        return r.choice([" ", "\t", "\u00a0", "\u2003", "\u3000", "\x1c", ""]) + repr(v) + r.choice([" ", "\u00a0", "\x85", ""])
    if k == 2:
        return r.choice(["nan", "-nan", "+NaN", "inf", "-Infinity", "iNf", "infinity ", "+inf", "nan(1)", "in f", "--1"])
    if k == 3:
        return r.choice(["1_000", "1__0", "_1", "1_", "1_0.5_5", "1e1_0", ".5", "5.", ".", "1e", "e5", "0x10", "1,5", "١٢٣",
                         "\uff11\uff12", "1\u0663.5", "\u0967e3", "12\u00bd", "²"])
    if k == 4:
        return r.choice(["-", "+"]) + str(r.randrange(10 ** 6))
    if k == 5:
        return "9" * r.randrange(300, 2500) + r.choice(["", ".5", "e-2400", "e5"])
    if k == 6:
        return str(int(v)) if v == v and abs(v) < 1e18 else "1"
    return "%.3e" % v if v == v else "nan"


def csv_body(r):
    rows = r.randrange(0, 5)
    columns = r.randrange(1, 4)
    textual = r.random() < 0.3
    lines = []
    for _ in range(rows):
        cells = []
        for _ in range(columns):
            if textual and r.random() < 0.6:
                cell = rand_text(r)
                if any(c in cell for c in ',"\n\r') or r.random() < 0.2:
                    cell = '"' + cell.replace('"', '""') + '"'
            else:
                cell = csv_number(r, rand_double(r))
            cells.append(cell)
        lines.append(",".join(cells))
    terminator = r.choice(["\n", "\r\n", "\n", "\r"])
    body = terminator.join(lines) + (terminator if r.random() < 0.7 else "")
    return body.encode("utf-8")


FIXED_CSV = [b"", b"\n", b"42", b"42\n6\n9\n", b"1,2,3\n4,5,6\n", b"aaa\nbbb\n", b'"False,"\n"True."\n"False,"\n',
             b'aaa\n"b""bb"\nccc\n', b'"a\nb"\nc\n', b"1,2\n3\n", b"1\r2\n", b"1\r\n2\r\n", b"a\rb,c\n", b'"a"b\n',
             b'"abc', b"1\n\n2\n", b"x" * 131072, b"x" * 131073, b'"' + b"y" * 131073 + b'"', b"9" * 3000,
             b"-nan\n1\n", "1\u00a0\n\u0661\n".encode("utf-8"), b"\xc0\xaf,1\n", b"a\x00b\n", b" 1 , 2 \n",
             b"1,2,\n", b",\n", b"\xef\xbb\xbf1\n", b'"",""\n', b'"1","2"\n', b"1,,2\n", b'"a\r\nb",c\r\n', b"1e5,1E-5\n",
             b"0x1p3\n", b"1.5e+308,2e308\n", b"\n\n", b"a,b\r\n\r\n", b'"x"\r', b"nan\n-nan\n", b"  \n", b"\t\n",
             b"1\x0b\n", b"\x0c2\n", b"3\xc2\x85\n", b"\xe2\x80\x8b4\n", b'"q""",x\n', b'a"b,c\n']


DTYPES = ["<f8", "<f4", "<f2", "<i8", "<i4", "<i2", "|i1", "<u8", "<u4", "<u2", "|u1", "|b1", "<U", "|S", ">f8", ">i4",
          ">U", "<c8", "<c16", ">c16"]


def rand_array(r, descr):
    shape = tuple(r.randrange(0, 4) for _ in range(r.randrange(0, 4)))
    n = int(np.prod(shape)) if shape else 1
    if descr[1] in "US":
        width = r.randrange(1, 6)
        values = [rand_text(r, r.randrange(0, width + 1)) for _ in range(n)]
        if descr[1] == "S":
            values = [v.encode("latin-1", "replace")[:width] for v in values]
        return np.array(values, dtype=descr + str(width)).reshape(shape)
    dtype = np.dtype(descr)
    if dtype.kind == "f":
        data = np.array([rand_double(r) for _ in range(n)]).astype(dtype)
    elif dtype.kind == "c":
        data = (np.array([rand_double(r) for _ in range(n)]) + 1j * np.array([rand_double(r) for _ in range(n)])).astype(dtype)
    elif dtype.kind == "b":
        data = np.array([r.random() < 0.5 for _ in range(n)], dtype=dtype)
    else:
        info = np.iinfo(dtype)
        data = np.array([r.randint(int(info.min), int(info.max)) for _ in range(n)], dtype=dtype)
    return data.reshape(shape)


def npy_bytes(array, fortran=False, version=None):
    buffer = io.BytesIO()
    if fortran:
        array = np.asfortranarray(array)
    if version is None:
        np.save(buffer, array)
    else:
        np.lib.format.write_array(buffer, array, version=version)
    return buffer.getvalue()


def npy_raw(header, data, version=1):
    header = header + " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    encoded = header.encode("latin-1")
    if version == 1:
        return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(encoded)) + encoded + data
    return b"\x93NUMPY" + bytes([version, 0]) + struct.pack("<I", len(encoded)) + encoded + data


FIXED_NPY = [
    npy_raw("{'descr': '<U536870913', 'fortran_order': False, 'shape': (1,), }", b"\x00" * 128),
    npy_raw("{'descr': '<U1073741824', 'fortran_order': False, 'shape': (1,), }", b"\x00" * 64),
    npy_raw("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", b"\x00" * 64),
    npy_raw("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", b"\x00" * 16),
    npy_raw("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }", b"\x00" * 16),
    npy_raw("{'descr': 'f8', 'fortran_order': False, 'shape': (2,), }", struct.pack("<2d", 1.5, -2)),
    npy_raw("{'descr': 'float64', 'fortran_order': False, 'shape': (2,), }", struct.pack("<2d", 1.5, -2)),
    npy_raw('{"descr": "<i4", "fortran_order": False, "shape": (2,)}', struct.pack("<2i", 7, -9)),
    npy_raw("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), 'extra': 1, }", struct.pack("<2i", 7, -9)),
    npy_raw("{'descr': '<i4', 'fortran_order': False}", struct.pack("<2i", 7, -9)),
    npy_raw("{'descr': '<i4', 'fortran_order': 0, 'shape': (2,), }", struct.pack("<2i", 7, -9)),
    npy_raw("{'descr': '<i4', 'fortran_order': False, 'shape': [2], }", struct.pack("<2i", 7, -9)),
    npy_raw("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), } junk", struct.pack("<2i", 7, -9)),
    npy_raw("{'descr':'<i4','fortran_order':False,'shape':(1,2)}", struct.pack("<2i", 7, -9)),
    npy_raw("{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }", "a\x00b\x00\x00\x00".encode("utf-32-le")),
    npy_raw("{'descr': '<U2', 'fortran_order': False, 'shape': (1,), }", struct.pack("<2I", 0x110000, 0)),
    npy_raw("{'descr': '|S3', 'fortran_order': False, 'shape': (2,), }", b"a\x00bc\x7f\n"),
    npy_raw("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", struct.pack("<2d", 1, 2), version=2),
    npy_raw("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", struct.pack("<2d", 1, 2), version=3),
    npy_raw("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", struct.pack("<2d", 1, 2), version=4),
    npy_raw("{'descr': '<m8[s]', 'fortran_order': False, 'shape': (1,), }", b"\x00" * 8),
    npy_raw("{'descr': '<U0', 'fortran_order': False, 'shape': (3,), }", b""),
    npy_raw("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", struct.pack("<6d", 1, 2, 3, 4, 5, 6)),
    npy_raw("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", b"\x00\x02\xff"),
    npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", struct.pack("<2I", 0x7fc00001, 0xffa00000)),
    npy_raw("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", struct.pack("<d", 2.5)),
    npy_raw("{'descr': '<U3', 'fortran_order': False, 'shape': (), }", "abc".encode("utf-32-le")),
    npy_raw("{'descr': '|S0', 'fortran_order': False, 'shape': (2,), }", b""),
    npy_raw("{'descr': '<i8', 'fortran_order': False, 'shape': (0, 3), }", b""),
    npy_raw("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 0), }", b""),
    npy_raw("{'descr': '<U2', 'fortran_order': False, 'shape': (2,), }", struct.pack("<4I", 0xD800, 0x41, 0x10FFFF, 0)),
    npy_raw("{'descr': '<f2', 'fortran_order': False, 'shape': (4,), }", struct.pack("<4H", 0x7c01, 0x3c00, 0x0001, 0xfc00)),
    npy_raw("{'descr': '<c8', 'fortran_order': False, 'shape': (3,), }", struct.pack("<6f", 0.0, -0.0, -0.0, 1.0, float("nan"), float("-inf"))),
    npy_raw("{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }", struct.pack("<4d", 1e20, -1e-7, 0.0, float("nan"))),
    npy_raw("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", struct.pack("<2d", 1, 2) + b"trailing"),
    npy_raw("{'descr': '<u8', 'fortran_order': False, 'shape': (2,), }", struct.pack("<2Q", 2 ** 64 - 1, 2 ** 63)),
    b"\x93NUMPY\x01\x00\xff\xff",
    b"\x93NUMP",
    b"not npy at all",
]


def npz_body(r):
    k = r.randrange(6)
    rows, columns = r.randrange(1, 5), r.randrange(1, 5)
    dtype = r.choice([np.float64, np.float32, np.int64, np.int32, np.bool_, np.complex128])
    dense = rand_array(r, np.dtype(dtype).str).reshape(-1)[:0]
    dense = np.zeros((rows, columns), dtype=dtype)
    for _ in range(r.randrange(0, rows * columns + 1)):
        value = rand_double(r) if dtype in (np.float64, np.float32, np.complex128) else r.randrange(-50, 50)
        if dtype == np.bool_:
            value = True
        dense[r.randrange(rows), r.randrange(columns)] = value
    buffer = io.BytesIO()
    if k < 5:
        fmt = ["csr", "csc", "coo", "bsr", "dia"][k]
        matrix = getattr(scipy.sparse, fmt + "_matrix")(dense)
        scipy.sparse.save_npz(buffer, matrix, compressed=r.random() < 0.5)
    else:
        np.savez(buffer, a=rand_array(r, r.choice(["<f8", "<i8", "<U"])), b=rand_array(r, "<f4"))
    return buffer.getvalue()


def corpus(r, count):
    cases = [(JSON, body) for body in FIXED_JSON] + [(CSV, body) for body in FIXED_CSV] + [(NPY, body) for body in FIXED_NPY]
    for i in range(count):
        k = i % 4
        if k == 0:
            cases.append((JSON, next(json_bodies(r))))
        elif k == 1:
            cases.append((CSV, csv_body(r)))
        elif k == 2:
            descr = r.choice(DTYPES)
            array = rand_array(r, descr)
            cases.append((NPY, npy_bytes(array, fortran=r.random() < 0.2 and array.ndim > 1,
                                         version=r.choice([None, None, None, (2, 0), (3, 0)]))))
        else:
            cases.append((NPZ, npz_body(r)))
    return cases


def float_spellings(r, count):
    """Doubles at, just below and just above every power of two, and random ones: repr and numpy's float32/float16 str."""
    values = []
    for e in range(-1074, 1024):
        v = 2.0 ** e
        values += [v, float(np.nextafter(v, 0.0)), float(np.nextafter(v, np.inf))]
    values += [struct.unpack("<d", struct.pack("<Q", r.getrandbits(64)))[0] for _ in range(count)]
    values += [r.random() * 10.0 ** r.randrange(-20, 20) for _ in range(count)]
    with np.errstate(all="ignore"):
        for v in values:
            bits = struct.unpack("<Q", struct.pack("<d", v))[0]
            sys.stdout.write("%016x %s %s %s\n" % (bits, repr(v), str(np.float32(v)), str(np.float16(v))))


def main():
    if sys.argv[1] == "floats":
        float_spellings(random.Random(int(sys.argv[2])), int(sys.argv[3]))
        return
    seed, count = int(sys.argv[1]), int(sys.argv[2])
    r = random.Random(seed)
    np.seterr(all="ignore")
    out = sys.stdout
    for content_type, body in corpus(r, count):
        out.write(json.dumps({"contentType": content_type, "body": b64(body), "answers": answers(body, content_type)}))
        out.write("\n")


if __name__ == "__main__":
    main()
