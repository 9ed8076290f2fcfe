"""Tests of suite_rpc against a real running gateway.

The gateway's address and service token come from the environment:

    SUITE_RPC_URL=http://127.0.0.1:8080 LISTENERS_SERVICE_TOKEN=... python3 -m unittest -v test_suite_rpc

In the repository, ``libs/rpc-client/src/lib/python-client.e2e-spec.ts`` starts a gateway and runs
them as part of the jest run. Nothing here really sleeps: retries go through an injected sleep.
"""

from __future__ import annotations

import datetime
import decimal
import json
import os
import socket
import threading
import unittest
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, List, Tuple

from suite_rpc import RpcArgumentError, RpcClient, RpcError, idempotency_key

GATEWAY_URL = os.environ.get("SUITE_RPC_URL", "")
GATEWAY_TOKEN = os.environ.get("LISTENERS_SERVICE_TOKEN", "")

# Computed with node from the TypeScript client's idempotencyKeyFor (libs/rpc-client), on the
# same call: kwargs in another order, a nested object, non-ASCII text and a float.
TS_KEY_ARGS = ["user-1", 2.5]
TS_KEY_KWARGS = {
    "since_id": "0-0",
    "limit": 10,
    "note": "caf\u00e9 \u2615 \U0001d11e",
    "filter": {"z": 1, "a": [True, None]},
}
TS_KEY_HEX = "f008794eb3e390d35af4e00490269c4bff40b883804b31ee7d01f550a0612942"
TS_PING_KEY_HEX = "615b9b33a2d14570e5ce5cb12ce51b52764a0f4dfd880b6ebcf54fcbd8268177"


