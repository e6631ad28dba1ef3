"""The client's address behind the reverse proxy (smartcity/client_ip.py) and the deploy check on
the proxy settings (smartcity/checks.py): a forwarded address is believed only from a named proxy."""

import pytest
from django.test import RequestFactory

from smartcity import checks
from smartcity.client_ip import client_ip


def request_from(peer, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=peer, **headers)


@pytest.fixture
def behind_proxy(settings):
    settings.BEHIND_PROXY = True
    settings.PROXY_TRUSTED_IPS = ["10.0.0.2", "10.0.1.0/24"]
    settings.PROXY_COUNT = 1
    return settings


def test_without_the_proxy_the_forwarded_address_is_ignored(settings):
    settings.BEHIND_PROXY = False
    assert client_ip(request_from("203.0.113.9", "198.51.100.7")) == "203.0.113.9"


def test_behind_the_proxy_with_no_trusted_address_no_peer_is_believed(settings):
    settings.BEHIND_PROXY = True
    settings.PROXY_TRUSTED_IPS = []
    assert client_ip(request_from("203.0.113.9", "198.51.100.7")) == "203.0.113.9"
    assert client_ip(request_from("127.0.0.1", "198.51.100.7")) == "127.0.0.1"


def test_the_address_the_trusted_proxy_saw_is_the_clients(behind_proxy):
    assert client_ip(request_from("10.0.0.2", "198.51.100.7")) == "198.51.100.7"
    assert client_ip(request_from("10.0.1.77", "198.51.100.7")) == "198.51.100.7"


def test_a_peer_that_is_not_the_proxy_keeps_its_own_address(behind_proxy):
    assert client_ip(request_from("203.0.113.9", "198.51.100.7")) == "203.0.113.9"


def test_what_the_client_wrote_in_front_of_the_proxys_entry_is_ignored(behind_proxy):
    assert client_ip(request_from("10.0.0.2", "192.0.2.1, 198.51.100.7")) == "198.51.100.7"


def test_with_two_proxies_the_client_is_the_second_entry_from_the_right(behind_proxy):
    behind_proxy.PROXY_COUNT = 2
    assert client_ip(request_from("10.0.0.2", "192.0.2.1, 198.51.100.7, 10.0.0.5")) == "198.51.100.7"
    assert client_ip(request_from("10.0.0.2", "10.0.0.5")) == "10.0.0.2"  # too short: the peer


def test_a_header_that_is_not_an_address_leaves_the_peer(behind_proxy):
    assert client_ip(request_from("10.0.0.2", "<script>")) == "10.0.0.2"
    assert client_ip(request_from("10.0.0.2")) == "10.0.0.2"


def test_an_ipv4_proxy_seen_through_an_ipv6_socket_is_still_the_proxy(behind_proxy):
    assert client_ip(request_from("::ffff:10.0.0.2", "198.51.100.7")) == "198.51.100.7"


# --- check --deploy ------------------------------------------------------------------------------


def issue_ids(settings_changes, settings):
    for name, value in settings_changes.items():
        setattr(settings, name, value)
    return [message.id for message in checks.proxy_settings(None)]


def test_the_check_is_silent_behind_a_named_proxy(settings):
    assert issue_ids({"BEHIND_PROXY": True, "PROXY_TRUSTED_IPS": ["127.0.0.1"]}, settings) == []
    assert issue_ids({"BEHIND_PROXY": False, "PROXY_TRUSTED_IPS": []}, settings) == []


def test_the_check_refuses_a_proxy_with_no_trusted_address(settings):
    assert issue_ids({"BEHIND_PROXY": True, "PROXY_TRUSTED_IPS": []}, settings) == ["smartcity.E001"]


def test_the_check_warns_when_the_whole_internet_is_trusted(settings):
    ids = issue_ids({"BEHIND_PROXY": True, "PROXY_TRUSTED_IPS": ["10.0.0.0/8", "0.0.0.0/0"]}, settings)
    assert ids == ["smartcity.W001"]
    assert issue_ids({"BEHIND_PROXY": True, "PROXY_TRUSTED_IPS": ["::/0"]}, settings) == ["smartcity.W001"]


def test_the_check_warns_when_trusted_addresses_are_set_but_the_proxy_is_off(settings):
    assert issue_ids({"BEHIND_PROXY": False, "PROXY_TRUSTED_IPS": ["127.0.0.1"]}, settings) == ["smartcity.W002"]
