import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# A real FreeRADIUS for RADIUS tests: fixtures `freeradius_server` and `radius`.
pytest_plugins = ["netbill.radius.pytest_plugin"]


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.OUTBOX_DRAIN_ON_COMMIT = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db):
    from netbill.core.testing import make_world

    return make_world("Alpha Net")


@pytest.fixture
def other_world(db):
    from netbill.core.testing import make_world

    return make_world("Beta Net")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Drive Debian's Chromium (Playwright's own browser download is not available)."""
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(autouse=True, scope="session")
def _static_root():
    """Whitenoise warns on every request when STATIC_ROOT is missing (tests never collect)."""
    from django.conf import settings

    os.makedirs(settings.STATIC_ROOT, exist_ok=True)


@pytest.fixture(autouse=True)
def _reset_language():
    """LocaleMiddleware leaves a request's language active in the thread: reset it."""
    from django.utils import translation

    yield
    translation.deactivate()
