"""Instrument pages (the list, one definition, loading a definition) and a round's response import.

Everyone in the workspace may read the instruments: they are the questions partner staff see.
Only admins load a definition, since a new version changes what every new round asks. The
response import is an editor's: upload, preview, confirm, as on the register's import page.
"""

from __future__ import annotations

from itertools import groupby
from typing import cast

import yaml
from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from keel.assessments.definitions import Definition
from keel.assessments.importers import INSTRUMENT, MAX_DEFINITION_BYTES, RESPONSES, InstrumentReport, definition_text
from keel.assessments.models import AssessmentRound, Instrument
from keel.assessments.survey_files import staged_as
from keel.common.importing import import_upload, run_import, stage_upload
from keel.common.models import ImportUpload
from keel.common.spreadsheets import FileRefused
from keel.core.changelog import Actor
from keel.core.models import Role
from keel.core.services import ServiceError
from keel.core.tenancy import requires_role

SHOWN = 500  # problems listed on a preview at most, so the page stays quick for any file
ROUNDS_SHOWN = 50


# Instruments -------------------------------------------------------------------------------


def instruments(request):
    """Every instrument of the workspace with its versions, and how many rounds use each."""
    versions = Instrument.objects.annotate(round_count=Count("rounds")).order_by("key", "-version")
    keys = [(key, list(group)) for key, group in groupby(versions, key=lambda instrument: instrument.key)]
    keys.sort(key=lambda entry: entry[1][0].title.casefold())
    return render(request, "assessments/instruments.html", {"keys": keys})


def instrument(request, pk):
    """One version's whole definition, readable; `?format=yaml` downloads it as a definition file."""
    instrument = get_object_or_404(Instrument, pk=pk)
    if request.GET.get("format") == "yaml":
        response = HttpResponse(definition_yaml(instrument), content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{instrument.key}-v{instrument.version}.yaml"'
        return response
    spec = instrument.spec
    rounds = list(instrument.rounds.select_related("partnership").order_by("-opens_on", "-id")[:ROUNDS_SHOWN])
    others = Instrument.objects.filter(key=instrument.key).exclude(pk=instrument.pk).order_by("-version")
    context = {
        "instrument": instrument,
        "spec": spec,
        "dimensions": [(dimension, spec.items_of(dimension.key)) for dimension in spec.dimensions],
        "scale": sorted(spec.scale.items()),
        "rounds": rounds,
        "round_count": instrument.rounds.count() if len(rounds) == ROUNDS_SHOWN else len(rounds),
        "others": others.values("pk", "version", "title"),
    }
    return render(request, "assessments/instrument.html", context)


def definition_yaml(instrument: Instrument) -> str:
    """The definition as a file in the documented format, loadable again as it is."""
    spec: Definition = instrument.spec
    header = {"id": spec.id, "version": spec.version, "title": spec.title, "description": spec.description}
    data: dict[str, object] = {name: value for name, value in header.items() if value}
    scale: dict[int | str, str] = {point: label for point, label in spec.scale.items()}  # points 1-5, then "na"
    scale["na"] = spec.not_applicable
    data["scale"] = scale
    data["dimensions"] = [
        {"key": d.key, "label": d.label, **({"description": d.description} if d.description else {})}
        for d in spec.dimensions
    ]
    data["items"] = [
        {"key": i.key, "dimension": i.dimension, "statement": i.statement, **({"reverse": True} if i.reverse else {})}
        for i in spec.items
    ]
    if spec.prompts:
        data["prompts"] = [{"key": p.key, "text": p.text} for p in spec.prompts]
    head = (
        f"# {spec.title}: version {instrument.version} in Keel. The format is described in docs/instruments.md.\n"
        "# Load it again, changed, with `keel import instrument FILE` or on the instruments page.\n"
    )
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)


class InstrumentForm(forms.Form):
    file = forms.FileField(
        label="A definition file",
        required=False,
        help_text="A .yaml or .json file in UTF-8.",
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,.json,.txt"}),
    )
    text = forms.CharField(
        label="Or paste the definition",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false"}),
    )

    def clean(self):
        cleaned = super().clean()
        upload, text = cleaned.get("file"), cleaned.get("text") or ""
        if upload:
            if upload.size > MAX_DEFINITION_BYTES:
                self.add_error("file", f"The file is {upload.size:,} bytes; a definition is at most 1 MB.")
                return cleaned
            try:
                cleaned["definition"] = definition_text(upload.read())
            except ServiceError as error:
                self.add_error("file", str(error))
        elif text.strip():
            cleaned["definition"] = text
        elif not self.errors:
            raise forms.ValidationError("Choose a definition file, or paste a definition into the box.")
        return cleaned


