"""The plan file format: what a plan may say, and the rules it must keep.

Conventions (docs/plan-files.md says the same for people writing plans):
- rates, weights and attainment are decimal fractions: 0.10 is 10 %, 1.00 is 100 % of quota;
- money is an exact decimal in the plan currency, written as a YAML number or a quoted string;
  numbers are read from their source text into `Decimal`, never through a float, and a
  Python float handed to these models is refused;
- dates are ISO dates, `effective_to` and `ends_on` inclusive.

Every model forbids unknown keys. Rules that span fields (tiers contiguous, weights summing to
1.00, versions not overlapping...) raise one `plan_rules` error listing each problem with the
path of the field relative to the model, so the loader can name the exact field.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, PrivateAttr, model_validator
from pydantic_core import PydanticCustomError

#: A field path relative to a model: ("tiers", 2, "from").
Loc = tuple[str | int, ...]
#: One broken rule: where, and "expected ..., got ..." text.
Problem = tuple[Loc, str]


def describe(value: Any) -> str:
    """How a found value is quoted in messages: '1.5', 'abc', true, nothing, a list."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return repr(str(value))


def dotted(loc: Loc) -> str:
    """("versions", 0, "components", 1) -> "versions[0].components[1]"."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _raise_problems(problems: list[Problem]) -> None:
    if problems:
        summary = "; ".join(f"{dotted(loc)}: {message}" for loc, message in problems)
        raise PydanticCustomError("plan_rules", "{summary}", {"summary": summary, "problems": problems})


# ---- values -------------------------------------------------------------------------------

_DECIMAL_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _decimal(
    expected: str, low: Decimal | None = None, high: Decimal | None = None, *, above: bool = False
) -> PlainValidator:
    """An exact Decimal within bounds; anything else is "expected <expected>"."""

    def within(number: Decimal) -> bool:
        if not number.is_finite():
            return False
        if low is not None and not (number > low if above else number >= low):
            return False
        return high is None or number <= high

    def parse(value: Any) -> Decimal:
        number: Decimal | None = None
        if isinstance(value, Decimal):
            number = value
        elif isinstance(value, int) and not isinstance(value, bool):
            number = Decimal(value)
        elif isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value.strip()):
            number = Decimal(value.strip())
        if number is None or not within(number):
            raise PydanticCustomError("plan_value", "expected {expected}", {"expected": expected})
        return number

    return PlainValidator(parse)


def _text(expected: str, pattern: str) -> PlainValidator:
    compiled = re.compile(pattern)

    def parse(value: Any) -> str:
        if not isinstance(value, str) or not compiled.fullmatch(value):
            raise PydanticCustomError("plan_value", "expected {expected}", {"expected": expected})
        return value

    return PlainValidator(parse)


def _count(expected: str) -> PlainValidator:
    def parse(value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
        raise PydanticCustomError("plan_value", "expected {expected}", {"expected": expected})

    return PlainValidator(parse)


Rate: TypeAlias = Annotated[Decimal, _decimal("a number between 0 and 1", Decimal(0), Decimal(1))]
Weight: TypeAlias = Annotated[
    Decimal, _decimal("a weight above 0 and at most 1 (0.70 is 70 %)", Decimal(0), Decimal(1), above=True)
]
Attainment: TypeAlias = Annotated[
    Decimal, _decimal("an attainment ratio of 0 or more (1.00 is 100 % of quota)", Decimal(0))
]
PayoutFactor: TypeAlias = Annotated[
    Decimal, _decimal("a payout ratio of 0 or more (1.00 is 100 % of target incentive)", Decimal(0))
]
Money: TypeAlias = Annotated[Decimal, _decimal("an amount of 0 or more", Decimal(0))]
PositiveMoney: TypeAlias = Annotated[Decimal, _decimal("an amount above 0", Decimal(0), above=True)]
PositiveInt: TypeAlias = Annotated[int, _count("a whole number of 1 or more")]
PlanId: TypeAlias = Annotated[
    str, _text("a plan id of letters, digits and _ (e.g. AE_2026)", r"[A-Za-z0-9][A-Za-z0-9_]*")
]
Slug: TypeAlias = Annotated[
    str, _text("an id of lower-case letters, digits and _ (e.g. new_bookings)", r"[a-z][a-z0-9_]*")
]
Name: TypeAlias = Annotated[str, _text("non-empty text", r"(?s).*\S.*")]
CurrencyCode: TypeAlias = Annotated[str, _text("an ISO 4217 currency code (e.g. USD)", r"[A-Z]{3}")]

Measure = Literal[
    "bookings_acv",
    "bookings_tcv",
    "bookings_first_year",
    "invoiced_revenue",
    "collected_cash",
    "margin",
    "units",
    "activities",
    "mbo_score",
]
Trigger = Literal["booking", "invoice", "payment"]
Scope = Literal["individual", "team", "region"]
Period = Literal["month", "quarter", "year"]
AttainmentBasis = Literal["period_to_date", "year_to_date"]

#: Measures counted in units (paid an amount per unit); the other deal measures are money (paid a rate).
COUNT_MEASURES: frozenset[str] = frozenset({"units", "activities"})
#: When a component of each measure may pay. Activities and MBO scores are not deals: they pay
#: in the period they are recorded and take no trigger.
TRIGGERS_OF_MEASURE: dict[str, tuple[str, ...]] = {
    "bookings_acv": ("booking", "invoice", "payment"),
    "bookings_tcv": ("booking", "invoice", "payment"),
    "bookings_first_year": ("booking", "invoice", "payment"),
    "invoiced_revenue": ("invoice", "payment"),
    "collected_cash": ("payment",),
    "margin": ("invoice", "payment"),
    "units": ("booking", "invoice", "payment"),
    "activities": (),
    "mbo_score": (),
}


def _one_of(values: tuple[str, ...]) -> str:
    quoted = [repr(v) for v in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _measure_problems(measure: str, activity: str | None, trigger: str | None) -> list[Problem]:
    """activity named exactly for activities; trigger one the measure allows, or none."""
    problems: list[Problem] = []
    if measure == "activities" and activity is None:
        problems.append((("activity",), "expected the activity counted (e.g. qualified_meeting), got nothing"))
    if measure != "activities" and activity is not None:
        problems.append((("activity",), f"expected no activity for measure {measure}, got {describe(activity)}"))
    allowed = TRIGGERS_OF_MEASURE[measure]
    if allowed and trigger not in allowed:
        problems.append((("trigger",), f"expected {_one_of(allowed)} for measure {measure}, got {describe(trigger)}"))
    if not allowed and trigger is not None:
        problems.append(
            (("trigger",), f"expected no trigger for measure {measure} (paid when recorded), got {describe(trigger)}")
        )
    return problems


def _pay_basis_problems(measure: str, rate: Decimal | None, per_unit: Decimal | None) -> list[Problem]:
    """Exactly one of rate (money measures) and amount_per_unit (count measures)."""
    if measure in COUNT_MEASURES:
        if per_unit is None or rate is not None:
            return [(("amount_per_unit",), f"expected amount_per_unit (and no rate) for measure {measure}")]
    elif rate is None or per_unit is not None:
        return [(("rate",), f"expected rate (and no amount_per_unit) for measure {measure}")]
    return []


# ---- models -------------------------------------------------------------------------------


class Block(BaseModel):
    """A mapping in a plan file: unknown keys are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @classmethod
    def keys(cls) -> list[str]:
        """The keys this block takes, as written in a plan file."""
        return sorted(f.alias or name for name, f in cls.model_fields.items())


