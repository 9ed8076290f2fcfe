"""Client of the suite gateway's ``POST /rpc``, for Python callers (the Reflex backend).

Standard library only: copy this one file next to the code that needs it.

    from suite_rpc import RpcClient, RpcError, rpc_call

    client = RpcClient("http://127.0.0.1:8080", token)
    pong = client.call("SYSTEM.ping")
    events = client.call("EVENTS.replay", ["user-1"], {"limit": 50}, user_id="user-1")

    # Or with the default client, configured from SUITE_RPC_URL and LISTENERS_SERVICE_TOKEN:
    pong = rpc_call("SYSTEM.ping")

Every answer of the gateway is an envelope, ``{"ok": true, "data": ...}`` or
``{"ok": false, "error": {"code", "message", "retry_after_ms"?}}``. ``call`` returns ``data`` or
raises :class:`RpcError`; errors worth retrying (rate limiting, an idempotent call still running,
an unavailable dependency, a transport failure) are retried first, with the same idempotency key
and trace id, after the delay the gateway asked for.

Arguments are sent as JSON. Beyond what ``json`` takes, a ``datetime``, ``date`` or ``time`` is
sent as its ISO 8601 text, and a ``set``, ``frozenset`` or ``tuple`` as a list (a set sorted when
its members can be). Anything else (``bytes``, ``Decimal``, a custom object, a float NaN or
infinity) raises :class:`RpcArgumentError` naming the argument, before anything is sent.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import http.client
import json
import os
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from email.message import Message
from typing import Any, Callable, Mapping, Optional, Sequence

__all__ = [
    "RETRYABLE_CODES",
    "RawAnswer",
    "RpcArgumentError",
    "RpcClient",
    "RpcError",
    "idempotency_key",
    "rpc_call",
    "to_json_value",
]

#: Error codes worth retrying after ``retry_after_ms`` with the same idempotency key.
RETRYABLE_CODES = frozenset(
    {"RATE_LIMITED", "IDEMPOTENCY_IN_PROGRESS", "UNAVAILABLE", "TRANSPORT"}
)

#: Delay before a retry when the gateway gives no hint (seconds).
DEFAULT_RETRY_DELAY_S = 0.5

#: Socket timeout margin above a call's own ``timeout_ms`` (seconds).
TIMEOUT_MARGIN_S = 10.0

DEFAULT_URL = "http://127.0.0.1:8080"


class RpcError(Exception):
    """An ``{"ok": false}`` answer of the gateway, or a transport failure (code ``TRANSPORT``).

    Attributes:
        code: the envelope's error code (``METHOD_NOT_FOUND``, ``RATE_LIMITED``, ...) or
            ``TRANSPORT`` when no envelope could be read (connection refused, timeout, non-JSON
            body).
        message: the gateway's message, meant for humans.
        status: the HTTP status, or 0 when no HTTP answer was received.
        retry_after_ms: how long the gateway asked the caller to wait, if it did.
        trace_id: the call's trace id (``X-Trace-Id``), to find its logs.
    """

    def __init__(
        self,
        code: str,
        message: str,
        status: int = 0,
        retry_after_ms: Optional[int] = None,
        trace_id: Optional[str] = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.retry_after_ms = retry_after_ms
        self.trace_id = trace_id

    @property
    def retryable(self) -> bool:
        """Whether the same call (same idempotency key) may succeed if tried again later."""
        return self.code in RETRYABLE_CODES

    def __repr__(self) -> str:
        return (
            f"RpcError(code={self.code!r}, message={self.message!r}, status={self.status}, "
            f"retry_after_ms={self.retry_after_ms!r}, trace_id={self.trace_id!r})"
        )


class RpcArgumentError(RpcError, TypeError):
    """An argument that cannot be sent as JSON; raised before anything is sent.

    An :class:`RpcError` with code ``INVALID_ARGS`` (status 0: no HTTP exchange took place), and a
    ``TypeError`` as ``json`` would raise. ``path`` names the value, e.g. ``kwargs['data'][2]``.
    """

    def __init__(self, path: str, value: Any, hint: str) -> None:
        super().__init__(
            "INVALID_ARGS",
            f"{path} is a {type(value).__name__}, which cannot be sent as JSON: {hint}",
        )
        self.path = path


def _unsendable_hint(value: Any) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "decode it to str (e.g. value.decode('utf-8')) or encode it as base64 text"
    if isinstance(value, float):
        return "JSON has no NaN or infinity; send None or a number"
    return "convert it to str, int, float, bool, None, a list or a dict first"


def _sortable(members: list) -> list:
    try:
        return sorted(members)
    except TypeError:
        return members


def to_json_value(value: Any, path: str = "value") -> Any:
    """``value`` with what JSON lacks made sendable (see the module's doc), or
    :class:`RpcArgumentError` for what cannot be sent."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        raise RpcArgumentError(path, value, _unsendable_hint(value))
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, Mapping):
        converted: dict[str, Any] = {}
        for key, member in value.items():
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise RpcArgumentError(f"{path} key {key!r}", key, "JSON object keys are text")
            converted[key if isinstance(key, str) else json.dumps(key)] = to_json_value(
                member, f"{path}[{key!r}]"
            )
        return converted
    if isinstance(value, (list, tuple)):
        return [to_json_value(member, f"{path}[{index}]") for index, member in enumerate(value)]
    if isinstance(value, (set, frozenset)):
        members = [to_json_value(member, f"{path} member") for member in value]
        return _sortable(members)
    raise RpcArgumentError(path, value, _unsendable_hint(value))


