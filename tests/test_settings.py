"""Production settings: refuse to start half-configured, and pass check --deploy."""

import subprocess
import sys
from pathlib import Path

from .factories import subprocess_env

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 20 + "production-secret-for-tests-0123456789-abcdefghij",
    "ALLOWED_HOSTS": "smartcity.kutaitimurkab.go.id",
}


def manage(*args, **env):
    full_env = subprocess_env(drop={"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}, **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_under_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    env = dict(PRODUCTION_ENV)
    del env["SECRET_KEY"]
    result = manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_refuses_to_start_without_allowed_hosts_when_debug_is_off():
    env = dict(PRODUCTION_ENV)
    del env["ALLOWED_HOSTS"]
    result = manage("check", **env)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_a_wrong_boolean_fails_loudly():
    result = manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_seed_demo_refuses_to_run_in_production():
    result = manage("seed_demo", **PRODUCTION_ENV, DATABASE_URL="sqlite:////tmp/never-created.sqlite3")
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_a_wrong_proxy_count_fails_loudly():
    result = manage("check", BEHIND_PROXY="1", PROXY_TRUSTED_IPS="127.0.0.1", PROXY_COUNT="0")
    assert result.returncode != 0
    assert "PROXY_COUNT" in result.stderr


def test_production_with_the_rq_queue_passes_check_deploy():
    env = dict(PRODUCTION_ENV, TASKS_BACKEND="rq", REDIS_URL="redis://127.0.0.1:6379/14")
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_rq_queue_without_redis_fails_loudly():
    result = manage("check", TASKS_BACKEND="rq", REDIS_URL="")
    assert result.returncode != 0
    assert "TASKS_BACKEND=rq needs REDIS_URL" in result.stderr


def test_an_unknown_queue_fails_loudly():
    result = manage("check", TASKS_BACKEND="celery")
    assert result.returncode != 0
    assert "TASKS_BACKEND must be database, rq or immediate" in result.stderr


def test_behind_the_proxy_without_trusted_proxy_addresses_it_refuses_to_start():
    result = manage("check", **PRODUCTION_ENV, BEHIND_PROXY="1")
    assert result.returncode != 0
    assert "BEHIND_PROXY=1 needs PROXY_TRUSTED_IPS" in result.stderr


def test_behind_a_named_proxy_check_deploy_is_clean():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION_ENV,
        BEHIND_PROXY="1",
        PROXY_TRUSTED_IPS="127.0.0.1",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_warns_when_every_address_is_a_trusted_proxy():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION_ENV,
        BEHIND_PROXY="1",
        PROXY_TRUSTED_IPS="0.0.0.0/0",
    )
    assert result.returncode != 0
    assert "smartcity.W001" in result.stdout + result.stderr
