"""Views, one module per topic (the same names as models/, forms/, templates/ and tests/): common
(home, errors), answering (operators fill in), review and results (coordinators), periods and
instrument (admin), quickwins, datasets, surveys, notifications and jobs. Each module stays thin:
look the object up through evaluations.access, bind the form, call a rule (a model method or
evaluations/<topic>.py), redirect or render. URL names are <topic>_<view function>."""
