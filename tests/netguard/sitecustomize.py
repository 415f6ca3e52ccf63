"""Loaded by every Python process the tests start (via PYTHONPATH): block any connection that
leaves 127.0.0.1, so the suite proves the product makes none."""

import ipaddress
import os
import socket

LOG = os.environ.get("CREATOR_NETGUARD_LOG")


class NetworkBlocked(OSError):
    pass


def _local(host) -> bool:
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _refuse(host) -> None:
    if LOG:
        with open(LOG, "a") as fh:
            fh.write(f"{os.getpid()} {host}\n")
    raise NetworkBlocked(f"test network guard: connection to {host!r} refused (not 127.0.0.1)")


_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_getaddrinfo = socket.getaddrinfo


def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _local(address[0]):
        _refuse(address[0])
    return _connect(self, address)


def connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _local(address[0]):
        _refuse(address[0])
    return _connect_ex(self, address)


def getaddrinfo(host, *args, **kwargs):
    if isinstance(host, bytes):
        host = host.decode()
    if not _local(host):
        _refuse(host)
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.getaddrinfo = getaddrinfo
