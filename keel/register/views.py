"""The register's pages. Thin: reads come from queries, writes go through services."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from keel.core.changelog import Actor, history
from keel.core.forms import save_form
from keel.core.models import Role
from keel.core.services import ServiceError
from keel.core.tenancy import requires_role
from keel.register import queries, services
from keel.register.forms import (
    AlignmentForm,
    MemberForm,
    OrganisationForm,
    PartnershipForm,
    PersonForm,
    PriorityForm,
    ProcessForm,
)
from keel.register.models import (
    AgreedProcess,
    Level,
    Organisation,
    Partnership,
    PartnershipMember,
    Person,
    StrategicPriority,
)
from keel.register.pickers import partner_input

PAGE_SIZE = 25
INLINE_FIELDS = ["status", "tier", "lead", "planned_end", "review_every_months"]


def page_of(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def list_page(request, template, context):
    """Render a list page, or only its results when htmx asks for them."""
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "results":
        template = template.replace(".html", "_results.html")
    return render(request, template, context)


# Partnerships (the list and the partnership page are the portfolio's: keel.portfolio.views) -----


def _partnership_values(data):
    return {key: value for key, value in data.items() if key != "partners"}


@requires_role(Role.EDITOR)
def partnership_create(request):
    form = PartnershipForm(request.POST or None, with_partners=True)
    if request.method == "POST":
        partnership = save_form(
            form,
            lambda data: services.save_partnership(
                Actor.of(request), _partnership_values(data), organisations=list(data["partners"])
            ),
        )
        if partnership:
            messages.success(request, f"Partnership {partnership.name} created.")
            return redirect("portfolio:partnership", ws=request.workspace.slug, pk=partnership.pk)
    return render(request, "register/form.html", {"form": form, "title": "New partnership", "multipart": False})


@requires_role(Role.EDITOR)
def partnership_edit(request, pk):
    partnership = get_object_or_404(Partnership, pk=pk)
    form = PartnershipForm(request.POST or None, instance=partnership)
    if request.method == "POST":
        saved = save_form(form, lambda data: services.save_partnership(Actor.of(request), data, partnership))
        if saved:
            messages.success(request, "Changes saved.")
            return redirect("portfolio:partnership", ws=request.workspace.slug, pk=pk)
    return render(
        request, "register/form.html", {"form": form, "title": f"Edit {partnership.name}", "object": partnership}
    )


@requires_role(Role.EDITOR)
def partnership_field(request, pk, field):
    """Inline edit of one field on the detail page (htmx): GET the editor, POST to save."""
    if field not in INLINE_FIELDS:
        raise Http404
    partnership = get_object_or_404(Partnership.objects.select_related("lead"), pk=pk)
    form = PartnershipForm(request.POST or None, instance=partnership, only=field)
    editing = request.method == "GET" and request.GET.get("cancel") != "1"
    if request.method == "POST":
        if save_form(form, lambda data: services.save_partnership(Actor.of(request), data, partnership)):
            editing = False
        else:
            editing = True
    if editing:
        # Keyboard and screen-reader users land in the field they asked to edit, and back on
        # its Edit button afterwards (htmx focuses an autofocus element after a swap).
        form.fields[field].widget.attrs["autofocus"] = True
    context = {"partnership": partnership, "field": field, "form": form, "editing": editing, "refocus": not editing}
    return render(request, "htmx/partnership_field.html", context)


@requires_role(Role.EDITOR)
def member_add(request, pk):
    partnership = get_object_or_404(Partnership, pk=pk)
    form = MemberForm(request.POST or None)
    if request.method == "POST":
        member = save_form(form, lambda data: services.add_member(Actor.of(request), partnership, data))
        if member:
            messages.success(request, f"{member.organisation} added.")
            return redirect("portfolio:partnership", ws=request.workspace.slug, pk=pk)
    return render(
        request,
        "register/form.html",
        {"form": form, "title": f"Add a partner to {partnership.name}", "object": partnership},
    )


@requires_role(Role.EDITOR)
def member_edit(request, pk, member_pk):
    member = get_object_or_404(
        PartnershipMember.objects.select_related("organisation", "partnership"), pk=member_pk, partnership_id=pk
    )
    form = MemberForm(request.POST or None, instance=member)
    if request.method == "POST":
        if save_form(form, lambda data: services.change_member(Actor.of(request), member, data)):
            messages.success(request, "Member changed.")
            return redirect("portfolio:partnership", ws=request.workspace.slug, pk=pk)
    title = f"{member.organisation} in {member.partnership}"
    return render(request, "register/form.html", {"form": form, "title": title, "object": member.partnership})


@require_POST
@requires_role(Role.EDITOR)
def member_remove(request, pk, member_pk):
    member = get_object_or_404(PartnershipMember, pk=member_pk, partnership_id=pk)
    try:
        services.remove_member(Actor.of(request), member)
        messages.success(request, f"{member.organisation} removed.")
    except ServiceError as error:
        messages.error(request, str(error))
    return redirect("portfolio:partnership", ws=request.workspace.slug, pk=pk)


@require_POST
@requires_role(Role.EDITOR)
def alignment(request, pk):
    partnership = get_object_or_404(Partnership, pk=pk)
    priorities = StrategicPriority.objects.filter(archived_at__isnull=True)
    form = AlignmentForm(request.POST, priorities=priorities)
    if form.is_valid():
        for priority, score in form.scores():
            services.set_alignment(Actor.of(request), partnership, priority, score)
        messages.success(request, "Strategic priorities saved.")
    else:
        messages.error(request, "Rate each priority from 0 to 3, or leave it not rated.")
    return redirect("portfolio:partnership", ws=request.workspace.slug, pk=pk)


@requires_role(Role.EDITOR)
def process_add(request, pk):
    partnership = get_object_or_404(Partnership, pk=pk)
    form = ProcessForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if save_form(form, lambda data: services.add_process(Actor.of(request), partnership, data)):
            messages.success(request, "Document added.")
            return redirect("portfolio:partnership", ws=request.workspace.slug, pk=pk)
    return render(
        request,
        "register/form.html",
        {
            "form": form,
            "title": f"Add an agreed process to {partnership.name}",
            "multipart": True,
            "object": partnership,
        },
    )


@require_POST
@requires_role(Role.EDITOR)
def process_remove(request, pk, process_pk):
    process = get_object_or_404(AgreedProcess, pk=process_pk, partnership_id=pk)
    services.remove_process(Actor.of(request), process)
    messages.success(request, f"{process.title} removed.")
    return redirect("portfolio:partnership", ws=request.workspace.slug, pk=pk)


def process_file(request, pk, process_pk):
    """Download an uploaded document; only through this view, so the workspace check applies."""
    from django.http import FileResponse

    process = get_object_or_404(AgreedProcess, pk=process_pk, partnership_id=pk)
    if not process.file:
        raise Http404
    return FileResponse(process.file.open("rb"), as_attachment=True, filename=process.file.name.rsplit("/", 1)[-1])


# Organisations, people and priorities ---------------------------------------------------


def organisation_list(request):
    queryset, sort = queries.organisation_list(request.GET)
    sectors = Organisation.objects.exclude(sector="").values_list("sector", flat=True).distinct().order_by("sector")
    context = {"page": page_of(request, queryset), "sort": sort, "sectors": list(sectors), "params": request.GET}
    return list_page(request, "register/organisation_list.html", context)


def organisation_detail(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    memberships = organisation.memberships.select_related("partnership", "contact").order_by("partnership__name_key")
    people = organisation.people.filter(archived_at__isnull=True)
    context = {
        "organisation": organisation,
        "memberships": memberships,
        "people": people,
        "history": history(organisation),
    }
    return render(request, "register/organisation_detail.html", context)


def person_list(request):
    queryset, sort = queries.person_list(request.GET)
    context = {"page": page_of(request, queryset), "sort": sort, "levels": Level.choices, "params": request.GET}
    return list_page(request, "register/person_list.html", context)


def person_detail(request, pk):
    person = get_object_or_404(Person.objects.select_related("organisation"), pk=pk)
    contact_for = person.contact_for.select_related("partnership", "organisation")
    leads = Partnership.objects.filter(lead=person)
    context = {"person": person, "contact_for": contact_for, "leads": leads, "history": history(person)}
    return render(request, "register/person_detail.html", context)


def people_suggest(request):
    """The <option>s for a person field's suggestions (htmx), matching what has been typed."""
    field = request.GET.get("field", "")
    text = request.GET.get(field, "") if field else request.GET.get("q", "")
    organisation = request.GET.get("organisation", "")
    people = queries.suggest_people(text, int(organisation) if organisation.isdigit() else None)
    return render(request, "htmx/people_options.html", {"people": people})


