from django.apps import AppConfig


class RadiusConfig(AppConfig):
    name = "netbill.radius"
    label = "radius"

    def ready(self):
        from netbill.radius import handlers  # noqa: F401  (registers outbox handlers)
