import pytest

from wirewatch.link.names import person_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Park Jin-young", "Park Jin Young"),  # hyphenated or spaced Korean given name
        ("Park Jin-young", "Park Jinyoung"),
        ("Robert F. Kennedy Jr.", "Robert Kennedy"),  # initials and suffixes
        ("Tony Smith", "Antony Smith"),  # nickname table
        ("Lee Jae-yeol", "Lee Jae-yul"),  # romanisation variant table
        ("José Álvarez", "Jose Alvarez"),  # accents
        ("Kamikawa Yoko", "Yoko Kamikawa"),  # family name first or last
    ],
)
def test_same_person_same_key(a, b):
    assert person_key(a) == person_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Park Jin-young", "Park Jin-yong"),
        ("Kim Min-su", "Kim Min-ho"),
        ("John Smith", "Jane Smith"),
    ],
)
def test_different_people_stay_apart(a, b):
    # Close spellings are not evidence of one person: no fuzzy matching on bare names.
    assert person_key(a) != person_key(b)


@pytest.mark.parametrize(
    ("a", "b"), [("Yoon Suk-yeol", "Yoon Sukyeol"), ("Cho Tae-yul", "Cho Taeyeol")]
)
def test_run_together_given_names_fold_their_variant_syllables(a, b):
    assert person_key(a) == person_key(b)
