"""Tests for the page metadata modules: html_metadata (JSON-LD, meta tags), html_titles, html_bylines."""
import lxml.html
import pytest

from transforms.html.bylines import (
    author_box_authors, author_link_authors, byline_authors, clean_author_names, described_authors,
    labelled_byline_authors, site_owner_authors, without_site,
)
from transforms.html.metadata import page_metadata
from transforms.html.titles import choose_title, strip_site_suffix
from transforms.text.metadata import split_authors

JSON_LD_PAGE = """<html><head>
<title>Council approves cycle lanes | Example Gazette</title>
<meta property="og:site_name" content="Example Gazette">
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebPage", "name": "ignored"},
  {"@type": "NewsArticle", "headline": "Council approves cycle lanes",
   "author": [{"@type": "Person", "name": "Jane Doe"}, {"@type": "Person", "name": "Ana &Aacute;lvarez"}],
   "datePublished": "2024-03-03T10:15:00+01:00", "dateModified": "2024-03-04T08:00:00Z",
   "publisher": {"@type": "Organization", "name": "Example Gazette"}}]}
</script></head>
<body><h1>Council approves cycle lanes</h1><p>Text.</p></body></html>"""

META_PAGE = """<html><head><title>Ten tips for tidy sheds - Shed Weekly</title>
<meta name="author" content="Ann Lee">
<meta property="article:published_time" content="2023-05-01">
<script type="application/ld+json">{ not json </script></head>
<body><h1>Shed Weekly</h1><h1>Ten tips for tidy sheds</h1></body></html>"""

MARKUP_PAGE = """<html><head><title>Notes</title></head><body>
<h1>Notes on pruning roses</h1>
<div class="byline">By <a rel="author" href="/a/kim">Sam Kim</a></div>
<time class="published" datetime="2022-11-05T09:00:00Z">5 Nov</time>
<section class="comments"><span class="author">troll99</span></section></body></html>"""


def _tree(html: str):
    return lxml.html.fromstring(html)


def test_json_ld_article_fields():
    meta = page_metadata(_tree(JSON_LD_PAGE))
    assert meta.title == "Council approves cycle lanes"
    assert meta.authors == ("Jane Doe", "Ana Álvarez")
    assert meta.published == "2024-03-03T10:15:00+01:00"
    assert meta.updated == "2024-03-04T08:00:00Z"
    assert meta.site_name == "Example Gazette"


def test_meta_tags_when_json_ld_is_broken():
    meta = page_metadata(_tree(META_PAGE))
    assert meta.title == "Ten tips for tidy sheds"  # the h1 agreeing with <title>, not the site-name h1
    assert meta.authors == ("Ann Lee",)
    assert meta.published == "2023-05-01"


def test_markup_bylines_and_time():
    meta = page_metadata(_tree(MARKUP_PAGE))
    assert meta.title == "Notes on pruning roses"
    assert meta.authors == ("Sam Kim",)
    assert meta.published == "2022-11-05T09:00:00Z"


def test_nothing_declared():
    meta = page_metadata(_tree("<html><body><p>Just text.</p></body></html>"))
    assert (meta.title, meta.authors, meta.published, meta.site_name) == (None, (), None, None)


def test_organisation_author_is_only_a_last_resort():
    page = ('<html><head><script type="application/ld+json">{"@type": "BlogPosting", '
            '"author": {"@type": "Organization", "name": "Acme Blog"}}</script></head><body></body></html>')
    meta = page_metadata(_tree(page))
    assert meta.authors == () and meta.organisations == ("Acme Blog",)


@pytest.mark.parametrize("title, sites, expected", [
    ("Ten tips for sheds | Shed Weekly", ["Shed Weekly"], "Ten tips for sheds"),
    ("Shed Weekly - Ten tips for sheds", ["Shed Weekly"], "Ten tips for sheds"),
    ("Ten tips for sheds – Shed Weekly", [], "Ten tips for sheds"),
    ("Why 2024 matters: a primer", [], "Why 2024 matters: a primer"),
    ("Election 2024 - live results and analysis from every state", [], "Election 2024 - live results and analysis from every state"),
    ("No separators here", ["Site"], "No separators here"),
])
def test_strip_site_suffix(title, sites, expected):
    assert strip_site_suffix(title, sites) == expected


