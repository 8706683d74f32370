"""What the html modules recognise a page's parts by: XPath selectors, regular expressions, word lists.

This vocabulary changes far more often than the logic that reads it (a new site's byline
class, another language's "Published" label), and side by side it shows where two patterns
name the same thing (two month-name lists, three "By" labels) and how they differ.
Constants only, grouped by what they find; each group names the modules that use it.
"""
import re

from lxml import etree

# ------------------------------------------------------------------------------------------- text in markup (page_text)
# elements that end one paragraph of a fragment's text and start the next
BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td th thead "
    "tr ul".split()
)
# nodes whose text no extraction keeps (not counted in a page's word bound)
NEVER_TEXT_TAGS = frozenset(("script", "style", etree.Comment, etree.ProcessingInstruction))
# a paragraph whose first content (an element, or text that is not blank) is a bold run
PARAGRAPHS_OPENED_BOLD = etree.XPath("//p[node()[self::* or normalize-space()][1][self::b or self::strong]]")
# elements dropped from a fragment, with their content, before its text is read
FRAGMENT_SKIP_TAGS = ("script", "style", "noscript", "template", "head", "title", "iframe", "object", "svg")
# an XML declaration, which lxml refuses in a str
XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*>")
# characters XML cannot hold (lxml refuses them)
NON_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# any tag, for the tag-stripping fallback
TAG = re.compile(r"<[^>]*>")
# a script or style element with its content, for the tag-stripping fallback
SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
# the language the page declares (an XPath string)
PAGE_LANGUAGE = "/html/@lang | //meta[@http-equiv='content-language']/@content | //meta[@property='og:locale']/@content"

# --------------------------------------------------------------------------------------------------- JSON-LD (metadata)
# the page's JSON-LD blocks
JSON_LD = etree.XPath("//script[@type='application/ld+json']/text()")
# raw control characters: invalid in JSON strings, yet common in JSON-LD
JSON_CONTROL_CHARS = re.compile(r"[\x00-\x1f]")
# schema.org @types of an article (lower case)
ARTICLE_TYPES = frozenset(
    "article newsarticle blogposting reportagenewsarticle analysisnewsarticle opinionnewsarticle "
    "reviewnewsarticle backgroundnewsarticle techarticle scholarlyarticle medicalwebpage report "
    "liveblogposting socialmediaposting".split()
)
# schema.org @types of a web page that may describe the article (lower case)
PAGE_TYPES = frozenset("webpage itempage collectionpage aboutpage faqpage qapage".split())
# a link where a name should be
URL_LIKE = re.compile(r"^(?:https?:)?//|^www\.", re.IGNORECASE)

# --------------------------------------------------------------------------------- titles (metadata, titles, page_text)
# headline candidates
H1 = etree.XPath("//h1")
# a kicker (overline) inside an h1, marked by its class: <h1><span class="topline">Kicker</span><span>Headline</span></h1>
H1_KICKER = etree.XPath(
    ".//*[re:test(@class, 'kicker|overline|topline|roofline|eyebrow|dachzeile|spitzmarke|supertitle|pretitle', 'i')]",
    namespaces={"re": "http://exslt.org/regular-expressions"},
)
# the <title> text
HEAD_TITLE = etree.XPath("//head/title/text() | //title/text()")
# titles the meta tags declare (OpenGraph, Twitter, Dublin Core)
META_TITLES = etree.XPath(
    "//meta[@property='og:title' or @name='og:title' or @name='twitter:title' "
    "or @property='twitter:title' or @name='title' or @name='dc.title' or @name='DC.title']/@content"
)
# site names the meta tags declare
META_SITE_NAMES = etree.XPath(
    "//meta[@property='og:site_name' or @name='application-name' or @name='apple-mobile-web-app-title']/@content"
)
# between a title's segments: "Headline | Site", "Site - Headline"
TITLE_SEPARATOR = re.compile(r"\s+[|•·»~:/–—-]{1,2}\s+|\s*\|\s*")
# a kicker before a headline, up to its colon or separator: "Nach Gaetz-Rückzug: ", "Minderheit in Syrien - "
KICKER_END = re.compile(r"[^:|•·–—]{1,80}?(?::\s+|\s+[|•·–—-]\s+)")
# what a headline's copies may differ by: "Ahrtal-Flut Zwei" and "Ahrtal-Flut: Zwei"
COLON_OR_SPACE = re.compile(r"[\s:]+")
# what is not part of a word: a headline's copies compare by their letters and digits alone
NON_WORD = re.compile(r"[\W_]+")
# a word, for comparing titles and names
WORD = re.compile(r"\w+")
# a run of letters (no digits or underscores), for comparing a name with an author page's slug
LETTERS = re.compile(r"[^\W\d_]+")
# a first segment before a pipe or bullet: "Blog | Headline"
PIPE_PREFIX = re.compile(r"^(.+?)(?:\s*\|\s*|\s+[•·»]\s+)(.+)$")
# a lowercase domain name at a title's start or end: "example.com Headline"
DOMAIN_EDGE = re.compile(r"^(?:[a-z0-9-]+\.)+(?:com|org|net|io|co|dev|app|info|blog|me)\s+(?=\w)"
                          r"|(?<=\w)\s+(?:[a-z0-9-]+\.)+(?:com|org|net|io|co|dev|app|info|blog|me)$")
