import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.parse.text import body_text, fold, is_boilerplate


def test_fold() -> None:
    assert fold("  a\u00a0\u00a0b\n\tc  ") == "a b c"
    assert fold("\u00a0") == ""
    assert fold("   a     b  ’c’ ") == "a b ’c’"  # the fast path: spaces only


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from(" \u00a0\u2009\n\t\x1fab’.")) | st.text())
def test_fold_is_split_and_join(s: str) -> None:
    # The fast path (printable text) and the general one agree with the definition.
    assert fold(s) == " ".join(s.split())


def test_paragraphs_and_list_items_joined_by_a_blank_line() -> None:
    html = (
        '<div class="entry-content"><p>One &#8211; <em>two</em>&nbsp;three.</p>'
        "<p>&nbsp;</p><ul><li>First</li><li><p>Second</p></li></ul></div>"
    )
    assert body_text(html) == "One – two three.\n\nFirst\n\nSecond"


def test_inline_tags_do_not_glue_words() -> None:
    assert body_text("<p>a <a href='x'>link</a> here<br>and <strong>bold</strong>.</p>") == (
        "a link here and bold."
    )


@pytest.mark.parametrize(
    "paragraph",
    [
        "Signup for FREE Tips!\u00a0\u00a0\u00a0 Contact Us More Resources for You Visit Our Home",
        "Interested in improving your company’s customer service? See more at our new website! "
        "http://www.cssamerica.com/",
        "Interested in improving your organization's customer service? See more at x",
        "Listen to our latest podcast episode of “Stepping Up Service” on The MESH Network",
        "Read our New Book – “Ask Yourself…Am I GREAT at Customer Service?” http://x/",
        "Did you like this post? Here are other Sports-related posts:",
        "Did you like this post? Here are other government-related posts:",
        "Learn about our CSS Government services at: http://cssamerica.com/cssgovt.htm",
    ],
)
def test_boilerplate_is_dropped(paragraph: str) -> None:
    assert is_boilerplate(fold(paragraph))
    assert body_text(f"<p>Kept.</p><p>{paragraph}</p>") == "Kept."


@pytest.mark.parametrize(
    "paragraph",
    [
        "We read our new book club picks every month.",
        "Did you like this post? Tell us.",
        "Customers who Signup for FREE Tips! get more.",  # only a leading match counts
    ],
)
def test_similar_sentences_are_kept(paragraph: str) -> None:
    assert not is_boilerplate(paragraph)


def test_empty_and_garbage() -> None:
    assert body_text("") == ""
    assert body_text("<p>") == ""
    # Words straight in the body, no p or li around them, are its one paragraph.
    assert body_text("no blocks at all") == "no blocks at all"
