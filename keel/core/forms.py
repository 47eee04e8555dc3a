from django import forms
from django.core.exceptions import ValidationError

from keel.core.models import Role, Workspace
from keel.core.services import ServiceError


class WorkspaceForm(forms.ModelForm):
    class Meta:
        model = Workspace
        fields = ["name"]


class WorkspaceSettingsForm(forms.ModelForm):
    class Meta:
        model = Workspace
        fields = ["name", "anonymity_threshold", "band_strength", "band_watch", "gap_flag", "indicator_tolerance"]
        help_texts = {
            "anonymity_threshold": (
                "Survey results are shown by organisation only where it has at least this many respondents."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator_tolerance"].required = False

    def clean_indicator_tolerance(self):
        # Left blank: as it was (10 % unless changed).
        value = self.cleaned_data.get("indicator_tolerance")
        return self.instance.indicator_tolerance if value is None else value

    def clean_anonymity_threshold(self):
        value = self.cleaned_data["anonymity_threshold"]
        if value < 2:
            raise forms.ValidationError("Use at least 2, or single answers could be read by organisation.")
        return value

    def clean(self):
        cleaned = super().clean()
        strength, watch = cleaned.get("band_strength"), cleaned.get("band_watch")
        if strength is not None and watch is not None and watch >= strength:
            self.add_error("band_watch", f"Watch must start below strength ({strength}); lower it or raise strength.")
        return cleaned


class AddMemberForm(forms.Form):
    email = forms.EmailField(help_text="They get an e-mail with a link to set their password if they are new to Keel.")
    name = forms.CharField(max_length=150, required=False, help_text="Needed only for someone new to Keel.")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


def save_form(form, save):
    """Call a service with a valid form's data; a refusal becomes a form error, kept with what was typed.

    Returns what `save` returned, or None when the form is invalid or the service refused.
    """
    if not form.is_valid():
        return None
    try:
        return save(form.cleaned_data)
    except ServiceError as error:
        form.add_error(None, str(error))
    except ValidationError as error:  # from the model's full_clean inside the service
        by_field = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
        for field, errors in by_field.items():
            form.add_error(field if field in form.fields else None, errors)
    return None
