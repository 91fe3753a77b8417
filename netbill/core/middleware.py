"""Show times in the tenant's own timezone (company settings), whatever the server's is."""

import zoneinfo

from django.utils import timezone


class TenantTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        tenant = (
            getattr(user, "tenant", None) if user is not None and user.is_authenticated else None
        )
        if tenant is not None and tenant.timezone:
            try:
                timezone.activate(zoneinfo.ZoneInfo(tenant.timezone))
            except zoneinfo.ZoneInfoNotFoundError:
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)
