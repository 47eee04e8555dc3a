from django import forms

from keel.core.models import Role, Workspace


class WorkspaceForm(forms.ModelForm):
    class Meta:
        model = Workspace
        fields = ["name"]


class WorkspaceSettingsForm(forms.ModelForm):
    class Meta:
        model = Workspace
        fields = ["name", "anonymity_threshold"]
        help_texts = {
            "anonymity_threshold": (
                "Survey results are shown by organisation only where it has at least this many respondents."
            )
        }

    def clean_anonymity_threshold(self):
        value = self.cleaned_data["anonymity_threshold"]
        if value < 2:
            raise forms.ValidationError("Use at least 2, or single answers could be read by organisation.")
        return value


class AddMemberForm(forms.Form):
    email = forms.EmailField(help_text="They get an e-mail with a link to set their password if they are new to Keel.")
    name = forms.CharField(max_length=150, required=False, help_text="Needed only for someone new to Keel.")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