def test_choose_title_prefers_the_agreeing_h1():
    assert choose_title(["Blog", "How to prune roses"], ["How to prune roses | Garden"], []) == "How to prune roses"
    assert choose_title(["Menu"], ["How to prune roses | Garden"], ["Garden"]) == "How to prune roses"
    assert choose_title(["Only heading"], [], []) == "Only heading"
    assert choose_title([], [], []) is None


def test_byline_authors_skips_comment_sections():
    tree = _tree('<div class="comments"><span class="author">troll99</span></div>'
                 '<p class="byline">Written by: Ana Ruiz</p>')
    assert byline_authors(tree) == ["Ana Ruiz"]


@pytest.mark.parametrize("names, expected", [
    (["Tamsin Orrell Last Updated August 1"], ("Tamsin Orrell",)),
    (["This post was written by Odile Ferrant"], ("Odile Ferrant",)),
    (["Read more about The Quillworks Team"], ("The Quillworks Team",)),
    (["jdoe", "jane.doe", "Author", "Dec", "undefined"], ("jdoe", "jane.doe")),
    (["Peter May", "June Carter", "Jon Ong"], ("Peter May", "June Carter", "Jon Ong")),
    (["Ivo Brandt December 17, 2025"], ("Ivo Brandt",)),
    # month abbreviations only as whole words: "Maria" and "Marcus" are names
    (["Maria", "Marcus Dell"], ("Maria", "Marcus Dell")),
    # a bare month name cut from its date; May and June are also names
    (["Ivo Brandt December", "Nora Vale October"], ("Ivo Brandt", "Nora Vale")),
    (["Peter May", "Ada June"], ("Peter May", "Ada June")),
    # avatar initials before the name
    (["RT Rosa Tamsin"], ("Rosa Tamsin",)),
    (["AJ Stone"], ("AJ Stone",)),  # not the initials of the rest
    # a lead-in without its name
    (["Insights from"], ()),
    # a desk or role after a dash
    (["Omar Fenn - Harbour Editorial Team"], ("Omar Fenn",)),
    (["Omar Fenn – Senior Editor"], ("Omar Fenn",)),
])
def test_clean_author_names(names, expected):
    assert clean_author_names(names) == expected


@pytest.mark.parametrize("byline, expected", [
    ("Nell Abara, Privacy and Home Security Expert", ("Nell Abara",)),  # and every piece of the role
    ("Theo Lind Head Winemaker, Co-Founder", ("Theo Lind",)),
    ("Written by Ravi Sen; Head; Community Development", ("Ravi Sen",)),
    ("Ravi Sen, Head of Marketing and Community Development", ("Ravi Sen",)),
    ("Ana Ruiz, Senior Editor, and Ben Ode, Staff Writer", ("Ana Ruiz", "Ben Ode")),
    ("Ana Ruiz, Editor at Large", ("Ana Ruiz",)),
    ("Ana Ruiz Staff Writer", ("Ana Ruiz",)),
    # a byline that starts with a role is left alone
    ("Harbour Travel Editor, KTL", ("Harbour Travel Editor", "KTL")),
    ("Quillworks Contributor", ("Quillworks Contributor",)),
    ("The Quillworks editors", ("The Quillworks editors",)),
    # no role: nothing dropped
    ("Ana Ruiz, Ben Ode and Cy Lamb", ("Ana Ruiz", "Ben Ode", "Cy Lamb")),
])
def test_job_titles_are_not_authors(byline, expected):
    assert clean_author_names(split_authors(byline)) == expected


def test_byline_joins_element_texts_with_spaces():
    page = ('<html><body><div class="byline"><a>Theo Lind</a><span>Head Winemaker, Co-Founder</span></div>'
            '</body></html>')
    assert byline_authors(_tree(page)) == ["Theo Lind Head Winemaker, Co-Founder"]
    assert page_metadata(_tree(page)).authors == ("Theo Lind",)


