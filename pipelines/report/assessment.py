"""Direction of travel and RAG, worked out from published figures only.

The published tables leave out the marts' change, change_direction and rag_status on purpose
(beside a suppressed figure they would give it away, or bound it). The report works them out
again from what is shown: two published figures give a direction, a published figure and its
target give a RAG. Where either figure is suppressed (or not available) there is no direction
and no RAG, only the symbol. Both use the rounded figures a reader sees, so the words never
disagree with the numbers printed beside them.
"""

from __future__ import annotations

from dataclasses import dataclass

POLARITY_WORDS = {
    "higher_is_better": "higher is better",
    "lower_is_better": "lower is better",
    "context": "neither higher nor lower is better in itself",
}


@dataclass(frozen=True)
class Direction:
    """kind: improved | worsened | no change | up | down (context measures) | none."""

    kind: str
    sentence: str

    @property
    def arrow(self) -> str:
        return {"improved": "▲", "worsened": "▼", "up": "▲", "down": "▼", "no change": "▶"}.get(self.kind, "")


def direction_of_travel(
    current: float | None,
    previous: float | None,
    polarity: str | None,
    *,
    current_text: str,
    previous_text: str,
    current_period: str,
    previous_period: str | None,
    subject: str,
) -> Direction:
    """Words for the change from the previous period, following the statistic's polarity.

    `current_text`/`previous_text` are the figures as published (with their unit), so the
    sentence quotes exactly what the page shows: "c" when suppressed.
    """
    if previous_period is None:
        return Direction("none", f"{subject}: {current_text} in {current_period}; no earlier period to compare with.")
    if current is None or previous is None:
        return Direction(
            "none",
            f"{subject}: {current_text} in {current_period} and {previous_text} in {previous_period}; "
            "no direction is shown when either figure is not published.",
        )
    if current == previous:
        return Direction("no change", f"{subject} stayed at {current_text} ({previous_period} and {current_period}).")
    went = "increased" if current > previous else "decreased"
    movement = f"{subject} {went} from {previous_text} in {previous_period} to {current_text} in {current_period}"
    if polarity == "higher_is_better":
        kind = "improved" if current > previous else "worsened"
    elif polarity == "lower_is_better":
        kind = "improved" if current < previous else "worsened"
    else:
        return Direction("up" if current > previous else "down", f"{movement} (a measure of need or volume: {POLARITY_WORDS['context']}).")
    judgement = "an improvement" if kind == "improved" else "a worsening"
    return Direction(kind, f"{movement}: {judgement} ({POLARITY_WORDS[polarity]}).")


@dataclass(frozen=True)
class Rag:
    """status: green | amber | red | none."""

    status: str
    text: str


def rag_against_target(value: float | None, target: float | None, polarity: str | None, amber_threshold: float | None = None) -> Rag:
    """Green when the target is met, amber within the amber threshold, else red.

    Without an amber threshold a figure short of its target is red. No target, or no published
    figure, gives no RAG (never a colour for a suppressed figure).
    """
    if target is None:
        return Rag("none", "no target")
    if value is None:
        return Rag("none", "not assessed: the figure is not published")
    if polarity == "lower_is_better":
        met, within_amber = value <= target, amber_threshold is not None and value <= amber_threshold
    elif polarity == "higher_is_better":
        met, within_amber = value >= target, amber_threshold is not None and value >= amber_threshold
    else:
        return Rag("none", "no RAG: the measure has no direction")
    if met:
        return Rag("green", "Green: target met")
    if within_amber:
        return Rag("amber", "Amber: close to target")
    return Rag("red", "Red: target not met")
