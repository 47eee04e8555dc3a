"""Workspaces, their members and roles, and the one audit trail every write goes through."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from keel.core.tenancy import WorkspaceOwned


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    EDITOR = "editor", "Editor"
    VIEWER = "viewer", "Viewer"


# Higher rank may do everything a lower rank may.
ROLE_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.ADMIN: 3}


class Workspace(models.Model):
    """One tenant: an organisation's or a network's own space."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    anonymity_threshold = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="Scores of an organisation are shown only where it has at least this many respondents.",
    )
    # Health bands (DESIGN.md, "Response"): strength from band_strength up, watch from band_watch up.
    band_strength = models.DecimalField(
        "strength from",
        max_digits=3,
        decimal_places=2,
        default=Decimal("4.00"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    band_watch = models.DecimalField(
        "watch from",
        max_digits=3,
        decimal_places=2,
        default=Decimal("3.00"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="Scores below this are a concern.",
    )
    gap_flag = models.DecimalField(
        "flag perception gaps from",
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(4)],
        help_text="A difference between organisations' scores of a dimension this large or larger is flagged.",
    )
    indicator_tolerance = models.DecimalField(
        "indicator tolerance (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("10.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="An indicator behind its line by no more than this share of its planned change is at risk; "
        "further behind, off track.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's place in a workspace, with one role."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user")]
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"

    def allows(self, role: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]


class ChangeRecord(WorkspaceOwned):
    """One write to a workspace's records: who, when, what, and the fields before and after."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # A label for writes made without a signed-in person: "import", "demo", "keel cli".
    via = models.CharField(max_length=40, blank=True)
    action = models.CharField(max_length=80)  # dotted code, e.g. "partnership.member_added"
    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    object_repr = models.CharField(max_length=300)
    changes = models.JSONField(default=dict, blank=True)  # {field: [before, after]}
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["workspace", "object_type", "object_id", "-at"], name="change_by_object")]

    def __str__(self) -> str:
        return f"{self.action} {self.object_repr}"

    @property
    def who(self) -> str:
        if self.actor is not None:
            return self.actor.get_full_name() or self.actor.username
        return self.via or "Keel"