@pytest.mark.parametrize("items, expected", [
    ("<li><span>von</span> <b>Jemima Kelly</b></li><li>05. November 2024</li><li>15:36 Uhr</li><li>3 Min</li>",
     ("Jemima Kelly",)),
    ("<li>By Ana Ruiz</li><li>Tom Berg</li><li>12 May 2025</li>", ("Ana Ruiz", "Tom Berg")),
    ("<li>Ana Ruiz</li><li>Share this story</li><li>12 May 2025</li>", ()),  # an item that is neither
])
def test_an_authors_block_with_a_date_gives_the_names_of_its_list(items, expected):
    """A ``class="authors"`` block holding a list: its name items, when the other items are dates or times."""
    page = (f'<html><body><article><div class="authors typo-info"><span class="hidden">capital</span>'
            f'<ul>{items}</ul></div><p>Text.</p></article></body></html>')
    assert page_metadata(_tree(page)).authors == expected


def test_byline_lead_in_without_a_name_is_skipped():
    page = '<html><body><h4 class="byline">Insights from</h4><p class="author-name">Ines Varga</p></body></html>'
    assert byline_authors(_tree(page)) == ["Ines Varga"]


@pytest.mark.parametrize("body, expected", [
    ('<a href="/blog/author/ines-varga/"><img alt=""><div>Ines Varga</div></a>', ["Ines Varga"]),
    ('<a href="https://x.test/authors/nora_vale">Nora Vale</a>', ["Nora Vale"]),
    ('<a href="/author/ines-varga/">View all posts</a>', []),  # not the slug's name
    ('<nav><a href="/author/ines-varga/">Ines Varga</a></nav>', []),
    ('<div class="comments"><a href="/author/ines-varga/">Ines Varga</a></div>', []),
])
def test_author_link_authors(body, expected):
    assert author_link_authors(_tree(f"<html><body>{body}</body></html>")) == expected


def test_author_link_is_the_last_resort():
    link = '<a href="/author/ines-varga/">Ines Varga</a>'
    assert page_metadata(_tree(f"<html><body>{link}</body></html>")).authors == ("Ines Varga",)
    page = f'<html><head><meta name="author" content="Nora Vale"></head><body>{link}</body></html>'
    assert page_metadata(_tree(page)).authors == ("Nora Vale",)


@pytest.mark.parametrize("body, expected", [
    ('<div class="blog_author-box"><img alt="Ines Varga"><div>Ines Varga</div><p>Ines writes on soil.</p></div>',
     ["Ines Varga"]),
    ('<section class="about-author"><h4>About the Author</h4><b>Nora Vale</b></section>', ["Nora Vale"]),  # label skipped
    ('<div class="author-card"><p>Nora Vale is a reporter covering farms.</p></div>', []),  # a sentence, not a name
    ('<div class="author-bio"></div><div class="author-box"><b>Nora Vale</b></div>', []),  # only the first box
    ('<div class="comments"><div class="author-box"><b>Troll Person</b></div></div>', []),
])
def test_author_box_authors(body, expected):
    assert author_box_authors(_tree(f"<html><body>{body}</body></html>")) == expected


@pytest.mark.parametrize("description, expected", [
    ("This post was written by Vera Holm, MD, cardiologist at Northside.", ["Vera Holm"]),
    ("Posted by Jan van der Berg on the team blog.", ["Jan van der Berg"]),
    ("A guide written by our editors to growing beans.", []),  # not a capitalised name
    ("How the old mill was rebuilt.", []),
])
def test_described_authors(description, expected):
    page = f'<html><head><meta name="description" content="{description}"></head><body></body></html>'
    assert described_authors(_tree(page)) == expected


@pytest.mark.parametrize("head, expected", [
    ("<title>Preparing a release | Vera Holm's blog</title>", ["Vera Holm"]),
    ('<meta property="og:site_name" content="Jan Kowalski’s Notes">', []),  # "Notes" capitalised: not the pattern
    ('<meta property="og:site_name" content="Jan Kowalski’s notes">', ["Jan Kowalski"]),
    ("<title>The Gardener's Blog - tips</title>", []),  # one capitalised word after "The" is not a name
    ("<title>Rust's blog posts</title>", []),
])
def test_site_owner_authors(head, expected):
    assert site_owner_authors(_tree(f"<html><head>{head}</head><body></body></html>")) == expected


