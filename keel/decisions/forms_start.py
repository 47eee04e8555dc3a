"""Typed input for starting a proposed partnership: the start checklist and the end terms.

Every problem is named in the words of what to do, field by field, so the page's error
summary lists exactly what is missing (GOV.UK's error summary pattern).
"""

from __future__ import annotations

from django import forms
from django.utils import timezone

from keel.common.widgets import DateInput
from keel.decisions.models import Answer, Criterion
from keel.decisions.services.start import EndTerms, missing_terms
from keel.register.forms import MAX_DOCUMENT_BYTES, CadenceField

DOCUMENT_AGAIN = (
    "Choose the conflict resolution document again: a browser cannot keep a chosen file when a form is shown again."
)


class StartForm(forms.Form):
    start_date = forms.DateField(
        label="Start date", widget=DateInput(), error_messages={"required": "Give the start date."}
    )
    planned_end = forms.DateField(label="Planned end date", widget=DateInput(), required=False)
    end_terms = forms.CharField(
        label="Or an end condition",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="When there is no end date: what has to happen for the partnership to end, e.g. "
        "'when the pilot's funding ends' or 'when waiting times are back under 18 weeks'.",
    )
    review_every_months = CadenceField(
        label="Review every", required=False, help_text="e.g. 6 months, quarterly, annually"
    )
    conflict_process = forms.CharField(
        label="Conflict resolution process",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="How the partners agreed to work through a disagreement: who talks to whom first, "
        "and who the neutral third party is when they are stuck.",
    )
    conflict_document = forms.FileField(
        label="Or upload the agreed document",
        required=False,
        help_text="Kept with the partnership's agreed processes.",
    )
    document_title = forms.CharField(label="Document title", required=False, max_length=200)
    reasons = forms.CharField(
        label="Why start this partnership?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the reasons for starting."},
    )

    def __init__(self, *args, criteria: list[Criterion], document_on_file: bool = False, partnership=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        self.document_on_file = document_on_file
        if partnership is not None:
            self.initial.setdefault("start_date", partnership.start_date or timezone.localdate())
            self.initial.setdefault("planned_end", partnership.planned_end)
            self.initial.setdefault("end_terms", partnership.end_terms)
            self.initial.setdefault("review_every_months", partnership.review_every_months)
            self.initial.setdefault("conflict_process", partnership.conflict_process)
        for criterion in criteria:
            self.fields[f"answer_{criterion.pk}"] = forms.ChoiceField(
                label=criterion.text,
                choices=Answer.choices,
                widget=forms.RadioSelect(attrs={"class": "choices-inline"}),
                required=False,
                help_text=criterion.guidance,
            )
            self.fields[f"note_{criterion.pk}"] = forms.CharField(
                label="Note",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @property
    def items(self):
        """(criterion, answer field, note field) for the template, in the checklist's order."""
        return [(c, self[f"answer_{c.pk}"], self[f"note_{c.pk}"]) for c in self.criteria]

    def clean_conflict_document(self):
        upload = self.cleaned_data.get("conflict_document")
        if upload and upload.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(
                f"This file is {upload.size / 1e6:.1f} MB; documents can be at most "
                f"{MAX_DOCUMENT_BYTES // 10**6} MB. Describe the process in words instead, or first add a link to "
                "it with “Add a document” on the partnership's page: an agreed conflict resolution process counts."
            )
        return upload or None

    def clean(self):
        data = super().clean()
        for criterion in self.criteria:
            answer, note = data.get(f"answer_{criterion.pk}"), data.get(f"note_{criterion.pk}", "")
            if not answer:
                self.add_error(f"answer_{criterion.pk}", f"Answer “{criterion.text}”: yes, no or not sure.")
            elif answer == Answer.NO and not note.strip():
                self.add_error(f"note_{criterion.pk}", f"Say why you start despite answering no to “{criterion.text}”.")
        for field, message in missing_terms(self._terms(data), self.document_on_file):
            if field not in self.errors:  # a cadence that could not be read says so already
                self.add_error(field, message)
        if data.get("planned_end") and data.get("start_date") and data["planned_end"] < data["start_date"]:
            self.add_error("planned_end", "The planned end is before the start date.")
        return data

    def _terms(self, data) -> EndTerms:
        return EndTerms(
            start_date=data.get("start_date") or timezone.localdate(),
            review_every_months=data.get("review_every_months"),
            planned_end=data.get("planned_end"),
            end_condition=data.get("end_terms", ""),
            conflict_process=data.get("conflict_process", ""),
            conflict_document=data.get("conflict_document"),
            document_title=data.get("document_title", ""),
        )

    def terms(self) -> EndTerms:
        return self._terms(self.cleaned_data)

    def answers(self) -> list[tuple[Criterion, str, str]]:
        data = self.cleaned_data
        return [(c, data[f"answer_{c.pk}"], data.get(f"note_{c.pk}", "")) for c in self.criteria]

    def summary(self) -> list[tuple[str, str]]:
        """(anchor, message) for each problem, in the order the form asks, for the error summary."""
        anchors = {f"answer_{c.pk}": f"criterion-{c.pk}" for c in self.criteria}
        problems = [("start-form", str(error)) for error in self.non_field_errors()]
        for name in self.fields:
            for error in self.errors.get(name, []):
                problems.append((anchors.get(name, self[name].auto_id), str(error)))
        return problems
