import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.parse.dates import _parse_written, post_date, published_at, split_heading

D = dt.date
# (heading as shown, title, date): real shapes from the seeds and the snapshots, then odd ones.
HEADINGS = [
    ("Don’t Assume Their Motivation - 6/28/22", "Don’t Assume Their Motivation", D(2022, 6, 28)),
    ("Get Back in the Good Graces – 12/12/17", "Get Back in the Good Graces", D(2017, 12, 12)),
    (
        "The Customer is Always Right? – 6/25/13 TOW",
        "The Customer is Always Right?",
        D(2013, 6, 25),
    ),
    (
        "Customer for Life – The Final Step – 4/16/19",
        "Customer for Life – The Final Step",
        D(2019, 4, 16),
    ),
    (
        "Customer for Life – The Third Step – 4/2/19",
        "Customer for Life – The Third Step",
        D(2019, 4, 2),
    ),
    ("Internal Customer Service Defined", "Internal Customer Service Defined", None),
    ("2024 Holiday Poem - 12/24/24", "2024 Holiday Poem", D(2024, 12, 24)),
    (
        "6 Common Sense Responses to Customer Service Encounters - 6/30/20",
        "6 Common Sense Responses to Customer Service Encounters",
        D(2020, 6, 30),
    ),
    ("A Letter of Apology – 11/25/14 TOW", "A Letter of Apology", D(2014, 11, 25)),
    ("A Story of Willie and Aubrey - 2/8/22", "A Story of Willie and Aubrey", D(2022, 2, 8)),
    ("Ask: What is your goal? - 6/14/22", "Ask: What is your goal?", D(2022, 6, 14)),
    (
        "Assuming the Solution – The Great Time Waster - 12/3/19",
        "Assuming the Solution – The Great Time Waster",
        D(2019, 12, 3),
    ),
    ("Avoid Hearing Only Complaints – 2/7/17", "Avoid Hearing Only Complaints", D(2017, 2, 7)),
    (
        "Caring for Co-workers through COVID - 6/23/20",
        "Caring for Co-workers through COVID",
        D(2020, 6, 23),
    ),
    ("Emotions Take Energy – 3/1/16 TOW", "Emotions Take Energy", D(2016, 3, 1)),
    (
        "From Conversation to Connection: Defining Customer Engagement - 1/7/25",
        "From Conversation to Connection: Defining Customer Engagement",
        D(2025, 1, 7),
    ),
    (
        "In Survey Development, Think in Reverse - 1/11/22",
        "In Survey Development, Think in Reverse",
        D(2022, 1, 11),
    ),
    (
        "Is Their Poor Planning Your Emergency? - 12/17/24",
        "Is Their Poor Planning Your Emergency?",
        D(2024, 12, 17),
    ),
    (
        "It’s Not About the 5-Minute Wait - 3/12/24",
        "It’s Not About the 5-Minute Wait",
        D(2024, 3, 12),
    ),
    ("Put an End to 1-Star Ratings - 1/25/22", "Put an End to 1-Star Ratings", D(2022, 1, 25)),
    ("React, Reflect, Respond - 6/16/20", "React, Reflect, Respond", D(2020, 6, 16)),
    (
        "Refine Your Decision-making Process - 11/26/24",
        "Refine Your Decision-making Process",
        D(2024, 11, 26),
    ),
    ("Self-empower for the New Year - 12/31/24", "Self-empower for the New Year", D(2024, 12, 31)),
    (
        "Service, Sports, and Self-Control - 10/29/19",
        "Service, Sports, and Self-Control",
        D(2019, 10, 29),
    ),
    (
        "Should you tell the customer? The Employee’s Dilemma – 4/30/19",
        "Should you tell the customer? The Employee’s Dilemma",
        D(2019, 4, 30),
    ),
    ("When Customers are…Jerks – 7/14/20", "When Customers are…Jerks", D(2020, 7, 14)),
    ("“You’re the Boss” – 2/20/24", "“You’re the Boss”", D(2024, 2, 20)),
    (
        "Wrap It Up Right: Why Follow-Up Communications WOW Customers - 1/14/25",
        "Wrap It Up Right: Why Follow-Up Communications WOW Customers",
        D(2025, 1, 14),
    ),
    (
        "When You’re the Educator, What Should You Teach? - 1/21/25",
        "When You’re the Educator, What Should You Teach?",
        D(2025, 1, 21),
    ),
    (
        "Address the 4 P’s for a Customer-friendly COVID-19 Walk-in Experience",
        "Address the 4 P’s for a Customer-friendly COVID-19 Walk-in Experience",
        None,
    ),
    (
        "Customer Service Wisdom from a Retiree-to-be",
        "Customer Service Wisdom from a Retiree-to-be",
        None,
    ),
    (
        "Smart 1-to-1 of Season Ticket Holder Research",
        "Smart 1-to-1 of Season Ticket Holder Research",
        None,
    ),
    (
        "Don’t Buck the Broncos’ Approach to Fan Relations",
        "Don’t Buck the Broncos’ Approach to Fan Relations",
        None,
    ),
    ("This is somewhat embarrassing, isn’t it?", "This is somewhat embarrassing, isn’t it?", None),
    # Odd cases.
    ("Wait for it... - 6/25/13", "Wait for it...", D(2013, 6, 25)),
    ("Wait for it… — 6/25/2013", "Wait for it…", D(2013, 6, 25)),
    ('"Quoted" Title - 6/25/13 TOW', '"Quoted" Title', D(2013, 6, 25)),
    ("Leap Day – 2/29/24", "Leap Day", D(2024, 2, 29)),
    ("Impossible – 2/30/19", "Impossible", None),
    ("Month Thirteen - 13/1/19", "Month Thirteen", None),
    (
        "The Customer is Always Right? – June 25, 2013",
        "The Customer is Always Right?",
        D(2013, 6, 25),
    ),
    ("The Customer is Always Right? – 2013-06-25", "The Customer is Always Right?", D(2013, 6, 25)),
    (
        "The Customer is Always Right? - Jun. 25 2013",
        "The Customer is Always Right?",
        D(2013, 6, 25),
    ),
    ("Thirty-First of June – June 31, 2013", "Thirty-First of June", None),
    ("Covid-19 - 2020 Update", "Covid-19 - 2020 Update", None),
    ("1-2-3 Steps - Part 2", "1-2-3 Steps - Part 2", None),
    ("Ends with a dash -", "Ends with a dash -", None),
    ("6/25/13", "6/25/13", None),  # a bare date is a title, not a title plus date
    ("Title -6/25/13", "Title -6/25/13", None),  # no space after the dash: not a separator
]


