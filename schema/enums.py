"""Enumerations of the schema. Values are what the backends store."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="Where a unit sits in the org tree.")
class OrgUnitKind(Enum):
    COMPANY = "company"
    DIVISION = "division"
    DEPARTMENT = "department"
    TEAM = "team"


@strawberry.enum
class LineStatus(Enum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


@strawberry.enum(description="What an allowance or a usage record counts.")
class UsageKind(Enum):
    VOICE = "voice"
    SMS = "sms"
    DATA = "data"
    ROAMING_DATA = "roaming_data"


@strawberry.enum(description="Unit of quantities: voice in seconds, SMS in messages, data in kilobytes.")
class QuantityUnit(Enum):
    SECONDS = "seconds"
    MESSAGES = "messages"
    KILOBYTES = "kilobytes"


UNIT_OF_KIND = {
    "voice": QuantityUnit.SECONDS,
    "sms": QuantityUnit.MESSAGES,
    "data": QuantityUnit.KILOBYTES,
    "roaming_data": QuantityUnit.KILOBYTES,
}


@strawberry.enum
class ChargeCategory(Enum):
    SUBSCRIPTION = "subscription"
    VOICE = "voice"
    SMS = "sms"
    DATA = "data"
    ROAMING = "roaming"
    CONTENT = "content"


@strawberry.enum
class ServiceKind(Enum):
    OPTION = "option"
    DATA_PACK = "data_pack"
    ROAMING = "roaming"
    CONTENT_FILTER = "content_filter"


@strawberry.enum(
    description="What happens when a line's usage charges reach its monthly limit (recurring fees never count "
    "towards a limit and are always the company's)."
)
class LimitAction(Enum):
    NOTIFY = strawberry.enum_value("notify", description="Alerts at 80 % and 100 % of the limit; nothing else.")
    BLOCK = strawberry.enum_value(
        "block", description="Chargeable usage is refused once the month's usage charges reached the limit."
    )
    CHARGE_EMPLOYEE = strawberry.enum_value(
        "charge_employee",
        description="The part of each usage charge over the limit is the employee's in full, on top of the "
        "cost split of the rest.",
    )


@strawberry.enum(
    description="Which org tree groups the charges. AS_BILLED: each charge under the unit its line belonged to "
    "on the charge's day, so closed months never change when the tree does. CURRENT: every month in today's tree; "
    "FORBIDDEN without line:read (set against AS_BILLED it would single out the lines that moved)."
)
class OrgStructure(Enum):
    AS_BILLED = "as_billed"
    CURRENT = "current"


@strawberry.enum
class ContentFilter(Enum):
    OFF = "off"
    MODERATE = "moderate"
    STRICT = "strict"


@strawberry.enum(description="An attribute of a spending policy.")
class PolicyAttribute(Enum):
    MONTHLY_LIMIT = strawberry.enum_value("monthly_limit", description="The monthly limit, with its currency.")
    LIMIT_ACTION = "limit_action"
    COMPANY_SHARE_PERCENT = "company_share_percent"
    CONTENT_FILTER = "content_filter"
    ROAMING_ALLOWED = "roaming_allowed"


@strawberry.enum(description="Who sets an attribute of the policy in force.")
class PolicySetBy(Enum):
    OWN = strawberry.enum_value("own", description="The object itself (the unit, or the line).")
    INHERITED = strawberry.enum_value("inherited", description="A unit above it: the nearest that sets it.")
    DEFAULT = strawberry.enum_value("default", description="Nobody: the default applies.")


@strawberry.enum
class InvoiceStatus(Enum):
    OPEN = "open"
    PAID = "paid"
    OVERDUE = "overdue"


@strawberry.enum
class OrderDirection(Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.enum(description="What a spending alert is about.")
class SpendingAlertSubject(Enum):
    LINE = "line"  # a line against its monthly limit
    UNIT = "unit"  # an org unit's lines, summed, against the unit's monthly budget


@strawberry.enum(description="What a spending alert says.")
class SpendingAlertKind(Enum):
    LIMIT_APPROACHING = strawberry.enum_value("limit_approaching", description="80 % of a limit or budget.")
    LIMIT_REACHED = strawberry.enum_value("limit_reached", description="100 % of a limit or budget.")
    USAGE_BLOCKED = strawberry.enum_value(
        "usage_blocked", description="A line under BLOCK had usage refused: the first time this month."
    )
    EXCESS_CHARGED = strawberry.enum_value(
        "excess_charged", description="A line under CHARGE_EMPLOYEE went over its limit: the excess is the employee's."
    )
