""" "Get Access": a group admin works inside an operator's panel without its password.

The session remembers the operator; every request then runs as that operator, with
``request.user.impersonator`` set to the admin, so the audit log records the admin acting
on behalf of the operator and the panel shows a "Back to Group Admin" bar.
"""

from netbill.accounts.models import User
from netbill.core.choices import RESELLER_ROLES, Role

SESSION_KEY = "netbill_get_access_user_id"


class GetAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        admin = getattr(request, "user", None)
        target_id = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if target_id and admin is not None and admin.is_authenticated:
            target = (
                User.objects.select_related("tenant", "parent")
                .filter(
                    pk=target_id, tenant_id=admin.tenant_id, role__in=RESELLER_ROLES, is_active=True
                )
                .first()
            )
            if admin.role == Role.GROUP_ADMIN and target is not None:
                target.impersonator = admin
                request.real_user = admin
                request.user = target
            else:
                request.session.pop(SESSION_KEY, None)
        return self.get_response(request)
