"""Downloading one file from the Hugging Face hub (or HF_ENDPOINT) through huggingface_hub,
resumable across runs: bytes go to a partial file that the next attempt continues with a Range."""

from __future__ import annotations

import inspect
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

Progress = Callable[[int, int], None]
DEFAULT_ENDPOINT = "https://huggingface.co"


class HubError(Exception):
    """The hub could not be reached or refused the file; the message says what to do."""


class DownloadInterrupted(HubError):
    """The transfer stopped part-way; what arrived is kept and the next pull resumes from it."""


class PullCancelled(HubError):
    """The caller cancelled the download; what arrived is kept for the next pull."""


class BadPartial(HubError):
    """What arrived cannot be trusted (wrong length, refused range); it must be discarded."""


def endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def offline() -> bool:
    value = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or ""
    return value.strip().upper() in {"1", "ON", "YES", "TRUE"}


def _network_errors() -> tuple[type[BaseException], ...]:
    found: list[type[BaseException]] = [OSError]
    for module, name in (("httpx2", "TransportError"), ("httpx", "TransportError"),
                         ("requests", "RequestException")):
        try:
            found.append(getattr(__import__(module), name))
        except (ImportError, AttributeError):
            pass
    return tuple(found)


def _quiet_hub() -> None:
    """No telemetry: huggingface_hub would otherwise fetch a registry to tag its user agent."""
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    from huggingface_hub import constants

    constants.HF_HUB_DISABLE_TELEMETRY = True


def metadata(repo: str, filename: str, revision: str, what: str) -> Any:
    """The hub's record of one file (etag, size, commit, download location), or a HubError."""
    _quiet_hub()
    from huggingface_hub import errors, get_hf_file_metadata, hf_hub_url

    base = endpoint()
    url = hf_hub_url(repo, filename, revision=revision, endpoint=base)
    try:
        return get_hf_file_metadata(url, endpoint=base)
    except errors.GatedRepoError:
        raise HubError(
            f"{what} is licence-gated: open {base}/{repo} while logged in, accept the licence, "
            "then log in here (`hf auth login`, or set HF_TOKEN) and pull again"
        ) from None
    except errors.RepositoryNotFoundError:
        raise HubError(f"{base} has no repository {repo!r} (or it is private and you are not "
                       "logged in); the catalogue entry may be out of date") from None
    except (errors.RevisionNotFoundError, errors.RemoteEntryNotFoundError):
        raise HubError(f"{base}/{repo} has no file {filename!r} at revision {revision!r}; "
                       "the catalogue entry may be out of date") from None
    except errors.HfHubHTTPError as exc:
        status = getattr(exc.response, "status_code", "?")
        raise HubError(f"{base} answered HTTP {status} for {filename}; try again later") from None
    except _network_errors() as exc:
        raise HubError(
            f"cannot reach {base} ({type(exc).__name__}: {exc}). Check the connection and pull "
            "again, or download the .gguf elsewhere and register it with `creator models add PATH`"
        ) from None


def _bar_class(progress: Progress | None, cancel: threading.Event | None, show: bool,
               label: str) -> type:
    from tqdm import tqdm

    class Bar(tqdm):  # huggingface_hub drives it; we relay each update and honour cancel
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.pop("name", None)
            kwargs.update(disable=not show, desc=label)
            super().__init__(*args, **kwargs)
            self.done = int(kwargs.get("initial") or 0)
            self.expected = int(kwargs.get("total") or 0)
            if progress is not None:
                progress(self.done, self.expected)

        def update(self, n: float | None = 1) -> bool | None:
            # Called before each chunk is written: cancelling here keeps the file consistent.
            if cancel is not None and cancel.is_set():
                raise PullCancelled("download cancelled; pull again to resume")
            self.done += int(n or 0)
            if progress is not None:
                progress(self.done, self.expected)
            return super().update(n)

    return Bar


def download(meta: Any, part: Path, size: int | None, label: str,
             progress: Progress | None = None, cancel: threading.Event | None = None,
             show_bar: bool = False) -> None:
    """Append the rest of the file to `part`, resuming from its current length."""
    from huggingface_hub import errors
    from huggingface_hub.file_download import http_get
    from huggingface_hub.utils import build_hf_headers

    headers = build_hf_headers()
    url = hf_url = meta.location
    if urlsplit(url).netloc != urlsplit(endpoint()).netloc:
        headers.pop("authorization", None)  # a signed CDN link: the token stays with the hub
    have = part.stat().st_size if part.exists() else 0
    bar = _bar_class(progress, cancel, show_bar, label)
    if "tqdm_class" in inspect.signature(http_get).parameters:
        extra: dict[str, Any] = {"tqdm_class": bar}
    else:  # huggingface_hub 1.x takes a ready-made bar
        extra = {"_tqdm_bar": bar(total=size, initial=have, unit="B", unit_scale=True)}
    try:
        with part.open("ab") as fh:
            http_get(hf_url, fh, resume_size=have, headers=headers, expected_size=size,
                     displayed_filename=label, **extra)
    except PullCancelled:
        raise
    except errors.HfHubHTTPError as exc:
        status = getattr(exc.response, "status_code", "?")
        kind = BadPartial if status == 416 else HubError
        raise kind(f"{endpoint()} answered HTTP {status} while sending {label}; "
                   "pull again") from None
    except _network_errors() as exc:
        got = part.stat().st_size if part.exists() else 0
        if isinstance(exc, OSError) and "Consistency check failed" in str(exc):
            raise BadPartial(f"the hub sent a different number of bytes than it announced for "
                             f"{label}; pull again") from None
        raise DownloadInterrupted(
            f"the download of {label} stopped at {got:,} of {size or 0:,} bytes "
            f"({type(exc).__name__}: {exc}). Pull again: it resumes from there"
        ) from None
