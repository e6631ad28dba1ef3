from django.contrib import admin

from .models import Pillar, SubDimension


class SubDimensionInline(admin.TabularInline):
    model = SubDimension
    extra = 0


@admin.register(Pillar)
class PillarAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "order"]
    search_fields = ["code", "name"]
    inlines = [SubDimensionInline]


@admin.register(SubDimension)
class SubDimensionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "pillar", "order"]
    list_filter = ["pillar"]
    search_fields = ["code", "name"]
