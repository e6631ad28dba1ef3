"""Files kept from a refused section save (issue 24): a chosen PDF that passed its own checks is
kept (PendingEvidence) so that the operator does not choose it again; the next post names it in a
hidden field, and the save copies it into evidence. Only the same person posting to the same
submission and question finds it."""

from .models import PendingEvidence

# The hidden field of a section form that names a kept file (AnswerForm.evidence_pending).
PENDING_FIELD = "evidence_pending"


def pending_uploads(submission, by, data):
    """{question id: PendingEvidence} that a section post names in its hidden fields: only `by`'s
    own files for this submission and that question (another agency's token finds nothing). No
    query when the post names none."""
    tokens = {
        int(name[1:].split("-", 1)[0]): value
        for name, value in data.items()
        if name.endswith(f"-{PENDING_FIELD}") and name[1:].split("-", 1)[0].isdigit() and value
    }
    if not tokens:
        return {}
    kept = PendingEvidence.objects.filter(submission=submission, uploaded_by=by, token__in=list(tokens.values()))
    return {p.question_id: p for p in kept if tokens.get(p.question_id) == p.token}


def keep_refused_uploads(submission, forms, by):
    """After a section post the form checks refused (nothing saved): keep each chosen file that
    passed its own checks, in place of the one kept before for that question, and tell its form
    (form.pending). Files kept longer than a day are deleted on the way. Returns how many forms
    now hold a kept file."""
    PendingEvidence.objects.expired().discard()
    for form in forms:
        uploaded = form.cleaned_data.get("evidence_file") if "evidence_file" not in form.errors else None
        if not uploaded:
            continue
        if form.pending is not None:
            PendingEvidence.objects.filter(pk=form.pending.pk).discard()
        pending = PendingEvidence(submission=submission, question=form.question, uploaded_by=by)
        pending.take(uploaded)
        pending.save()
        form.pending = pending
    return sum(form.pending is not None for form in forms)


def discard_used_uploads(pending, saved_questions):
    """The kept files that a save has just copied into evidence (those of `saved_questions`)."""
    used = [p.pk for question_id, p in pending.items() if question_id in {q.pk for q in saved_questions}]
    if used:
        PendingEvidence.objects.filter(pk__in=used).discard()
