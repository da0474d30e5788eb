"""UCDP file downloads: URLs, checksum, resume, restart, size checks, release discovery."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date
from pathlib import Path

import pytest

from sahel.errors import ConfigError, NetworkError, NotFoundError
from sahel.events.clients.http import NO_NETWORK_HINT, RetryPolicy
from sahel.events.clients.ucdp_download import (
    download_ucdp,
    download_url,
    file_name,
    latest_versions,
    validate_version,
)
from sahel.settings import get_settings

from .fakes import FakeServer, Reply, StaticFile, closed_port_url

GED_PATH = "/downloads/ged/ged251-csv.zip"
CANDIDATE_PATH = "/downloads/candidateged/GEDEvent_v25_0_3.csv"


def _ged_zip() -> bytes:
    """A real zip (~300 KB, incompressible-ish) standing in for ged251-csv.zip."""
    rows = "".join(f"{i},{hashlib.sha256(str(i).encode()).hexdigest()}\n" for i in range(8000))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("GEDEvent_v25_1.csv", "id,relid\n" + rows)
    return buffer.getvalue()


GED_ZIP = _ged_zip()
CANDIDATE_CSV = b"id,relid,year\n" + b"".join(b"%d,X-%d,2025\n" % (i, i) for i in range(5000))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("kind", "version", "name"),
    [
        ("ged", "25.1", "ged251-csv.zip"),
        ("ged", "24.1", "ged241-csv.zip"),
        ("candidate", "25.0.3", "GEDEvent_v25_0_3.csv"),
        ("candidate", "24.0.12", "GEDEvent_v24_0_12.csv"),
    ],
)
def test_official_file_names(kind: str, version: str, name: str) -> None:
    assert file_name(kind, version) == name  # type: ignore[arg-type]


def test_urls_follow_ucdp_layout(fake_env: FakeServer) -> None:
    settings = get_settings()
    assert download_url("ged", "25.1", settings) == fake_env.url + GED_PATH
    assert download_url("candidate", "25.0.3", settings) == fake_env.url + CANDIDATE_PATH


@pytest.mark.parametrize(
    ("kind", "version", "expected"),
    [
        ("ged", "25", '"25.1"'),
        ("ged", "2025.1", '"25.1"'),
        ("ged", "25.0.3", '"25.1"'),
        ("candidate", "25.1", '"25.0.3"'),
        ("candidate", "25.0.13", '"25.0.3"'),
        ("candidate", "25_0_3", '"25.0.3"'),
    ],
)
def test_bad_versions_name_the_expected_form(kind: str, version: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        validate_version(kind, version)  # type: ignore[arg-type]
    assert expected in str(info.value)


def test_download_ged_happy_path(fake_env: FakeServer, tmp_path: Path) -> None:
    fake_env.route("GET", GED_PATH, StaticFile(GED_ZIP, "application/zip"))
    result = download_ucdp("ged", "25.1", tmp_path / "dl", settings=get_settings(), progress=False)
    assert result.path == tmp_path / "dl" / "ged251-csv.zip"
    assert result.path.read_bytes() == GED_ZIP
    assert result.sha256 == _sha(GED_ZIP)
    assert result.size == len(GED_ZIP)
    assert (result.kind, result.version, result.resumed) == ("ged", "25.1", False)
    assert result.url == fake_env.url + GED_PATH
    sidecar = result.path.with_name("ged251-csv.zip.sha256")
    assert sidecar.read_text() == f"{_sha(GED_ZIP)}  ged251-csv.zip\n"
    assert sorted(p.name for p in result.path.parent.iterdir()) == [
        "ged251-csv.zip",
        "ged251-csv.zip.sha256",
    ]
    assert "range" not in fake_env.calls("GET")[0].headers


def test_download_candidate_with_progress_bar(fake_env: FakeServer, tmp_path: Path) -> None:
    fake_env.route("GET", CANDIDATE_PATH, StaticFile(CANDIDATE_CSV, "text/csv"))
    result = download_ucdp("candidate", "25.0.3", tmp_path, settings=get_settings(), progress=True)
    assert result.path.name == "GEDEvent_v25_0_3.csv"
    assert result.sha256 == _sha(CANDIDATE_CSV)


def test_finished_download_is_not_fetched_again(fake_env: FakeServer, tmp_path: Path) -> None:
    fake_env.route("GET", CANDIDATE_PATH, StaticFile(CANDIDATE_CSV, "text/csv"))
    settings = get_settings()
    first = download_ucdp("candidate", "25.0.3", tmp_path, settings=settings, progress=False)
    again = download_ucdp("candidate", "25.0.3", tmp_path, settings=settings, progress=False)
    assert again == first
    assert len(fake_env.calls()) == 1
    download_ucdp("candidate", "25.0.3", tmp_path, settings=settings, progress=False, force=True)
    assert len(fake_env.calls()) == 2


def test_interrupted_transfer_resumes_with_range(
    fake_env: FakeServer, tmp_path: Path, retry: RetryPolicy
) -> None:
    cut = 100_000
    fake_env.route("GET", GED_PATH, StaticFile(GED_ZIP, "application/zip", cut_first=cut))
    result = download_ucdp(
        "ged", "25.1", tmp_path, settings=get_settings(), progress=False, retry=retry
    )
    first, second = fake_env.calls("GET")
    assert "range" not in first.headers
    assert second.headers["range"] == f"bytes={cut}-"
    assert result.resumed is True
    assert result.path.read_bytes() == GED_ZIP
    assert result.sha256 == _sha(GED_ZIP)
    assert not result.path.with_name("ged251-csv.zip.part").exists()


def test_a_later_run_resumes_from_the_part_file(fake_env: FakeServer, tmp_path: Path) -> None:
    cut = 123_457
    fake_env.route("GET", GED_PATH, StaticFile(GED_ZIP, "application/zip", cut_first=cut))
    settings = get_settings()
    once = RetryPolicy(attempts=1, sleep=lambda _s: None)
    with pytest.raises(NetworkError, match="broke") as info:
        download_ucdp("ged", "25.1", tmp_path, settings=settings, progress=False, retry=once)
    assert "resume" in (info.value.hint or "")
    part = tmp_path / "ged251-csv.zip.part"
    assert part.read_bytes() == GED_ZIP[:cut]
    assert not (tmp_path / "ged251-csv.zip").exists()

    result = download_ucdp("ged", "25.1", tmp_path, settings=settings, progress=False, retry=once)
    assert fake_env.calls("GET")[-1].headers["range"] == f"bytes={cut}-"
    assert result.resumed is True
    assert result.sha256 == _sha(GED_ZIP)


def test_server_answering_200_to_a_range_restarts_from_zero(
    fake_env: FakeServer, tmp_path: Path
) -> None:
    fake_env.route("GET", CANDIDATE_PATH, StaticFile(CANDIDATE_CSV, "text/csv", honour_range=False))
    (tmp_path / "GEDEvent_v25_0_3.csv.part").write_bytes(b"stale bytes from another version")
    result = download_ucdp("candidate", "25.0.3", tmp_path, settings=get_settings(), progress=False)
    assert fake_env.calls("GET")[0].headers["range"] == "bytes=32-"
    assert result.resumed is False
    assert result.path.read_bytes() == CANDIDATE_CSV
    assert result.sha256 == _sha(CANDIDATE_CSV)


def test_part_file_already_complete_is_finished_on_416(
    fake_env: FakeServer, tmp_path: Path
) -> None:
    fake_env.route("GET", CANDIDATE_PATH, StaticFile(CANDIDATE_CSV, "text/csv"))
    (tmp_path / "GEDEvent_v25_0_3.csv.part").write_bytes(CANDIDATE_CSV)
    result = download_ucdp("candidate", "25.0.3", tmp_path, settings=get_settings(), progress=False)
    assert result.resumed is True
    assert result.sha256 == _sha(CANDIDATE_CSV)


def test_size_mismatch_is_an_error_and_discards_the_part(
    fake_env: FakeServer, tmp_path: Path
) -> None:
    lying = StaticFile(CANDIDATE_CSV, "text/csv", announce_total=len(CANDIDATE_CSV) + 10)
    fake_env.route("GET", CANDIDATE_PATH, lying)
    part = tmp_path / "GEDEvent_v25_0_3.csv.part"
    part.write_bytes(CANDIDATE_CSV[:1000])
    with pytest.raises(NetworkError, match="size mismatch") as info:
        download_ucdp("candidate", "25.0.3", tmp_path, settings=get_settings(), progress=False)
    assert f"the server announced {len(CANDIDATE_CSV) + 10}" in str(info.value)
    assert not part.exists()
    assert not (tmp_path / "GEDEvent_v25_0_3.csv").exists()


def test_dest_must_be_a_folder(fake_env: FakeServer, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match="is a file"):
        download_ucdp("ged", "25.1", tmp_path / "file", settings=get_settings(), progress=False)


def test_missing_release_is_not_found(fake_env: FakeServer, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="no candidate file"):
        download_ucdp("candidate", "25.0.3", tmp_path, settings=get_settings(), progress=False)


def test_html_page_is_not_saved_as_data(fake_env: FakeServer, tmp_path: Path) -> None:
    page = b"<!DOCTYPE html><html><body>Downloads</body></html>"
    fake_env.route("GET", CANDIDATE_PATH, Reply(200, page, {"Content-Type": "text/html"}))
    dest = tmp_path / "dl"
    with pytest.raises(NetworkError, match="web page"):
        download_ucdp("candidate", "25.0.3", dest, settings=get_settings(), progress=False)
    assert list(dest.iterdir()) == []


def test_ged_download_that_is_not_a_zip_is_refused(fake_env: FakeServer, tmp_path: Path) -> None:
    fake_env.route("GET", GED_PATH, StaticFile(b"id,relid\n1,a\n", "application/zip"))
    with pytest.raises(NetworkError, match="zip"):
        download_ucdp("ged", "25.1", tmp_path, settings=get_settings(), progress=False)
    assert list(tmp_path.iterdir()) == []


def test_missing_network_gives_the_from_hint(
    sahel_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAHEL_UCDP_DOWNLOAD_URL", closed_port_url() + "/downloads")
    settings = get_settings()
    with pytest.raises(NetworkError) as info:
        download_ucdp("ged", "25.1", tmp_path, settings=settings, progress=False)
    assert info.value.hint == NO_NETWORK_HINT
    assert "pass `--from DIR`" in str(info.value)
    with pytest.raises(NetworkError) as probe:
        latest_versions(settings, date(2025, 8, 1))
    assert probe.value.hint == NO_NETWORK_HINT


def _publish(fake: FakeServer, paths: list[str]) -> None:
    for path in paths:
        fake.route("GET", path, StaticFile(b"x", "application/octet-stream"))


def test_latest_versions_probes_newest_first(fake_env: FakeServer) -> None:
    _publish(
        fake_env,
        [
            "/downloads/ged/ged241-csv.zip",
            "/downloads/ged/ged251-csv.zip",
            "/downloads/candidateged/GEDEvent_v25_0_5.csv",
            "/downloads/candidateged/GEDEvent_v25_0_6.csv",
        ],
    )
    assert latest_versions(get_settings(), date(2025, 8, 15)) == ("25.1", "25.0.6")
    probed = [(r.method, r.path.rsplit("/", 1)[1]) for r in fake_env.calls()]
    assert probed == [
        ("HEAD", "ged251-csv.zip"),
        ("HEAD", "GEDEvent_v25_0_8.csv"),
        ("HEAD", "GEDEvent_v25_0_7.csv"),
        ("HEAD", "GEDEvent_v25_0_6.csv"),
    ]


def test_latest_versions_crosses_the_year_boundary(fake_env: FakeServer) -> None:
    _publish(
        fake_env,
        ["/downloads/ged/ged251-csv.zip", "/downloads/candidateged/GEDEvent_v25_0_11.csv"],
    )
    assert latest_versions(get_settings(), date(2026, 2, 10)) == ("25.1", "25.0.11")
    probed = [r.path.rsplit("/", 1)[1] for r in fake_env.calls()]
    assert probed[:2] == ["ged261-csv.zip", "ged251-csv.zip"]
    assert probed[2:] == [
        "GEDEvent_v26_0_2.csv",
        "GEDEvent_v26_0_1.csv",
        "GEDEvent_v25_0_12.csv",
        "GEDEvent_v25_0_11.csv",
    ]


def test_latest_versions_ignores_html_answers_and_is_bounded(fake_env: FakeServer) -> None:
    # a site that answers every missing file with a 200 HTML page
    fake_env.route(
        "GET",
        "/downloads/ged/ged251-csv.zip",
        Reply(200, b"<html/>", {"Content-Type": "text/html"}),
    )
    with pytest.raises(NotFoundError, match="no UCDP ged release"):
        latest_versions(get_settings(), date(2025, 8, 15))
    assert len(fake_env.calls()) == 3
    _publish(fake_env, ["/downloads/ged/ged231-csv.zip"])
    with pytest.raises(NotFoundError, match="no UCDP candidate release"):
        latest_versions(get_settings(), date(2025, 8, 15))
    assert len(fake_env.calls()) == 3 + 3 + 14
