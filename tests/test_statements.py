"""Who said what: sentences in, statements out (wire-report style, written for these tests)."""
from __future__ import annotations

import pytest

from .rules import article, statements

DIRECT, REPORTED = "DirectSpeech", "ReportedSpeech"

CASES = [
    # quote before the attribution
    ("“We will not stand by while civilians are killed,” Nikki Haley said on Tuesday.",
     [("Nikki Haley", "We will not stand by while civilians are killed,", DIRECT)]),
    # quote after the attribution, with a title and a colon
    ("Iranian Foreign Minister Mohammad Javad Zarif told reporters: “The deal is not negotiable.”",
     [("Mohammad Javad Zarif", "The deal is not negotiable.", DIRECT)]),
    # attribution in the middle of a split quote
    ("“The strikes were a message,” said Pentagon spokesman Jonathan Hoffman. “They will continue if needed.”",
     [("Jonathan Hoffman", "The strikes were a message,", DIRECT),
      ("Jonathan Hoffman", "They will continue if needed.", DIRECT)]),
    # a quote that follows the speaker named in the previous sentence
    ("Vladimir Putin spoke to reporters in Moscow on Friday.\n\n“Russia has no plans to invade anyone,” he added.",
     [("Vladimir Putin", "Russia has no plans to invade anyone,", DIRECT)]),
    # reported speech
    ("Mark Esper says the forces were not ordered to leave the base.",
     [("Mark Esper", "the forces were not ordered to leave the base", REPORTED)]),
    ("Benjamin Netanyahu warned that Israel would respond to any attack from Gaza.",
     [("Benjamin Netanyahu", "Israel would respond to any attack from Gaza", REPORTED)]),
    # a written statement by an organisation
    ("The State Department said in a statement that the embassy would remain closed.",
     [("State Department", "the embassy would remain closed", REPORTED)]),
    # according to
    ("Dozens of fighters were killed near Idlib, according to the Syrian Observatory for Human Rights.",
     [("Syrian Observatory for Human Rights", "Dozens of fighters were killed near Idlib", REPORTED)]),
    # a tweet
    ("Donald Trump tweeted that the talks with North Korea were going well.",
     [("Donald Trump", "the talks with North Korea were going well", REPORTED)]),
]


@pytest.mark.parametrize("text,expected", CASES, ids=[c[1][0][0] + "-" + c[1][0][2] for c in CASES])
def test_statement_rules(text: str, expected: list[tuple[str, str, str]]) -> None:
    found = [(who, quote, mode) for who, quote, mode, _ in statements(article(text))]
    assert found == expected


def test_sourcing_by_an_organisation_or_outlet_is_off_the_record() -> None:
    ag = article("Dozens were killed near Idlib, according to the Syrian Observatory for Human Rights. "
                 "The Washington Post reported that the talks had failed.")
    assert [on for *_, on in statements(ag)] == [False, False]
    ag = article("The strikes will continue, according to Mark Esper.")
    assert [on for *_, on in statements(ag)] == [True]


def test_scare_quotes_are_not_statements() -> None:
    ag = article("Turkey wants to set up a so-called “safe zone” along the border, and critics call the camps “pop-up prisons” in private.")
    assert statements(ag) == []


def test_pronoun_speaker_resolves_to_the_last_person_named() -> None:
    ag = article(
        "When asked about the threat, President Donald Trump dismissed it.\n\n"
        "He replied, “They are going to be escaping to Europe.”"
    )
    assert statements(ag) == [("Donald Trump", "They are going to be escaping to Europe.", DIRECT, True)]


def test_unnamed_sources_are_kept_off_the_record() -> None:
    ag = article("“The operation has effectively stopped,” a senior US defense official told CNN on Wednesday.")
    [(who, quote, mode, on_record)] = statements(ag)
    assert "officials" in who and not on_record and mode == DIRECT


def test_role_speaker_named_in_the_next_sentence() -> None:
    ag = article(
        "The prisoners are missing, the department's anti-ISIS chief said today.\n\n"
        "Ambassador James Jeffrey's statement came after a question from lawmakers."
    )
    assert [s[0] for s in statements(ag)] == ["James Jeffrey"]


def test_negated_speech_is_not_a_statement() -> None:
    assert statements(article("Hassan Rouhani did not say that Iran would leave the deal.")) == []


def test_quote_spanning_paragraphs_keeps_its_speaker() -> None:
    ag = article(
        "“We have seen several attempted prison breaks,” Nathan Sales said.\n\n"
        "“None have been successful to date, but we do not want to hope that our luck holds.”"
    )
    assert [s[0] for s in statements(ag)] == ["Nathan Sales", "Nathan Sales"]


def test_statement_offsets_point_into_the_source() -> None:
    text = "“The deal is dead,” Mike Pompeo said."
    ag = article(text)
    [st] = ag.statements
    assert ag.article.source[st.start : st.end] == "The deal is dead,"
