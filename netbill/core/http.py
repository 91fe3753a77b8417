"""Request helpers shared by the panel and the API."""

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the proxy's header when TRUST_PROXY_HEADERS."""
    if settings.TRUST_PROXY_HEADERS:
        real = request.META.get("HTTP_X_REAL_IP", "").strip()
        if real:
            return real
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None


def user_agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:300]
