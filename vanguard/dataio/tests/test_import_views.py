"""The import pages: upload → preview → confirm, for the office and a branch secretary within their reach;
the error report; who may not; CSRF; the uploaded file's life."""

from __future__ import annotations

import datetime as dt
import io
import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from vanguard.audit import chain
from vanguard.audit.models import AuditRecord
from vanguard.dataio import views_import
from vanguard.org.models import Member, Person

from .import_helpers import ORG_HEADER, PEOPLE_HEADER, counts, id_number, write_workbook

pytestmark = pytest.mark.django_db

BRANCH_A = "公交公司党委/一分公司党支部"
BRANCH_B = "公交公司党委/二分公司党支部"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def url(name: str) -> str:
    return reverse(f"dataio:{name}")


def member_row(name: str, serial: int, org: str = BRANCH_A, **extra) -> list:
    return [
        name,
        "男",
        dt.date(1980, 1, 1),
        extra.get("ident", id_number("19800101", serial)),
        f"138{serial:08d}",
        "党员",
        "在职",
        org,
        extra.get("joined", dt.date(2005, 7, 1)),
    ]


def upload(client: Client, path, name: str = "名册.xlsx"):
    with open(path, "rb") as handle:
        data = SimpleUploadedFile(name, handle.read())
    return client.post(url("import"), {"file": data})


def stored_files(media) -> list:
    directory = media / views_import.UPLOAD_DIR
    return sorted(directory.glob("*.xlsx")) if directory.exists() else []


# --- the flow --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["secretary_a", "office"])
def test_upload_preview_confirm(request, world, as_user, tmp_path, media, who):
    user = request.getfixturevalue(who)
    client = as_user(user)
    page = client.get(url("import"))
    assert page.status_code == 200
    assert 'accept=".xlsx"' in page.content.decode()
    assert url("template") in page.content.decode()

    path = write_workbook(
        tmp_path / "roster.xlsx",
        {
            "党组织": [ORG_HEADER, ["第二党小组", "党小组", BRANCH_A]],
            "人员": [
                PEOPLE_HEADER,
                member_row("张三", 11, org=f"{BRANCH_A}/第二党小组"),
                # Member A as registered: left alone.
                ["王建国", "", "", "", "13812345678", "党员", "在职", BRANCH_A, dt.date(2010, 7, 1)],
            ],
        },
    )
    before = counts()
    preview = upload(client, path)
    assert preview.status_code == 200
    content = preview.content.decode()
    assert "导入预览" in content and "确认导入" in content
    assert [row["counts"] for row in preview.context["sheets"]] == [[1, 0, 0], [1, 0, 1]]
    assert counts() == before, "the preview writes nothing"
    assert len(stored_files(media)) == 1

    token = client.session[views_import.SESSION_KEY]["token"]
    done = client.post(url("import_confirm"), {"token": token})
    assert done.status_code == 302 and done["Location"] == url("import")
    after = counts()
    assert (after["organisations"], after["people"], after["members"]) == (
        before["organisations"] + 1,
        before["people"] + 1,
        before["members"] + 1,
    )
    zhang = Member.objects.get(person__name="张三")
    assert zhang.organisation.full_name() == f"{BRANCH_A}/第二党小组"
    summary = AuditRecord.objects.order_by("pk").last()
    assert summary.detail.startswith("导入人员名册 名册.xlsx sha256")
    assert (summary.username, summary.user_id) == (user.username, user.pk)
    assert AuditRecord.objects.filter(object_type="org.person", user_id=user.pk).exists()
    assert chain.verify().ok
    assert stored_files(media) == [], "the upload is deleted once imported"
    assert views_import.SESSION_KEY not in client.session
    message = str(next(iter(client.get(url("import")).context["messages"])))
    assert message == "已导入名册.xlsx:新建2 更新0 未变1。"


