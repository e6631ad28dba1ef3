"""Views by audience: common (home, errors), agency (operators fill in), review (coordinators),
quickwins, datasets, exports and instrument (admin-side). Each module stays thin: look the object
up through evaluations.access, bind the form, change data through a model method, redirect."""

from .common import csrf_failure, home

__all__ = ["csrf_failure", "home"]
