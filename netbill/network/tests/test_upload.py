"""Bulk upload of PPP profiles from xlsx and csv: all rows or none, every mistake named by
row and column."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from rest_framework.test import APIClient

from netbill.core.models import ActivityLog
from netbill.network import services, upload
from netbill.network.models import PppoeProfile

pytestmark = pytest.mark.django_db

TITLES = ["Name", "Local Address", "IPv4 pool", "IPv6 pool", "Rate limit", "DNS", "Only one"]


@pytest.fixture
def pools(world):
    return {
        "v4": services.pool_create(
            actor=world.admin, name="Home-A", version=4, ranges="10.20.0.0/24"
        ),
        "v6": services.pool_create(
            actor=world.admin, name="Home-6", version=6, ranges="2001:db8::/48"
        ),
    }


def xlsx(rows) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("profiles.xlsx", out.getvalue())


def csv_file(text, name="profiles.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode())


def upload_errors(world, file):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        upload.profiles_upload(actor=world.admin, upload=file)
    return exc.value.message_dict["file"]


def test_xlsx_rows_become_profiles(world, pools):
    file = xlsx(
        [
            TITLES,
            ["Home-10M", "10.20.0.1", "Home-A", "Home-6", "5M/10M", "8.8.8.8,1.1.1.1", "yes"],
            ["Office", None, "home-a", None, "20M", None, False],
            [None, None, None, None, None, None, None],  # empty rows are skipped
            ["Bare", None, None, None, None, None, None],
        ]
    )
    created = upload.profiles_upload(actor=world.admin, upload=file)
    assert [p.name for p in created] == ["Home-10M", "Office", "Bare"]
    home = PppoeProfile.objects.get(name="Home-10M")
    assert (
        str(home.local_address),
        home.pool_v4,
        home.pool_v6,
        home.rate_limit,
        home.dns_server,
        home.only_one,
    ) == ("10.20.0.1", pools["v4"], pools["v6"], "5M/10M", "8.8.8.8,1.1.1.1", True)
    office = PppoeProfile.objects.get(name="Office")
    assert (office.pool_v4, office.only_one) == (pools["v4"], False)
    assert PppoeProfile.objects.get(name="Bare").only_one is True
    assert ActivityLog.objects.filter(action="pppoe_profile.create").count() == 3


def test_csv_with_semicolons_and_other_column_spellings(world, pools):
    text = "profile;local-address;pool;rate-limit;only_one\nHome;10.20.0.1;Home-A;5M/10M;no\n"
    created = upload.profiles_upload(actor=world.admin, upload=csv_file("\ufeff" + text))
    assert [(p.name, p.pool_v4, p.only_one) for p in created] == [("Home", pools["v4"], False)]


def test_every_mistake_is_named_by_row_and_column_and_nothing_is_created(world, pools):
    services.profile_create(actor=world.admin, name="Existing")
    file = xlsx(
        [
            TITLES,
            ["Good", "10.20.0.1", "Home-A", None, "5M/10M", None, "yes"],
            ["Bad pool", None, "Nope", "Home-A", None, None, "yes"],
            [None, None, None, None, "1M/1M", None, "maybe"],
            ["Good", "300.1.1.1", None, None, "fast", "dns.example", None],
            ["Existing", None, None, None, None, None, None],
        ]
    )
    assert upload_errors(world, file) == [
        "Row 3, column “IPv4 pool”: there is no IPv4 pool for customers named “Nope”.",
        "Row 3, column “IPv6 pool”: there is no IPv6 pool for customers named “Home-A”.",
        "Row 4, column “Name”: give the profile name.",
        "Row 4, column “Only one”: write yes or no, not “maybe”.",
        "Row 5, column “Name”: “Good” is already on row 2.",
    ]
    assert list(PppoeProfile.objects.values_list("name", flat=True)) == ["Existing"]


def test_service_errors_come_back_with_row_and_column_and_roll_back(world, pools):
    file = xlsx(
        [
            TITLES,
            ["First", None, "Home-A", None, "5M/10M", None, None],
            ["Second", "300.1.1.1", None, None, "fast", "dns.example", None],
            ["Existing", None, None, None, None, None, None],
        ]
    )
    services.profile_create(actor=world.admin, name="Existing")
    errors = upload_errors(world, file)
    assert errors == [
        "Row 3, column “Local address”: Enter a valid IPv4 address.",
        "Row 3, column “Rate limit”: fast is not a MikroTik rate limit (e.g. 5M/10M or 512k/2M "
        "1M/4M).",
        "Row 3, column “DNS”: dns.example is not an IP address.",
        "Row 4, column “Name”: A PPPoE profile named “Existing” already exists.",
    ]
    # "First" was valid, but the file is all or nothing
    assert list(PppoeProfile.objects.values_list("name", flat=True)) == ["Existing"]
    assert not ActivityLog.objects.filter(action="pppoe_profile.create", after__name="First")


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (csv_file("nom,pool\nx,y\n"), "Column “nom” is not known."),
        (csv_file("pool,rate\nHome-A,5M\n"), "The first row must have a “name” column."),
        (csv_file("name,name\nx,y\n"), "Columns “name” and “name” are both “Name”."),
        (csv_file("name\n"), "The file has no profiles under its title row."),
        (csv_file(""), "The file is empty."),
        (SimpleUploadedFile("p.xls", b"\xd0\xcf\x11\xe0old"), "the old .xls is not read"),
        (SimpleUploadedFile("p.xlsx", b"PKnot really a zip"), "not an Excel (.xlsx) workbook"),
        (SimpleUploadedFile("p.csv", "name\nÄ\n".encode("latin-1")), "Save the CSV file as UTF-8"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(world, file, message):
    errors = upload_errors(world, file)
    assert message in errors[0]
    assert not PppoeProfile.objects.exists()


def test_upload_page_creates_profiles_or_lists_the_mistakes(client, world, pools):
    client.force_login(world.admin)
    assert client.get(reverse("network:profile_upload")).status_code == 200
    response = client.post(
        reverse("network:profile_upload"),
        {"file": csv_file("name,IPv4 pool\nHome,Nope\n")},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was created" in body
    assert "Row 2, column “IPv4 pool”: there is no IPv4 pool for customers named “Nope”." in body
    response = client.post(
        reverse("network:profile_upload"),
        {"file": csv_file("name,IPv4 pool\nHome,Home-A\nWork,Home-A\n")},
    )
    assert response.status_code == 302
    assert sorted(PppoeProfile.objects.values_list("name", flat=True)) == ["Home", "Work"]


def test_template_download_is_a_csv_the_upload_accepts(client, world, pools):
    client.force_login(world.admin)
    response = client.get(reverse("network:profile_upload_template"))
    assert response["Content-Type"].startswith("text/csv")
    created = upload.profiles_upload(actor=world.admin, upload=csv_file(response.content.decode()))
    assert [(p.name, p.pool_v4) for p in created] == [("Home-10M", pools["v4"])]


def test_upload_api_answers_201_with_the_profiles_or_400(world, pools):
    client = APIClient()
    client.force_authenticate(world.admin)
    response = client.post(
        "/api/v1/pppoe-profiles/upload/",
        {"file": csv_file("name,IPv4 pool\nHome,Home-A\n")},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert [p["name"] for p in response.json()["created"]] == ["Home"]
    response = client.post(
        "/api/v1/pppoe-profiles/upload/",
        {"file": csv_file("name,IPv4 pool\nHome,Home-A\n")},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json() == {
        "file": ["Row 2, column “Name”: A PPPoE profile named “Home” already exists."]
    }


def test_upload_without_the_key_is_refused(client, world, pools):
    client.force_login(world.noc)
    response = client.post(reverse("network:profile_upload"), {"file": csv_file("name\nHome\n")})
    assert response.status_code == 403
    assert not PppoeProfile.objects.exists()
