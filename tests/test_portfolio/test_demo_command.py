"""`keel demo` from the command line: a new workspace each time; an unknown size refused.

Apart from tests/test_portfolio/test_demo.py, whose tests share one small demo kept for the whole module: these
need a database with no demo in it yet.
"""

import io

import pytest
from django.core.management import call_command

from keel.core.models import Workspace
from keel.portfolio.demo.build import build_demo


def test_demo_command_creates_a_new_workspace_each_time_and_prints_its_slug(db):
    out = io.StringIO()
    call_command("demo", "--seed", "3", stdout=out, stderr=io.StringIO())
    call_command("demo", "--seed", "3", "--name", "Training copy", stdout=out, stderr=io.StringIO())
    slugs = out.getvalue().split()
    assert slugs == ["northshire-integrated-care-partnership-demo", "training-copy"]
    assert Workspace.objects.get(slug=slugs[0]).name == "Northshire Integrated Care Partnership (demo)"
    call_command("demo", stdout=out, stderr=io.StringIO())
    assert out.getvalue().split()[-1] == "northshire-integrated-care-partnership-demo-2"


def test_demo_refuses_an_unknown_size(db):
    with pytest.raises(ValueError, match="small or large"):
        build_demo("medium")
    assert not Workspace.objects.exists()
