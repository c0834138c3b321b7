"""What WordPress core prints around a theme's templates: the head, titles, comment form.

wp_head() as WordPress 6.7 prints it with default filters (wp-includes/default-filters.php:
feed_links, feed_links_extra, rest_output_link_wp_head, rsd_link, wp_generator,
rel_canonical, wp_shortlink_wp_head, wp_oembed_add_discovery_links), wp_get_document_title()
(general-template.php) and comment_form() (comment-template.php, HTML5).
"""

# ruff: noqa: E501 - HTML templates: a line of markup is clearer whole than split

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from tests.themes import wp
from tests.themes.model import Post, Site, Term

GENERATOR = "WordPress 6.7.1"


@dataclass(frozen=True, slots=True)
class View:
    """Which page is being printed: a list page (home or term archive), a post, or the 404."""

    site: Site
    term: Term | None = None
    number: int = 1
    post: Post | None = None
    missing: bool = False

    @property
    def is_home(self) -> bool:
        return self.term is None and self.post is None and not self.missing

    @property
    def url(self) -> str:
        if self.post is not None:
            return self.site.url(self.post.path)
        base = self.site.url(self.term.path if self.term else "/")
        return base if self.number == 1 else f"{base}page/{self.number}/"


def document_title(view: View, lang: str = "en", sep: str = "&#8211;") -> str:
    """wp_get_document_title(): `Term – Page 2 – Site`, `Site – Tagline` on the home page."""
    site = view.site
    if view.missing:
        parts = [wp.tr("Page not found", lang)]
    elif view.post is not None:
        parts = [wp.title(view.post)]
    elif view.term is not None:
        parts = [wp.esc(view.term.name)]
    else:
        parts = [wp.esc(site.name)]
    if view.number > 1:
        parts.append(wp.tr("Page %s", lang) % view.number)
    parts.append(wp.esc(site.tagline) if view.is_home and view.number == 1 else wp.esc(site.name))
    if view.is_home and view.number > 1:
        parts = parts[:-1]
    return f" {sep} ".join(parts)


def wp_head(
    view: View,
    styles: Sequence[tuple[str, str]],
    *,
    title: bool = True,
    robots: bool = True,
    lang: str = "en",
) -> str:
    """The core part of wp_head(); `styles` are the theme's (handle, URL) stylesheets."""
    site, o = view.site, view.site.origin
    name = wp.esc(site.name)
    out = ["<meta name='robots' content='max-image-preview:large' />"] if robots else []
    if title:
        out.append(f"<title>{document_title(view, lang)}</title>")
    out.append(
        f'<link rel="alternate" type="application/rss+xml" title="{name} &raquo; Feed" href="{o}/feed/" />'
    )
    out.append(
        f'<link rel="alternate" type="application/rss+xml" title="{name} &raquo; {wp.tr("Comments Feed", lang)}" href="{o}/comments/feed/" />'
    )
    if view.term is not None:
        kind = "Category Feed" if view.term.kind == "category" else "Tag Feed"
        feed = f"{name} &raquo; {wp.esc(view.term.name)} {wp.tr(kind, lang)}"
        out.append(
            f'<link rel="alternate" type="application/rss+xml" title="{feed}" href="{site.url(view.term.path)}feed/" />'
        )
    if view.post is not None:
        feed = f"{name} &raquo; {wp.title(view.post)} {wp.tr('Comments Feed', lang)}"
        out.append(
            f'<link rel="alternate" type="application/rss+xml" title="{feed}" href="{view.url}feed/" />'
        )
    out += [f"<link rel='stylesheet' id='{h}-css' href='{u}' media='all' />" for h, u in styles]
    out.append(f'<link rel="https://api.w.org/" href="{o}/wp-json/" />')
    if view.term is not None:
        route = "categories" if view.term.kind == "category" else "tags"
        out.append(
            f'<link rel="alternate" title="JSON" type="application/json" href="{o}/wp-json/wp/v2/{route}/{view.term.id}" />'
        )
    if view.post is not None:
        out.append(
            f'<link rel="alternate" title="JSON" type="application/json" href="{o}/wp-json/wp/v2/posts/{view.post.id}" />'
        )
    out.append(
        f'<link rel="EditURI" type="application/rsd+xml" title="RSD" href="{o}/xmlrpc.php?rsd" />'
    )
    out.append(f'<meta name="generator" content="{GENERATOR}" />')
    if view.post is not None:
        embed = quote(view.url, safe="")
        out.append(f'<link rel="canonical" href="{view.url}" />')
        out.append(f"<link rel='shortlink' href='{o}/?p={view.post.id}' />")
        out.append(
            f'<link rel="alternate" title="oEmbed (JSON)" type="application/json+oembed" href="{o}/wp-json/oembed/1.0/embed?url={embed}" />'
        )
    return "\n".join(out) + "\n"


_FORM = {
    "en": ("Cancel reply", "Your email address will not be published.",
           'Required fields are marked <span class="required">*</span>', "Comment", "Post Comment"),
    "de": ("Antworten abbrechen", "Deine E-Mail-Adresse wird nicht veröffentlicht.",
           'Erforderliche Felder sind mit <span class="required">*</span> markiert', "Kommentar",
           "Kommentar abschicken"),
}  # fmt: skip


def comment_form(
    site: Site, post: Post, title_tag: str = "h3", title: str = "Leave a Reply", lang: str = "en"
) -> str:
    """comment_form() with HTML5 support, for a visitor who is not logged in."""
    url = site.url(post.path)
    cancel, notes, required, comment, submit = _FORM[lang]
    return (
        f'\t<div id="respond" class="comment-respond">\n\t\t<{title_tag} id="reply-title" '
        f'class="comment-reply-title">{title} <small><a rel="nofollow" '
        f'id="cancel-comment-reply-link" href="{url}#respond" style="display:none;">{cancel}'
        f"</a></small></{title_tag}>"
        f'<form action="{site.url("/wp-comments-post.php")}" method="post" id="commentform" '
        f'class="comment-form" novalidate><p class="comment-notes"><span id="email-notes">{notes}'
        f'</span> <span class="required-field-message">{required}</span></p>'
        f'<p class="comment-form-comment"><label for="comment">{comment} <span class="required">*'
        '</span></label> <textarea id="comment" name="comment" cols="45" rows="8" '
        'maxlength="65525" required></textarea></p><p class="comment-form-author"><label '
        'for="author">Name <span class="required">*</span></label> <input id="author" '
        'name="author" type="text" value="" size="30" maxlength="245" autocomplete="name" '
        'required /></p>\n<p class="form-submit"><input name="submit" type="submit" id="submit" '
        f"class=\"submit\" value=\"{submit}\" /> <input type='hidden' name='comment_post_ID' "
        f"value='{post.id}' id='comment_post_ID' />\n<input type='hidden' name='comment_parent' "
        "id='comment_parent' value='0' />\n</p></form>\t</div><!-- #respond -->\n"
    )


def search_form(site: Site, label: str = "Search for:") -> str:
    """get_search_form() (HTML5)."""
    return (
        f'<form role="search" method="get" class="search-form" action="{site.url("/")}">\n'
        f'\t\t\t\t<label>\n\t\t\t\t\t<span class="screen-reader-text">{label}</span>\n'
        '\t\t\t\t\t<input type="search" class="search-field" placeholder="Search &hellip;" '
        'value="" name="s" />\n\t\t\t\t</label>\n\t\t\t\t<input type="submit" '
        'class="search-submit" value="Search" />\n\t\t\t</form>'
    )
