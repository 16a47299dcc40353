from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import Activist, Cell, Member, Organisation, Person, Strength


@admin.register(Organisation)
class OrganisationAdmin(TreeAdmin):
    form = movenodeform_factory(Organisation)
    list_display = ("name", "kind")
    search_fields = ("name",)


@admin.register(Cell)
class CellAdmin(TreeAdmin):
    form = movenodeform_factory(Cell)
    list_display = ("name", "kind", "community_type")
    search_fields = ("name",)


class MemberInline(admin.StackedInline):
    model = Member
    extra = 0


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "gender", "occupation", "workplace", "residence")
    search_fields = ("name", "name_pinyin", "name_initials", "mobile")
    list_select_related = ("workplace", "residence")
    autocomplete_fields = ("workplace", "residence", "user")
    filter_horizontal = ("strengths",)
    inlines = [MemberInline]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ("person", "organisation", "status", "category", "join_date")
    list_filter = ("status", "category")
    search_fields = ("person__name", "person__name_pinyin", "person__name_initials")
    list_select_related = ("person", "organisation")
    autocomplete_fields = ("person", "organisation")


@admin.register(Activist)
class ActivistAdmin(admin.ModelAdmin):
    list_display = ("person", "organisation", "stage", "applied_on")
    list_filter = ("stage",)
    search_fields = ("person__name",)
    list_select_related = ("person", "organisation")
    autocomplete_fields = ("person", "organisation")


@admin.register(Strength)
class StrengthAdmin(admin.ModelAdmin):
    search_fields = ("name",)