# marks a site or section label never holds
SENTENCE_MARKS = re.compile(r"[,;?!]")
# a character lost to encoding inside a word: "Beginner? Guide"
LOST_CHARACTER = re.compile(r"(?<=\w)[?\ufffd](?=\s*\w)")
# a one-word section label before a title: "Blog: Headline"
SECTION_LABEL_PREFIX = re.compile(r"^\w+:\s+(.+)$")
# more words after a shortened headline (no separator first)
CONTINUATION = re.compile(r"\s+\w")
# a short label after a repeated headline: " — Strength Training"
HEADLINE_LABEL = re.compile(r"\s+[|•·–—-]\s+([^.!?]+)")

# -------------------------------------------------------- month names (bylines, titles): two lists, matched differently
# a month's name or abbreviation, dot optional (a pattern piece, not compiled)
MONTH_NAME = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
              r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
# a date in a title: "Oct 3", "3 October 2024" (month: its first three letters)
TITLE_DATE = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\s+\d{1,2}\b"
                        r"|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\s+\d{4}\b")

# --------------------------------------------------------------------- dates a page declares or shows (metadata, dates)
# publication dates the meta tags declare
META_PUBLISHED = etree.XPath(
    "//meta[@property='article:published_time' or @name='article:published_time' "
    "or @property='og:published_time' or @name='pubdate' or @name='publishdate' or @name='publish-date' "
    "or @name='date' or @name='dc.date' or @name='DC.date' or @name='dc.date.issued' or @name='DC.date.issued' "
    "or @name='dcterms.created' or @name='parsely-pub-date' or @name='sailthru.date' "
    "or @itemprop='datePublished']/@content"
)
# a publication date in microdata
ITEMPROP_PUBLISHED = etree.XPath("//*[@itemprop='datePublished']/@datetime | //*[@itemprop='datePublished']/text()")
# a <time> marked as the publication date
TIME_PUBLISHED = etree.XPath(
    "//time[@datetime][contains(concat(' ', @class, ' '), 'publish') or contains(@class, 'post-date') "
    "or contains(@class, 'entry-date') or @pubdate]/@datetime"
)
# update dates the meta tags declare
META_MODIFIED = etree.XPath(
    "//meta[@property='article:modified_time' or @property='og:updated_time' "
    "or @itemprop='dateModified']/@content"
)
# a date with a full year ("2024-10-08", not "01/07/16")
FOUR_DIGIT_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
# "Published" / "Posted on" before a date, in English, German, French, Spanish
PUBLISHED_LABEL = re.compile(
    r"^\s*(?:first\s+)?(?:published|posted|date\s+published|publication\s+date|"
    r"ver[öo]ffentlicht|publi[ée]e?|publicado|publicada)\b(?:\s+(?:on|am|le|el|the))?\s*[:\-–—|]?\s*",
    re.IGNORECASE,
)
# "Last updated" / "Updated on" before a date, in the same languages
UPDATED_LABEL = re.compile(
    r"^\s*(?:last\s+)?(?:updated|modified|revised|aktualisiert|mis\s+[àa]\s+jour|actualizado|actualizada)\b"
    r"(?:\s+(?:on|am|le|el))?\s*[:\-–—|]?\s*",
    re.IGNORECASE,
)
# a text, class or itemprop that marks an update
UPDATE_WORDS = re.compile(r"updat|modif|revis|aktualisiert|mis\s+[àa]\s+jour|actualizad", re.IGNORECASE)
# a <time> inside these is not the article's
OUTSIDE_ARTICLE_TAGS = frozenset(("nav", "aside", "footer", "menu"))
# a numeric day: "04/05/2024", "4.5.2024"
NUMERIC_DAY = re.compile(r"^\s*(\d{1,2})([./-])(\d{1,2})\2(\d{4})\b")
# elements that may hold a date label
DATE_LABEL_TAGS = ("p", "span", "div", "li", "small", "dd", "em", "strong", "time")

