from wirewatch.ingest.clean import clean_text


def test_debris_lines_dropped_and_byline_kept_as_metadata():
    raw = (
        "Ports reopen after strike\n"
        "By Ana LimaPublished : Mar. 3, 2024 - 08:10\n"
        "    • Link copied\n"
        "Dock workers in Santos returned to work on Sunday.\n"
        "부산 항구 사진\n"
        "Visited 12 times, 2 visit(s) today\n"
        "Close Search Window\n"
        "The union said talks would resume next week.\n"
    )
    text, found = clean_text(raw)
    assert "Link copied" not in text
    assert "Visited" not in text and "Close Search" not in text
    assert "부산" not in text  # a stray line in another script
    assert "Dock workers in Santos returned to work on Sunday." in text
    assert "The union said talks would resume next week." in text
    assert found["byline"] == "By Ana Lima"
    assert found["published_text"].startswith("Mar. 3, 2024")


def test_text_in_another_script_is_kept_when_it_is_the_article():
    text, _ = clean_text("서울에서 회담이 열렸다.\n외교부가 발표했다.")
    assert "외교부" in text


def test_bracket_byline_prefix_and_obfuscated_email_byline_removed():
    raw = (
        "[Gulf Courier=Sara Haddad] The envoys met in Muscat on Sunday.\n"
        "By Min-jun, Park <[email protected]>\n"
    )
    text, found = clean_text(raw)
    assert text == "The envoys met in Muscat on Sunday."
    assert "Sara Haddad" in found["byline"]


def test_latin_share_counts_every_letter_as_its_unicode_name_says():
    import unicodedata

    from wirewatch.ingest.clean import _is_latin_text

    def reference(text: str) -> bool:
        letters = [c for c in text if c.isalpha()]
        latin = sum(1 for c in letters if "LATIN" in unicodedata.name(c, ""))
        return not letters or latin / len(letters) >= 0.5

    for text in [
        "",
        "1234 -- !",
        "Plain ASCII news.",
        "Café déjà vu à Zürich",
        "서울 Seoul",
        "서울에서 회담 Seoul",
        "Москва и Kyiv",
        "Москва и Киев, Kyiv",
        "ÆØÅ æøå",
        "ﬁ ligature",
    ]:
        assert _is_latin_text(text) == reference(text), text
    assert not _is_latin_text("서울에서 회담이 열렸다 in Seoul")
