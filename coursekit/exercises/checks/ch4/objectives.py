"""The objective handed to chapter 4's search_loop by ``Ref`` during grading (evaluated in the grader)."""

__all__ = ["flaky_search"]


def flaky_search(config, budget, seed):
    """coursekit.tuning.objectives.flaky with an overflow too: inf for 0.74 < x <= 0.8 (search_loop's check).

    Raises RuntimeError for x > 0.8, returns NaN for x < 0.1, inf in between those bands."""
    from coursekit.tuning.objectives import flaky

    x = config["x"] if isinstance(config, dict) else None
    if not isinstance(x, float):
        raise TypeError(f"config must be a dict with a float 'x', got {type(config).__name__}")
    if 0.74 < x <= 0.8:
        return float("inf")
    return flaky(config, budget, seed)

