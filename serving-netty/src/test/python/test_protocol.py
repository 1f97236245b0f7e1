"""Framing, handshake and lifecycle of smc_worker.py over a real Unix socket (python-workers.md 3.4-3.5)."""

import os
import signal
import subprocess
import sys
import unittest

from harness import (CANCELLED, HEADER, HELLO, INVOKE, LOAD, PING, PONG, RESULT, SHUTDOWN, WORKER, Peer, block,
                     frame, model_dir)

ECHO = """
    def model_fn(model_dir):
        return "model"
    def input_fn(body, content_type):
        return body
    def predict_fn(data, model):
        return data
    def output_fn(prediction, accept):
        return prediction, accept
"""


class HandshakeTest(unittest.TestCase):
    def test_hello_carries_protocol_pid_worker_token_and_versions(self):
        with Peer(token="secret-123") as peer:
            self.assertEqual(HELLO, peer.hello.kind)
            self.assertEqual(0, peer.hello.seq)
            hello = peer.hello.json
            self.assertEqual(1, hello["protocol"])
            self.assertEqual(peer.proc.pid, hello["pid"])
            self.assertEqual("m/0", hello["worker"])
            self.assertEqual("secret-123", hello["token"])
            self.assertEqual("%d.%d.%d" % sys.version_info[:3], hello["python"])
            try:
                import numpy
                self.assertEqual(numpy.__version__, hello["numpy"])
            except ImportError:
                self.assertIsNone(hello["numpy"])

    def test_missing_socket_variable_exits_2_with_a_message(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("SMC_WORKER")}
        done = subprocess.run([sys.executable, WORKER], env=env, capture_output=True, timeout=20)
        self.assertEqual(2, done.returncode)
        self.assertIn(b"smc-worker: SMC_WORKER_SOCKET and SMC_WORKER_TOKEN must be set", done.stderr)


class FramingTest(unittest.TestCase):
    def setUp(self):
        root, code = model_dir(self, ECHO)
        self.peer = Peer()
        self.addCleanup(self.peer.close)
        self.assertEqual(0x82, self.peer.load(root, code_dir=code).kind)

    def test_ping_answers_pong_with_the_same_seq(self):
        for _ in range(3):
            seq = self.peer.send(PING)
            reply = self.peer.read()
            self.assertEqual((PONG, seq, b""), (reply.kind, reply.seq, reply.payload))

    def test_two_frames_in_one_write_are_both_answered_in_order(self):
        self.peer.conn.sendall(frame(PING, 41) + frame(PING, 42))
        self.assertEqual(41, self.peer.read().seq)
        self.assertEqual(42, self.peer.read().seq)

    def test_a_frame_split_into_single_bytes_is_reassembled(self):
        payload = block(b"application/json", b"application/json", b"", b"id", b"", b"", b'{"a": 1}')
        data = frame(INVOKE, 7, payload)
        for i in range(len(data)):
            self.peer.conn.sendall(data[i:i + 1])
        reply = self.peer.read()
        self.assertEqual((RESULT, 7, 200), (reply.kind, reply.seq, reply.status))
        self.assertEqual(b'{"a": 1}', reply.body)

    def test_bodies_larger_than_the_reused_buffer_round_trip_byte_for_byte(self):
        for size in (0, 1, (1 << 20) - 100, 1 << 20, (5 << 20) + 3):
            body = os.urandom(size)
            reply = self.peer.invoke(body, content_type="application/octet-stream", accept="application/octet-stream")
            self.assertEqual(200, reply.status, reply)
            self.assertEqual("application/octet-stream", reply.content_type)
            self.assertEqual(len(body), len(reply.body))
            self.assertTrue(body == reply.body, "body of %d bytes changed" % size)
        # the small-frame path still works after a one-off buffer
        self.assertEqual(b"[1]", self.peer.invoke(b"[1]").body)

    def test_the_result_frame_layout_is_exact(self):
        seq = self.peer.send(INVOKE, block(b"application/json", b"text/plain", b"", b"", b"", b"", b"hi"))
        header = self.peer.recv_exact(16)
        length, kind, flags, reserved, got_seq = HEADER.unpack(header)
        payload = self.peer.recv_exact(length - 12)
        self.assertEqual((RESULT, 0, 0, seq), (kind, flags, reserved, got_seq))
        # u16 status, u16 0, 4 lengths, then content type, phrase, headers, body
        self.assertEqual(b"\x00\xc8\x00\x00" + bytes.fromhex("0000000a 00000000 00000000 00000002") + b"text/plainhi",
                         payload)

    def test_shutdown_exits_0(self):
        self.peer.send(SHUTDOWN)
        self.assertEqual(0, self.peer.proc.wait(10))

    def test_eof_exits_0(self):
        self.peer.conn.close()
        self.assertEqual(0, self.peer.proc.wait(10))

    def test_unknown_frame_type_is_a_protocol_error_exit_3(self):
        self.peer.conn.sendall(frame(0x7F, 9))
        self.assertEqual(3, self.peer.proc.wait(10))
        self.assertIn("protocol error: unknown frame type 0x7f", self.peer.stderr_text())

    def test_socket_closed_inside_a_frame_is_a_protocol_error_exit_3(self):
        self.peer.conn.sendall(HEADER.pack(12 + 100, INVOKE, 0, 0, 5) + b"x" * 10)
        self.peer.conn.shutdown(2)
        self.assertEqual(3, self.peer.proc.wait(10))
        self.assertIn("socket closed inside a frame of 100 bytes", self.peer.stderr_text())

    def test_invoke_with_inconsistent_field_lengths_is_a_protocol_error(self):
        payload = block(b"a", b"b", b"", b"", b"", b"", b"body") + b"extra"
        self.peer.conn.sendall(frame(INVOKE, 5, payload))
        self.assertEqual(3, self.peer.proc.wait(10))
        self.assertIn("INVOKE fields take", self.peer.stderr_text())


