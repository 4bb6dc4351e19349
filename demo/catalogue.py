"""The demo product catalogue shared by every customer: bundles, tariff plans and services."""

from __future__ import annotations

from dataclasses import dataclass

KB_PER_GB = 1024 * 1024
CURRENCY = "EUR"


@dataclass(frozen=True, slots=True)
class Bundle:
    id: int
    code: str
    name: str
    kind: str  # voice, sms, data, roaming_data
    allowance: int  # seconds, messages or kilobytes


@dataclass(frozen=True, slots=True)
class Plan:
    id: int
    code: str
    name: str
    fee_minor: int
    bundles: tuple[Bundle, ...]
    weight: int  # how often the demo companies chose it


@dataclass(frozen=True, slots=True)
class Service:
    id: int
    code: str
    name: str
    kind: str  # option, data_pack, roaming, content_filter
    fee_minor: int
    bundle: Bundle | None
    group: str | None = None  # a line holds at most one service of a group
    filter_level: str | None = None


_b = [
    Bundle(1, "VOICE-300", "300 minutes", "voice", 300 * 60),
    Bundle(2, "VOICE-1000", "1000 minutes", "voice", 1000 * 60),
    # "Unlimited" plans still carry a fair-use allowance, which is what gets stored.
    Bundle(3, "VOICE-FAIR", "Unlimited minutes (fair use 6000)", "voice", 6000 * 60),
    Bundle(4, "SMS-100", "100 SMS", "sms", 100),
    Bundle(5, "SMS-500", "500 SMS", "sms", 500),
    Bundle(6, "SMS-FAIR", "Unlimited SMS (fair use 3000)", "sms", 3000),
    Bundle(7, "DATA-5GB", "5 GB data", "data", 5 * KB_PER_GB),
    Bundle(8, "DATA-15GB", "15 GB data", "data", 15 * KB_PER_GB),
    Bundle(9, "DATA-40GB", "40 GB data", "data", 40 * KB_PER_GB),
    Bundle(10, "DATA-100GB", "100 GB data", "data", 100 * KB_PER_GB),
    Bundle(11, "ROAM-2GB", "2 GB roaming data", "roaming_data", 2 * KB_PER_GB),
    Bundle(12, "ROAM-10GB", "10 GB roaming data", "roaming_data", 10 * KB_PER_GB),
    Bundle(13, "PACK-DATA-5GB", "Data pack 5 GB", "data", 5 * KB_PER_GB),
    Bundle(14, "PACK-DATA-20GB", "Data pack 20 GB", "data", 20 * KB_PER_GB),
    Bundle(15, "PASS-ROAM-EU", "Roaming EU pass 3 GB", "roaming_data", 3 * KB_PER_GB),
    Bundle(16, "PASS-ROAM-WORLD", "Roaming World pass 1 GB", "roaming_data", KB_PER_GB),
]
BUNDLES: tuple[Bundle, ...] = tuple(_b)

PLANS: tuple[Plan, ...] = (
    Plan(1, "BIZ-S", "Business S", 1500, (_b[0], _b[3], _b[6]), 30),
    Plan(2, "BIZ-M", "Business M", 2500, (_b[1], _b[4], _b[7]), 40),
    Plan(3, "BIZ-L", "Business L", 3900, (_b[2], _b[5], _b[8], _b[10]), 20),
    Plan(4, "BIZ-UNL", "Business Unlimited", 5900, (_b[2], _b[5], _b[9], _b[11]), 10),
)

SERVICES: tuple[Service, ...] = (
    Service(1, "DATA-PACK-5", "Data pack 5 GB", "data_pack", 500, _b[12]),
    Service(2, "DATA-PACK-20", "Data pack 20 GB", "data_pack", 1200, _b[13]),
    Service(3, "ROAM-EU", "Roaming EU pass", "roaming", 900, _b[14], "roaming_pass"),
    Service(4, "ROAM-WORLD", "Roaming World pass", "roaming", 2500, _b[15], "roaming_pass"),
    Service(5, "VISUAL-VM", "Visual voicemail", "option", 199, None),
    Service(6, "MULTISIM", "MultiSIM (second SIM)", "option", 499, None),
    Service(7, "CONF-CALL", "Conference calling", "option", 299, None),
    Service(8, "WATCH-ESIM", "eSIM for smartwatch", "option", 499, None),
    Service(9, "CF-MODERATE", "Content filter (moderate)", "content_filter", 99, None, "content_filter", "moderate"),
    Service(10, "CF-STRICT", "Content filter (strict)", "content_filter", 199, None, "content_filter", "strict"),
)

# How often a line that has services picks each one: data packs and voicemail are common.
SERVICE_WEIGHTS = (14, 5, 8, 3, 16, 6, 6, 5, 4, 2)


def catalogue_rows() -> dict[str, list[tuple]]:
    """Rows per table name, in the column order of the billing models."""
    return {
        "bundles": [(b.id, b.code, b.name, b.kind, b.allowance) for b in BUNDLES],
        "tariff_plans": [(p.id, p.code, p.name, p.fee_minor, CURRENCY) for p in PLANS],
        "plan_bundles": [(p.id, b.id) for p in PLANS for b in p.bundles],
        "services": [_service_row(s) for s in SERVICES],
    }


def _service_row(s: Service) -> tuple:
    bundle = s.bundle.id if s.bundle else None
    return (s.id, s.code, s.name, s.kind, s.fee_minor, CURRENCY, bundle, s.group, s.filter_level)
