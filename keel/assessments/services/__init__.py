"""Writes for assessments. Every one runs in a transaction and writes the audit trail.

Views, the respondent page, the importer, the demo and the CLI call these; none of them saves
an assessment model directly. They are split by subject; this package names them all, so
`services.create_round(...)` reads the same wherever it is called.
"""

from keel.assessments.services.instruments import (
    BUILTIN_DIR,
    builtin_definitions,
    ensure_builtin_instruments,
    health_check,
    load_instrument,
)
from keel.assessments.services.responses import (
    CLOSED,
    MAX_COMMENT,
    READY,
    SCHEDULED,
    UNKNOWN,
    USED_UP,
    clean_answers,
    clean_comments,
    find_invitation,
    find_open_round,
    import_responses,
    save_draft,
    start_open_response,
    submit_response,
)
from keel.assessments.services.rounds import (
    active_strategic_partnerships,
    change_closing_date,
    close_round,
    create_round,
    create_rounds,
    default_invitees,
    hash_token,
    issue_link,
    new_token,
    open_url,
    respond_url,
    send_invitations,
    send_reminders,
)
from keel.assessments.services.scores import refresh_all_summaries, refresh_summary, score_round, workspace_bands

__all__ = [
    "BUILTIN_DIR",
    "CLOSED",
    "MAX_COMMENT",
    "READY",
    "SCHEDULED",
    "UNKNOWN",
    "USED_UP",
    "active_strategic_partnerships",
    "builtin_definitions",
    "change_closing_date",
    "clean_answers",
    "clean_comments",
    "close_round",
    "create_round",
    "create_rounds",
    "default_invitees",
    "ensure_builtin_instruments",
    "find_invitation",
    "find_open_round",
    "hash_token",
    "health_check",
    "import_responses",
    "issue_link",
    "load_instrument",
    "new_token",
    "open_url",
    "refresh_all_summaries",
    "refresh_summary",
    "respond_url",
    "save_draft",
    "score_round",
    "send_invitations",
    "send_reminders",
    "start_open_response",
    "submit_response",
    "workspace_bands",
]