# ----------------------------------------------------------------------- names of people, and what is not one (bylines)
# two to four capitalised words, with any particles between them ("Jan van der Berg"); a pattern piece
NAME_PATTERN = r"[A-Z][\w'’.-]*(?:\s+(?:(?:van|von|der|den|de|da|del|la|le)\s+)*[A-Z][\w'’.-]*){1,3}"
# a whole text that is a name
FULL_NAME = re.compile(NAME_PATTERN)
# a user handle: "jdoe", "jane.doe"
USER_HANDLE = re.compile(r"^[a-z0-9]+(?:[._][a-z0-9]+)*$")
# digits, addresses and reading-time or sharing words
NOT_A_NAME = re.compile(r"\d|@|https?:|\b(?:min(?:ute)?s? read|updated|published|share|follow)\b", re.IGNORECASE)
# an avatar's initials before the name: "JD Jane Doe"
AVATAR_INITIALS = re.compile(r"^([A-Z]{2,3})\s+(.+)$")
# job titles: "Jane Doe, Senior Editor" names Jane Doe; "Head" and "Co-Founder" are not people
ROLE_WORDS = frozenset(
    "expert editor editors founder cofounder director manager writer contributor specialist reporter correspondent "
    "analyst winemaker officer president ceo cto cfo coo consultant strategist journalist columnist producer "
    "engineer developer designer scientist researcher advisor adviser coordinator chief lead blogger photographer"
    .split()
)
# words before a role word in a job title: "Senior", "Head"
TITLE_MODIFIERS = frozenset(
    "head senior junior chief lead staff managing executive contributing associate assistant deputy guest co "
    "principal vice general".split()
)
# "Jane Doe - Acme Editorial Team", "Jane Doe – Senior Editor": a dash, then the desk or the role
DESK_SUFFIX = re.compile(r"\s+[-–—]\s+.*\b(?:team|staff|editorial|desk|newsroom|%s)$" % "|".join(
    sorted(ROLE_WORDS)), re.IGNORECASE)
# a lead-in whose name is elsewhere: "Insights from", "A note by"
DANGLING_LEAD_IN = re.compile(r"\b(?:from|by|of|with|and|at|for|to|the)$", re.IGNORECASE)
# a date or update note after a name: "Jane Doe Last updated May 3"
NAME_TRAILER = re.compile(r"\s+(?:last\s+)?(?:updated|published|posted|modified|on)\b.*$"
                          rf"|\s+{MONTH_NAME}\s+\d.*$"
                          # a bare month name cut from its date; not May, June, April or August (also names)
                          r"|\s+(?:january|february|march|july|september|october|november|december)$", re.IGNORECASE)
# a month, a role or an unset value where a name should be
MONTH_OR_ROLE = re.compile(rf"^{MONTH_NAME}$"
                           r"|^(?:author|authors|admin|administrator|editor|staff|guest|team|unknown|anonymous|undefined|null|none)$",
                           re.IGNORECASE)
# where a name after a "By" label ends: "Jane Doe at 10:00", "Jane Doe | News"
NAME_END = re.compile(r"\s+(?:at|on|in|for|[|·•,–—-])\s.*$|\s*[|·•]\s*$", re.IGNORECASE)

# ---------------------------------------------- "By …" labels (bylines): three places a byline starts, three word lists
# a byline element's label: "By", "Written by:", "Author:" (removed)
BY_LABEL = re.compile(r"^(?:(?:written|posted|published|reviewed|edited|words|story|text)\s+)?by\b\s*:?\s*"
                      r"|^(?:author|authors|autor|auteur|autore)\s*:\s*", re.IGNORECASE)
# a lower-case label before a byline's own "by": "capital von Jemima Kelly", "sport par Marie Dupont"
# (case-sensitive: "Ursula von der Leyen" and "Juan de la Cruz" start with a capital)
LABEL_THEN_BY = re.compile(r"^(?:[a-zà-ÿ][\w.-]*\s+){1,2}(?:von|by|par|por|door|di|av|af|de|da)\s+(?=[A-ZÀ-Þ])")
# a text node that starts "By" / "Written by": group 1 is the rest, maybe the name
BY_LABEL_THEN_NAME = re.compile(r"^(?:(?:written|posted|article|authored|reported|words|story|text)\s+)?"
                                r"by\b\s*:?\s*(.*)$", re.IGNORECASE)
