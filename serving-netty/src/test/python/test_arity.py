"""parameter_count must agree with len(inspect.signature(fn).parameters), the SIT arity rule, for every callable
shape a user module can define."""

import functools
import inspect
import unittest

from harness import smc_worker


def plain(a, b): pass
def defaults(a, b=1, c=2): pass
def star(a, *args): pass
def kwargs(a, **kw): pass
def kwonly(a, *, context): pass
def posonly(a, b, /, c): pass
def everything(a, /, b, *args, c, **kw): pass


class Handler:
    def method(self, data, model): pass

    @staticmethod
    def static(data, model): pass

    @classmethod
    def klass(cls, data, model): pass

    def __call__(self, data, model, context): pass


def decorator(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


class ParameterCountTest(unittest.TestCase):
    def test_agrees_with_inspect_signature(self):
        handler = Handler()
        for fn in (plain, defaults, star, kwargs, kwonly, posonly, everything, lambda x, y: None, handler.method,
                   Handler.static, Handler.klass, handler, functools.partial(defaults, 1), decorator(defaults),
                   decorator(plain), Handler):
            self.assertEqual(len(inspect.signature(fn).parameters), smc_worker.parameter_count(fn), fn)

    def test_builtins_without_a_signature_are_called_plainly(self):
        self.assertRaises(ValueError, inspect.signature, dict)
        self.assertIsNone(smc_worker.parameter_count(dict))


if __name__ == "__main__":
    unittest.main()
