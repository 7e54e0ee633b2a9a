"""govrules: Chinese government IT-project policy as code.

Load the rule packs, evaluate a project, get decisions that each cite the provision behind them::

    import govrules
    engine = govrules.load()
    report = engine.evaluate(project, jurisdiction="wuxing", as_of=date(2026, 6, 1))
    report.for_provision("第十七条")
"""

from __future__ import annotations

from ._version import __version__
from .calendar import Calendar, Period
from .comparing import Comparison, compare
from .errors import GovrulesError, PackError, PackProblem, ProjectError, ProjectProblem
from .evaluation import Engine, UnknownJurisdiction, load
from .loading import load_pack
from .model import Citation, Pack, Provision, Rule, RuleKind
from .projects import Project, parse_project, read_project
from .report import Decision, Notice, Report, Status
from .vocabulary import Fact, FactType, Vocabulary, default_vocabulary

__all__ = [
    "Calendar",
    "Citation",
    "Comparison",
    "Decision",
    "Engine",
    "Fact",
    "FactType",
    "GovrulesError",
    "Notice",
    "Pack",
    "PackError",
    "PackProblem",
    "Period",
    "Project",
    "ProjectError",
    "ProjectProblem",
    "Provision",
    "Report",
    "Rule",
    "RuleKind",
    "Status",
    "UnknownJurisdiction",
    "Vocabulary",
    "__version__",
    "compare",
    "default_vocabulary",
    "load",
    "load_pack",
    "parse_project",
    "read_project",
]