@requires_role(Role.ADMIN)
def instrument_upload(request):
    """Load a definition (a file or pasted text): a new instrument, a new version, or an update."""
    if request.method != "POST":
        return render(request, "assessments/instruments.html", {"form": InstrumentForm(), "upload_page": True})
    form = InstrumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "assessments/instruments.html", {"form": form, "upload_page": True}, status=400)
    text, upload = form.cleaned_data["definition"], form.cleaned_data.get("file")
    try:
        data, filename = text.encode("utf-8"), upload.name if upload else ""
        report = cast(InstrumentReport, run_import(INSTRUMENT, data, filename, Actor.of(request)))
    except ServiceError as error:  # pasted text that is no definition: too long, or not text
        form.add_error("text", str(error))
        return render(request, "assessments/instruments.html", {"form": form, "upload_page": True}, status=400)
    if report.refusals:
        context = {"form": InstrumentForm({"text": text}), "upload_page": True, "problems": report.refusals}
        return render(request, "assessments/instruments.html", context, status=400)
    messages.success(request, report.message)
    pk = report.instrument.pk if report.instrument else None
    return redirect(reverse("assessments:instrument", kwargs={"ws": request.workspace.slug, "pk": pk}))


# A round's responses from another survey tool ------------------------------------------------


class ResponsesForm(forms.Form):
    file = forms.FileField(
        label="Survey file",
        help_text="A .csv or .xlsx export with one row per respondent. Nothing is stored until you confirm.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt,.tsv"}),
    )


COLUMN_ROLES = {
    "organisation": "the respondent's organisation",
    "metadata": "the survey tool's own column: ignored",
    "personal": "who answered: read past, never stored",
    "ignored": "ignored, as asked",
    "unknown": "not recognised",
}


def _column_rows(result, spec: Definition) -> list[tuple[str, str]]:
    """Each column of the file and what Keel reads it as, for the preview's table."""
    statements = {item.key: item.statement for item in spec.items}
    prompts = {prompt.key: prompt.text for prompt in spec.prompts}
    rows = []
    for column in result.columns:
        if column.role == "item":
            meaning = f"statement {column.target}: {statements[column.target]}"
        elif column.role == "prompt":
            meaning = f"comments on {column.target}: {prompts[column.target]}"
        elif column.role in COLUMN_ROLES:
            meaning = COLUMN_ROLES[column.role]
        else:
            continue  # a second column for a statement: the refusal names it
        rows.append((column.header, meaning))
    return rows


def _import_page(request, round_, status=200, **context):
    context.setdefault("form", ResponsesForm())
    spec = round_.instrument.spec
    context.update(round=round_, spec=spec, shown=SHOWN)
    if result := context.get("result"):
        context["columns"] = _column_rows(result, spec)
        context["choosable"] = [c.header for c in result.columns if c.role in ("unknown", "ignored")]
    return render(request, "assessments/round_import.html", context, status=status)


@requires_role(Role.EDITOR)
def round_import(request, pk):
    """GET: the upload form. POST: a preview of the file (again with columns ignored), or its import."""
    round_ = get_object_or_404(AssessmentRound.objects.select_related("instrument", "partnership"), pk=pk)
    if request.method != "POST":
        return _import_page(request, round_)
    actor = Actor(user=request.user, via="web import")
    ignore = [name for name in request.POST.getlist("ignore") if name.strip()]
    if "upload" not in request.POST:
        form = ResponsesForm(request.POST, request.FILES)
        if form.is_valid() and form.cleaned_data["file"].size > settings.KEEL_IMPORT_MAX_BYTES:
            form.add_error(
                "file", f"The file is too large: Keel imports at most {settings.KEEL_IMPORT_MAX_BYTES:,} bytes."
            )
        if not form.is_valid():
            return _import_page(request, round_, 400, form=form)
        upload, data = form.cleaned_data["file"], form.cleaned_data["file"].read()
        try:
            result = run_import(RESPONSES, data, upload.name, actor, dry_run=True, ignore=ignore, round=round_)
        except FileRefused as error:
            form.add_error("file", str(error))
            return _import_page(request, round_, 400, form=form)
        staged = stage_upload(actor, staged_as(round_), upload.name, data)
        return _import_page(request, round_, result=result, upload=staged, ignore=ignore)
    upload_pk = request.POST.get("upload", "")
    upload = ImportUpload.objects.filter(pk=int(upload_pk) if upload_pk.isdigit() else 0, kind=staged_as(round_))
    upload = upload.first()
    if upload is None or upload.imported_at is not None:
        gone = "This file was imported already." if upload else "This file is no longer kept."
        return _import_page(request, round_, 409, refusal=f"{gone} Upload it again to preview it.")
    try:
        if request.POST.get("action") == "import":
            result = import_upload(actor, upload, ignore=ignore, round=round_)
        else:
            data = bytes(upload.content)
            result = run_import(RESPONSES, data, upload.filename, actor, dry_run=True, ignore=ignore, round=round_)
    except ServiceError as error:
        return _import_page(request, round_, 409, refusal=str(error))
    except FileRefused as error:  # only if the limits changed since the preview
        return _import_page(request, round_, 400, refusal=str(error))
    if result.written:
        round_.refresh_from_db()
    return _import_page(request, round_, result=result, upload=upload, ignore=ignore)
