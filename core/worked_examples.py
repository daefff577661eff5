"""The course's two worked SimpleRNN examples, computed by the same step function the page uses.

The course gives the products x·W_xh, h·W_hh and h·W_hy directly (never the matrices), so those
products are given data here; everything after them (sums, tanh, softmax, the prediction) is
computed by `core.cells.rnn_from_parts` (the second half of `rnn_step`) and `core.cells.softmax`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.cells import rnn_from_parts, softmax

ALPHABET = "abcde"


@dataclass(frozen=True)
class GivenStep:
    """One time step as the course prints it."""

    letter: str  # the input letter of this step
    x_part: tuple[float, ...]  # x_t · W_xh, given by the course
    h_part: tuple[float, ...]  # h_{t-1} · W_hh, given by the course


@dataclass(frozen=True)
class WorkedExample:
    """A course example: given products per step, the bias, and the output layer's given product."""

    name: str  # "1pre1" or "4pre1"
    steps: tuple[GivenStep, ...]  # the input letters in order
    b_h: tuple[float, ...]  # recurrent layer bias
    output_h_part: tuple[float, ...]  # h_T · W_hy, given by the course
    b_y: tuple[float, ...]  # output bias
    course_h: tuple[tuple[float, ...], ...]  # h per step as the course prints it (may contain slips)
    slip: str = ""  # what the course got wrong, if anything


ONE_PRE_ONE = WorkedExample(
    name="1pre1",
    steps=(GivenStep("b", (-2.3, 0.8, 1.1), (0.0, 0.0, 0.0)),),
    b_h=(0.5, 0.3, -0.2),
    output_h_part=(-0.7, -0.6, 2.9, 0.7, -0.8),
    b_y=(0.0, 0.1, 0.4, -0.7, 0.1),
    course_h=((-0.9, 0.8, 0.7),),
)

FOUR_PRE_ONE = WorkedExample(
    name="4pre1",
    steps=(
        GivenStep("b", (-1.5, 0.2, 0.3), (0.0, 0.0, 0.0)),
        GivenStep("c", (-0.3, 1.7, 0.7), (1.1, 1.1, 0.5)),
        GivenStep("d", (-0.1, 0.1, -0.1), (0.6, 0.4, -2.2)),
        GivenStep("e", (-1.2, -1.5, 0.3), (-1.3, -0.4, 0.8)),
    ),
    b_h=(0.2, 0.0, -0.1),
    output_h_part=(3.3, 1.2, 0.9, 0.3, -3.1),
    b_y=(-0.3, 0.2, 0.1, 0.1, -0.3),
    course_h=((-0.9, 0.2, 0.2), (0.8, 1.0, 0.8), (-0.6, 0.4, -0.9), (-1.0, -1.0, 0.8)),
    slip=(
        "At step 3 (input d) the course prints the sum as [0.7, 0.4, -2.4] and h as [-0.6, 0.4, -0.9]; "
        "the given numbers add up to [0.7, 0.5, -2.4], whose tanh is [0.60, 0.46, -0.98]. The course "
        "corrects itself to [0.6, 0.5, -1.0] on the next line."
    ),
)

EXAMPLES: dict[str, WorkedExample] = {"1pre1": ONE_PRE_ONE, "4pre1": FOUR_PRE_ONE}


@dataclass
class WorkedResult:
    """Every step written out: the given products, the sums, h; then the output layer."""

    example: WorkedExample
    records: list[dict[str, np.ndarray]]  # per step: x_part, h_part, bias, pre, h
    logits: np.ndarray  # h_T·W_hy + b_y
    y: np.ndarray  # softmax(logits)

    @property
    def h(self) -> np.ndarray:
        """(steps, 3) hidden states."""
        return np.stack([r["h"] for r in self.records])

    @property
    def prediction(self) -> str:
        return ALPHABET[int(np.argmax(self.y))]


def compute(example: WorkedExample) -> WorkedResult:
    """Run the example through the SimpleRNN step function and the softmax output."""
    bias = np.array(example.b_h)
    records = [rnn_from_parts(np.array(s.x_part), np.array(s.h_part), bias) for s in example.steps]
    logits = np.array(example.output_h_part) + np.array(example.b_y)
    return WorkedResult(example, records, logits, softmax(logits))


def worked_examples_json(decimals: int = 4) -> dict:
    """`cells --worked-example --json`: 1pre1 at the top level, 4pre1 under "bcde"."""
    one, four = compute(ONE_PRE_ONE), compute(FOUR_PRE_ONE)
    r = lambda a: np.round(a, decimals).tolist()  # noqa: E731
    return {
        "h": r(one.h[-1]),
        "y": r(one.y),
        "prediction": one.prediction,
        "bcde": {"h": r(four.h), "y": r(four.y), "prediction": four.prediction, "slip": FOUR_PRE_ONE.slip},
    }
