"""Helpers the review pages share: permission checks, reading the review form's fields."""

from kefu.core.errors import PermissionDenied
from kefu.review.selectors import can_manage, can_review


def review_required(user) -> None:
    if not can_review(user):
        raise PermissionDenied()


def manage_required(user) -> None:
    if not can_manage(user):
        raise PermissionDenied()


def scores_from_post(post, keys) -> dict:
    """``score_<item key>`` fields: the 0-5 score of each scorecard item."""
    return {key: post.get(f"score_{key}", "") for key in keys}


def decisions_from_post(post, ids) -> dict:
    """``finding_<id>`` fields: confirmed or rejected."""
    return {pk: post.get(f"finding_{pk}", "") for pk in ids}


def form_rows(view, items, scores: dict, decisions: dict):
    """The findings and scorecard items as the form shows them, with what is chosen."""
    for finding in view.findings:
        if finding.pk in decisions:
            finding.decision = decisions[finding.pk]
    rows = []
    for item in items:
        rows.append({"key": item.key, "name": item.name, "weight": item.weight,
                     "score": str(scores.get(item.key, "")), "choices": [str(n) for n in range(6)]})
    return rows
