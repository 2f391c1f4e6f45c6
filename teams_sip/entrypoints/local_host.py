"""A local stand-in for the Azure Functions host, because the real host cannot be installed here.

It reads the routes, schedules and queue names from the decorated functions themselves
(`app.get_functions()`) and calls them with real `func.HttpRequest`, `TimerRequest` and
`QueueMessage` objects: it adapts requests, it does not reimplement handlers. Queue output bindings
are delivered to the queue-triggered function in-process, like a storage queue would.
"""

from __future__ import annotations

import hmac
import json
import logging
import queue
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import azure.functions as func
from azure.functions.timer import TimerRequest

from teams_sip.entrypoints.functions.http import JSON_MAX_BYTES
from teams_sip.importing.options import MB

log = logging.getLogger(__name__)

DEFAULT_MAX_BODY = 20 * MB  # IMPORT_MAX_MB's default; serve passes the setting


def _problem(status: int, code: str, message: str) -> func.HttpResponse:
    return func.HttpResponse(json.dumps({"error": {"code": code, "message": message}}), status_code=status,
                             mimetype="application/json")


def _too_large(cap: int) -> func.HttpResponse:
    return _problem(413, "payloadTooLarge", f"the body is larger than the {cap:,} byte cap for this request")


class _Out(func.Out[Any]):
    def __init__(self) -> None:
        self.value: Any = None

    def set(self, val: Any) -> None:
        self.value = val

    def get(self) -> Any:
        return self.value


def _route_regex(template: str) -> re.Pattern[str]:
    """Functions route templates: `{name}`, `{name:int}`, `{name?}`, `{*rest}`."""
    parts: list[str] = []
    pos = 0
    for match in re.finditer(r"\{(\*?)([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+))?(\?)?\}", template):
        parts.append(re.escape(template[pos : match.start()]))
        star, name, constraint, optional = match.groups()
        body = ".*" if star else (r"-?\d+" if constraint == "int" else "[^/]+")
        parts.append(f"(?P<{name}>{body}){'?' if optional else ''}")
        pos = match.end()
    parts.append(re.escape(template[pos:]))
    return re.compile("^" + "".join(parts) + "/?$")


@dataclass
class _Function:
    name: str
    trigger: Any
    user_function: Callable[..., Any]
    trigger_arg: str
    outputs: dict[str, str]  # output argument name -> queue name


def _describe(fn: Any) -> _Function:
    bindings = json.loads(fn.get_function_json())["bindings"]
    trigger = fn.get_trigger()
    outputs = {
        b["name"]: b.get("queueName", "")
        for b in bindings
        if b.get("direction") == "OUT" and b.get("type") == "queue"
    }
    trigger_arg = next(b["name"] for b in bindings if b.get("type", "").endswith("Trigger"))
    return _Function(fn.get_function_name(), trigger, fn.get_user_function(), trigger_arg, outputs)