class Tier(Block):
    """A band [from, to) of attainment and what it pays; `to` omitted on the last band = no end.

    In a per-transaction table (`per: transaction`) from and to are amounts of one deal's
    credit instead: money in the plan currency, or units for a count measure.
    """

    attainment_from: Attainment = Field(alias="from")
    attainment_to: Attainment | None = Field(default=None, alias="to")
    rate: Rate | None = None
    amount_per_unit: Money | None = None

    @model_validator(mode="after")
    def _check(self) -> Tier:
        problems: list[Problem] = []
        if self.attainment_to is not None and self.attainment_to <= self.attainment_from:
            problems.append(
                (("to",), f"expected a number above from ({self.attainment_from}), got {describe(self.attainment_to)}")
            )
        if (self.rate is None) == (self.amount_per_unit is None):
            problems.append((("rate",), "expected exactly one of rate and amount_per_unit"))
        _raise_problems(problems)
        return self


class CurvePoint(Block):
    """At `attainment`, pay `payout` x the component's share of target incentive."""

    attainment: Attainment
    payout: PayoutFactor


class RateTable(Block):
    """How attainment turns into money.

    flat         `rate` x measure (money) or `amount_per_unit` x count
    graduated    marginal tiers: each band pays its own rate on the part of the measure inside it
    retroactive  the whole measure pays the rate of the highest band reached
    curve        `points` map attainment to a share of target incentive, linear in between,
                 from (0, 0) to the first point, flat after the last

    per          period (the default): the tiers are attainment bands and a period's credits
                 stack through them; transaction: graduated or retroactive tiers bounded by
                 amounts, each deal credit rated on its own amount, apart from the other
                 deals and from the quota
    """

    type: Literal["flat", "graduated", "retroactive", "curve"]
    per: Literal["period", "transaction"] = "period"
    rate: Rate | None = None
    amount_per_unit: Money | None = None
    tiers: list[Tier] | None = None
    points: list[CurvePoint] | None = None

    @property
    def is_tiered(self) -> bool:
        return self.type in ("graduated", "retroactive")

    @model_validator(mode="after")
    def _check(self) -> RateTable:
        uses = {
            "flat": {"rate", "amount_per_unit"},
            "graduated": {"tiers"},
            "retroactive": {"tiers"},
            "curve": {"points"},
        }[self.type]
        problems: list[Problem] = [
            ((key,), f"expected no {key} in a {self.type} rate table, got {describe(getattr(self, key))}")
            for key in ("rate", "amount_per_unit", "tiers", "points")
            if key not in uses and getattr(self, key) is not None
        ]
        if self.per == "transaction" and not self.is_tiered:
            problems.append(
                (
                    ("per",),
                    f"expected per: period in a {self.type} rate table (only graduated and retroactive tiers "
                    f"rate each transaction), got {describe(self.per)}",
                )
            )
        if self.type == "flat" and (self.rate is None) == (self.amount_per_unit is None):
            problems.append((("rate",), "expected exactly one of rate and amount_per_unit"))
        if self.is_tiered:
            problems += self._tier_problems()
        if self.type == "curve":
            problems += self._curve_problems()
        _raise_problems(problems)
        return self

    def _tier_problems(self) -> list[Problem]:
        tiers = self.tiers or []
        if not tiers:
            return [(("tiers",), f"expected at least one tier, got {describe(self.tiers)}")]
        problems: list[Problem] = []
        if tiers[0].attainment_from != 0:
            problems.append(
                (("tiers", 0, "from"), f"expected 0 (tiers start at 0), got {describe(tiers[0].attainment_from)}")
            )
        for i in range(1, len(tiers)):
            before, tier = tiers[i - 1], tiers[i]
            if before.attainment_to is None:
                problems.append(
                    (("tiers", i - 1, "to"), f"expected an end (only the last tier may be open), got {describe(None)}")
                )
            elif tier.attainment_from != before.attainment_to:
                kind = "gap" if tier.attainment_from > before.attainment_to else "overlap"
                problems.append(
                    (
                        ("tiers", i, "from"),
                        f"expected {before.attainment_to} (where tiers[{i - 1}] ends; tiers must not {kind}), "
                        f"got {describe(tier.attainment_from)}",
                    )
                )
        kinds = {t.rate is None for t in tiers}
        if len(kinds) > 1:
            problems.append((("tiers",), "expected every tier to pay a rate, or every tier an amount_per_unit"))
        return problems

    def _curve_problems(self) -> list[Problem]:
        points = self.points or []
        if len(points) < 2:
            return [(("points",), f"expected at least two points, got {len(points)}")]
        problems: list[Problem] = [
            (
                ("points", i, "attainment"),
                f"expected more than {points[i - 1].attainment} (points in ascending attainment), "
                f"got {describe(points[i].attainment)}",
            )
            for i in range(1, len(points))
            if points[i].attainment <= points[i - 1].attainment
        ]
        if points[0].attainment == 0 and points[0].payout != 0:
            # A curve starts at (0, 0): a payout at zero attainment would be a guarantee, which is a draw.
            problems.append(
                (("points", 0, "payout"), f"expected 0 at attainment 0 (a curve starts at 0), got {points[0].payout}")
            )
        return problems

    @property
    def pays_rate(self) -> bool:
        """True when the table pays a rate of money, False when an amount per unit, None for a curve."""
        if self.type == "flat":
            return self.rate is not None
        if self.is_tiered and self.tiers:
            return self.tiers[0].rate is not None
        return False