class RecordingSleep:
    """Stands in for time.sleep: records the delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: List[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class IdempotencyKeyTest(unittest.TestCase):
    def test_matches_the_typescript_client(self) -> None:
        self.assertEqual(idempotency_key("EVENTS.replay", TS_KEY_ARGS, TS_KEY_KWARGS), TS_KEY_HEX)
        self.assertEqual(idempotency_key("SYSTEM.ping"), TS_PING_KEY_HEX)

    def test_ignores_keyword_order_but_not_values(self) -> None:
        reordered = dict(reversed(list(TS_KEY_KWARGS.items())))
        self.assertEqual(idempotency_key("EVENTS.replay", TS_KEY_ARGS, reordered), TS_KEY_HEX)
        other = idempotency_key("EVENTS.replay", ["user-2", 2.5], TS_KEY_KWARGS)
        self.assertNotEqual(other, TS_KEY_HEX)


class GatewayTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        # Fail, never skip: these tests are the point of running against a gateway.
        if not (GATEWAY_URL and GATEWAY_TOKEN):
            raise AssertionError("SUITE_RPC_URL and LISTENERS_SERVICE_TOKEN must name a running gateway")

    def setUp(self) -> None:
        self.sleep = RecordingSleep()
        self.client = RpcClient(GATEWAY_URL, GATEWAY_TOKEN, timeout_s=10, sleep=self.sleep)

    def test_ping(self) -> None:
        data = self.client.call("SYSTEM.ping", auto_idempotency=False)
        self.assertIs(data["pong"], True)
        self.assertIsInstance(data["version"], str)
        self.assertEqual(self.sleep.delays, [])

    def test_describe_lists_system_ping(self) -> None:
        data = self.client.call("SYSTEM.describe", auto_idempotency=False)
        methods = {entry["method"]: entry for entry in data["methods"]}
        self.assertIn("SYSTEM.ping", methods)
        self.assertEqual(methods["SYSTEM.ping"]["params"], [])
        self.assertIs(methods["SYSTEM.ping"]["enabled"], True)
        self.assertEqual(methods["EVENTS.replay"]["params"], ["user_id", "since_id", "limit"])

    def test_unknown_method_is_not_found_and_not_retried(self) -> None:
        trace_id = unique("py-trace")
        with self.assertRaises(RpcError) as raised:
            self.client.call("NOPE.missing", trace_id=trace_id)
        error = raised.exception
        self.assertEqual(error.code, "METHOD_NOT_FOUND")
        self.assertEqual(error.status, 404)
        self.assertEqual(error.trace_id, trace_id)
        self.assertFalse(error.retryable)
        self.assertEqual(self.sleep.delays, [])

    def test_malformed_since_id_is_invalid_args(self) -> None:
        with self.assertRaises(RpcError) as raised:
            self.client.call("EVENTS.replay", [unique("py-user")], {"since_id": "bad"})
        self.assertEqual(raised.exception.code, "INVALID_ARGS")
        self.assertEqual(raised.exception.status, 400)
        self.assertEqual(self.sleep.delays, [])

    def test_replay_of_a_new_user_is_empty(self) -> None:
        kwargs = {"user_id": unique("py-user"), "limit": 5}
        data = self.client.call("EVENTS.replay", kwargs=kwargs, auto_idempotency=False)
        self.assertEqual(data["events"], [])
        self.assertIs(data["has_more"], False)

    def test_wrong_token_is_unauthorized(self) -> None:
        client = RpcClient(GATEWAY_URL, "not-the-token", sleep=self.sleep)
        with self.assertRaises(RpcError) as raised:
            client.call("SYSTEM.ping")
        self.assertEqual(raised.exception.code, "UNAUTHORIZED")
        self.assertEqual(raised.exception.status, 401)
        self.assertEqual(self.sleep.delays, [])

    def test_same_idempotency_key_is_replayed(self) -> None:
        key = unique("py-idem")
        user_id = unique("py-user")
        first = self.client.call("EVENTS.replay", [user_id], idempotency_key=key)
        second = self.client.call("EVENTS.replay", [user_id], idempotency_key=key)
        self.assertEqual(second, first)
        raw = self.client.send(
            {"method": "EVENTS.replay", "args": [user_id], "idempotency_key": key}
        )
        self.assertEqual(raw.status, 200)
        self.assertTrue(raw.replayed)
        self.assertEqual(raw.body, {"ok": True, "data": first})

    def test_same_idempotency_key_with_other_arguments_is_a_mismatch(self) -> None:
        key = unique("py-idem")
        self.client.call("EVENTS.replay", [unique("py-user")], idempotency_key=key)
        with self.assertRaises(RpcError) as raised:
            self.client.call("EVENTS.replay", [unique("py-user")], idempotency_key=key)
        self.assertEqual(raised.exception.code, "IDEMPOTENCY_MISMATCH")
        self.assertEqual(raised.exception.status, 422)

    def test_reply_to_is_accepted(self) -> None:
        trace_id = unique("py-trace")
        data = self.client.call(
            "SYSTEM.ping",
            reply_to=f"redis:{unique('py-replies')}",
            trace_id=trace_id,
            auto_idempotency=False,
        )
        self.assertEqual(data, {"accepted": True, "trace_id": trace_id})


class ScriptedGateway:
    """A local HTTP server answering scripted (status, body) pairs and recording the requests."""

    def __init__(self, answers: List[Tuple[int, Any]]) -> None:
        self.answers = list(answers)
        self.requests: List[dict] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", "0"))
                gateway.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers.items()),
                        "body": json.loads(self.rfile.read(length)),
                    }
                )
                status, body = gateway.answers.pop(0)
                payload = json.dumps(body).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> "ScriptedGateway":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


class RetryTest(unittest.TestCase):
    def test_retry_honours_retry_after_ms_with_same_key_and_trace_id(self) -> None:
        rate_limited = {
            "ok": False,
            "error": {"code": "RATE_LIMITED", "message": "x", "retry_after_ms": 1234},
        }
        sleep = RecordingSleep()
        with ScriptedGateway([(429, rate_limited), (200, {"ok": True, "data": 1})]) as gateway:
            client = RpcClient(gateway.url, "token", timeout_s=5, sleep=sleep)
            self.assertEqual(client.call("SYSTEM.ping", ["a"], {"b": 2}), 1)
        self.assertEqual(sleep.delays, [1.234])
        first, second = (request["body"] for request in gateway.requests)
        self.assertEqual(first, second)
        self.assertEqual(
            first["idempotency_key"],
            idempotency_key("SYSTEM.ping", ["a"], {"b": 2}, first["trace_id"]),
        )
        self.assertTrue(first["trace_id"])
        self.assertEqual(gateway.requests[0]["path"], "/rpc")
        self.assertEqual(gateway.requests[0]["headers"]["Authorization"], "Bearer token")

    def test_gives_up_after_max_retries(self) -> None:
        unavailable = {
            "ok": False,
            "error": {"code": "UNAVAILABLE", "message": "redis", "retry_after_ms": 1000},
        }
        sleep = RecordingSleep()
        with ScriptedGateway([(503, unavailable)] * 3) as gateway:
            client = RpcClient(gateway.url, "token", timeout_s=5, max_retries=2, sleep=sleep)
            with self.assertRaises(RpcError) as raised:
                client.call("SYSTEM.ping")
        self.assertEqual(raised.exception.code, "UNAVAILABLE")
        self.assertEqual(raised.exception.status, 503)
        self.assertEqual(raised.exception.retry_after_ms, 1000)
        self.assertEqual(sleep.delays, [1.0, 1.0])
        self.assertEqual(len(gateway.requests), 3)

    def test_non_envelope_answer_is_a_transport_error(self) -> None:
        sleep = RecordingSleep()
        with ScriptedGateway([(502, "bad gateway")]) as gateway:
            client = RpcClient(gateway.url, "token", timeout_s=5, max_retries=0, sleep=sleep)
            with self.assertRaises(RpcError) as raised:
                client.call("SYSTEM.ping")
        self.assertEqual(raised.exception.code, "TRANSPORT")
        self.assertEqual(raised.exception.status, 502)

    def test_closed_port_is_a_transport_error_after_max_retries(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        # The port is closed now: nothing listens on it.
        sleep = RecordingSleep()
        client = RpcClient(f"http://127.0.0.1:{port}", "token", max_retries=3, sleep=sleep)
        with self.assertRaises(RpcError) as raised:
            client.call("SYSTEM.ping")
        self.assertEqual(raised.exception.code, "TRANSPORT")
        self.assertEqual(raised.exception.status, 0)
        self.assertTrue(raised.exception.retryable)
        self.assertEqual(sleep.delays, [0.5, 0.5, 0.5])


class ArgumentEncodingTest(unittest.TestCase):
    """What JSON lacks is sent in its usual text form; what cannot be sent is refused, clearly."""

    def test_datetime_is_iso_8601_and_a_set_is_a_list(self) -> None:
        moment = datetime.datetime(2026, 12, 1, 9, 30, 15, 250000, tzinfo=datetime.timezone.utc)
        with ScriptedGateway([(200, {"ok": True, "data": 1})]) as gateway:
            client = RpcClient(gateway.url, "token", timeout_s=5, sleep=RecordingSleep())
            kwargs = {
                "at": moment,
                "day": datetime.date(2026, 12, 1),
                "tags": {"b", "a", "c"},
                "nested": {"when": [moment], "pair": (1, 2), 3: frozenset({2, 1})},
            }
            self.assertEqual(client.call("SYSTEM.ping", [moment], kwargs), 1)
        sent = gateway.requests[0]["body"]
        self.assertEqual(sent["args"], ["2026-12-01T09:30:15.250000+00:00"])
        self.assertEqual(
            sent["kwargs"],
            {
                "at": "2026-12-01T09:30:15.250000+00:00",
                "day": "2026-12-01",
                "tags": ["a", "b", "c"],
                "nested": {"when": ["2026-12-01T09:30:15.250000+00:00"], "pair": [1, 2], "3": [1, 2]},
            },
        )
        # The key is that of the values as sent, as the TypeScript client would compute it.
        self.assertEqual(
            sent["idempotency_key"],
            idempotency_key("SYSTEM.ping", sent["args"], sent["kwargs"], sent["trace_id"]),
        )

    def test_what_cannot_be_sent_raises_an_rpc_error_naming_the_argument(self) -> None:
        cases = [
            ([b"raw"], {}, "args[0]", "bytes", "decode"),
            ([], {"document_data": {"blob": bytearray(b"x")}}, "kwargs['document_data']['blob']", "bytearray", "decode"),
            ([], {"amount": decimal.Decimal("1.5")}, "kwargs['amount']", "Decimal", "convert"),
            ([[1, float("nan")]], {}, "args[0][1]", "float", "NaN"),
            ([], {"who": object()}, "kwargs['who']", "object", "convert"),
        ]
        with ScriptedGateway([]) as gateway:
            client = RpcClient(gateway.url, "token", timeout_s=5, sleep=RecordingSleep())
            for args, kwargs, path, type_name, hint in cases:
                with self.subTest(path=path):
                    with self.assertRaises(RpcArgumentError) as raised:
                        client.call("SYSTEM.ping", args, kwargs)
                    error = raised.exception
                    self.assertIsInstance(error, RpcError)
                    self.assertIsInstance(error, TypeError)
                    self.assertEqual(error.code, "INVALID_ARGS")
                    self.assertEqual(error.status, 0)
                    self.assertFalse(error.retryable)
                    self.assertEqual(error.path, path)
                    self.assertIn(f"{path} is a {type_name}, which cannot be sent as JSON", error.message)
                    self.assertIn(hint, error.message)
        self.assertEqual(gateway.requests, [])

    def test_idempotency_key_takes_the_same_values(self) -> None:
        moment = datetime.datetime(2026, 1, 2, 3, 4, 5)
        self.assertEqual(
            idempotency_key("M", [moment, {"b", "a"}]),
            idempotency_key("M", ["2026-01-02T03:04:05", ["a", "b"]]),
        )


if __name__ == "__main__":
    unittest.main()
