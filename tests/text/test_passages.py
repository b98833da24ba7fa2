from bot.ingest.articles import Article, Paragraph
from bot.text import passages as passages_module
from bot.text.passages import count_tokens, encoding, split_article


def article(*paragraphs: str, captions: tuple[int, ...] = ()) -> Article:
    return Article(
        article_id="story",
        title="A title",
        paragraphs=tuple(Paragraph(p, i in captions) for i, p in enumerate(paragraphs)),
        path="story.txt",
    )


def test_tiktoken_counts_with_the_bundled_cl100k_encoding():
    # Known cl100k_base ids: proves the shipped file is the real encoding, loaded offline.
    assert encoding().encode("hello world") == [15339, 1917]


def test_each_paragraph_becomes_one_passage_with_stable_ids():
    long = "The council approved the budget after a long debate over school funding."
    passages = split_article(article(long, long.replace("budget", "plan")))
    assert [p.passage_id for p in passages] == ["story:1", "story:2"]
    assert passages[0].text == long
    assert passages[0].tokens == count_tokens(long)


def test_long_paragraph_is_split_at_sentences_under_the_budget():
    sentence = "Officials said the new bridge would open to traffic next spring after delays."
    paragraph = " ".join([sentence] * 12)
    passages = split_article(article(paragraph), max_tokens=40)
    assert len(passages) > 1
    assert all(p.tokens <= 40 for p in passages)
    assert all(p.text.endswith("delays.") for p in passages)
    assert " ".join(p.text for p in passages) == paragraph


def test_a_single_sentence_over_budget_is_cut_into_pieces_under_the_budget():
    words = " ".join(f"word{n}" for n in range(300))
    passages = split_article(article(words), max_tokens=50)
    assert all(p.tokens <= 50 for p in passages)
    assert len(passages) >= 6


def test_a_sentence_over_budget_is_cut_between_words_into_even_pieces():
    # A price list that lost its line breaks and full stops: one "sentence" of rows.
    rows = [
        f"Firm{chr(65 + n % 26)}x {100 + 7 * n},{300 + n} DN {n + 2},{150 + n}" for n in range(24)
    ]
    sentence = " ".join(rows)
    passages = split_article(article(sentence), max_tokens=60)
    texts = [p.text for p in passages]
    assert " ".join(texts) == sentence
    words = sentence.split()
    at = 0
    for text in texts:  # each piece is a run of whole words: no number cut in two
        piece = text.split()
        assert words[at : at + len(piece)] == piece
        at += len(piece)
    tokens = [p.tokens for p in passages]
    assert max(tokens) <= 60
    assert len(passages) == -(-count_tokens(sentence) // 60)  # as few pieces as fit
    assert min(tokens) >= max(tokens) // 2  # and no scrap left at the end


def test_a_run_on_list_over_budget_is_cut_after_an_item_rather_than_inside_one():
    items = [
        f"Paper {n} says council weighs new rules on parking fees (Daily {n})--" for n in range(12)
    ]
    sentence = " ".join(items)
    passages = split_article(article(sentence), max_tokens=60)
    assert len(passages) > 1
    assert all(p.text.endswith(")--") for p in passages)


def test_very_short_fragments_merge_with_a_neighbour():
    passages = split_article(
        article(
            "The minister resigned on Friday after weeks of pressure from lawmakers.",
            "He declined.",
        ),
        min_tokens=8,
    )
    assert len(passages) == 1
    assert passages[0].text.endswith("He declined.")


def test_captions_are_kept_marked_and_never_merged_into_body_text():
    passages = split_article(
        article(
            "Body text about the summit between the two leaders in the capital.",
            "Photo. (Yonhap)",
            captions=(1,),
        ),
        min_tokens=8,
    )
    assert [p.is_caption for p in passages] == [False, True]


def test_ids_survive_a_second_split_of_the_same_article():
    a = article("First paragraph about trade talks.", "Second paragraph about tariffs and quotas.")
    assert split_article(a) == split_article(a)


def test_the_encoding_loads_with_the_network_forbidden(tmp_path):
    # A fresh process whose sockets all fail: a download attempt would raise.
    import subprocess
    import sys

    from tests.helpers import REPO

    code = (
        "import socket\n"
        "def refuse(*a, **k):\n"
        "    raise OSError('network used')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from bot.text.passages import encoding\n"
        "print(encoding().encode('hello world'))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "TIKTOKEN_CACHE_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[15339, 1917]"


def test_each_text_is_counted_once_and_counts_stay_exact(monkeypatch):
    # A long paragraph ending in a lone sentence, and a paragraph that is one long sentence:
    # the lone sentence and the long one keep the counts they were first given, no recount.
    sentence = "Officials said the new bridge would open to traffic next spring after delays."
    lone = "The mayor declined to comment on the cost."
    words = " ".join(f"word{n}" for n in range(120))
    counted: list[str] = []
    real = passages_module.count_tokens
    monkeypatch.setattr(passages_module, "count_tokens", lambda t: counted.append(t) or real(t))
    passages = split_article(article(" ".join([sentence] * 2 + [lone]), words), max_tokens=30)
    assert passages[1].text == lone
    assert all(p.tokens == len(encoding().encode_ordinary(p.text)) for p in passages[1:])
    assert counted.count(lone) == 1
    assert counted.count(words) == 1
