"""Evidence: a declaration and its files are saved together or not at all; a per-unit
quota; the request body limit before reading; no macros; SHA-256 checked on download."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from kaohe.audit.models import AuditEvent
from kaohe.web.middleware import BodyLimitMiddleware
from kaohe.yearend import evidence as files
from kaohe.yearend.models import Declaration, Evidence
from kaohe.yearend.services import EvidenceRefused, evidence_add, window_set

from .conftest import World
from .declaration_files import EXE, OLE, PDF, PNG, ooxml
from .test_declarations_bounds import ACHIEVEMENT


@pytest.fixture
def evidence_dir(settings: Any, tmp_path: Path) -> Path:
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return Path(settings.EVIDENCE_ROOT)


def stored(directory: Path) -> list[Path]:
    return sorted(directory.iterdir()) if directory.exists() else []


def declare(world: World, *uploads: tuple[str, bytes]) -> Any:
    window_set(acting_user=world.users["office"], year=world.year, open_=True)
    data = ACHIEVEMENT | {
        "evidence": [SimpleUploadedFile(name, content) for name, content in uploads]
    }
    return world.client("unit_a").post(reverse("declarations", args=[2014]), data)


def test_a_refused_file_saves_nothing_and_keeps_what_was_typed(
    world: World, evidence_dir: Path
) -> None:
    response = declare(world, ("红头文件.pdf", PDF), ("照片.png", PNG), ("证明.pdf", EXE))
    assert response.status_code == 400
    assert not Declaration.objects.exists() and not Evidence.objects.exists()
    assert stored(evidence_dir) == []
    form = response.context["achievement_form"]
    assert list(form.errors) == ["evidence"] and "证明.pdf" in form.errors["evidence"][0]
    page = response.content.decode()
    assert "网格党建" in page and "区组发〔2014〕30号" in page and "获评重大创新项目" in page
    assert "证明.pdf" in page  # the message, by the file field, in Chinese
    assert "不是 PDF" in page or "不是PDF" in page
    ok = declare(world, ("红头文件.pdf", PDF), ("照片.png", PNG))
    assert ok.status_code == 302
    declaration = Declaration.objects.get()
    assert declaration.evidence.count() == 2 and len(stored(evidence_dir)) == 2


def test_a_failure_while_writing_removes_the_files_already_written(
    world: World, evidence_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = files.write
    calls: list[str] = []

    def failing_write(item: files.Checked) -> str:
        if calls:
            raise OSError("disk full")
        calls.append(item.name)
        return real_write(item)

    monkeypatch.setattr(files, "write", failing_write)
    with pytest.raises(OSError, match="disk full"):
        declare(world, ("a.pdf", PDF), ("b.pdf", PDF))
    assert calls == ["a.pdf"]
    assert not Declaration.objects.exists() and stored(evidence_dir) == []


def test_the_units_quota_over_the_year_refuses_the_file_that_would_exceed_it(
    world: World, evidence_dir: Path, settings: Any
) -> None:
    settings.EVIDENCE_QUOTA_BYTES = 3 * len(PDF)
    assert declare(world, ("1.pdf", PDF), ("2.pdf", PDF)).status_code == 302
    first = Declaration.objects.get()
    response = declare(world, ("3.pdf", PDF), ("4.pdf", PDF))
    assert response.status_code == 400 and "evidence" in response.context["achievement_form"].errors
    assert Declaration.objects.count() == 1 and len(stored(evidence_dir)) == 2
    # the same quota on a file added later, also to another declaration of the unit
    with pytest.raises(EvidenceRefused, match=r"exceed|超过"):
        evidence_add(
            acting_user=world.users["unit_a"],
            declaration=first,
            uploads=[SimpleUploadedFile("5.pdf", PDF), SimpleUploadedFile("6.pdf", PDF)],
        )
    evidence_add(
        acting_user=world.users["unit_a"],
        declaration=first,
        upload=SimpleUploadedFile("5.pdf", PDF),
    )
    assert Evidence.objects.count() == 3
    # another unit has its own quota
    client = world.client("unit_b")
    data = ACHIEVEMENT | {"evidence": [SimpleUploadedFile("b.pdf", PDF)]}
    assert client.post(reverse("declarations", args=[2014]), data).status_code == 302


class Unreadable(io.RawIOBase):
    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")

    def readinto(self, buffer: Any) -> int:
        raise AssertionError("the body was read")


def test_a_body_over_the_limit_is_refused_from_its_length_before_any_of_it_is_read(
    settings: Any,
) -> None:
    ran: list[HttpRequest] = []

    def view(request: HttpRequest) -> HttpResponse:
        ran.append(request)
        return HttpResponse("ran")

    request = RequestFactory().generic(
        "POST", "/years/2014/declarations/", b"", content_type="multipart/form-data"
    )
    request.META["CONTENT_LENGTH"] = str(500 * 1024 * 1024)
    request.META["wsgi.input"] = Unreadable()
    response = BodyLimitMiddleware(view)(request)
    assert response.status_code == 413 and ran == []
    assert "55.0\xa0MB" in response.content.decode()
    request.META["CONTENT_LENGTH"] = str(settings.REQUEST_MAX_BYTES)
    assert BodyLimitMiddleware(view)(request).status_code == 200 and len(ran) == 1


def test_the_limit_applies_to_the_whole_site_and_the_view_never_runs(
    world: World, evidence_dir: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kaohe.web import yearend

    window_set(acting_user=world.users["office"], year=world.year, open_=True)
    settings.REQUEST_MAX_BYTES = 4096

    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the view ran")

    monkeypatch.setattr(yearend, "current_user", never)
    data = ACHIEVEMENT | {"evidence": [SimpleUploadedFile("big.pdf", PDF * 200)]}
    response = world.client("unit_a").post(reverse("declarations", args=[2014]), data)
    assert response.status_code == 413
    assert "过大" in response.content.decode() and "4.0\xa0KB" in response.content.decode()
    assert not Declaration.objects.exists() and stored(evidence_dir) == []


def test_too_many_files_in_one_request_are_refused(world: World, evidence_dir: Path) -> None:
    response = declare(world, *[(f"{i}.pdf", PDF) for i in range(11)])
    assert response.status_code == 400
    assert not Declaration.objects.exists() and stored(evidence_dir) == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("方案.docm", ooxml("docx")),
        ("方案.docm", ooxml("docm", vba=True, macro_type=True)),
        ("统计.xlsm", ooxml("xlsm", vba=True, macro_type=True)),
        ("统计.xlsx", ooxml("xlsm", vba=True, macro_type=True)),
        ("汇报.pptx", ooxml("pptm", macro_type=True)),
        ("方案.docx", ooxml("docx", vba=True)),
        ("统计.xlsx", ooxml("xlsx", vba=True)),
        ("旧文件.doc", OLE),
        ("旧表格.xls", OLE),
        ("证明.pdf", OLE),
        ("证明.pdf", EXE),
        ("证明.docx", PDF),
        ("证明.pdf", ooxml("docx")),
        ("证明.pdf", b""),
    ],
)
def test_macros_legacy_office_files_and_mismatched_names_are_refused(
    name: str, content: bytes
) -> None:
    with pytest.raises(files.EvidenceError):
        files.check(SimpleUploadedFile(name, content))


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("证明.pdf", PDF, "application/pdf"),
        ("照片.PNG", PNG, "image/png"),
        ("方案.docx", ooxml("docx"), files.DOCX),
        ("统计.xlsx", ooxml("xlsx"), files.XLSX),
        ("汇报.pptx", ooxml("pptx"), files.PPTX),
    ],
)
def test_documents_images_and_macro_free_office_files_are_accepted(
    name: str, content: bytes, content_type: str
) -> None:
    assert files.check(SimpleUploadedFile(name, content)).content_type == content_type


def test_a_file_changed_on_disk_is_refused_logged_and_audited(
    world: World, evidence_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert declare(world, ("红头文件.pdf", PDF)).status_code == 302
    item = Evidence.objects.get()
    url = reverse("evidence", args=[item.pk])
    served = world.client("office").get(url)
    assert served.status_code == 200 and served.content == PDF
    (evidence_dir / item.stored_name).write_bytes(PDF.replace(b"1.4", b"1.5"))
    with caplog.at_level(logging.ERROR, logger="kaohe.evidence"):
        refused = world.client("unit_a").get(url)
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "SHA-256" in page and "%PDF" not in page
    assert any(item.stored_name in r.getMessage() for r in caplog.records)
    event = AuditEvent.objects.filter(action="evidence.mismatch").get()
    assert event.object_id == str(item.pk) and event.actor == world.users["unit_a"]


def test_evidence_added_later_is_all_or_nothing_with_the_message_by_the_field(
    world: World, evidence_dir: Path
) -> None:
    assert declare(world).status_code == 302
    declaration = Declaration.objects.get()
    url = reverse("declaration", args=[declaration.pk])
    files_sent = [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("宏.docm", ooxml("docx"))]
    response = world.client("unit_a").post(url, {"action": "evidence", "evidence": files_sent})
    assert response.status_code == 400
    assert list(response.context["evidence_form"].errors) == ["evidence"]
    assert "宏.docm" in response.content.decode()
    declaration.refresh_from_db()
    assert declaration.version == 1 and not Evidence.objects.exists()
    assert stored(evidence_dir) == []
    empty = world.client("unit_a").post(url, {"action": "evidence"})
    assert empty.status_code == 400 and empty.context["evidence_form"].errors
    ok = world.client("unit_a").post(
        url, {"action": "evidence", "evidence": [SimpleUploadedFile("a.pdf", PDF)]}
    )
    assert ok.status_code == 302 and Evidence.objects.count() == 1
    declaration.refresh_from_db()
    assert declaration.version == 2