class Caps(Block):
    """Ceilings: attainment above `attainment` earns nothing; amounts in the plan currency."""

    attainment: Attainment | None = None
    per_deal: PositiveMoney | None = None
    per_period: PositiveMoney | None = None
    per_year: PositiveMoney | None = None

    @model_validator(mode="after")
    def _check(self) -> Caps:
        if all(v is None for v in (self.attainment, self.per_deal, self.per_period, self.per_year)):
            _raise_problems([((), "expected at least one of attainment, per_deal, per_period, per_year")])
        return self


class Overlay(Block):
    """Credit to an overlay/specialist on deals of these product families or territories.

    `by: territory` without values means the territories the person covers in HR job history.
    """

    by: Literal["product_family", "territory"]
    values: list[Name] | None = None

    @model_validator(mode="after")
    def _check(self) -> Overlay:
        if self.by == "product_family" and not self.values:
            _raise_problems([(("values",), f"expected the product families credited, got {describe(self.values)}")])
        return self


class Crediting(Block):
    """Who is credited with a deal."""

    owner: bool
    revenue_splits: bool = False
    overlays: list[Overlay] = Field(default_factory=list)
    manager_rollup: bool = False

    @model_validator(mode="after")
    def _check(self) -> Crediting:
        problems: list[Problem] = []
        if self.revenue_splits and not self.owner:
            problems.append(
                (("revenue_splits",), "expected false when owner is false (splits share the owner's credit)")
            )
        if not (self.owner or self.overlays or self.manager_rollup):
            problems.append(((), "expected at least one of owner, overlays, manager_rollup to credit someone"))
        _raise_problems(problems)
        return self


