"""What the models' transitions share: the error a refused transition raises (the permissions they
check are named in evaluations.permissions).

It sits below every other models module, so that the submission and its answers, quick wins, data
sets and the impact survey refuse alike without importing one another.
"""


class TransitionError(Exception):
    """A transition that the submission's state does not allow; the message is for the user."""

    def __init__(self, message, missing=None):
        super().__init__(message)
        self.message = message
        self.missing = missing or []
