"""Real servers for the production tests (tests/test_production_*.py): a tiny HTTP client with a
cookie jar, free ports, waiting for gunicorn, a Redis of a test's own, and skipping (failing under
CI) when a service the test needs is not running."""

import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
import redis

ROOT = Path(__file__).resolve().parent.parent


def require(service, check):
    try:
        check()
    except Exception as error:  # noqa: BLE001 - any failure means the service is not there
        message = f"{service} is not reachable ({error}); start it as README explains."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def csrf_token(html):
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1).decode()


# A test's `manage.py shell -c` reads and writes every region, as the test's own code does
# (tests/conftest.py): it is the test's hand, not a request of one region.
EVERY_REGION = "from django_scopes.state import state as _scopes; _scopes.set({'_enabled': False})\n"


def manage(env, *args, timeout=300):
    """Run `manage.py *args` in a process of its own with `env`, as an installer would; its output."""
    if args and args[0] == "shell" and "-c" in args:
        code = args.index("-c") + 1
        args = (*args[:code], EVERY_REGION + args[code], *args[code + 1 :])
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def manage_production(env, *args):
    """`manage` with production settings (DEBUG off), as the app servers under test run."""
    return manage(dict(env, DEBUG="0", ALLOWED_HOSTS="127.0.0.1"), *args)


class Browser:
    """A tiny HTTP client with a cookie jar, like a user's browser (shared across servers)."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def request(self, url, data=None, headers=None, files=None):
        """GET, or POST `data` (form-encoded; multipart when `files` {name: (filename, bytes)} is given)."""
        headers = dict(headers or {})
        if files:
            body, headers["Content-Type"] = multipart(data or {}, files)
        else:
            body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, headers=headers)
        try:
            response = self.opener.open(req, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        return response.status, dict(response.headers), response.read()

    def log_in(self, base, username, password):
        _, _, html = self.request(base + "/akun/masuk/")
        return self.request(
            base + "/akun/masuk/",
            {"csrfmiddlewaretoken": csrf_token(html), "username": username, "password": password},
            {"Referer": base + "/akun/masuk/"},
        )


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def wait_until_up(base, process, log_path, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited early:\n{Path(log_path).read_text()}")
        try:
            urllib.request.urlopen(base + "/akun/masuk/", timeout=2)
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.5)
    pytest.fail(f"gunicorn did not start in {timeout}s:\n{Path(log_path).read_text()}")


class OwnRedis:
    """A redis-server of a test's own on a free port, without persistence: killing it loses its data.
    Never the shared one on 6379, which other tests and checkouts use."""

    @staticmethod
    def installed():
        """For require(): the redis-server program is there."""
        if shutil.which("redis-server") is None:
            raise FileNotFoundError("redis-server is not installed")

    def __init__(self, folder):
        self.port = free_port()
        self.log = folder / "redis.log"
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self):
        return redis.Redis(port=self.port, socket_timeout=2)

    def start(self):
        if self.process is not None:
            return
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--daemonize", "no"]
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=log)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client().ping()
                return
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not start:\n{self.log.read_text()}")
                time.sleep(0.05)

    def kill(self):
        if self.process is None:
            return
        self.process.kill()
        self.process.wait(timeout=10)
        self.process = None

    def session_keys(self):
        return self.client().keys("*django.contrib.sessions*")

    def pause(self):
        """SIGSTOP: the port still accepts connections, nothing answers (a hung Redis)."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)
