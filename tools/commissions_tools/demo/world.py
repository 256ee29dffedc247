"""The fixed facts of the demo world: territories, currencies, products, names."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Territory:
    code: str
    region: str
    #: (country, currency, share of the people and accounts there)
    countries: tuple[tuple[str, str, float], ...]


TERRITORIES: tuple[Territory, ...] = (
    Territory("NA-EAST", "NA", (("US", "USD", 0.7), ("CA", "CAD", 0.3))),
    Territory("NA-WEST", "NA", (("US", "USD", 1.0),)),
    Territory("EMEA-UK", "EMEA", (("GB", "GBP", 0.9), ("IE", "EUR", 0.1))),
    Territory("EMEA-DE", "EMEA", (("DE", "EUR", 0.7), ("NL", "EUR", 0.15), ("AT", "EUR", 0.15))),
    Territory("APAC-JP", "APAC", (("JP", "JPY", 1.0),)),
    Territory("APAC-AU", "APAC", (("AU", "AUD", 1.0),)),
)
#: Territory of rep i is TERRITORY_CYCLE[i % len] after a shuffle: every territory is
#: staffed as soon as there are a handful of reps, the Americas a little more.
TERRITORY_CYCLE: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 0, 1, 2, 3)

CURRENCIES: tuple[str, ...] = ("USD", "CAD", "GBP", "EUR", "JPY", "AUD")
#: USD per 1 unit, around which the daily rates wander.
USD_PER_UNIT: dict[str, float] = {"USD": 1.0, "CAD": 0.73, "GBP": 1.27, "EUR": 1.08, "JPY": 0.0067, "AUD": 0.66}
#: Decimal places of each currency's amounts.
MINOR_DIGITS: dict[str, int] = {"JPY": 0}
#: Currency of a deal not in the owner's pay currency: cross-border deals are mostly in USD.
FOREIGN_DEAL_CURRENCY_WEIGHTS: tuple[float, ...] = (0.5, 0.08, 0.12, 0.18, 0.04, 0.08)

ROLES: tuple[str, ...] = ("AE", "AM", "SDR", "MANAGER", "SPECIALIST")
PLAN_OF_ROLE: dict[str, str | None] = {
    "AE": "AE_2026",
    "AM": "AM_2026",
    "SDR": "SDR_2026",
    "MANAGER": "MGR_2026",
    "SPECIALIST": "SPEC_2026",
}
TITLE_OF_ROLE: dict[str, str] = {
    "AE": "Account Executive",
    "AM": "Account Manager",
    "SDR": "Sales Development Representative",
    "MANAGER": "Sales Manager",
    "SPECIALIST": "Analytics Specialist",
}
#: Monthly bookings quota, USD equivalent, before the rep's own factor and seasonality.
MONTHLY_QUOTA_USD: dict[str, float] = {"AE": 100_000.0, "AM": 62_500.0, "SPECIALIST": 150_000.0}
QUARTER_END_QUOTA_FACTOR = 1.25
REPS_PER_MANAGER = 8

#: (product_code, family, description, quantities to choose from)
PRODUCTS: tuple[tuple[str, str, str, tuple[int, ...]], ...] = (
    ("PLT-CORE", "Platform", "Platform Core subscription", (5, 10, 20, 25, 50)),
    ("PLT-ENT", "Platform", "Platform Enterprise subscription", (50, 100, 200, 250)),
    ("ANL-STD", "Analytics", "Analytics Standard add-on", (1, 2, 5, 10)),
    ("ANL-PRO", "Analytics", "Analytics Pro add-on", (5, 10, 20)),
    ("SVC-ONB", "Services", "Onboarding services (days)", (2, 3, 5, 10)),
    ("SVC-TRN", "Services", "Training services (days)", (1, 2, 4)),
)
#: Line k of a deal (k = 0, 1, 2) comes from this family: products 2k and 2k + 1.
LINE_FAMILIES = ("Platform", "Analytics", "Services")

FIRST_NAMES: tuple[str, ...] = (
    "Ava", "Ben", "Chloé", "Daniel", "Emma", "Felix", "Grace", "Hiro", "Isla", "Jonas", "Keiko", "Liam",
    "Mia", "Noah", "Olivia", "Pedro", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wei", "Yuki",
    "Zoë", "Aiden", "Björn", "Carmen", "Dmitri", "Elif", "Farah", "Gustav", "Hannah", "Ingrid", "Jack",
    "Kenji", "Lena", "Marco", "Nadia", "Oscar", "Priya", "Ruth", "Sakura", "Tom", "Uma", "Viktor",
)  # fmt: skip
LAST_NAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Müller", "Schmidt", "O'Brien", "Tanaka", "Suzuki", "Brown", "Wilson", "Taylor",
    "García", "Martin", "Nguyen", "Kim", "Dubois", "Rossi", "Jansen", "de Vries", "Kowalski", "Andersson",
    "Murphy", "Sato", "Watanabe", "Clarke", "Walker", "Singh", "Patel", "Fischer", "Weber", "Lee",
    "Thompson", "White", "Harris", "Lewis", "Young", "King", "Wright", "Hughes", "Edwards", "Baker",
)  # fmt: skip
ACCOUNT_WORDS: tuple[str, ...] = (
    "Northwind", "Contoso", "Fabrikam", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Acme", "Hooli",
    "Vandelay", "Soylent", "Tyrell", "Cyberdyne", "Aperture", "Gringotts", "Monarch", "Oscorp", "Wonka",
    "Blue Sun", "Nakatomi", "Dunder", "Prestige", "Sterling", "Pied Piper", "Massive", "Bluth", "Krusty",
)  # fmt: skip
ACCOUNT_NOUNS: tuple[str, ...] = (
    "Logistics", "Analytics", "Foods", "Energy", "Health", "Retail", "Media", "Systems", "Finance",
    "Robotics", "Travel", "Labs", "Mobility", "Insurance", "Software", "Pharma",
)  # fmt: skip
#: Legal-form suffix by country; some carry a comma so the CSV writer must quote.
ACCOUNT_SUFFIXES: dict[str, tuple[str, ...]] = {
    "US": ("Inc.", ", Inc.", "LLC", "Corp."),
    "CA": ("Ltd.", "Inc."),
    "GB": ("Ltd", "plc"),
    "IE": ("Ltd", "DAC"),
    "DE": ("GmbH", "AG"),
    "NL": ("B.V.", "N.V."),
    "AT": ("GmbH", "AG"),
    "JP": ("K.K.", "Co., Ltd."),
    "AU": ("Pty Ltd", "Ltd"),
}