class Component(Block):
    """One part of the pay: a measure, whose attainment, over which period, through which table."""

    id: Slug
    name: Name
    measure: Measure
    activity: Slug | None = None
    quota_measure: Name | None = None
    trigger: Trigger | None = None
    scope: Scope
    weight: Weight | None = None
    quota_period: Period
    attainment_basis: AttainmentBasis
    cumulative_true_up: bool = False
    crediting: Crediting | None = None
    rate_table: RateTable
    threshold: Attainment | None = None
    caps: Caps | None = None

    @model_validator(mode="after")
    def _check(self) -> Component:
        problems = _measure_problems(self.measure, self.activity, self.trigger)
        is_deal = bool(TRIGGERS_OF_MEASURE[self.measure])
        if is_deal and self.scope != "region" and self.crediting is None:
            problems.append((("crediting",), f"expected crediting rules for measure {self.measure}, got nothing"))
        if self.scope == "region" and self.crediting is not None:
            problems.append(
                (
                    ("crediting",),
                    "expected no crediting for scope region (every deal of the region counts), got a mapping",
                )
            )
        elif not is_deal and self.crediting is not None:
            problems.append(
                (("crediting",), f"expected no crediting for measure {self.measure} (not a deal), got a mapping")
            )
        table = self.rate_table
        if self.measure == "mbo_score" and table.type != "curve":
            problems.append(
                (("rate_table", "type"), f"expected 'curve' for measure mbo_score, got {describe(table.type)}")
            )
        elif table.type != "curve" and table.pays_rate != (self.measure not in COUNT_MEASURES):
            wanted = "amount_per_unit" if self.measure in COUNT_MEASURES else "rate"
            problems.append(
                (("rate_table",), f"expected a table paying {wanted} for measure {self.measure} (count or money)")
            )
        cap = self.caps.attainment if self.caps else None
        if table.per == "transaction":
            problems += self._per_transaction_problems()
        if self.threshold is not None and cap is not None and self.threshold >= cap:
            problems.append(
                (("threshold",), f"expected less than caps.attainment ({cap}), got {describe(self.threshold)}")
            )
        if table.is_tiered and table.tiers:
            last = len(table.tiers) - 1
            end = table.tiers[last].attainment_to
            if end is not None and (cap is None or end < cap):
                reach = f"up to caps.attainment ({cap})" if cap is not None else "open (no caps.attainment)"
                problems.append(
                    (
                        ("rate_table", "tiers", last, "to"),
                        f"expected the last tier to reach {reach} or to have no end, got {describe(end)}",
                    )
                )
        _raise_problems(problems)
        return self

    def _per_transaction_problems(self) -> list[Problem]:
        """A per-transaction table rates each deal on its own amount: what needs attainment,
        other deals or a later month makes no sense with it and is refused, not ignored."""
        why = "a per-transaction table rates each deal on its own amount"
        problems: list[Problem] = []
        if not TRIGGERS_OF_MEASURE[self.measure]:
            problems.append(
                (
                    ("rate_table", "per"),
                    f"expected per: period for measure {self.measure} (not a deal), got 'transaction'",
                )
            )
        if self.threshold is not None:
            problems.append(
                (("threshold",), f"expected no threshold ({why}, not on attainment), got {describe(self.threshold)}")
            )
        if self.caps is not None and self.caps.attainment is not None:
            problems.append(
                (
                    ("caps", "attainment"),
                    f"expected no caps.attainment ({why}; caps.per_deal caps a deal's commission), "
                    f"got {describe(self.caps.attainment)}",
                )
            )
        if self.cumulative_true_up:
            problems.append(
                (("cumulative_true_up",), f"expected false ({why}: a later deal re-rates nothing), got true")
            )
        if self.rate_table.type == "retroactive" and self.trigger not in (None, "booking"):
            problems.append(
                (
                    ("trigger",),
                    "expected 'booking' for a retroactive per-transaction table (the deal's rate would depend on "
                    f"invoices or payments still to come; use graduated), got {describe(self.trigger)}",
                )
            )
        return problems


