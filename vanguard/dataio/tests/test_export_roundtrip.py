"""Export → import into an empty database → export again gives the same workbook, row by row: the
roster export writes exactly what the import reads (DESIGN.md, "Roster workbook")."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from vanguard.dataio import roster as contract
from vanguard.dataio.exporters import write_xlsx
from vanguard.dataio.exporters.template import EXAMPLE_ID_NUMBER, template_sheets
from vanguard.org.models import Activist, Cell, Member, Organisation, Person, Strength
from vanguard.org.tests import factories

from .test_export import add_roster_extras

pytestmark = pytest.mark.django_db


def sheets(path: Path) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_path(str(path))
    return {s.name: book.get_sheet_by_name(s.name).to_python() for s in contract.SHEETS}


def empty_the_database() -> None:
    Member.objects.all().delete()
    Activist.objects.all().delete()
    Person.objects.all().delete()
    Strength.objects.all().delete()
    # Children before parents: treebeard's delete() would re-read the tree; a plain filter delete will do.
    for model in (Organisation, Cell):
        for depth in sorted(set(model.objects.values_list("depth", flat=True)), reverse=True):
            model.objects.filter(depth=depth).delete()


@pytest.fixture
def roster(world):
    return add_roster_extras(world)


def test_export_import_export_reproduces_the_same_trees_and_people(roster, tmp_path):
    # A deeper grid than the world's, with a household under a building, to walk several levels of paths.
    building = factories.cell("1栋", Cell.Kind.BUILDING, parent=roster.community)
    factories.cell("101室", Cell.Kind.HOUSEHOLD, parent=building)
    first = tmp_path / "first.xlsx"
    call_command("export", "roster", "--out", str(first), stdout=io.StringIO())

    empty_the_database()
    assert not Person.objects.exists() and not Organisation.objects.exists()
    call_command("import", str(first), stdout=io.StringIO())

    second = tmp_path / "second.xlsx"
    call_command("export", "roster", "--out", str(second), stdout=io.StringIO())
    assert sheets(second) == sheets(first)
    assert Person.objects.count() == 4


def test_the_template_imports_as_it_stands_into_an_empty_database(tmp_path):
    path = tmp_path / "template.xlsx"
    write_xlsx(template_sheets(), str(path))
    call_command("import", str(path), stdout=io.StringIO())

    member = Member.objects.select_related("person", "organisation").get()
    assert member.person.id_number == EXAMPLE_ID_NUMBER
    assert member.organisation.full_name() == "东风街道党工委/南园社区党支部"
    assert member.person.residence.full_name() == "东风街道/南园社区"
    assert sorted(member.person.strengths.values_list("name", flat=True)) == ["文艺", "维修"]