def test_author_box_description_and_site_owner_come_after_every_byline():
    head = '<title>Notes | Vera Holm\'s blog</title><meta name="description" content="Written by Jan Berg.">'
    box = '<div class="author-box"><b>Nora Vale</b></div>'
    assert page_metadata(_tree(f"<html><head>{head}</head><body>{box}</body></html>")).authors == ("Nora Vale",)
    assert page_metadata(_tree(f"<html><head>{head}</head><body></body></html>")).authors == ("Jan Berg",)
    page = f'<html><head>{head}</head><body><p class="byline">Ana Ruiz</p>{box}</body></html>'
    assert page_metadata(_tree(page)).authors == ("Ana Ruiz",)


def test_a_user_handle_is_only_the_author_when_no_source_names_a_person():
    byline = '<p class="byline">By q_admin</p>'
    assert page_metadata(_tree(f"<html><body>{byline}</body></html>")).authors == ("q_admin",)
    box = '<div class="author-box"><b>Nora Vale</b></div>'
    assert page_metadata(_tree(f"<html><body>{byline}{box}</body></html>")).authors == ("Nora Vale",)
    organisation = ('<script type="application/ld+json">{"@type": "NewsArticle", '
                    '"author": {"@type": "Organization", "name": "Harbour Desk"}}</script>')
    metadata = page_metadata(_tree(f"<html><head>{organisation}</head><body>{byline}</body></html>"))
    assert (metadata.authors, metadata.organisations) == (("q_admin",), ())


# --------------------------------------------------------------------------- labelled bylines, meta pairs, JSON-LD refs


@pytest.mark.parametrize("body, expected", [
    ("<div><span>By</span> <a href='/u/jd'>Jane Doe</a></div>", ["Jane Doe"]),  # label alone: the next text
    ("<div><small>WRITTEN BY</small><p><a>Kim Lee</a></p></div>", ["Kim Lee"]),
    ("<h2>Article by</h2><div>Matti Virtanen</div>", ["Matti Virtanen"]),
    ("<span class='posted'>Posted by Jane Doe at 10:15 AM</span>", ["Jane Doe"]),  # the rest of the label's text
    ("<h3>Written by Sam Kim</h3>", ["Sam Kim"]),
    ("<nav><a>By Topic</a></nav><ul class='sub-menu'><li>By Company Size</li></ul>", []),  # navigation
    ("<p>By submitting this form, you agree to our terms.</p>", []),  # not a capitalised name
    ("<div class='comments'><span>By</span> <b>Troll Person</b></div>", []),
    ("<p>Stood by the river.</p>", []),
])
def test_labelled_byline_authors(body, expected):
    assert labelled_byline_authors(_tree(f"<html><body>{body}</body></html>")) == expected


def test_labelled_byline_is_the_last_markup_resort():
    page = ('<html><body><p class="byline">Ana Ruiz</p><span>By</span> <a>Someone Else</a></body></html>')
    assert page_metadata(_tree(page)).authors == ("Ana Ruiz",)
    assert page_metadata(_tree("<html><body><span>By</span> <a>Someone Else</a></body></html>")).authors == (
        "Someone Else",)


def test_twitter_written_by_label_names_the_author():
    page = ('<html><head><meta name="twitter:label1" content="Written by"><meta name="twitter:data1" content="Nia Park">'
            '<meta name="twitter:label2" content="Est. reading time"><meta name="twitter:data2" content="4 minutes">'
            '</head><body></body></html>')
    assert page_metadata(_tree(page)).authors == ("Nia Park",)


def test_reading_time_label_is_not_an_author():
    page = ('<html><head><meta name="twitter:label1" content="Est. reading time">'
            '<meta name="twitter:data1" content="4 minutes"></head><body></body></html>')
    assert page_metadata(_tree(page)).authors == ()