def test_a_secretary_cannot_import_into_another_branch(world, secretary_a, as_user, tmp_path):
    client = as_user(secretary_a)
    path = write_workbook(
        tmp_path / "b.xlsx",
        {
            "党组织": [ORG_HEADER, ["乙小组", "党小组", BRANCH_B], ["新党委", "党委", ""]],
            "人员": [
                PEOPLE_HEADER,
                member_row("赵六", 21, org=BRANCH_B),
                member_row("钱七", 23, org="无此党委"),
            ],
        },
    )
    before = counts()
    preview = upload(client, path)
    errors = {(e.sheet, e.row, e.column): e.message for e in preview.context["errors"]}
    assert errors == {
        ("党组织", 2, "上级"): f"上级党组织“{BRANCH_B}”不存在或不在您的管理范围内。",
        ("党组织", 3, "上级"): "只有系统管理员可以新建顶层党组织,请填写上级。",
        # Out of scope reads exactly like unknown.
        ("人员", 2, "所在党组织"): f"所在党组织不存在或不在您的管理范围内:{BRANCH_B}。",
        ("人员", 3, "所在党组织"): "所在党组织不存在或不在您的管理范围内:无此党委。",
    }
    assert "确认导入" not in preview.content.decode()
    token = client.session[views_import.SESSION_KEY]["token"]
    client.post(url("import_confirm"), {"token": token})
    assert counts() == before


def test_a_secretary_cannot_change_a_member_of_another_branch_or_draw_the_grid(
    world, secretary_a, as_user, tmp_path
):
    client = as_user(secretary_a)
    path = write_workbook(
        tmp_path / "c.xlsx",
        {
            "网格": [
                ["名称", "类型", "上级"],
                ["北园社区", "社区", "东风街道"],
                ["南园社区", "社区", "东风街道"],
            ],
            "人员": [
                PEOPLE_HEADER,
                ["李红梅", "女", "", "", "13987654321", "党员", "", BRANCH_A, ""],
                ["孙八", "", "", "", "", "群众", "", "", ""],
            ],
        },
    )
    errors = {(e.sheet, e.row, e.column) for e in upload(client, path).context["errors"]}
    assert errors == {("网格", 2, "名称"), ("人员", 2, "姓名"), ("人员", 3, "人员类型")}


