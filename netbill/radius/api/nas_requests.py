"""API rendering of the Disconnect / CoA requests sent to the NAS (read-only)."""

from __future__ import annotations

from rest_framework import serializers

from netbill.radius.models import NasRequest


class NasRequestSerializer(serializers.ModelSerializer):
    """One request to the router holding a session, and its outcome.

    ``status``: pending (not sent yet), ack, nak (refused; ``detail`` names the Error-Cause),
    timeout (no answer), error (could not be sent), no_session.  ``retrying`` is true while
    the outbox will try again; ``finished_at`` is set once the outcome is final.
    """

    retrying = serializers.BooleanField(read_only=True)

    class Meta:
        model = NasRequest
        fields = [
            "id",
            "customer",
            "kind",
            "reason",
            "status",
            "retrying",
            "attempts",
            "detail",
            "nas_address",
            "acct_session_id",
            "framed_ip",
            "attributes",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields
