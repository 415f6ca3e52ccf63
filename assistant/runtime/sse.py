"""Reading a server-sent-events stream of JSON objects (OpenAI-style streaming replies)."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from typing import Any

from creator_assistant.runtime.protocol import ModelError


def events(resp: http.client.HTTPResponse, cancel: threading.Event) -> Iterator[dict[str, Any]]:
    """Each `data:` event as a dict, until `[DONE]`, the end of the stream, or a cancel."""
    data: list[str] = []
    while True:
        try:
            raw = resp.readline()
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if cancel.is_set():  # we closed the connection ourselves
                return
            raise ModelError(f"the connection to the remote backend broke mid-reply ({exc})"
                             ) from None
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if raw and line.startswith(":"):  # a comment, such as a keep-alive ping
            continue
        if raw and line:
            field, _, value = line.partition(":")
            if field == "data":
                data.append(value[1:] if value.startswith(" ") else value)
            continue
        if data:  # a blank line (or the end) completes an event
            payload, data = "\n".join(data), []
            if payload.strip() == "[DONE]":
                return
            try:
                event = json.loads(payload)
            except ValueError:
                raise ModelError(f"the remote backend sent something that is not JSON: "
                                 f"{payload[:200]!r}") from None
            if isinstance(event, dict) and event.get("error"):
                error = event["error"]
                message = error.get("message", error) if isinstance(error, dict) else error
                raise ModelError(f"the remote backend failed mid-reply: {message}")
            yield event
        if not raw:
            return