class Proration(Block):
    """Pro-rate quota, target incentive and draws by calendar days for these events."""

    hire: bool = False
    termination: bool = False
    unpaid_leave: bool = False


class Clawback(Block):
    """Take commission back when one of `events` happens within `window_days` of the credit,
    in the period the event is discovered."""

    events: list[Literal["refund", "churn", "non_payment"]] = Field(min_length=1)
    window_days: PositiveInt
    recover_in: Literal["period_discovered"] = "period_discovered"

    @model_validator(mode="after")
    def _check(self) -> Clawback:
        seen: set[str] = set()
        problems: list[Problem] = []
        for i, event in enumerate(self.events):
            if event in seen:
                problems.append((("events", i), f"expected each event once, got {describe(event)} again"))
            seen.add(event)
        _raise_problems(problems)
        return self


class Draw(Block):
    """An advance of `amount` per `period` for the first `periods` periods from hire.

    recoverable: advanced against commission and recovered from later earnings
    (`carry_forward`: an unrecovered balance moves to the next period);
    non_recoverable: a guarantee, topped up to `amount` and never recovered.
    """

    type: Literal["recoverable", "non_recoverable"]
    amount: PositiveMoney
    period: Literal["month", "quarter"]
    periods: PositiveInt
    carry_forward: bool = False

    @model_validator(mode="after")
    def _check(self) -> Draw:
        if self.carry_forward and self.type == "non_recoverable":
            _raise_problems([(("carry_forward",), "expected false for a non_recoverable draw (nothing is recovered)")])
        return self


