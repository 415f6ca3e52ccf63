"""The suite itself proves no connection leaves 127.0.0.1."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest


def test_guard_refuses_outside_addresses_in_this_process():
    with pytest.raises(OSError, match="network guard"):
        socket.create_connection(("huggingface.co", 443), timeout=1)


def test_guard_is_loaded_in_child_processes():
    code = "import socket; socket.getaddrinfo('example.org', 80)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode != 0 and "network guard" in proc.stderr


def test_loopback_is_allowed():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    client = socket.create_connection(server.getsockname(), timeout=2)
    client.close()
    server.close()
