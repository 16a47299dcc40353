"""The roster import (phase one: read and validate; phase two: write), through its service and command.

Every bad row and every bad file leaves the database exactly as it was: `counts()` covers everything an
import may write, the audit trail included."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vanguard.accounts import scope
from vanguard.audit import chain
from vanguard.audit import services as audit
from vanguard.audit.models import Action, AuditRecord
from vanguard.dataio import services, workbook
from vanguard.dataio.importers.plan import CREATE, UNCHANGED, UPDATE
from vanguard.org.models import Activist, Cell, Member, Organisation, Person

from .import_helpers import GRID_HEADER, ORG_HEADER, PEOPLE_HEADER, counts, id_number, write_workbook

pytestmark = pytest.mark.django_db

BRANCH_A = "公交公司党委/一分公司党支部"
ZHANG = id_number("19800101", 11)


def person_row(name="张三", *, ident=ZHANG, mobile="13811112222", kind="党员", org=BRANCH_A, **extra):
    """A 人员 row in PEOPLE_HEADER's order."""
    return [
        name,
        extra.get("gender", "男"),
        extra.get("birth", dt.date(1980, 1, 1)),
        ident,
        mobile,
        kind,
        extra.get("category", "在职" if kind in ("党员", "预备党员") else ""),
        org,
        extra.get("joined", dt.date(2005, 7, 1) if kind in ("党员", "预备党员") else None),
    ]


def people(tmp_path, *rows, header=PEOPLE_HEADER, name="people.xlsx"):
    return write_workbook(tmp_path / name, {"人员": [header, *rows]})


def plan_of(path, actor=scope.SYSTEM):
    return services.roster_plan(actor=actor, path=path)


def run(path, actor=scope.SYSTEM):
    return services.roster_import(actor=actor, path=path)


def only_error(plan):
    assert len(plan.errors) == 1, [str(e) for e in plan.errors]
    return plan.errors[0]


# --- the happy path -------------------------------------------------------------------------------------


