import pytest

from wirewatch.link.names import org_key, person_key


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


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Vantor Defence and Space N.V.", "Vantor Defense & Space NV"),  # spelling, &, dots
        ("Orlan Holdings Ltd.", "Orlan"),  # legal forms
        ("Kestrel Motors", "Kestrel Motor"),  # plural of the last word
        ("Colmar S.p.A.", "Colmar"),
    ],
)
def test_organisation_keys_fold_spelling_and_legal_form(a, b):
    assert org_key(a) == org_key(b)


@pytest.mark.parametrize(
    ("a", "b"), [("Airbus", "Airbu"), ("Ford Motor", "Ford"), ("Apple Corps", "Apple Computer")]
)
def test_organisation_keys_keep_different_names_apart(a, b):
    assert org_key(a) != org_key(b)
