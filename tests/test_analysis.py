from bot.analysis import analyze


def test_questions_and_passages_meet_on_stems_case_and_possessives():
    assert analyze("Seoul's contributions to stationing troops") == analyze(
        "SEOUL contribution to stationed troop"
    )
    assert "troop" in analyze("How many troops?")


def test_wire_abbreviations_expand_to_the_names_people_type():
    assert analyze("S. Korea and N. Korea") == analyze("South Korea and North Korea")
    assert analyze("U.S. Forces") == analyze("US forces")
    assert analyze("N.K. missiles") == analyze("North Korea missiles")


def test_numbers_with_thousands_separators_match_plain_digits():
    assert analyze("28,500 troops") == analyze("28500 troops")


def test_stop_words_are_dropped_but_us_stays():
    terms = analyze("the troops of the US and the allies")
    assert "the" not in terms and "of" not in terms
    assert "us" in terms


def test_unicode_is_normalised_before_matching():
    assert analyze("ﬁnance Café") == analyze("finance café")
    assert analyze("Ｓｅｏｕｌ") == analyze("Seoul")


def test_symbols_only_text_has_no_terms():
    assert analyze("?!... --- ***") == []


def test_a_word_that_stems_to_a_stop_word_is_dropped():
    assert analyze("its troops") == analyze("troops")
