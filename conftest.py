import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


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
