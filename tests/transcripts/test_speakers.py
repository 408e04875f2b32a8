"""Transcript speaker labels mapped to the feed's ``podcast:person`` entries (#21): pure."""

from __future__ import annotations

import pytest

from podsift.models import Person
from podsift.transcripts import is_generic_label, speaker_names

HOSTS = [
    Person("Michael Kennedy", "host"),
    Person("Brian Okken", "host"),
    Person("Łukasz Langa", "guest"),
    Person("José García-Ortiz", "guest"),
    Person("Dr. Timothy M. Jurgensen", "guest"),
    Person("Seán O’Brien", "guest"),
]


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("Michael Kennedy", "Michael Kennedy"),
        ("MICHAEL KENNEDY", "Michael Kennedy"),
        ("michael kennedy:", "Michael Kennedy"),
        ("Michael", "Michael Kennedy"),  # a first name alone, one person has it
        ("Okken", "Brian Okken"),  # a last name alone
        ("Lukasz Langa", "Łukasz Langa"),  # accents
        ("ŁUKASZ", "Łukasz Langa"),
        ("Jose Garcia Ortiz", "José García-Ortiz"),  # punctuation
        ("Sean OBrien", "Seán O’Brien"),
        ("Timothy", "Dr. Timothy M. Jurgensen"),  # the title does not count as a first name
        ("Timothy Jurgensen", "Dr. Timothy M. Jurgensen"),  # nor does the middle initial
        ("Dr. Jurgensen", "Dr. Timothy M. Jurgensen"),
        ("Michael Okken", None),
        ("Mike", None),  # no nicknames
        ("Brian Kennedy", None),
    ],
)
def test_a_label_names_the_person_whose_name_matches(label: str, name: str | None) -> None:
    assert speaker_names([label], HOSTS).get(label) == name


def test_a_first_name_two_people_share_names_no_one() -> None:
    people = [Person("Adam Curry"), Person("Adam Jacob", "guest"), Person("Dave Jones")]
    assert speaker_names(["Adam", "Dave", "Adam Jacob"], people) == {
        "Dave": "Dave Jones",
        "Adam Jacob": "Adam Jacob",
    }


def test_the_crew_neither_speaks_by_first_name_nor_makes_it_ambiguous() -> None:
    people = [
        Person("Michael Kennedy"),
        Person("Michael Brown", "cover art designer", "visuals"),
    ]
    assert speaker_names(["Michael", "Michael Brown"], people) == {
        "Michael": "Michael Kennedy",
        "Michael Brown": "Michael Brown",  # the full name: they did speak
    }


def test_host_and_guest_map_by_role_when_one_of_each_is_listed() -> None:
    people = [Person("Michael Kennedy", "host"), Person("Charlie Marsh", "guest")]
    assert speaker_names(["Host", "Guest"], people) == {
        "Host": "Michael Kennedy",
        "Guest": "Charlie Marsh",
    }
    assert speaker_names(["HOST:", "co-host"], [*people, Person("Ann Lee", "co-host")]) == {
        "HOST:": "Michael Kennedy",
        "co-host": "Ann Lee",
    }


def test_a_role_held_by_two_people_maps_no_one() -> None:
    assert speaker_names(["Host", "Guest"], HOSTS) == {}  # two hosts, four guests


def test_a_role_label_never_takes_a_person_another_label_named() -> None:
    people = [Person("Michael Kennedy", "host"), Person("Charlie Marsh", "guest")]
    # "Michael" is the host: "Host" must be someone else, so it stays unmapped
    assert speaker_names(["Michael", "Host"], people) == {"Michael": "Michael Kennedy"}


@pytest.mark.parametrize("label", ["Speaker 1", "SPEAKER_00", "Speaker A", "Host 1", "Guest 2"])
def test_numbered_labels_are_never_guessed(label: str) -> None:
    people = [Person("Michael Kennedy", "host"), Person("Charlie Marsh", "guest")]
    assert speaker_names([label], people) == {}
    assert speaker_names([label], [Person("Solo Host")]) == {}


@pytest.mark.parametrize(
    ("label", "generic"),
    [
        ("Speaker 1", True),
        ("SPEAKER_00", True),
        ("speaker", True),
        ("Unknown Speaker", True),
        ("Host", True),
        ("Guest 2", True),
        ("Co-Host", True),
        ("Michael", False),
        ("Jingle", False),
        ("Guesty McGuestface", False),
        (None, False),
    ],
)
def test_generic_labels(label: str | None, generic: bool) -> None:
    assert is_generic_label(label) is generic
