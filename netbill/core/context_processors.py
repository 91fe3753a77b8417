"""Template context for the panel: the menu (built from permission keys) and Get Access."""

from netbill.core.menu import build_menu


def panel(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "menu": build_menu(user),
        "real_user": getattr(request, "real_user", None),
    }
