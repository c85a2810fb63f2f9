"""Solving the shift-count model with CP-SAT or with HiGHS (the MILP solver bundled with OR-Tools).

The model is written once with CP-SAT's API and holds only linear constraints over integer
variables, so the same model can be handed to a MILP solver. On a week with weekly tours
CP-SAT finds good schedules quickly but, on two cores, rarely proves the last percent;
HiGHS's branch-and-cut closes that gap (figures in docs/wfm-schedule.md).
"""

import contextlib
import math
import os
import sys
import time
from dataclasses import dataclass
from datetime import timedelta

from ortools.math_opt.python import mathopt
from ortools.sat.python import cp_model

SOLVERS = ("cp-sat", "highs")
_INFINITE = 2**62  # CP-SAT writes an open side of a linear constraint as ±2^63-1


@dataclass
class Outcome:
    """What the result needs from a solve, whichever solver ran it."""

    found: bool
    optimal: bool
    status: str
    objective: float
    bound: float
    seconds: float
    values: dict  # variable index -> value

    def value(self, var) -> int:
        return self.values[var.index]

    @property
    def gap(self) -> float:
        """(objective − best bound) / objective; 0 when proven optimal or when nothing costs anything."""
        if self.optimal or self.objective <= 0:
            return 0.0
        return max(self.objective - self.bound, 0.0) / self.objective


def solve_cp_sat(model: cp_model.CpModel, *, time_limit: float, workers: int, seed: int) -> Outcome:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    began = time.perf_counter()
    status = solver.solve(model)
    seconds = time.perf_counter() - began
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    count = len(model.proto.variables)
    return Outcome(found=found, optimal=status == cp_model.OPTIMAL, status=solver.status_name(status),
                   objective=solver.objective_value if found else 0.0,
                   bound=solver.best_objective_bound if found else 0.0, seconds=seconds,
                   values={i: solver.value(model.get_int_var_from_proto_index(i)) for i in range(count)} if found else {})


@contextlib.contextmanager
def _stdout_silenced():
    """HiGHS prints its banner from C++ straight to file descriptor 1, which would corrupt
    ``kefu schedule --format json`` on stdout; send that descriptor to /dev/null meanwhile."""
    sys.stdout.flush()
    saved = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


def solve_highs(model: cp_model.CpModel, *, time_limit: float, workers: int, seed: int) -> Outcome:
    """Hand the (purely linear) model to HiGHS through OR-Tools' MathOpt.

    MathOpt, unlike the older ``pywraplp`` wrapper, returns HiGHS's best schedule when the
    time limit stops the search. HiGHS's branch-and-bound runs on one thread here (MathOpt
    does not pass a thread count to HiGHS), so ``workers`` does not apply.
    """
    proto = model.proto
    lp = mathopt.Model(name="schedule")
    variables = []
    for v in proto.variables:
        domain = list(v.domain)
        if len(domain) != 2:
            raise ValueError(f"variable {v.name} has a domain with holes; HiGHS needs an interval")
        variables.append(lp.add_integer_variable(lb=domain[0], ub=domain[1], name=v.name))
    for c in proto.constraints:
        linear = c.linear
        domain = list(linear.domain)
        if len(domain) != 2 or len(c.enforcement_literal):
            raise ValueError("the schedule model must be purely linear to run on HiGHS")
        lo, hi = domain
        lp.add_linear_constraint(
            lb=-math.inf if lo < -_INFINITE else lo, ub=math.inf if hi > _INFINITE else hi,
            expr=mathopt.fast_sum(k * variables[i] for i, k in zip(linear.vars, linear.coeffs)))
    # CP-SAT stores a maximisation negated, with a negative scaling factor: minimise what is stored.
    sign = -1 if proto.objective.scaling_factor < 0 else 1
    lp.minimize(proto.objective.offset
                + mathopt.fast_sum(k * variables[i] for i, k in zip(proto.objective.vars, proto.objective.coeffs)))
    parameters = mathopt.SolveParameters(
        time_limit=timedelta(seconds=time_limit), random_seed=seed,
        # Costs are whole numbers of units, so anything short of a zero gap is not yet proven.
        relative_gap_tolerance=0.0, absolute_gap_tolerance=0.5)
    began = time.perf_counter()
    with _stdout_silenced():
        result = mathopt.solve(lp, mathopt.SolverType.HIGHS, params=parameters)
    seconds = time.perf_counter() - began
    reason = result.termination.reason
    found = result.has_primal_feasible_solution()
    values = {}
    if found:
        values = {i: round(value) for i, value in enumerate(result.variable_values(variables))}
    objective = result.objective_value() if found else 0.0
    bound = result.termination.objective_bounds.dual_bound if found else 0.0
    return Outcome(found=found, optimal=reason == mathopt.TerminationReason.OPTIMAL, status=reason.name,
                   objective=sign * objective, bound=sign * bound, seconds=seconds, values=values)


def model_solve(model: cp_model.CpModel, *, solver: str, time_limit: float, workers: int, seed: int) -> Outcome:
    if solver == "cp-sat":
        return solve_cp_sat(model, time_limit=time_limit, workers=workers, seed=seed)
    if solver == "highs":
        return solve_highs(model, time_limit=time_limit, workers=workers, seed=seed)
    raise ValueError(f"unknown solver {solver!r}; known: {', '.join(SOLVERS)}")