def test_it_creates_trees_and_people_across_sheets(tmp_path, world):
    path = write_workbook(
        tmp_path / "roster.xlsx",
        {
            # Sheets in any order; rows of a tree in any order: the child comes before its parent here.
            "人员": [
                [*PEOPLE_HEADER, "工作单位", "居住社区", "特长", "职业", "备注", "不认识的列"],
                [
                    *person_row(org="新区党工委/新区党支部"),
                    "公交公司/一车队",
                    "东风街道/南园社区/桂园小区",
                    "文艺、维修",
                    "驾驶员",
                    "",
                    "忽略",
                ],
                [
                    *person_row("李四", ident="", mobile="13900001111", kind="入党积极分子", org=BRANCH_A),
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                ],
                [*person_row("王五", ident="", mobile="", kind="群众", org=""), "", "东风街道/南园社区"],
            ],
            "党组织": [
                ORG_HEADER,
                ["新区党支部", "党支部", "新区党工委"],
                ["新区党工委", "党工委", ""],
            ],
            "网格": [GRID_HEADER, ["桂园小区", "小区", "东风街道/南园社区", ""]],
        },
    )
    before = counts()
    plan = run(path)
    assert plan.ok, [str(e) for e in plan.errors]
    assert [s.counts for s in plan.summaries.values()] == [
        {CREATE: 2, UPDATE: 0, UNCHANGED: 0},
        {CREATE: 1, UPDATE: 0, UNCHANGED: 0},
        {CREATE: 3, UPDATE: 0, UNCHANGED: 0},
    ]
    after = counts()
    assert after["organisations"] == before["organisations"] + 2
    assert after["cells"] == before["cells"] + 1
    assert after["people"] == before["people"] + 3
    assert (after["members"], after["activists"]) == (before["members"] + 1, before["activists"] + 1)

    branch = Organisation.objects.get(name="新区党支部")
    assert branch.full_name() == "新区党工委/新区党支部"
    assert Organisation.objects.find_problems() == ([], [], [], [], [])
    assert Cell.objects.find_problems() == ([], [], [], [], [])
    zhang = Member.objects.select_related("person").get(person__id_number=ZHANG)
    assert (zhang.organisation, zhang.status, zhang.category) == (branch, "full", "in_service")
    assert zhang.join_date == dt.date(2005, 7, 1)
    assert zhang.person.workplace == world.team
    assert zhang.person.residence.full_name() == "东风街道/南园社区/桂园小区"
    assert sorted(zhang.person.strengths.values_list("name", flat=True)) == ["文艺", "维修"]
    assert (zhang.person.name_pinyin, zhang.person.name_initials) == ("zhangsan", "zs")
    li = Activist.objects.get(person__name="李四")
    assert (li.organisation, li.stage, li.person.mobile) == (world.branch_a, "activist", "13900001111")
    wang = Person.objects.get(name="王五")
    assert (wang.residence, getattr(wang, "member", None)) == (world.community, None)

    # Every object written is in the trail: one record per batch of each model, holding each object's
    # values as audit.snapshot() gives them; and one record sums the import up.
    records = AuditRecord.objects.order_by("pk")
    assert after["audit"] - before["audit"] == 5 + 1
    batches = {(r.object_type, r.action): r for r in records if audit.is_batch(r.after)}
    assert set(batches) == {
        ("org.organisation", Action.CREATE),
        ("org.cell", Action.CREATE),
        ("org.person", Action.CREATE),
        ("org.member", Action.CREATE),
        ("org.activist", Action.CREATE),
    }
    for (label, _action), record in batches.items():
        model = apps.get_model(label)
        objects = audit.batch_objects(record.after)
        stored = {
            obj.pk: audit.snapshot(obj) for obj in model.objects.filter(pk__in=[o["id"] for o in objects])
        }
        assert len(stored) == len(objects)
        for values in objects:
            strengths = values.pop("strengths", None)
            assert values == stored[values["id"]]
            if label == "org.person":
                person = Person.objects.get(pk=values["id"])
                assert sorted(strengths) == sorted(person.strengths.values_list("name", flat=True))
        assert record.username == "system"
    assert batches[("org.person", Action.CREATE)].detail == "导入人员名册 roster.xlsx 第2-4行"
    summary = records.last()
    assert summary.action == Action.OTHER
    assert summary.detail.startswith("导入人员名册 roster.xlsx sha256 ")
    assert summary.detail.endswith("新建6 更新0 未变0")
    assert summary.username == "system"
    assert chain.verify().ok


def test_reimporting_the_same_workbook_changes_nothing(tmp_path, world):
    path = people(tmp_path, person_row(), person_row("李四", ident="", mobile="13900001111"))
    assert run(path).ok
    before = counts()
    plan = run(path)
    assert plan.summaries["人员"].counts == {CREATE: 0, UPDATE: 0, UNCHANGED: 2}
    after = counts()
    # Only the import's own summary record is added.
    assert after == {**before, "audit": before["audit"] + 1}


def test_reimporting_updates_a_person_found_by_id_number(tmp_path, world):
    assert run(people(tmp_path, person_row())).ok
    person = Person.objects.get(id_number=ZHANG)
    plan = run(people(tmp_path, person_row(mobile="13755556666", category="离退休"), name="changed.xlsx"))
    assert plan.summaries["人员"].counts == {CREATE: 0, UPDATE: 1, UNCHANGED: 0}
    assert plan.summaries["人员"].samples[UPDATE][0].detail.endswith("改动:手机号、党员类别")
    person.refresh_from_db()
    assert (person.mobile, person.member.category) == ("13755556666", "retired")
    assert Person.objects.filter(name="张三").count() == 1
    # One batch record per model changed: each object's values before and after, in the same order.
    update = AuditRecord.objects.filter(object_type="org.person", action=Action.UPDATE).get()
    [before], [after] = audit.batch_objects(update.before), audit.batch_objects(update.after)
    assert (before["id"], after["id"]) == (person.pk, person.pk)
    # The trail keeps the numbers masked.
    assert (before["mobile"], after["mobile"]) == ("138****2222", "137****6666")
    assert after == {**audit.snapshot(person), "strengths": []}
    member = AuditRecord.objects.filter(object_type="org.member", action=Action.UPDATE).get()
    [before], [after] = audit.batch_objects(member.before), audit.batch_objects(member.after)
    assert (before["category"], after["category"]) == ("in_service", "retired")
    assert update.detail == member.detail == "导入人员名册 changed.xlsx 第2行"


