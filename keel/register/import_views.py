"""The import page: upload a spreadsheet, see what it would do (a dry run), then import it.

The uploaded bytes are kept in an ImportUpload between the preview and the confirmation, so
the file is not sent twice and what is imported is exactly what was previewed.
"""

from django import forms
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from keel.common.importing import (
    UnknownKind,
    find_kind,
    import_upload,
    run_import,
    spreadsheet_kinds,
    stage_upload,
    template,
)
from keel.common.models import ImportUpload
from keel.common.spreadsheets import FileRefused
from keel.core.changelog import Actor
from keel.core.models import Role
from keel.core.services import ServiceError
from keel.core.tenancy import requires_role

# A preview lists this many rows and errors at most, so the page stays quick for any file.
SHOWN = 500
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ImportForm(forms.Form):
    # Only the kinds a spreadsheet alone can be: a round's responses are imported on the round's own page.
    kind = forms.ChoiceField(
        label="The file holds", choices=lambda: [(kind.name, kind.name.capitalize()) for kind in spreadsheet_kinds()]
    )
    file = forms.FileField(
        label="Spreadsheet",
        help_text="A .csv or .xlsx file with a header row. Nothing is written until you confirm the preview.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt,.tsv"}),
    )


def _actor(request) -> Actor:
    return Actor(user=request.user, via="web import")


def _page(request, status=200, **context):
    context.setdefault("form", ImportForm(initial={"kind": request.GET.get("kind")}))
    context["kinds"] = spreadsheet_kinds()
    context["shown"] = SHOWN
    return render(request, "register/import.html", context, status=status)


@requires_role(Role.EDITOR)
def import_start(request):
    """GET: the upload form and the templates. POST: a preview of what the file would do."""
    if request.method != "POST":
        return _page(request)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, 400, form=form)
    kind, upload = find_kind(form.cleaned_data["kind"]), form.cleaned_data["file"]
    if upload.size > settings.KEEL_IMPORT_MAX_BYTES:
        form.add_error(
            "file", f"The file is {upload.size:,} bytes; the most Keel imports is {settings.KEEL_IMPORT_MAX_BYTES:,}."
        )
        return _page(request, 400, form=form)
    data = upload.read()
    try:
        report = run_import(kind, data, upload.name, _actor(request), dry_run=True)
    except FileRefused as error:
        form.add_error("file", str(error))
        return _page(request, 400, form=form)
    staged = stage_upload(_actor(request), kind.name, upload.name, data)
    return _page(request, report=report, upload=staged)


@requires_role(Role.EDITOR)
@require_POST
def import_confirm(request, pk):
    """Import a previewed file; refused if it was imported already."""
    offered = [kind.name for kind in spreadsheet_kinds()]
    upload = get_object_or_404(ImportUpload, pk=pk, kind__in=offered)  # not a survey-responses upload
    skip_invalid = request.POST.get("skip_invalid") == "1"
    try:
        report = import_upload(_actor(request), upload, skip_invalid=skip_invalid)
    except ServiceError as error:
        return _page(request, 409, refusal=str(error))
    except FileRefused as error:  # only if the limits changed since the preview
        return _page(request, 400, refusal=str(error))
    upload.refresh_from_db()
    return _page(request, report=report, upload=upload)


def import_template(request, kind, fmt):
    """A file to fill in: the kind's columns and one example row."""
    try:
        kind = find_kind(kind)
    except UnknownKind as error:
        raise Http404(str(error)) from error
    if not kind.spreadsheet:  # an instrument's definition, a round's responses: no fixed columns to fill in
        raise Http404(f"There is no template for {kind.name}.")
    if fmt not in CONTENT_TYPES:
        raise Http404("Templates are .csv or .xlsx files.")
    response = HttpResponse(template(kind, fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{kind.name}-template.{fmt}"'
    return response
