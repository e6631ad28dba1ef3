"""The bell in the header."""

from django import template

from .. import notifications

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notification_count(context):
    """The signed-in user's unread notices (one query per request, shared with /notifikasi/)."""
    return notifications.unread_count(context["request"])
