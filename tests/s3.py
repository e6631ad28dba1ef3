"""A real S3-compatible server for the tests: moto's standalone server (from requirements-dev.txt),
started once per test process on a free port, and a fresh private bucket per test that the app's
file storage points to (as S3_BUCKET does in production, see smartcity/settings.py)."""

import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import pytest

CREDENTIALS = {"aws_access_key_id": "smartcity-test", "aws_secret_access_key": "smartcity-test-secret"}
REGION = "us-east-1"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """The endpoint URL of a moto server running for this test process."""
    port = _free_port()
    command = [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"moto_server did not start on {endpoint}")
            time.sleep(0.1)
    yield endpoint
    server.terminate()
    server.wait(timeout=10)


def s3_client(endpoint):
    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION, **CREDENTIALS)


@pytest.fixture
def s3_bucket(s3_server, settings):
    """A new private bucket, and the app's default storage pointed at it (what S3_BUCKET sets up)."""
    name = f"smartcity-{uuid.uuid4().hex[:12]}"
    s3_client(s3_server).create_bucket(Bucket=name)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": name,
                "endpoint_url": s3_server,
                "region_name": REGION,
                "access_key": CREDENTIALS["aws_access_key_id"],
                "secret_key": CREDENTIALS["aws_secret_access_key"],
                "default_acl": None,
                "file_overwrite": False,
                "max_memory_size": 1024 * 1024,
            },
        },
    }
    return name


def bucket_keys(endpoint, bucket):
    """The object names in the bucket."""
    listing = s3_client(endpoint).list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))
