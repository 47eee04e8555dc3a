"""Writes to the decisions' records. Every one takes an Actor, runs in a transaction and writes the
change log. One module per part: setup (settings and default checklists), criteria, start, records
(cost and value, events, conflicts), reviews, dissolution."""
