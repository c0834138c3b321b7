import pytest

from etl.urls import canonical_url, same_origin

KEY = "https://cssamerica.com/internal-customer-service-defined/"


@pytest.mark.parametrize(
    "spelling",
    [
        "https://cssamerica.com/internal-customer-service-defined/",
        "https://cssamerica.com/internal-customer-service-defined",
        "http://cssamerica.com/internal-customer-service-defined/",
        "HTTPS://CSSAmerica.com/internal-customer-service-defined/#respond",
        "https://cssamerica.com:443/internal-customer-service-defined/?utm_source=x&fbclid=1",
    ],
)
def test_every_spelling_of_one_post_has_one_key(spelling: str) -> None:
    assert canonical_url(spelling) == KEY


def test_key_is_pinned() -> None:
    # A silent change of the key would split the corpus: pin a literal.
    assert canonical_url("http://cssamerica.com/a-b-6-28-22-customer-service-tip?p=1#x") == (
        "https://cssamerica.com/a-b-6-28-22-customer-service-tip/?p=1"
    )


def test_files_keep_their_name_and_local_ports_are_kept() -> None:
    assert canonical_url("https://cssamerica.com/robots.txt") == "https://cssamerica.com/robots.txt"
    assert canonical_url("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080/x/"


def test_same_origin() -> None:
    assert same_origin("https://cssamerica.com/a/", "https://cssamerica.com")
    assert not same_origin("https://cssamerica.com.evil.net/", "https://cssamerica.com")
    assert not same_origin("http://127.0.0.1:9/", "http://127.0.0.1:8/")
