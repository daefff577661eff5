"""`python -m core cells`: check the NumPy cell replay against Keras, or print the worked examples."""

from __future__ import annotations


def add_arguments(parser) -> None:
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--check", action="store_true", help="max |NumPy - Keras| per cell (random and shipped weights)")
    what.add_argument("--worked-example", action="store_true", help="the course's 1pre1 and 4pre1 (bcde) examples")
    what.add_argument("--trace", metavar="LETTERS", help="replay letters through the shipped models (e.g. bcde)")
    parser.add_argument("--steps", type=int, default=24, help="time steps of the random check (>= 20)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random weights and inputs")


def run(args) -> dict:
    if args.worked_example:
        from core.worked_examples import worked_examples_json

        return worked_examples_json()
    if args.trace:
        return _trace(args.trace)
    if args.steps < 1:
        raise ValueError("--steps must be at least 1")
    from core.cell_models import check_all

    return check_all(steps=args.steps, seed=args.seed)


def _trace(text: str) -> dict:
    """Per cell: hidden state per step, probabilities and prediction (NumPy only)."""
    from core.cell_models import shipped_models, trace_letters

    out = {}
    for cell, model in shipped_models().items():
        tr = trace_letters(model, text)
        out[cell] = {"h": tr.trace.outputs.round(4).tolist(), "y": tr.probabilities.round(4).tolist(),
                     "prediction": tr.prediction}  # fmt: skip
    return out