@dataclass(frozen=True)
class RawAnswer:
    """One exchange with ``/rpc`` as received: not retried, and ``ok: false`` is not raised."""

    status: int
    body: dict
    trace_id: Optional[str] = None
    #: The gateway replayed the stored answer of an earlier call with this idempotency key.
    replayed: bool = False
    #: The ``Retry-After`` header, in seconds, if any.
    retry_after_s: Optional[float] = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def to_error(self) -> RpcError:
        """The :class:`RpcError` of an ``ok: false`` answer."""
        error = self.body.get("error")
        if not isinstance(error, dict):
            error = {}
        retry_after_ms = error.get("retry_after_ms")
        if not isinstance(retry_after_ms, (int, float)) or isinstance(retry_after_ms, bool):
            retry_after_ms = None
        return RpcError(
            str(error.get("code") or "INTERNAL"),
            str(error.get("message") or "the gateway answered an error without a message"),
            self.status,
            retry_after_ms,
            self.trace_id,
        )


def idempotency_key(
    method: str,
    args: Optional[Sequence[Any]] = None,
    kwargs: Optional[Mapping[str, Any]] = None,
    call_id: Optional[str] = None,
) -> str:
    """The idempotency key of a call: SHA-256 (hex) of its method, arguments and named arguments.

    With ``call_id`` (the client passes the call's trace id) the key also names this one logical
    call, so its retries share the key while a later, identical call gets a fresh one. Without it
    the key is a pure content hash: the gateway keeps answers for 24 h (Stripe semantics), so every
    identical call would then receive the first answer, which is right only for a write that must
    happen once per content.

    The hashed text is ``[method, args, kwargs]`` as compact JSON with the kwargs' keys sorted (at
    the top level only), exactly as ``idempotencyKeyFor`` of the TypeScript client computes it, so
    both clients derive the same key for the same call. Caveat: JSON numbers are written by each
    language's own serializer, so an integral float (``1.0`` here, ``1`` in JavaScript) or an
    integer beyond 2**53 gives a different key than the TypeScript client would.
    """
    args = to_json_value(list(args or []), "args")
    kwargs = to_json_value(dict(kwargs or {}), "kwargs")
    hashed: list[Any] = [method, args, dict(sorted(kwargs.items()))]
    if call_id is not None:
        hashed.append(call_id)
    canonical = json.dumps(
        hashed,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# ``RpcClient.call`` has a parameter named ``idempotency_key``, which hides the function.
_derive_idempotency_key = idempotency_key


def _retry_after_seconds(value: Optional[str]) -> Optional[float]:
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


class RpcClient:
    """A client of the gateway's ``POST /rpc``.

    Args:
        base_url: the gateway, e.g. ``http://127.0.0.1:8080`` (without ``/rpc``).
        token: the service token (``LISTENERS_SERVICE_TOKEN``), sent as ``Authorization: Bearer``.
        timeout_s: socket timeout of one HTTP exchange; longer than the gateway's default call
            timeout (120 s) so that the gateway, not the socket, reports a slow call.
        max_retries: how many times a retryable error is retried before it is raised.
        sleep: how to wait between retries (injectable so tests need not wait).
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        timeout_s: float = 130.0,
        max_retries: int = 3,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not base_url:
            raise ValueError("base_url is required (e.g. http://127.0.0.1:8080)")
        if not token:
            raise ValueError("token is required (the gateway's LISTENERS_SERVICE_TOKEN)")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.sleep = sleep

    def call(
        self,
        method: str,
        args: Optional[Sequence[Any]] = None,
        kwargs: Optional[Mapping[str, Any]] = None,
        *,
        user_id: Optional[str] = None,
        session_id: Optional[str] = None,
        idempotency_key: Optional[str] = None,
        auto_idempotency: bool = True,
        timeout_ms: Optional[int] = None,
        trace_id: Optional[str] = None,
        reply_to: Optional[str] = None,
    ) -> Any:
        """Calls ``method`` and returns its ``data``; raises :class:`RpcError` otherwise.

        Without an explicit ``idempotency_key``, and unless ``auto_idempotency`` is false, the key
        is derived from the method, the arguments and this call's trace id
        (:func:`idempotency_key`): retrying after a lost answer never runs the call twice, and a
        later identical call still runs (it has a new trace id). Pass an explicit key to make
        separate calls one.

        Retryable errors are retried up to ``max_retries`` times with the same idempotency key and
        trace id, after ``retry_after_ms`` (else the ``Retry-After`` header, else 0.5 s). A
        transport failure of a call without an idempotency key is retried only when the request
        was certainly not delivered (connection refused).

        With ``reply_to="redis:<channel>"`` the gateway answers at once with
        ``{"accepted": True, "trace_id": ...}`` and publishes the envelope on the channel.

        Raises :class:`RpcArgumentError` (an ``INVALID_ARGS`` :class:`RpcError`), before anything
        is sent, for an argument that cannot be sent as JSON.
        """
        trace_id = trace_id or str(uuid.uuid4())
        args = to_json_value(list(args or []), "args")
        kwargs = to_json_value(dict(kwargs or {}), "kwargs")
        request: dict[str, Any] = {
            "method": method,
            "args": args,
            "kwargs": kwargs,
            "trace_id": trace_id,
        }
        if idempotency_key is None and auto_idempotency:
            idempotency_key = _derive_idempotency_key(method, args, kwargs, trace_id)
        optional = {
            "user_id": user_id,
            "session_id": session_id,
            "idempotency_key": idempotency_key,
            "timeout_ms": timeout_ms,
            "reply_to": reply_to,
        }
        request.update({name: value for name, value in optional.items() if value is not None})

        attempt = 0
        while True:
            try:
                answer = self.send(request)
                if answer.body.get("ok") is True:
                    return answer.body.get("data")
                error = answer.to_error()
                fallback_s = answer.retry_after_s
            except RpcError as transport_error:
                error = transport_error
                fallback_s = None
            if not self._should_retry(error, request) or attempt >= self.max_retries:
                raise error
            attempt += 1
            if error.retry_after_ms is not None:
                delay_s = error.retry_after_ms / 1000
            elif fallback_s is not None:
                delay_s = fallback_s
            else:
                delay_s = DEFAULT_RETRY_DELAY_S
            self.sleep(delay_s)

    def send(self, request: Mapping[str, Any]) -> RawAnswer:
        """One HTTP exchange with ``/rpc``: no retry, and an ``ok: false`` envelope is returned.

        Raises:
            RpcError: with code ``TRANSPORT`` when no envelope could be read (connection failure,
                socket timeout, or a body that is not a JSON envelope).
            RpcArgumentError: when a value of ``request`` cannot be sent as JSON.
        """
        trace_id = request.get("trace_id")
        body = json.dumps(
            to_json_value(dict(request), "request"),
            ensure_ascii=False,
            separators=(",", ":"),
            allow_nan=False,
        ).encode("utf-8")
        http_request = urllib.request.Request(
            f"{self.base_url}/rpc",
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.token}",
            },
        )
        try:
            timeout_s = self._socket_timeout(request)
            with urllib.request.urlopen(http_request, timeout=timeout_s) as response:
                return self._read(response.status, response.headers, response.read(), trace_id)
        except urllib.error.HTTPError as http_error:
            # Error statuses still carry the envelope: read it like any answer.
            try:
                raw = http_error.read()
            except (OSError, http.client.HTTPException) as exc:
                raise RpcError(
                    "TRANSPORT",
                    f"could not read the {http_error.code} answer: {exc!r}",
                    http_error.code,
                    trace_id=trace_id,
                ) from exc
            finally:
                http_error.close()
            return self._read(http_error.code, http_error.headers, raw, trace_id)
        except urllib.error.URLError as exc:
            raise RpcError(
                "TRANSPORT", f"could not reach {self.base_url}: {exc.reason}", trace_id=trace_id
            ) from exc
        except (OSError, http.client.HTTPException) as exc:
            # Socket timeouts, resets and truncated answers after the request went out.
            raise RpcError(
                "TRANSPORT", f"exchange with {self.base_url} failed: {exc!r}", trace_id=trace_id
            ) from exc

    def _socket_timeout(self, request: Mapping[str, Any]) -> float:
        """Long enough for the call's own ``timeout_ms``, so the gateway reports it first."""
        timeout_ms = request.get("timeout_ms")
        if isinstance(timeout_ms, (int, float)) and timeout_ms > 0:
            return max(self.timeout_s, timeout_ms / 1000 + TIMEOUT_MARGIN_S)
        return self.timeout_s

    @staticmethod
    def _read(
        status: int, headers: Optional[Message], raw: bytes, trace_id: Optional[str]
    ) -> RawAnswer:
        """Parses an answer's envelope; anything else is a ``TRANSPORT`` error."""
        header = headers.get if headers is not None else (lambda name: None)
        answered_trace_id = header("X-Trace-Id") or trace_id
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise RpcError(
                "TRANSPORT",
                f"HTTP {status} answer is not JSON: {raw[:200]!r}",
                status,
                trace_id=answered_trace_id,
            ) from exc
        if not isinstance(body, dict) or not isinstance(body.get("ok"), bool):
            raise RpcError(
                "TRANSPORT",
                f"HTTP {status} answer is not an RPC envelope: {raw[:200]!r}",
                status,
                trace_id=answered_trace_id,
            )
        return RawAnswer(
            status=status,
            body=body,
            trace_id=answered_trace_id,
            replayed=header("Idempotent-Replay") == "true",
            retry_after_s=_retry_after_seconds(header("Retry-After")),
            headers=dict(headers.items()) if headers is not None else {},
        )

    @staticmethod
    def _should_retry(error: RpcError, request: Mapping[str, Any]) -> bool:
        if not error.retryable:
            return False
        if error.code != "TRANSPORT" or request.get("idempotency_key"):
            return True
        # Without an idempotency key a retry could run the call twice, unless it never left.
        reason = getattr(error.__cause__, "reason", error.__cause__)
        return isinstance(reason, ConnectionRefusedError)


_default_client: Optional[RpcClient] = None


def default_client() -> RpcClient:
    """The client :func:`rpc_call` uses, built on first use from the environment.

    ``SUITE_RPC_URL`` (default ``http://127.0.0.1:8080``) and ``LISTENERS_SERVICE_TOKEN``.
    """
    global _default_client
    if _default_client is None:
        _default_client = RpcClient(
            os.environ.get("SUITE_RPC_URL") or DEFAULT_URL,
            os.environ.get("LISTENERS_SERVICE_TOKEN", ""),
        )
    return _default_client


def rpc_call(
    method: str,
    args: Optional[Sequence[Any]] = None,
    kwargs: Optional[Mapping[str, Any]] = None,
    **options: Any,
) -> Any:
    """Calls ``method`` with the default client (:func:`default_client`).

    ``options`` are the keyword options of :meth:`RpcClient.call`.
    """
    return default_client().call(method, args, kwargs, **options)
