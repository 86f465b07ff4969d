from django.urls import path

from people.views import imports, officers, units

app_name = "people"
urlpatterns = [
    path("officers/", officers.officer_list, name="officer_list"),
    path("officers.xlsx", officers.officer_list_xlsx, name="officer_list_xlsx"),
    path("officers/<int:pk>/", officers.officer_detail, name="officer_detail"),
    path("units/", units.unit_list, name="unit_list"),
    path("import/", imports.personnel_import, name="import"),
    path("import/template.xlsx", imports.personnel_import_template, name="import_template"),
    path("import/errors.xlsx", imports.personnel_import_errors, name="import_errors"),
]