def organisations_suggest(request):
    """The <option>s for an organisation field's suggestions (htmx), matching what has been typed."""
    field = request.GET.get("field", "")
    text = request.GET.get(field, "") if field else request.GET.get("q", "")
    return render(request, "htmx/organisation_options.html", {"organisations": queries.suggest_organisations(text)})


def partner_input_view(request):
    """Another partner's input for the new-partnership form, and the button for one more (htmx)."""
    index = int(request.GET["n"]) if request.GET.get("n", "").isdigit() else 2
    index = min(index, 200)
    more = f"{request.path}?n={index + 1}"
    button = format_html(
        '<button type="button" class="button" hx-get="{}" hx-target="this" hx-swap="outerHTML">'
        "Add another partner</button>",
        more,
    )
    return HttpResponse(partner_input("partners", "id_partners", index) + button)


def priority_list(request):
    priorities = StrategicPriority.objects.filter(archived_at__isnull=True).annotate(
        serving=Count("alignments", filter=Q(alignments__score__gte=1))
    )
    return render(request, "register/priority_list.html", {"priorities": priorities})


SIMPLE = {
    "organisation": (Organisation, OrganisationForm, services.save_organisation),
    "person": (Person, PersonForm, services.save_person),
    "priority": (StrategicPriority, PriorityForm, services.save_priority),
}