class LocalFunctionsHost:
    """Routes HTTP requests, fires timers and drains queues for one `func.FunctionApp`."""

    def __init__(self, app: func.FunctionApp, *, function_key: str | None = None, host_json: Path | None = None,
                 max_body_bytes: int = DEFAULT_MAX_BODY, max_json_bytes: int = JSON_MAX_BYTES):
        if function_key is not None and not function_key:
            raise ValueError("an empty function key would turn authentication off; give a key or none")
        self._key = function_key
        self._max_body, self._max_json = max_body_bytes, max_json_bytes
        prefix = "api"
        if host_json is not None and host_json.exists():
            http = json.loads(host_json.read_text()).get("extensions", {}).get("http", {})
            prefix = http.get("routePrefix", prefix)
        self._prefix = prefix.strip("/")
        self.http: list[tuple[re.Pattern[str], _Function]] = []
        self.timers: list[_Function] = []
        self.queues: dict[str, _Function] = {}
        for fn in app.get_functions():
            described = _describe(fn)
            kind = type(described.trigger).__name__
            if kind == "HttpTrigger":
                route = "/".join(p for p in (self._prefix, (described.trigger.route or described.name).strip("/")) if p)
                self.http.append((_route_regex(route), described))
            elif kind == "TimerTrigger":
                self.timers.append(described)
            elif kind == "QueueTrigger":
                self.queues[described.trigger.queue_name] = described
        self._pending: queue.Queue[tuple[str, str]] = queue.Queue()
        self._drain_lock = threading.Lock()

    # HTTP -----------------------------------------------------------------------------------------
    def admit(self, method: str, path: str, *, headers: Mapping[str, str], params: Mapping[str, str]
              ) -> func.HttpResponse | None:
        """The answer to give before any of the body is read (no route, no key, too large), or None.
        The key and the declared length are checked first, so a keyless upload is never read."""
        found = self._match(method, path)
        if found is None:
            return _problem(404, "notFound", f"no function serves {method} /{path.strip('/')}")
        if not self._authorised(found[0], headers, params):
            return _problem(401, "unauthorized", "a valid function key is required")
        lowered = {k.lower(): v for k, v in headers.items()}
        declared = lowered.get("content-length", "0")
        cap = self.body_cap(lowered.get("content-type", ""))
        if not declared.isdigit() or int(declared) > cap:
            return _too_large(cap)
        return None

    def body_cap(self, content_type: str) -> int:
        """JSON bodies are small; files may be up to the upload cap (IMPORT_MAX_MB)."""
        json_body = content_type.split(";")[0].strip().lower() == "application/json"
        return min(self._max_json, self._max_body) if json_body else self._max_body

    def handle(
        self, method: str, path: str, *, headers: Mapping[str, str], params: Mapping[str, str], body: bytes, url: str
    ) -> func.HttpResponse:
        refused = self.admit(method, path, headers={**headers, "content-length": str(len(body))}, params=params)
        found = self._match(method, path)
        if refused is not None or found is None:
            return refused or _problem(404, "notFound", f"no function serves {method} /{path.strip('/')}")
        fn, route_params = found
        request = func.HttpRequest(method.upper(), url, headers=dict(headers), params=dict(params),
                                   route_params=route_params, body=body)
        response = self._invoke(fn, request)
        self.drain()
        if not isinstance(response, func.HttpResponse):
            raise TypeError(f"function {fn.name} did not return an HttpResponse")
        return response

    def _match(self, method: str, path: str) -> tuple[_Function, dict[str, str]] | None:
        path = path.strip("/")
        for pattern, fn in self.http:
            match = pattern.match(path)
            if not match:
                continue
            methods = {str(getattr(m, "value", m)).upper() for m in (fn.trigger.methods or [])}
            if methods and method.upper() not in methods:
                continue
            return fn, {k: v for k, v in match.groupdict().items() if v is not None}
        return None

    def _authorised(self, fn: _Function, headers: Mapping[str, str], params: Mapping[str, str]) -> bool:
        level = str(getattr(fn.trigger.auth_level, "name", fn.trigger.auth_level)).upper()
        if self._key is None or level == "ANONYMOUS":
            return True
        lowered = {k.lower(): v for k, v in headers.items()}
        offered = lowered.get("x-functions-key") or params.get("code") or ""
        return hmac.compare_digest(offered.encode(), self._key.encode())

    # Timers and queues ----------------------------------------------------------------------------
    def fire_timer(self, name: str | None = None, *, past_due: bool = False) -> None:
        for fn in self.timers:
            if name is None or fn.name == name:
                self._invoke(fn, TimerRequest(past_due=past_due))
        self.drain()

    def enqueue(self, queue_name: str, body: str) -> None:
        self._pending.put((queue_name, body))

    def drain(self) -> int:
        """Deliver queued messages (including ones handlers add meanwhile); answers how many ran."""
        count = 0
        with self._drain_lock:
            while True:
                try:
                    queue_name, body = self._pending.get_nowait()
                except queue.Empty:
                    return count
                fn = self.queues.get(queue_name)
                if fn is None:
                    log.warning("no queue function listens on %s; message dropped", queue_name)
                    continue
                self._invoke(fn, func.QueueMessage(id=f"local-{count}", body=body.encode()))
                count += 1

    def _invoke(self, fn: _Function, trigger_value: Any) -> Any:
        outs = {name: _Out() for name in fn.outputs}
        result = fn.user_function(**{fn.trigger_arg: trigger_value}, **outs)
        for name, out in outs.items():
            value = out.get()
            for body in value if isinstance(value, list) else ([] if value is None else [value]):
                self.enqueue(fn.outputs[name], body if isinstance(body, str) else json.dumps(body))
        return result


def asgi_app(host: LocalFunctionsHost) -> Any:
    """A Starlette app that hands every request to the host (in a worker thread: handlers block)."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def endpoint(request: Request) -> Response:
        headers, params = dict(request.headers), dict(request.query_params)
        refused = host.admit(request.method, request.url.path, headers=headers, params=params)
        if refused is None:
            cap = host.body_cap(headers.get("content-type", ""))
            body = await _read_capped(request, cap)
            refused = _too_large(cap) if body is None else None
        if refused is not None:
            result = refused
        else:
            result = await run_in_threadpool(host.handle, request.method, request.url.path, headers=headers,
                                             params=params, body=body or b"", url=str(request.url))
        headers = dict(result.headers)
        headers.pop("Content-Type", None)
        if refused is not None and request.method not in ("GET", "HEAD"):
            headers["connection"] = "close"  # the unread rest of the body is not waited for
        media = result.mimetype or "text/plain"
        if result.charset and media.startswith(("text/", "application/json")):
            media = f"{media}; charset={result.charset}"
        return Response(result.get_body(), status_code=result.status_code, headers=headers, media_type=media)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    return Starlette(routes=[Route("/{path:path}", endpoint, methods=methods)])


async def _read_capped(request: Any, cap: int) -> bytes | None:
    """The body, streamed; None as soon as it passes `cap` (the rest is never read)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


class TimerLoop:
    """Fires every timer of the host on its NCRONTAB schedule, from a background thread."""

    def __init__(self, host: LocalFunctionsHost, now: Callable[[], datetime], resolve: Callable[[str], str]):
        self._host, self._now, self._resolve = host, now, resolve
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="timer-loop", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        from croniter import croniter

        schedules = {fn.name: self._resolve(str(fn.trigger.schedule)) for fn in self._host.timers}
        due = {name: croniter(s, self._now(), second_at_beginning=True).get_next(datetime)
               for name, s in schedules.items()}
        while not self._stop.wait(1.0):
            current = self._now()
            for name, when in list(due.items()):
                if current >= when:
                    try:
                        self._host.fire_timer(name, past_due=(current - when).total_seconds() > 60)
                    except Exception:
                        log.exception("timer %s failed", name)
                    due[name] = croniter(schedules[name], current, second_at_beginning=True).get_next(datetime)
