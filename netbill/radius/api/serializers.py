from rest_framework import serializers

from netbill.radius.models import RadAcct


class SessionSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="radacctid", read_only=True)
    customer = serializers.IntegerField(source="customer_id", read_only=True)
    online = serializers.SerializerMethodField()
    download_bytes = serializers.SerializerMethodField()
    upload_bytes = serializers.SerializerMethodField()

    class Meta:
        model = RadAcct
        fields = [
            "id",
            "customer",
            "username",
            "acctsessionid",
            "nasipaddress",
            "framedipaddress",
            "framedipv6prefix",
            "callingstationid",
            "acctstarttime",
            "acctupdatetime",
            "acctstoptime",
            "acctsessiontime",
            "acctterminatecause",
            "online",
            "download_bytes",
            "upload_bytes",
        ]
        read_only_fields = fields

    def get_online(self, obj) -> bool:
        return obj.acctstoptime is None

    def get_download_bytes(self, obj) -> int:
        return obj.acctoutputoctets or 0

    def get_upload_bytes(self, obj) -> int:
        return obj.acctinputoctets or 0


class UsageCycleSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    download = serializers.IntegerField(help_text="Bytes the customer received.")
    upload = serializers.IntegerField(help_text="Bytes the customer sent.")
    total = serializers.IntegerField()
    limit = serializers.IntegerField(allow_null=True, help_text="FUP limit in bytes, if any.")