def test_reimporting_updates_a_person_found_by_name_and_mobile(tmp_path, world):
    # 王建国 (member A) has no 身份证号: his name and mobile find him, and the row adds one.
    ident = id_number("19800101", 21)
    row = person_row("王建国", ident=ident, mobile="13812345678", joined=dt.date(2010, 7, 1))
    plan = run(people(tmp_path, row))
    assert plan.summaries["人员"].counts == {CREATE: 0, UPDATE: 1, UNCHANGED: 0}
    world.member_a.person.refresh_from_db()
    assert world.member_a.person.id_number == ident
    assert Person.objects.filter(name="王建国").count() == 1


def test_a_blank_cell_leaves_the_registered_value_as_it_is(tmp_path, world):
    header = ["姓名", "手机号", "人员类型", "所在党组织"]
    plan = run(people(tmp_path, ["王建国", "13812345678", "党员", BRANCH_A], header=header))
    assert plan.summaries["人员"].counts == {CREATE: 0, UPDATE: 0, UNCHANGED: 1}
    person = Person.objects.get(pk=world.member_a.person_id)
    assert (person.occupation, person.residence) == ("驾驶员", world.community)


def test_an_activist_who_joins_is_admitted(tmp_path, world):
    assert run(people(tmp_path, person_row(kind="发展对象"))).ok
    plan = run(people(tmp_path, person_row(kind="预备党员"), name="joined.xlsx"))
    assert plan.summaries["人员"].counts[UPDATE] == 1
    person = Person.objects.get(id_number=ZHANG)
    assert (person.member.status, person.activist.stage) == ("probationary", "admitted")
    assert person.activist.admitted_on == dt.date(2005, 7, 1)


def test_every_change_of_a_reimport_can_be_read_back_from_the_trail(tmp_path, world):
    header = [*PEOPLE_HEADER, "特长"]
    assert run(people(tmp_path, [*person_row(kind="发展对象"), "文艺"], header=header)).ok
    start = AuditRecord.objects.order_by("-pk").values_list("pk", flat=True).first()
    row = [*person_row(kind="预备党员", mobile="13700000000"), "维修、法律咨询"]
    assert run(people(tmp_path, row, header=header, name="joined.xlsx")).ok
    person = Person.objects.select_related("member", "activist").get(id_number=ZHANG)
    records = {(r.object_type, r.action): r for r in AuditRecord.objects.filter(pk__gt=start)}
    assert set(records) == {
        ("org.person", Action.UPDATE),
        ("org.member", Action.CREATE),
        ("org.activist", Action.UPDATE),
        ("dataio.roster", Action.OTHER),
    }
    [before], [after] = (
        audit.batch_objects(v)
        for v in (records["org.person", Action.UPDATE].before, records["org.person", Action.UPDATE].after)
    )
    assert (before["mobile"], before["strengths"]) == ("138****2222", ["文艺"])
    assert after == {**audit.snapshot(person), "strengths": ["法律咨询", "维修"]}
    [member] = audit.batch_objects(records["org.member", Action.CREATE].after)
    assert member == audit.snapshot(person.member)
    activist = records["org.activist", Action.UPDATE]
    [before], [after] = audit.batch_objects(activist.before), audit.batch_objects(activist.after)
    assert (before["stage"], after["stage"], after["admitted_on"]) == ("candidate", "admitted", "2005-07-01")
    assert after == audit.snapshot(person.activist)
    for record in records.values():
        assert record.detail.startswith("导入人员名册 joined.xlsx")
    assert records["org.member", Action.CREATE].detail == "导入人员名册 joined.xlsx 第2行"
    assert chain.verify().ok