def _after_save(request, kind, obj):
    if kind == "priority":
        return redirect("register:priorities", ws=request.workspace.slug)
    return redirect(f"register:{kind}", ws=request.workspace.slug, pk=obj.pk)


def simple_create(kind):
    model, form_class, save = SIMPLE[kind]

    @requires_role(Role.EDITOR)
    def view(request):
        form = form_class(request.POST or None)
        if request.method == "POST":
            obj = save_form(form, lambda data: save(Actor.of(request), data))
            if obj:
                messages.success(request, f"{obj} created.")
                return _after_save(request, kind, obj)
        return render(request, "register/form.html", {"form": form, "title": f"New {model._meta.verbose_name}"})

    return view


def simple_edit(kind):
    model, form_class, save = SIMPLE[kind]

    @requires_role(Role.EDITOR)
    def view(request, pk):
        obj = get_object_or_404(model, pk=pk)
        form = form_class(request.POST or None, instance=obj)
        if request.method == "POST":
            if save_form(form, lambda data: save(Actor.of(request), data, obj)):
                messages.success(request, "Changes saved.")
                return _after_save(request, kind, obj)
        context = {"form": form, "title": f"Edit {obj}", "object": obj, "history": history(obj)}
        return render(request, "register/form.html", context)

    return view


def simple_archive(kind):
    model = SIMPLE[kind][0] if kind in SIMPLE else Partnership

    @require_POST
    @requires_role(Role.EDITOR)
    def view(request, pk):
        obj = get_object_or_404(model, pk=pk)
        restore = request.POST.get("restore") == "1"
        services.archive(Actor.of(request), obj, restore=restore)
        messages.success(request, f"{obj} {'restored' if restore else 'archived'}.")
        return _after_save(request, kind, obj)

    return view