@pytest.mark.parametrize(("heading", "title", "date"), HEADINGS)
def test_heading_table(heading: str, title: str, date: dt.date | None) -> None:
    parts = split_heading(heading)
    assert (parts.title, parts.date) == (title, date)
    # A cut suffix is kept verbatim; a date-shaped one that is no date is reported.
    if parts.date_raw is not None:
        assert heading.endswith(parts.date_raw)
    assert (parts.problem is not None) == (parts.date is None and parts.date_raw is not None)


def test_tow_is_part_of_the_raw_date() -> None:
    assert split_heading("Emotions Take Energy – 3/1/16 TOW").date_raw == "3/1/16 TOW"


def test_plain_words_never_reach_dateparser() -> None:
    _parse_written.cache_clear()
    split_heading("Customer for Life – The Final Step")
    split_heading("Don’t Assume Their Motivation - 6/28/22")
    assert _parse_written.cache_info().currsize == 0


def test_relative_words_use_the_given_now_not_the_clock() -> None:
    # "yesterday" has no written day/month/year: REQUIRE_PARTS refuses it.
    now = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    assert split_heading("Title - yesterday", now=now).date is None


def test_published_at_is_utc_and_never_raises() -> None:
    assert published_at("2013-06-25T09:45:00-04:00") == dt.datetime(
        2013, 6, 25, 13, 45, tzinfo=dt.UTC
    )
    assert published_at("garbage") is None
    assert published_at("") is None
    assert published_at("2013-06-25T09:45:00") is None  # no offset: the instant is unknown


def test_date_rule() -> None:
    evening = dt.datetime(2019, 4, 15, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    # The heading wins; else the local date of the timestamp (not its UTC date, 16 April).
    assert post_date(D(2019, 4, 16), evening) == (D(2019, 4, 16), "heading")
    assert post_date(None, evening) == (D(2019, 4, 15), "published")
    assert post_date(None, None) == (None, None)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_split_heading_never_raises_and_is_stable(heading: str) -> None:
    parts = split_heading(heading)
    again = split_heading(parts.title)
    if parts.date_raw is None:
        # Nothing was cut: the title is a fixed point.
        assert parts.title == heading.strip()
        assert again == parts
    else:
        # Something was cut: heading = title + separator + suffix, nothing lost.
        assert heading.strip().startswith(parts.title)
        assert heading.strip().endswith(parts.date_raw)
        assert again.title.strip() == again.title


@settings(max_examples=100, deadline=None)
@given(
    st.text(st.characters(blacklist_categories=["Cs", "Zs", "Cc"]), min_size=1, max_size=30),
    st.sampled_from([" - ", " – ", " — "]),
    st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)),
    st.booleans(),
)
def test_any_title_with_a_site_date_splits_back(
    title: str, sep: str, date: dt.date, tow: bool
) -> None:
    raw = f"{date.month}/{date.day}/{date.year % 100:02d}" + (" TOW" if tow else "")
    parts = split_heading(title + sep + raw)
    assert (parts.title, parts.date, parts.date_raw) == (title, date, raw)