# a lead-in before a name in any author string: "This post was written by" (removed)
BY_LEAD_IN = re.compile(r"^(?:.{0,40}?\b(?:written|authored|posted|reviewed|edited|reported)\s+by"
                        r"|read more (?:about|from|by)|authored by|author)\s*:?\s+", re.IGNORECASE)
# "written by Jane Doe" in a page's description: group 1 is the name
DESCRIBED_BY = re.compile(rf"\b(?:[Ww]ritten|[Aa]uthored|[Pp]osted) by ({NAME_PATTERN})")

# ---------------------------------------------------------------- where bylines stand in the markup (metadata, bylines)
# authors the meta tags declare
META_AUTHORS = etree.XPath(
    "//meta[@name='author' or @property='author' or @name='article:author' or @property='article:author' "
    "or @name='dc.creator' or @name='DC.creator' or @name='parsely-author' or @name='sailthru.author' "
    "or @name='byl']/@content"
)
# Twitter card label/data pairs: <meta name="twitter:label1" content="Written by"> + twitter:data1
TWITTER_AUTHOR_DATA = etree.XPath(
    "//meta[starts-with(@name, 'twitter:label') and (translate(@content, 'WRITENBYAUTHO', 'writenbyautho') = 'written by'"
    " or translate(@content, 'WRITENBYAUTHO', 'writenbyautho') = 'author')]"
    "/following-sibling::meta[starts-with(@name, 'twitter:data')][1]/@content"
)
# author and byline elements; the cheap test first: every class below holds "author", "byline" or "contributor-name"
BYLINE_ELEMENTS = etree.XPath(
    "//*[@rel='author' or @itemprop='author' or (contains(@class, 'author') or contains(@class, 'byline') "
    "or contains(@class, 'contributor-name')) and (contains(concat(' ', normalize-space(@class), ' '), ' author ') "
    "or contains(concat(' ', normalize-space(@class), ' '), ' authors ') "
    "or contains(@class, 'author-name') or contains(@class, 'author_name') or contains(@class, 'byline') "
    "or contains(@class, 'post-author') or contains(@class, 'entry-author') or contains(@class, 'article-author')"
    " or contains(@class, 'authorName') or contains(@class, 'author__name') or contains(@class, 'contributor-name'))]"
    " | //*[@itemprop='author']//*[@itemprop='name']"
)
# inside comments, footers, related links or an author bio: another byline than the article's
NOT_THE_ARTICLES_BYLINE = etree.XPath(
    "ancestor::*[contains(@class, 'comment') or contains(@id, 'comment') or self::footer "
    "or contains(@class, 'related') or contains(@class, 'author-bio') or contains(@class, 'author-box')]"
)
# inside navigation or a menu
IN_NAVIGATION = etree.XPath("ancestor::*[self::nav or contains(@class, 'menu') or contains(@class, 'nav')]")
# the page's visible text nodes, where "By" labels are looked for
BODY_TEXT_NODES = etree.XPath("//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript)]")
# links to an author page
AUTHOR_LINKS = etree.XPath("//a[contains(@href, '/author/') or contains(@href, '/authors/')]")
# an author page's slug: "/author/jane-doe/"
AUTHOR_SLUG = re.compile(r"/authors?/([^/?#]+)")
# author boxes and cards, outside comments
AUTHOR_BOXES = etree.XPath(
    "//*[contains(@class, 'author-box') or contains(@class, 'author-card') or contains(@class, 'author-bio') "
    "or contains(@class, 'about-author') or contains(@class, 'author-info')]"
    "[not(ancestor::*[contains(@class, 'comment') or contains(@id, 'comment')])]"
)
# an author box's text nodes
BOX_TEXTS = etree.XPath(".//text()[not(ancestor::script or ancestor::style)]")
# an author box's label before the name: "About the author", "Posts by"
AUTHOR_BOX_LABEL = re.compile(r"^(?:about|meet|more from|posts by)\b|\bauthors?\b|^(?:written|posted) by\b",
                              re.IGNORECASE)
# the descriptions the meta tags declare
META_DESCRIPTIONS = etree.XPath("//meta[@name='description' or @property='og:description']/@content")
# the page's title and site name, where a personal site names its owner
SITE_LABELS = etree.XPath("//head/title/text() | //meta[@property='og:site_name']/@content")
# between a site label's segments
SITE_LABEL_SEPARATOR = re.compile(r"\s+[|–—·-]\s+")
# a personal site's name: "Jane Doe's blog"; group 1 is the owner
OWNED_SITE = re.compile(rf"^({NAME_PATTERN})['’]s\s+(?:blog|weblog|website|site|homepage|newsletter|notes|journal)$")