class InterruptTest(unittest.TestCase):
    def test_sigint_in_interrupt_mode_answers_cancelled_and_keeps_the_process(self):
        root, code = model_dir(self, """
            import time
            def model_fn(model_dir):
                return None
            def transform_fn(model, body, content_type, accept):
                if body == "sleep":
                    while True:
                        sum(range(1000))
                return body, "text/plain"
        """)
        with Peer() as peer:
            self.assertEqual(0x82, peer.load(root, code_dir=code, timeout_action="interrupt").kind)
            seq = peer.send(INVOKE, block(b"text/csv", b"text/plain", b"", b"", b"", b"", b"sleep"))
            # the worker is busy in the loop; interrupt it the way Java does on a deadline
            peer.conn.settimeout(0.3)
            self.assertRaises(OSError, peer.conn.recv, 1)
            peer.conn.settimeout(20)
            os.kill(peer.proc.pid, signal.SIGINT)
            reply = peer.read()
            self.assertEqual((CANCELLED, seq), (reply.kind, reply.seq))
            again = peer.invoke(b"ok", content_type="text/csv", accept="text/plain")
            self.assertEqual((200, b"ok"), (again.status, again.body))
            self.assertIsNone(peer.proc.poll())
            # a deadline that fires while the RESULT is already on its way: Java discards the RESULT and still waits
            # for CANCELLED, so an idle worker answers it for the last INVOKE
            os.kill(peer.proc.pid, signal.SIGINT)
            reply = peer.read()
            self.assertEqual((CANCELLED, peer.seq), (reply.kind, reply.seq))
            seq = peer.send(PING)
            self.assertEqual((PONG, seq), (peer.read().kind, seq))

    def test_sigint_while_idle_in_interrupt_mode_does_not_end_the_worker(self):
        root, code = model_dir(self, ECHO)
        with Peer() as peer:
            peer.load(root, code_dir=code, timeout_action="interrupt")
            os.kill(peer.proc.pid, signal.SIGINT)
            seq = peer.send(PING)
            self.assertEqual((PONG, seq), (peer.read().kind, seq))

    def test_sigint_in_kill_mode_ends_the_worker(self):
        root, code = model_dir(self, ECHO)
        with Peer() as peer:
            peer.load(root, code_dir=code)
            os.kill(peer.proc.pid, signal.SIGINT)
            self.assertEqual(130, peer.proc.wait(10))


class OrphanTest(unittest.TestCase):
    def test_busy_worker_exits_after_its_call_when_the_peer_is_gone(self):
        root, code = model_dir(self, """
            import time
            def model_fn(model_dir):
                return None
            def transform_fn(model, body, content_type, accept):
                time.sleep(0.5)
                return b"done"
        """)
        with Peer() as peer:
            peer.load(root, code_dir=code)
            peer.send(INVOKE, block(b"", b"", b"", b"", b"", b"", b""))
            peer.conn.close()
            peer.listener.close()
            self.assertIn(peer.proc.wait(10), (0,))


if __name__ == "__main__":
    unittest.main()