def test_values_as_excel_gives_them_are_understood(tmp_path, world):
    rows = [
        # A mobile typed as a number, dates as text in each accepted form and as an Excel serial number.
        person_row("赵一", ident=id_number("19800101", 31), mobile=13800000001, birth="1980-01-01"),
        person_row("赵二", ident=id_number("19800102", 33), mobile="13800000002", birth="1980/1/2"),
        person_row("赵三", ident=id_number("19800103", 35), mobile="13800000003", birth=" 1980.01.03 "),
        person_row("赵四", ident=id_number("19800104", 37), mobile="13800000004", birth=29224.0),
    ]
    plan = run(people(tmp_path, *rows))
    assert plan.ok, [str(e) for e in plan.errors]
    births = dict(Person.objects.filter(name__startswith="赵").values_list("mobile", "birth_date"))
    assert births == {f"1380000000{i}": dt.date(1980, 1, i) for i in range(1, 5)}


def test_planning_asks_the_database_per_batch_not_per_row(tmp_path, world):
    rows = [
        person_row(
            f"测试{i}",
            ident=id_number("19800101", i % 1000, region=f"{110000 + i // 1000}"),
            mobile=f"137{i:08d}",
            gender="",
        )
        for i in range(2500)
    ]
    path = people(tmp_path, *rows)
    with CaptureQueriesContext(connection) as queries:
        plan = plan_of(path)
    assert plan.ok, [str(e) for e in plan.errors[:3]]
    assert plan.summaries["人员"].counts[CREATE] == 2500
    # The organisation tree once; per batch of 2 000 rows, people by 身份证号 and by mobile.
    assert len(queries) <= 6, [q["sql"][:80] for q in queries]


# --- bad rows: each reported with sheet, row, column and reason; nothing written -----------------------


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (person_row(name=""), "姓名", "必填"),
        (person_row(org="公交公司党委/三分公司党支部"), "所在党组织", "所在党组织不存在或不在您的管理范围内"),
        (person_row(ident=ZHANG[:17] + ("1" if ZHANG[17] != "1" else "2")), "身份证号", "校验位错误"),
        (person_row(birth="1980-13-01"), "出生日期", "日期格式应为YYYY-MM-DD"),
        (person_row(birth="去年"), "出生日期", "日期格式应为YYYY-MM-DD"),
        (person_row(kind="党外人士"), "人员类型", "不是有效的人员类型"),
        (person_row(kind=""), "人员类型", "必填"),
        (person_row(ident=float(ZHANG[:17] + "0")), "身份证号", "身份证号须设为文本格式"),
        (person_row(org=""), "所在党组织", "必须填写所在党组织"),
        (person_row(kind="群众", org=BRANCH_A), "所在党组织", "群众时不填所在党组织"),
        (person_row(mobile="12345"), "手机号", "手机号应为"),
        (person_row(gender="女"), "性别", "性别与身份证号"),
        (person_row(org="公交公司党委"), "所在党组织", "党员只能编入党支部或党小组"),
    ],
)
def test_a_bad_row_is_reported_and_nothing_is_written(tmp_path, world, row, column, reason):
    path = people(tmp_path, person_row("钱六", ident=id_number("19800101", 41), mobile="13600000000"), row)
    before = counts()
    plan = run(path)
    error = only_error(plan)
    assert (error.sheet, error.row, error.column) == ("人员", 3, column)
    assert reason in error.message
    assert counts() == before


def test_a_duplicate_id_number_is_reported_on_the_later_row_naming_the_first(tmp_path, world):
    path = people(tmp_path, person_row(), person_row("张叁", mobile="13700000000"))
    before = counts()
    error = only_error(run(path))
    assert (error.row, error.column) == (3, "身份证号")
    assert "与第2行的身份证号相同" in error.message
    assert counts() == before


def test_a_future_date_is_refused(tmp_path, world):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    path = people(tmp_path, person_row(ident="", joined=tomorrow))
    before = counts()
    error = only_error(run(path))
    assert (error.column, error.message) == ("入党日期", "日期不能晚于今天。")
    assert counts() == before