class _TimeBoxed(Block):
    id: Slug
    name: Name
    starts_on: date
    ends_on: date

    def _date_problems(self) -> list[Problem]:
        if self.ends_on < self.starts_on:
            return [(("ends_on",), f"expected {self.starts_on} (starts_on) or later, got {describe(self.ends_on)}")]
        return []


class Spif(_TimeBoxed):
    """A time-boxed incentive on a product or behaviour: a rate on money or an amount per unit."""

    measure: Measure
    activity: Slug | None = None
    trigger: Trigger | None = None
    product_families: list[Name] = Field(default_factory=list)
    product_codes: list[Name] = Field(default_factory=list)
    rate: Rate | None = None
    amount_per_unit: Money | None = None

    @model_validator(mode="after")
    def _check(self) -> Spif:
        problems = self._date_problems() + _measure_problems(self.measure, self.activity, self.trigger)
        if self.measure == "mbo_score":
            problems.append((("measure",), "expected a deal measure or activities, got 'mbo_score'"))
        else:
            problems += _pay_basis_problems(self.measure, self.rate, self.amount_per_unit)
        _raise_problems(problems)
        return self


class Bonus(Block):
    """A one-off `amount`, paid once in the first `period` in which `component` reaches the attainment."""

    id: Slug
    name: Name
    amount: PositiveMoney
    component: Slug
    period: Period
    attainment_at_least: Attainment


class Prize(Block):
    rank: PositiveInt
    amount: PositiveMoney


class Contest(_TimeBoxed):
    """Prizes by rank (1 = best) on a measure over the contest dates."""

    measure: Measure
    activity: Slug | None = None
    rank_by: Literal["amount", "attainment"]
    prizes: list[Prize] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Contest:
        trigger = TRIGGERS_OF_MEASURE[self.measure][0] if TRIGGERS_OF_MEASURE[self.measure] else None
        problems = self._date_problems() + _measure_problems(self.measure, self.activity, trigger)
        for i, prize in enumerate(self.prizes):
            if prize.rank != i + 1:
                problems.append(
                    (("prizes", i, "rank"), f"expected {i + 1} (ranks 1, 2, 3... in order), got {prize.rank}")
                )
            elif i and prize.amount > self.prizes[i - 1].amount:
                problems.append(
                    (
                        ("prizes", i, "amount"),
                        f"expected at most {self.prizes[i - 1].amount} (rank {i} prize), got {describe(prize.amount)}",
                    )
                )
        _raise_problems(problems)
        return self