def test_errors_are_listed_and_the_report_has_them_beside_the_rows(world, office, as_user, tmp_path):
    client = as_user(office)
    path = write_workbook(
        tmp_path / "bad.xlsx",
        {
            "人员": [
                [*PEOPLE_HEADER, "备注"],
                [*member_row("张三", 11), "好"],
                [
                    *member_row("张叁", 11)[:3],
                    id_number("19800101", 11),
                    "13700000000",
                    "党员",
                    "",
                    BRANCH_A,
                    "",
                    "",
                ],
                [*member_row("", 15, joined="2005-13-01"), "=1+1"],
            ]
        },
    )
    before = counts()
    preview = upload(client, path)
    content = preview.content.decode()
    assert "有2行有误,未导入任何数据" in content
    assert "与第2行的身份证号相同" in content
    assert "下载错误报告" in content and "确认导入" not in content
    assert counts() == before

    report = client.get(url("import_errors"))
    assert report.status_code == 200
    assert report["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in report["Content-Disposition"]
    rows = CalamineWorkbook.from_filelike(io.BytesIO(report.content)).get_sheet_by_name("人员").to_python()
    assert rows[0][-1] == "错误"
    assert rows[1][0] == "张三" and rows[1][-1] == ""
    assert rows[2][-1].startswith("身份证号:与第2行的身份证号相同")
    assert "姓名:必填,不能为空。" in rows[3][-1] and "入党日期:日期格式应为YYYY-MM-DD。" in rows[3][-1]
    assert rows[3][-2] == "=1+1", "text that looks like a formula stays text"
    assert counts() == before


def test_a_bad_file_gets_one_message_and_is_not_kept(world, office, as_user, tmp_path, media):
    client = as_user(office)
    path = tmp_path / "notes.xlsx"
    path.write_text("not a workbook")
    response = upload(client, path)
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["无法读取该文件,请确认是Excel(.xlsx)文件。"]
    assert stored_files(media) == []
    assert views_import.SESSION_KEY not in client.session


def test_a_file_over_the_limit_is_refused_before_it_is_stored(world, office, as_user, media, monkeypatch):
    monkeypatch.setattr("vanguard.dataio.workbook.MAX_FILE_BYTES", 100)
    response = as_user(office).post(
        url("import"), {"file": SimpleUploadedFile("big.xlsx", b"PK\x03\x04" * 50)}
    )
    assert "超过了10 MB的上限" in response.context["form"].errors["file"][0]
    assert stored_files(media) == []


def test_confirm_reads_the_file_again_and_refuses_what_became_wrong(world, office, as_user, tmp_path):
    client = as_user(office)
    upload(client, write_workbook(tmp_path / "a.xlsx", {"人员": [PEOPLE_HEADER, member_row("张三", 11)]}))
    # Between the preview and the confirm the branch goes away: the row has become wrong.
    Member.objects.filter(organisation=world.branch_a).delete()
    world.group_a.delete()
    world.branch_a.delete()
    before = counts()
    token = client.session[views_import.SESSION_KEY]["token"]
    response = client.post(url("import_confirm"), {"token": token})
    assert response.status_code == 200
    assert "所在党组织不存在或不在您的管理范围内" in response.content.decode()
    assert counts() == before


def test_confirm_needs_the_previewed_upload(world, office, as_user, tmp_path):
    client = as_user(office)
    response = client.post(url("import_confirm"), {"token": "x" * 32})
    assert response.status_code == 302
    upload(client, write_workbook(tmp_path / "a.xlsx", {"人员": [PEOPLE_HEADER, member_row("张三", 11)]}))
    before = counts()
    assert client.post(url("import_confirm"), {"token": "y" * 32}).status_code == 302
    assert counts() == before
    assert client.get(url("import_errors")).status_code == 200


def test_posts_need_the_csrf_token(world, office, as_user, tmp_path):
    client = as_user(office)
    client.handler.enforce_csrf_checks = True
    path = write_workbook(tmp_path / "a.xlsx", {"人员": [PEOPLE_HEADER, member_row("张三", 11)]})
    assert upload(client, path).status_code == 403
    assert client.post(url("import_confirm"), {"token": "x" * 32}).status_code == 403


def test_uploads_older_than_a_day_are_removed(world, office, as_user, tmp_path, media):
    directory = media / views_import.UPLOAD_DIR
    directory.mkdir(parents=True)
    old = directory / "old-upload-token-abcdefgh.xlsx"
    old.write_bytes(b"x")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    fresh = directory / "fresh-upload-token-abcdefgh.xlsx"
    fresh.write_bytes(b"x")
    upload(
        as_user(office), write_workbook(tmp_path / "a.xlsx", {"人员": [PEOPLE_HEADER, member_row("张", 11)]})
    )
    assert not old.exists() and fresh.exists()


# --- who may not ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["member_a", "community_worker", "auditor", "nobody", "supervisor"])
def test_other_roles_are_forbidden(request, world, as_user, who):
    client = as_user(request.getfixturevalue(who))
    assert client.get(url("import")).status_code == 403
    assert client.post(url("import_confirm")).status_code == 403
    assert client.get(url("import_errors")).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(world):
    client = Client()
    for name in ("import", "import_errors"):
        response = client.get(url(name))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = client.post(url("import_confirm"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_methods_are_checked(world, office, as_user):
    client = as_user(office)
    assert client.get(url("import_confirm")).status_code == 405
    assert client.post(url("import_errors")).status_code == 405
    assert client.delete(url("import")).status_code == 405


def test_a_person_nobody_else_changed_stays_unchanged(world, office, as_user, tmp_path):
    Person.objects.filter(pk=world.member_a.person_id).update(id_number=id_number("19800101", 31))
    row = ["王建国", "", "", id_number("19800101", 31), "13812345678", "党员", "", BRANCH_A, ""]
    preview = upload(as_user(office), write_workbook(tmp_path / "a.xlsx", {"人员": [PEOPLE_HEADER, row]}))
    assert preview.context["totals"] == {"create": 0, "update": 0, "unchanged": 1}
