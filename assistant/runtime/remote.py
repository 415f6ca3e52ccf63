"""The remote backend: any OpenAI-compatible server (llama.cpp's, vLLM, Ollama) over HTTP.

Same interface as LocalBackend: load, stream, count_tokens, cancel, close, last_usage. Replies
stream as server-sent events; cancel closes the connection, which stops the server's generation.
Token counts say where they came from (Usage.counted_by): the server's own usage report when it
sends one, else the server's tokenizer when it exposes one, else an estimate, labelled as such.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Generator
from typing import Any
from urllib.parse import urlsplit

from creator_assistant.config import RemoteConfig
from creator_assistant.runtime.protocol import (
    ContextOverflow,
    GenerateRequest,
    LoadInfo,
    ModelError,
    Usage,
    held_elsewhere,
)

TEMPLATE_TOKENS = 8  # per message, for role markers, when the server can't apply its template


class RemoteBackend:
    """One model on one OpenAI-compatible server. Thread-safe: one request at a time."""

    kind = "remote"

    def __init__(self, base_url: str, model: str | None = None, api_key: str | None = None,
                 timeout_s: float = 600.0, context: int = 8192, name: str = "remote") -> None:
        parts = urlsplit(base_url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ModelError(f"remote {name!r}: base_url {base_url!r} must be http(s)://host[:port]")
        self.name, self.model, self.api_key, self.timeout_s = name, model, api_key, timeout_s
        self.scheme, self.host, self.port = parts.scheme, parts.hostname, parts.port
        path = parts.path
        self.root = path[: -len("/v1")] if path.endswith("/v1") else path
        self.base_url = base_url
        self.n_ctx = context
        self.info: LoadInfo | None = None
        self.last_usage: Usage | None = None
        self.counter = "estimate: UTF-8 bytes / 3"
        self._cancel = threading.Event()
        self._conn: http.client.HTTPConnection | None = None
        self._lock = threading.RLock()

    @property
    def model_id(self) -> str:
        return f"{self.name}/{self.model or 'default'}"

    @property
    def busy(self) -> bool:
        return held_elsewhere(self._lock)

    @property
    def sizes_key(self) -> str:
        return ""  # its counts are estimates or the server's: not worth keeping

    def token_sizes(self, texts: list[str]) -> list[int]:
        """Rough sizes: a server has no cheap tokenizer, and only where a long conversation is
        cut depends on them (the final prompt is counted by the server)."""
        return [len(t.encode("utf-8")) // 3 + 1 for t in texts]

    # -- HTTP ---------------------------------------------------------------------------------

    def _connect(self, timeout: float) -> http.client.HTTPConnection:
        cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        return cls(self.host, self.port, timeout=timeout)

    def _request(self, method: str, path: str, body: Any = None,
                 timeout: float | None = None) -> tuple[http.client.HTTPConnection,
                                                        http.client.HTTPResponse]:
        conn = self._connect(timeout or self.timeout_s)
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        try:
            conn.request(method, self.root + path,
                         json.dumps(body) if body is not None else None, headers)
            return conn, conn.getresponse()
        except OSError as exc:
            conn.close()
            raise ModelError(f"cannot reach the remote backend {self.name!r} at {self.base_url} "
                             f"({exc}); is the server running?") from None

    def _json(self, method: str, path: str, body: Any = None, timeout: float | None = None) -> Any:
        conn, resp = self._request(method, path, body, timeout)
        try:
            data = resp.read()
            if resp.status >= 400:
                raise self._http_error(resp.status, data)
            return json.loads(data)
        finally:
            conn.close()

    def _http_error(self, status: int, data: bytes) -> ModelError:
        try:
            detail = json.loads(data)
            detail = detail.get("error", detail)
            message = detail.get("message") or detail.get("detail") or json.dumps(detail)
        except (ValueError, AttributeError):
            message = data.decode("utf-8", "replace")[:300]
        if "context" in str(message).lower() and ("exceed" in str(message).lower()
                                                  or "window" in str(message).lower()):
            return ContextOverflow(f"{self.name}: {message}")
        return ModelError(f"the remote backend {self.name!r} answered HTTP {status}: {message}")

    # -- the backend interface ----------------------------------------------------------------

    def load(self) -> LoadInfo:
        """Check the server answers and serves the model; probe how it can count tokens."""
        with self._lock:
            if self.info is not None:
                return self.info
            start = time.perf_counter()
            listing = self._json("GET", "/v1/models", timeout=min(self.timeout_s, 30))
            served = [m.get("id") for m in listing.get("data", [])]
            if self.model is None and served:
                self.model = served[0]
            elif self.model not in served and served:
                raise ModelError(f"the remote backend {self.name!r} does not serve "
                                 f"{self.model!r}; it serves {', '.join(map(str, served))}")
            self.counter = self._probe_counter()
            self.info = LoadInfo(path=self.base_url, n_ctx=self.n_ctx, n_ctx_train=0, n_vocab=0,
                                 load_ms=(time.perf_counter() - start) * 1000,
                                 has_chat_template=True, architecture="remote")
            return self.info

    def _probe_counter(self) -> str:
        probe = [{"role": "user", "content": "hi"}]
        for label in ("server tokenizer and template", "server tokenizer + template estimate"):
            try:
                self._count(probe, label)
                return label
            except ModelError:
                continue
        return "estimate: UTF-8 bytes / 3"

    def _count(self, messages: list[dict[str, str]], how: str) -> int:
        if how == "server tokenizer and template":  # llama.cpp's own server
            prompt = self._json("POST", "/apply-template", {"messages": messages})["prompt"]
            tokens = self._json("POST", "/tokenize", {"content": prompt, "parse_special": True})
            return len(tokens["tokens"])
        if how == "server tokenizer + template estimate":  # llama-cpp-python's server
            text = "\n".join(m["content"] for m in messages)
            body = {"input": text, "model": self.model}
            count = self._json("POST", "/extras/tokenize/count", body)["count"]
            return int(count) + TEMPLATE_TOKENS * len(messages)
        return sum(len(m["content"].encode()) // 3 + TEMPLATE_TOKENS for m in messages)

    def count_tokens(self, messages: list[dict[str, str]]) -> int:
        """Prompt tokens, counted as `counter` says (exact only with llama.cpp's server)."""
        with self._lock:
            self.load()
            return self._count(messages, self.counter)

    def cancel(self) -> None:
        """Stop the running reply: close its connection (the server stops generating)."""
        self._cancel.set()
        conn = self._conn
        sock = conn.sock if conn is not None else None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self) -> None:
        self.cancel()
        self.info = None

    def stream(self, request: GenerateRequest) -> Generator[str, None, None]:
        """Yield the reply's text as it arrives; `last_usage` holds usage once it ends."""
        with self._lock:
            self.load()
            self._cancel.clear()
            self.last_usage = None
            prompt_tokens = self._count(request.messages, self.counter)
            if prompt_tokens + 1 > self.n_ctx:
                raise ContextOverflow(f"prompt is {prompt_tokens} tokens, the context window is "
                                      f"{self.n_ctx}")
            yield from self._stream(request, prompt_tokens)

    def _stream(self, request: GenerateRequest, prompt_tokens: int) -> Generator[str, None, None]:
        from creator_assistant.runtime.sse import events

        body: dict[str, Any] = {
            "model": self.model, "messages": request.messages, "stream": True,
            "stream_options": {"include_usage": True},
            "temperature": request.temperature, "top_p": request.top_p,
            "max_tokens": request.max_tokens, "top_k": request.top_k, "min_p": request.min_p,
            "repeat_penalty": request.repeat_penalty,
        }
        if request.seed is not None:
            body["seed"] = request.seed
        if request.stop:
            body["stop"] = request.stop
        if request.grammar:
            body["grammar"] = request.grammar
        start = time.perf_counter()
        conn, resp = self._request("POST", "/v1/chat/completions", body)
        self._conn = conn
        chunks, first, finish, reported = 0, 0.0, "", None
        try:
            if resp.status >= 400:
                raise self._http_error(resp.status, resp.read())
            for event in events(resp, self._cancel):
                if event.get("usage"):
                    reported = event["usage"]
                for choice in event.get("choices") or []:
                    piece = (choice.get("delta") or {}).get("content")
                    if piece and not self._cancel.is_set():
                        first = first or time.perf_counter()
                        chunks += 1
                        yield piece
                    finish = choice.get("finish_reason") or finish
                if self._cancel.is_set():
                    break
            if self._cancel.is_set():
                finish = "cancelled"
            elif not finish:
                raise ModelError(f"the remote backend {self.name!r} ended the reply without "
                                 "finishing it; see the server's log")
        finally:
            self._conn = None
            conn.close()
        end = time.perf_counter()
        if reported:
            counted = "server usage report"
            prompt_tokens = int(reported.get("prompt_tokens", prompt_tokens))
            chunks = int(reported.get("completion_tokens", chunks))
        else:
            counted = f"prompt: {self.counter}; completion: streamed chunks (an estimate)"
        gen_s = end - first if first else 0.0
        self.last_usage = Usage(
            prompt_tokens=prompt_tokens, completion_tokens=chunks,
            ttft_ms=((first or end) - start) * 1000,
            tokens_per_s=(chunks - 1) / gen_s if chunks > 1 and gen_s > 0 else 0.0,
            total_ms=(end - start) * 1000, finish_reason=finish, counted_by=counted,
        )


def from_config(name: str, config: RemoteConfig) -> RemoteBackend:
    """A RemoteBackend from a `[remotes.NAME]` config entry."""
    return RemoteBackend(config.base_url, model=config.model, api_key=config.api_key,
                         timeout_s=config.timeout_s, context=config.context, name=name)