def test_json_ld_author_reference_is_resolved_in_the_graph():
    page = ('<html><head><script type="application/ld+json">{"@graph": ['
            '{"@type": "BlogPosting", "headline": "H", "author": {"@id": "https://x.test/#/person/1"}},'
            '{"@type": "Person", "@id": "https://x.test/#/person/1", "name": "Chris Dupont"}]}</script>'
            '<meta name="twitter:label1" content="Written by"><meta name="twitter:data1" content="Other Name">'
            '</head><body></body></html>')
    assert page_metadata(_tree(page)).authors == ("Chris Dupont",)


def test_site_named_as_co_author_is_dropped():
    assert without_site(("Lena Ortiz", "The Harbour Courier"), ["Bayside Harbour Courier"]) == ("Lena Ortiz",)
    assert without_site(("ACME Travel Editor", "KTL"), ["ACME"]) == ("ACME Travel Editor", "KTL")  # contains the site
    assert without_site(("Shed Weekly",), ["Shed Weekly"]) == ("Shed Weekly",)  # the only name is kept
    page = ('<html><head><meta property="og:site_name" content="Springfield Gazette"><script type="application/ld+json">'
            '{"@type": "NewsArticle", "author": {"@type": "Person", "name": "Jo Bloggs, The Gazette"}}</script>'
            '</head><body></body></html>')
    assert page_metadata(_tree(page)).authors == ("Jo Bloggs",)


def test_published_prefers_a_four_digit_year():
    page = ('<html><head><meta name="date" content="01/07/16">'
            '<meta name="dc.date" content="2024-10-08T00:00:00-04:00"></head><body></body></html>')
    assert page_metadata(_tree(page)).published == "2024-10-08T00:00:00-04:00"
    page = '<html><head><meta name="date" content="01/07/16"></head><body></body></html>'
    assert page_metadata(_tree(page)).published == "01/07/16"


# --------------------------------------------------------------------------- titles


@pytest.mark.parametrize("h1s, declared, sites, expected", [
    # a short h1 that is only part of a long title (the blog's name) is not the headline ...
    (["Engora Data Blog"], ["Small adventures with models", "Engora Data Blog: Small adventures with models"], [],
     "Small adventures with models"),
    (["Discord"], ["How we pwned Discord and others through a supply-chain attack"], [],
     "How we pwned Discord and others through a supply-chain attack"),
    # ... unless it is a whole " | " segment of it
    (["Climate Change"], ["Climate Change | Economic Research Service"], ["ERS"], "Climate Change"),
    # an h1 carrying a dateline or "Posted on" line
    (["Dec 18 2025 Preparing a transition"], ["Preparing a transition"], [], "Preparing a transition"),
    (["Top Strategies to Optimize Posted on July 1, 2024 by jo"], ["Top Strategies to Optimize"], [],
     "Top Strategies to Optimize"),
    (["2025 Price Guide & Rate Comparison"], ["Price Guide & Rate Comparison"], [], "2025 Price Guide & Rate Comparison"),
    # a shortened h1 continued by the declared title; an h1 ending in punctuation is complete
    (["Best Travel Insurance for Seniors"], ["Best Travel Insurance for Seniors in 2025"], [],
     "Best Travel Insurance for Seniors in 2025"),
    (["What is Mesh WiFi?"], ["What Is Mesh WiFi? Our 2026 Exclusive Guide"], [], "What is Mesh WiFi?"),
    (["Best Camping Hammocks"], ["Best Camping Hammocks, Tested & Reviewed"], [], "Best Camping Hammocks"),
    # an h1 with a one-word section label
    (["Blog: Best Agencies in 2025 (Ranked)"], ["Best Agencies in 2025 (Ranked) | Acme"], ["Acme"],
     "Best Agencies in 2025 (Ranked)"),
    (["From Engagement to I Do: A Wedding Timeline"], ["A Wedding Timeline"], [], "From Engagement to I Do: A Wedding Timeline"),
    # an h1 with characters lost to encoding
    (["Basics Of Event Planning? Beginner? Guide"], ["Basics Of Event Planning: Beginner's Guide"], [],
     "Basics Of Event Planning: Beginner's Guide"),
    (["Is it worth it? Yes"], ["Is it worth it? Yes"], [], "Is it worth it? Yes"),
])
def test_choose_title_between_h1_and_declared(h1s, declared, sites, expected):
    assert choose_title(h1s, declared, sites) == expected