def test_a_member_must_be_18_when_joining(tmp_path, world):
    path = people(tmp_path, person_row(joined=dt.date(1997, 12, 31)))
    before = counts()
    error = only_error(run(path))
    assert error.column == "入党日期"
    assert "入党时须年满18岁" in error.message and "1998-01-01" in error.message
    assert counts() == before


def test_an_existing_member_cannot_be_turned_into_an_activist(tmp_path, world):
    path = people(tmp_path, person_row("王建国", ident="", mobile="13812345678", kind="入党积极分子"))
    before = counts()
    error = only_error(run(path))
    assert (error.column, error.message) == ("人员类型", "此人已是党员,导入不能改为入党积极分子。")
    assert counts() == before


def test_every_bad_row_is_reported_and_one_bad_row_stops_all(tmp_path, world):
    path = write_workbook(
        tmp_path / "mixed.xlsx",
        {
            "党组织": [
                ORG_HEADER,
                ["新支部", "党支部", "公交公司党委"],
                ["坏/名字", "党支部", "公交公司党委"],
            ],
            "人员": [PEOPLE_HEADER, person_row(), person_row("", ident="", mobile="13700000001", birth="x")],
        },
    )
    before = counts()
    plan = run(path)
    assert [(e.sheet, e.row, e.column) for e in plan.sorted_errors()] == [
        ("党组织", 3, "名称"),
        ("人员", 3, "姓名"),
        ("人员", 3, "出生日期"),
    ]
    assert counts() == before


def test_a_node_path_may_name_only_nodes_that_exist_or_are_planned(tmp_path, world):
    path = write_workbook(
        tmp_path / "tree.xlsx",
        {
            "党组织": [ORG_HEADER, ["小组", "党小组", "公交公司党委/不存在的支部"]],
            "网格": [
                GRID_HEADER,
                ["一号楼", "楼栋", "东风街道/北园社区"],
                ["南园社区", "社区", "东风街道", ""],
            ],
            "人员": [[*PEOPLE_HEADER, "居住社区"], [*person_row(), "东风街道/南园社区/一号楼"]],
        },
    )
    before = counts()
    plan = run(path)
    assert [(e.sheet, e.row, e.column) for e in plan.sorted_errors()] == [
        ("党组织", 2, "上级"),
        ("网格", 2, "上级"),
        ("人员", 2, "居住社区"),
    ]
    # 南园社区 already exists: unchanged, not an error.
    assert plan.summaries["网格"].counts[UNCHANGED] == 1
    assert counts() == before


# --- bad files: one clear message, nothing written ------------------------------------------------------


def refused(path, tmp_path) -> str:
    before = counts()
    with pytest.raises(workbook.WorkbookError) as caught:
        run(path)
    assert counts() == before
    return caught.value.message


def test_a_text_file_named_xlsx_is_refused(tmp_path, world):
    path = tmp_path / "roster.xlsx"
    path.write_text("姓名,人员类型\n张三,党员\n", encoding="utf-8")
    assert "请确认是Excel(.xlsx)文件" in refused(path, tmp_path)


def test_a_png_renamed_to_xlsx_is_refused(tmp_path, world):
    path = tmp_path / "photo.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(64))
    assert "请确认是Excel(.xlsx)文件" in refused(path, tmp_path)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path, world):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "请确认是Excel(.xlsx)文件" in refused(path, tmp_path)


def test_a_broken_workbook_is_refused(tmp_path, world):
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("xl/workbook.xml", "not xml at all")
    assert "请确认是Excel(.xlsx)文件" in refused(path, tmp_path)


def test_an_old_xls_file_is_refused_with_a_hint(tmp_path, world):
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    assert "另存为" in refused(path, tmp_path)


def test_a_file_over_10_mb_is_refused(tmp_path, world):
    path = tmp_path / "big.xlsx"
    with open(path, "wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(workbook.MAX_FILE_BYTES + 1)  # sparse: costs no disk
    assert "超过了10 MB" in refused(path, tmp_path)


def _workbook_parts(archive: zipfile.ZipFile, tmp_path) -> None:
    source = write_workbook(tmp_path / "real.xlsx", {"人员": [PEOPLE_HEADER, person_row()]})
    with zipfile.ZipFile(source) as real:
        for info in real.infolist():
            archive.writestr(info, real.read(info))


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path, world):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _workbook_parts(archive, tmp_path)
        with archive.open("xl/media/zeros.bin", "w", force_zip64=True) as entry:
            block = bytes(1024 * 1024)
            for _ in range(101):
                entry.write(block)
    assert path.stat().st_size < workbook.MAX_FILE_BYTES
    assert "解压后超过100 MB" in refused(path, tmp_path)


