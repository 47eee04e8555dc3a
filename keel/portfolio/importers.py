"""What imports should know of the portfolio's exports: the audit's computed columns are ignored as groups.

A file exported with `keel audit --format csv`, edited and imported again as partnerships, carries
health scores, activity figures and decisions that no import reads; the report names each group once.
"""

from keel.common.importing import ReadOnlyGroup, add_read_only_group
from keel.portfolio.audit import ACTIVITY_FACTS, DECISION_FACTS

add_read_only_group(ReadOnlyGroup("health score columns of the audit", lambda name: name.lower().startswith("health_")))
add_read_only_group(ReadOnlyGroup("activity columns of the audit", lambda name: name.strip().lower() in ACTIVITY_FACTS))
add_read_only_group(ReadOnlyGroup("decision columns of the audit", lambda name: name.strip().lower() in DECISION_FACTS))
