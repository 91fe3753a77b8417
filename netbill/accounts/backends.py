"""Email + password authentication (argon2 hashes via Django's hasher)."""

from django.contrib.auth.backends import ModelBackend

from netbill.accounts.models import User


class EmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        email = (email or username or "").strip().lower()
        user = User.objects.filter(email__iexact=email).first()
        if user and user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        user = (
            User.objects.select_related("tenant", "parent", "parent__parent")
            .filter(pk=user_id)
            .first()
        )
        return user if user and self.user_can_authenticate(user) else None