class Version(Block):
    """The plan terms in force from `effective_from` to `effective_to` (inclusive; none = open)."""

    effective_from: date
    effective_to: date | None = None
    target_incentive: PositiveMoney | None = None
    proration: Proration = Field(default_factory=Proration)
    components: list[Component] = Field(min_length=1)
    clawback: Clawback | None = None
    draw: Draw | None = None
    spifs: list[Spif] = Field(default_factory=list)
    bonuses: list[Bonus] = Field(default_factory=list)
    contests: list[Contest] = Field(default_factory=list)

    def covers(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    @model_validator(mode="after")
    def _check(self) -> Version:
        problems: list[Problem] = []
        if self.effective_to is not None and self.effective_to < self.effective_from:
            problems.append(
                (
                    ("effective_to",),
                    f"expected {self.effective_from} (effective_from) or later, got {describe(self.effective_to)}",
                )
            )
        problems += self._id_problems()
        problems += self._weight_problems()
        ids = {c.id for c in self.components}
        for i, bonus in enumerate(self.bonuses):
            if bonus.component not in ids:
                problems.append(
                    (
                        ("bonuses", i, "component"),
                        f"expected a component id ({', '.join(sorted(ids))}), got {describe(bonus.component)}",
                    )
                )
        for key, boxes in (("spifs", self.spifs), ("contests", self.contests)):
            for i, box in enumerate(boxes):
                for field, day in (("starts_on", box.starts_on), ("ends_on", box.ends_on)):
                    if not self.covers(day):
                        problems.append(
                            ((key, i, field), f"expected a date within this version's dates, got {describe(day)}")
                        )
        _raise_problems(problems)
        return self

    def _id_problems(self) -> list[Problem]:
        problems: list[Problem] = []
        seen: set[str] = set()
        groups: tuple[tuple[str, Sequence[Component | Spif | Bonus | Contest]], ...] = (
            ("components", self.components),
            ("spifs", self.spifs),
            ("bonuses", self.bonuses),
            ("contests", self.contests),
        )
        for key, items in groups:
            for i, item in enumerate(items):
                if item.id in seen:
                    problems.append(
                        ((key, i, "id"), f"expected an id unique within the version, got {describe(item.id)}")
                    )
                seen.add(item.id)
        return problems

    def _weight_problems(self) -> list[Problem]:
        """Weights on every component summing to 1.00, or on none; curves need weight and target incentive."""
        problems: list[Problem] = []
        weighted = [c for c in self.components if c.weight is not None]
        if weighted and len(weighted) < len(self.components):
            problems += [
                (("components", i, "weight"), "expected a weight (the other components have one), got nothing")
                for i, c in enumerate(self.components)
                if c.weight is None
            ]
        elif weighted:
            total = sum((c.weight for c in weighted if c.weight is not None), Decimal(0))
            if total != 1:
                problems.append((("components",), f"expected weights summing to 1.00 (100 %), got {describe(total)}"))
        for i, c in enumerate(self.components):
            if c.rate_table.type == "curve" and c.weight is None:
                problems.append(
                    (("components", i, "weight"), "expected a weight (a curve pays a share of target incentive)")
                )
        if self.target_incentive is None and any(c.rate_table.type == "curve" for c in self.components):
            problems.append(
                (
                    ("target_incentive",),
                    "expected the annual target incentive (a component pays on a curve), got nothing",
                )
            )
        return problems


@dataclass(frozen=True)
class PlanSource:
    """The file a plan was read from: path as shown to people, and its sha256."""

    file: str
    sha256: str


class Plan(Block):
    """One compensation plan: its currency and its effective-dated versions."""

    plan_id: PlanId
    name: Name
    description: str | None = None
    currency: CurrencyCode
    # pay_currency: credits convert to each person's pay currency and quotas are in it;
    # plan_currency: credits convert to the plan currency, quotas are in it, and what a
    # line earns converts to the pay currency (payout_fx_rate).
    credit_currency: Literal["pay_currency", "plan_currency"] = "pay_currency"
    # Payroll pays in each person's pay currency; paying in the plan currency is not offered.
    payout_currency: Literal["pay_currency"] = "pay_currency"
    fx_rate_date: Literal["credit_date", "period_end"] = "credit_date"
    versions: list[Version] = Field(min_length=1)

    _source: PlanSource | None = PrivateAttr(default=None)

    @property
    def source(self) -> PlanSource | None:
        return self._source

    def with_source(self, source: PlanSource) -> Plan:
        self._source = source
        return self

    def version_on(self, day: date) -> Version | None:
        return next((v for v in self.versions if v.covers(day)), None)

    @model_validator(mode="after")
    def _check(self) -> Plan:
        problems: list[Problem] = []
        for i in range(1, len(self.versions)):
            before, version = self.versions[i - 1], self.versions[i]
            if before.effective_to is None:
                problems.append(
                    (
                        ("versions", i - 1, "effective_to"),
                        f"expected a date before {version.effective_from} (versions[{i}] starts then; "
                        "only the last version may be open), got nothing",
                    )
                )
            elif version.effective_from <= before.effective_to:
                problems.append(
                    (
                        ("versions", i, "effective_from"),
                        f"expected a date after {before.effective_to} (versions[{i - 1}] ends then; versions "
                        f"in date order, not overlapping), got {describe(version.effective_from)}",
                    )
                )
        _raise_problems(problems)
        return self