def test_site_suffix_given_as_initials():
    assert strip_site_suffix("2025 Top 100 Companies | WFA", ["World Future Awards"]) == "2025 Top 100 Companies"


@pytest.mark.parametrize("h1s, declared, sites, expected", [
    # a short capitalised last segment is a section label or tagline, in the h1 as in the declared title
    (["Why city parks cool streets | Opinion"], ["Why city parks cool streets | Opinion"], ["Daily Ledger"],
     "Why city parks cool streets"),
    (["Best Bike Shops in Leeds (2025) – Top Local Repair Experts"],
     ["Best Bike Shops in Leeds (2025) – Top Local Repair Experts - Bike Weekly"], ["Bike Weekly"],
     "Best Bike Shops in Leeds (2025)"),
    (["12 Budget Tents Compared - Field Tested"], ["12 Budget Tents Compared - Field Tested"], [],
     "12 Budget Tents Compared"),
    # ... but not a lowercase continuation, a list, a long subtitle or a tail longer than the head
    (["Moving to a smaller flat – tips and tricks"], ["Moving to a smaller flat – tips and tricks | Home Hub"],
     ["Home Hub"], "Moving to a smaller flat – tips and tricks"),
    (["Best Tents for 2026 – Weight, Price, and Verdict"], [], [],
     "Best Tents for 2026 – Weight, Price, and Verdict"),
    (["Ten Lenses of 2025 Under $900 | The Best Prime Lenses on the Market"], [], [],
     "Ten Lenses of 2025 Under $900 | The Best Prime Lenses on the Market"),
    (["Garden Plan :: Printable Seasonal Planting Calendar"], [], [],
     "Garden Plan :: Printable Seasonal Planting Calendar"),
    # a short first segment before a pipe, not before other separators
    (["Northern Institute"], ["The Studio | Deep Learning Courses at Example College"], [],
     "Deep Learning Courses at Example College"),
    (["Field Notes - Walking the Northern Coast Path Today"], [], [],
     "Field Notes - Walking the Northern Coast Path Today"),
    # a lowercase domain name before or after the headline
    (["example.org"], ["example.org Notes on Sourdough"], [], "Notes on Sourdough"),
    ([], ["Notes on Sourdough example.org"], [], "Notes on Sourdough"),
    (["Amazon.com Shares Rise After Earnings"], [], [], "Amazon.com Shares Rise After Earnings"),
    # the h1 names one segment of the declared title; the other names a platform
    (["See the full tech stack of Trail Mix"], ["Trail Mix | Plugin Marketplace"], [], "Trail Mix"),
    (["Welcome to our store"], ["Trail Mix | Plugin Marketplace"], [], "Trail Mix | Plugin Marketplace"),
])
def test_choose_title_without_edge_labels(h1s, declared, sites, expected):
    assert choose_title(h1s, declared, sites) == expected


def test_every_declared_site_name_strips_a_title_suffix():
    page = """<html><head><title>Cycle lanes approved | The Daily Ledger of Northshire County</title>
    <meta property="og:site_name" content="Ledger Online">
    <script type="application/ld+json">{"@type": "WebPage", "publisher": {"@type": "Organization",
    "name": "The Daily Ledger of Northshire County"}}</script></head><body><p>Text.</p></body></html>"""
    assert page_metadata(_tree(page)).title == "Cycle lanes approved"


