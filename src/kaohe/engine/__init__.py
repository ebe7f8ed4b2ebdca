"""The assessment engine: pure Python, Decimal, deterministic; no Django import, ever.

scheme = load_scheme("district-2014")
result = compute_year(scheme, facts)
explain_unit(result, "S01")
"""

from .compute import UnitYear, YearResult, compute_year, explain_unit
from .errors import InputError
from .explain import Line, display_figures, fmt, render, shown
from .facts import Facts
from .loader import builtin_names, load_scheme, parse_scheme, scheme_from_data
from .scheme import Scheme

__all__ = [
    "Facts",
    "InputError",
    "Line",
    "Scheme",
    "UnitYear",
    "YearResult",
    "builtin_names",
    "compute_year",
    "display_figures",
    "explain_unit",
    "fmt",
    "load_scheme",
    "parse_scheme",
    "render",
    "scheme_from_data",
    "shown",
]