def test_a_zip_that_understates_its_sizes_is_refused(tmp_path, world, monkeypatch):
    # The directory says small, the data unpacks to more: the running count stops it.
    monkeypatch.setattr(workbook, "MAX_UNPACKED_BYTES", 300_000)
    path = tmp_path / "liar.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _workbook_parts(archive, tmp_path)
        archive.writestr("xl/media/zeros.bin", bytes(400_000))
    data = bytearray(path.read_bytes())
    # Patch the central directory's uncompressed size of the last entry down to 10 bytes.
    directory = data.rfind(b"PK\x01\x02")
    data[directory + 24 : directory + 28] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    message = refused(path, tmp_path)
    assert "解压后超过" in message or "请确认是Excel(.xlsx)文件" in message


def test_a_workbook_without_a_known_sheet_is_refused(tmp_path, world):
    path = write_workbook(tmp_path / "other.xlsx", {"Sheet1": [PEOPLE_HEADER, person_row()]})
    message = refused(path, tmp_path)
    assert "“党组织”、“网格”、“人员”" in message and "“Sheet1”" in message


def test_a_sheet_missing_a_required_column_is_refused(tmp_path, world):
    path = people(tmp_path, ["张三", "党员"], header=["姓名", "类型"])
    assert refused(path, tmp_path) == "工作表“人员”缺少必填列:人员类型(表头须在第1行)。"


def test_a_header_not_in_row_1_is_refused(tmp_path, world):
    path = write_workbook(tmp_path / "title.xlsx", {"人员": [["人员名册"], PEOPLE_HEADER, person_row()]})
    assert "缺少必填列:姓名、人员类型" in refused(path, tmp_path)


def test_an_empty_workbook_is_refused(tmp_path, world):
    path = write_workbook(tmp_path / "empty.xlsx", {"人员": [PEOPLE_HEADER, [], ["", "  "]], "党组织": []})
    assert refused(path, tmp_path) == "工作簿中没有数据行。"


# --- the command -------------------------------------------------------------------------------------------


def test_the_command_imports_and_prints_the_plan(tmp_path, world):
    out = io.StringIO()
    call_command("import", str(people(tmp_path, person_row())), stdout=out)
    output = out.getvalue()
    assert "人员:新建 1  更新 0  未变 0" in output
    assert "写入中……" in output
    assert "导入完成" in output
    assert Person.objects.filter(id_number=ZHANG).exists()


def test_a_dry_run_writes_nothing(tmp_path, world):
    before = counts()
    out = io.StringIO()
    call_command("import", str(people(tmp_path, person_row())), "--dry-run", stdout=out)
    assert "人员:新建 1  更新 0  未变 0" in out.getvalue()
    assert "试运行:未写入任何数据。" in out.getvalue()
    assert counts() == before


def test_the_command_prints_each_error_and_fails(tmp_path, world):
    path = people(tmp_path, person_row(), person_row("张叁", mobile="13700000000", birth="1980-02-30"))
    before = counts()
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import", str(path), stdout=out)
    assert "共有1行、2处错误,未写入任何数据。" in str(caught.value)
    assert "工作表 人员 第3行 身份证号:与第2行的身份证号相同" in out.getvalue()
    assert "工作表 人员 第3行 出生日期:日期格式应为YYYY-MM-DD。" in out.getvalue()
    assert counts() == before


def test_the_command_refuses_a_bad_file_with_its_message(tmp_path, world):
    path = tmp_path / "notes.xlsx"
    path.write_text("hello")
    with pytest.raises(CommandError, match="请确认是Excel"):
        call_command("import", str(path))
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import", str(tmp_path / "missing.xlsx"))