@pytest.mark.parametrize("h1s, declared, expected", [
    # the h1 and the declared title differ by a kicker before a colon or dash: the declared form is the headline
    (["Storm season: Ferries cancelled along the whole coast"], ["Ferries cancelled along the whole coast"],
     "Ferries cancelled along the whole coast"),
    (["Ferries cancelled along the whole coast"], ["After the storm: Ferries cancelled along the whole coast"],
     "After the storm: Ferries cancelled along the whole coast"),
    (["Wahl in Sachsen - Die Koalition steht nach langen Gesprächen"], ["Die Koalition steht nach langen Gesprächen"],
     "Die Koalition steht nach langen Gesprächen"),
    # ... but not a quote running on into the sentence, a lowercase keyword phrase or a kicker longer than the rest
    (["'Ends the debate': analysts weigh in on the latest figures"], ["Analysts weigh in on the latest figures"],
     "'Ends the debate': analysts weigh in on the latest figures"),
    (["Rail strike update: Trains return on Monday"], ["rail strike news: Rail strike update: Trains return on Monday"],
     "Rail strike update: Trains return on Monday"),
    (["From Engagement to I Do: A Wedding Timeline"], ["A Wedding Timeline"], "From Engagement to I Do: A Wedding Timeline"),
    # the same words with the colon or space the visible h1 lost
    (["Ausschuss zur Flut Zwei Rücktritte - und viele Fragen"], ["Ausschuss zur Flut: Zwei Rücktritte - und viele Fragen"],
     "Ausschuss zur Flut: Zwei Rücktritte - und viele Fragen"),
    (["पुलिस ने 2 को पकड़ा:दो दिनों के अंदर खुलासा"], ["पुलिस ने 2 को पकड़ा: दो दिनों के अंदर खुलासा"],
     "पुलिस ने 2 को पकड़ा: दो दिनों के अंदर खुलासा"),
    # ... but not a copy with different letters or stray characters
    (["Keeping It Clean and Healthy"], ["Keeping It Clean and Healthy ?>"], "Keeping It Clean and Healthy"),
    (["ACTUARIAL CONSULTING VS. INSURANCE"], ["Actuarial Consulting vs Insurance"], "ACTUARIAL CONSULTING VS. INSURANCE"),
])
def test_choose_title_between_kicker_variants(h1s, declared, expected):
    assert choose_title(h1s, declared, ["Coast News"]) == expected


def test_a_quote_after_a_colon_is_not_a_label_or_site():
    title = "Surprised by the manager in the delivery room: – Totally absurd"
    assert choose_title(["Celebrities", title], [title], ["Daily Net"]) == title
    assert strip_site_suffix(title, []) == title


def test_h1_kicker_marked_by_class_is_not_glued_to_the_headline():
    page = ('<html><head><meta property="og:title" content="Defeat in the title race - Leeds lose at home"></head>'
            '<body><h1><span class="headline__topline">Premier League</span>'
            '<span class="headline__text">Defeat in the title race - Leeds lose at home</span></h1></body></html>')
    assert page_metadata(_tree(page)).title == "Defeat in the title race - Leeds lose at home"
    glued = page.replace('class="headline__topline"', 'class="a"')
    assert page_metadata(_tree(glued)).title == "Premier League Defeat in the title race - Leeds lose at home"


def test_json_ld_person_named_by_given_and_family_name():
    page = ('<html><head><script type="application/ld+json">{"@type": "NewsArticle", "headline": "Floods", "author": ['
            '{"@type": "Person", "givenName": "Anna Giulia", "familyName": "Fink"},'
            '{"@type": "Person", "familyName": "Marchart", "givenName": "Jan"}]}</script></head><body></body></html>')
    assert page_metadata(_tree(page)).authors == ("Anna Giulia Fink", "Jan Marchart")


@pytest.mark.parametrize("byline, expected", [
    ('<span class="u-hidden">capital</span> von <b>Jemima Kelly</b>', ("Jemima Kelly",)),
    ("sport par Marie Dupont", ("Marie Dupont",)),
    ("Ursula von der Leyen", ("Ursula von der Leyen",)),
])
def test_a_lower_case_label_before_the_bylines_by_is_not_part_of_the_name(byline, expected):
    page = f'<html><body><article><div class="byline">{byline}</div><p>Text.</p></article></body></html>'
    assert page_metadata(_tree(page)).authors == expected
