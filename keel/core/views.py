"""Home, workspace switching, members and settings. Thin: the writes are in services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from keel.core import services
from keel.core.changelog import Actor
from keel.core.forms import AddMemberForm, RoleForm, WorkspaceForm, WorkspaceSettingsForm, save_form
from keel.core.models import ChangeRecord, Membership, Role
from keel.core.tenancy import requires_role


@login_required
def home(request):
    memberships = list(Membership.objects.filter(user=request.user).select_related("workspace"))
    remembered = request.session.get("workspace")
    for membership in memberships:
        if membership.workspace.slug == remembered or len(memberships) == 1:
            return redirect("portfolio:partnerships", ws=membership.workspace.slug)
    return redirect("workspaces")


@login_required
def workspaces(request):
    """Every workspace the user belongs to, to switch between them, and a form for a new one."""
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        workspace = services.create_workspace(Actor.of(request), form.cleaned_data["name"], owner=request.user)
        messages.success(request, f"Workspace {workspace.name} created. You are its admin.")
        return redirect("portfolio:partnerships", ws=workspace.slug)
    memberships = Membership.objects.filter(user=request.user).select_related("workspace")
    return render(request, "core/workspaces.html", {"memberships": memberships, "form": form})


@requires_role(Role.ADMIN)
def members(request):
    """The workspace's members with their roles, and a form to add someone (new to Keel or not)."""
    form = AddMemberForm(request.POST or None)
    if request.method == "POST":
        added = save_form(
            form,
            lambda data: services.add_member(
                Actor.of(request), request.workspace, data["email"], data["role"], name=data["name"]
            ),
        )
        if added is not None:
            membership, new = added
            email, role = form.cleaned_data["email"].strip(), membership.role
            if new:
                services.send_invitation(request, membership.user)
                messages.success(request, f"{email} added as {role} and sent a link to set a password.")
            else:
                messages.success(request, f"{email} is now {role} in this workspace.")
            return redirect("members", ws=request.workspace.slug)
    memberships = Membership.objects.filter(workspace=request.workspace).select_related("user")
    return render(request, "core/members.html", {"memberships": memberships, "form": form, "roles": Role.choices})


@require_POST
@requires_role(Role.ADMIN)
def member_role(request, pk):
    membership = get_object_or_404(Membership, pk=pk, workspace=request.workspace)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.change_role(Actor.of(request), membership, form.cleaned_data["role"])
            messages.success(request, f"{membership.user} is now {form.cleaned_data['role']}.")
        except services.ServiceError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, "Choose admin, editor or viewer.")
    return redirect("members", ws=request.workspace.slug)


@require_POST
@requires_role(Role.ADMIN)
def member_remove(request, pk):
    membership = get_object_or_404(Membership, pk=pk, workspace=request.workspace)
    try:
        services.remove_membership(Actor.of(request), membership)
        messages.success(request, f"{membership.user} no longer belongs to this workspace.")
    except services.ServiceError as error:
        messages.error(request, str(error))
    return redirect("members", ws=request.workspace.slug)


@requires_role(Role.ADMIN)
def workspace_settings(request):
    form = WorkspaceSettingsForm(request.POST or None, instance=request.workspace)
    if request.method == "POST" and form.is_valid():
        services.update_settings(Actor.of(request), request.workspace, form.cleaned_data)
        messages.success(request, "Settings saved.")
        return redirect("workspace_settings", ws=request.workspace.slug)
    return render(request, "core/settings.html", {"form": form})


def workspace_history(request):
    """Every change in the workspace, newest first."""
    page = Paginator(ChangeRecord.objects.select_related("actor"), 50).get_page(request.GET.get("page"))
    return render(request, "core/history.html", {"page": page})


def bad_request(request, exception=None):
    return render(
        request, "error.html", {"title": "Bad request", "message": "The request could not be read."}, status=400
    )


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else "You do not have permission to do that."
    return render(request, "error.html", {"title": "Not allowed", "message": message}, status=403)


def page_not_found(request, exception=None):
    message = "There is no such page here, or it belongs to a workspace you are not a member of."
    return render(request, "error.html", {"title": "Not found", "message": message}, status=404)


def server_error(request):
    message = "Something went wrong on our side. Nothing you entered was lost; please try again."
    return render(request, "error.html", {"title": "Server error", "message": message}, status=500)


def csrf_failure(request, reason=""):
    """A form sent without its security cookie: usually cookies blocked, or a page left open too long."""
    message = (
        "The form could not be accepted: this browser did not send back the security cookie it was given. "
        "Allow cookies for this site, go back, reload the page and send it again; what you typed may need re-entering."
    )
    return render(request, "error.html", {"title": "Please try again", "message": message}, status=403)
