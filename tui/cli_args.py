"""The ``newsdesk`` command line's grammar: every subcommand, option and help text.

Kept apart from ``tui.cli`` (what each command does) so both stay small; like it,
this imports nothing heavier than ``store``."""

from __future__ import annotations

import argparse
from pathlib import Path

from store import EXPORT_FORMATS, IMPORT_FORMATS

PROG = "newsdesk"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("newsdesk")
    except PackageNotFoundError:
        return "0.0.0+source"


class _VersionAction(argparse.Action):
    """``--version``, looked up only when asked (importlib.metadata costs ~30 ms)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        print(f"{PROG} {_version()}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (global options go before the command)."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="A keyboard-first terminal browser for collections of short news items. "
        "With no command, opens the browser.",
    )
    parser.add_argument("--store", metavar="DIR", type=Path,
                        help="the store folder (default: $NEWSDESK_STORE or the user data dir)")
    parser.add_argument("--theme", metavar="NAME",
                        help="colour theme of the browser: ansi (the terminal's own colours), "
                        "textual-dark, nord … (default: the config file's, else ansi on "
                        "16-colour terminals)")
    parser.add_argument("--no-mouse", dest="mouse", action="store_false", default=None,
                        help="leave the mouse to the terminal, so its own text selection "
                        "works (e.g. over SSH); everything has a key")
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("init", help="create a store (with the seed briefs unless --empty)",
                       description="Create a store folder. It starts with the 30 seed briefs "
                       "unless --empty is given.")
    p.add_argument("--empty", action="store_true", help="create it without the seed briefs")

    p = sub.add_parser(
        "import", help="import items from text, CSV/TSV, JSON/JSONL or RSS/Atom files",
        description="Import items from files ('-' reads standard input). The format comes "
        "from --format, else the file's extension, else its first bytes: txt (one item per "
        "line), csv and tsv (a header row, or --no-header), jsonl, json (an array or "
        "{\"items\": [...]}), and RSS 2.0, RSS 1.0 and Atom feeds. An item already in the "
        "store (same guid, url or text) is not added again. Records that cannot be read are "
        "reported as "
        "file:line (or file: record N) and skipped; the exit code is then 1.")
    p.add_argument("files", nargs="+", metavar="FILE", help="a file, or - for standard input")
    p.add_argument("--format", choices=IMPORT_FORMATS,
                   help="read every file as this format instead of detecting it")
    p.add_argument("--paragraphs", action="store_true",
                   help="text files: one item per blank-line-separated paragraph")
    p.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                   help="read FIELD (title, text, date, url, author, guid, feed, tags) from "
                   "COLUMN of a CSV/TSV/JSON file: a name, or for CSV/TSV a number counted "
                   "from 1 (--map text=3); repeat for more fields")
    p.add_argument("--no-header", action="store_true",
                   help="CSV/TSV: the first row is data, not column names (a first row that "
                   "is clearly data is detected anyway)")
    p.add_argument("--update", action="store_true",
                   help="refresh the title, text, date... of items already present "
                   "(their ids and tags stay)")

    p = sub.add_parser(
        "export", help="write the items as JSON Lines, CSV or Markdown",
        description="Write the items with their tags and topics. JSON Lines and CSV read "
        "back with `newsdesk import` into the same items and tags.")
    p.add_argument("--format", choices=EXPORT_FORMATS,
                   help="jsonl, csv or md (default: from -o's extension, else jsonl)")
    p.add_argument("--query", "-q", metavar="Q",
                   help="only the items matching Q: words, tag:NAME, topic:NAME")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write FILE instead of standard output (a new file, or into a pipe "
                   "or device such as /dev/stdout; an existing file only with --force)")
    p.add_argument("--force", action="store_true",
                   help="replace an existing FILE (atomically, keeping its mode and owner)")

    p = sub.add_parser("list", help="print the items", description="Print every item: id and "
                       "title, or JSON Lines with --json.")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--limit", type=int, metavar="N",
                   help="only the first N (read alone: as fast in a store of a million)")

    p = sub.add_parser(
        "search", help="find items with the query language",
        description="Print the items matching QUERY (best match first): id and title, "
        "JSON Lines with --json, or just how many with --count. Words (of the title and "
        'text) must all match; "exact phrase", OR, AND, NOT/-word in any case, (…), '
        "prefix*, and fields tag: topic: subject: title: source: feed: id: person: place: "
        "org: date: before: after: is:tagged is:untagged is:read is:unread.")
    p.add_argument("query", metavar="QUERY", help="quote it for the shell")
    p.add_argument("--json", action="store_true", help="one JSON object per line, as list --json")
    p.add_argument("--count", action="store_true", help="print only the number of matches")
    p.add_argument("--limit", type=int, metavar="N", help="at most N results")
    p.add_argument("--order", choices=("relevance", "original"), default="relevance",
                   help="best match first (default) or the order items were imported")

    p = sub.add_parser("tree", help="print the topic tree with counts",
                       description="Print the topic tree with counts; --json prints a list of "
                       "groups, each {name, count, children} recursively.")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser(
        "tag", help="add or remove tags: tag ID... +TAG -TAG, or tag +TAG -TAG -- QUERY",
        usage="newsdesk tag ID... +TAG... -TAG...\n       newsdesk tag [--dry-run] +TAG... "
        "-TAG... -- QUERY",
        description="Add (+TAG) and remove (-TAG) tags on the items with these ids (a unique "
        "prefix of at least 4 characters will do), or, as notmuch does, on every item "
        "matching the QUERY after --, printing how many. -TAG is an operation, not an "
        "option.")
    p.add_argument("--dry-run", action="store_true",
                   help="with -- QUERY: only count the matches, change nothing")
    p.add_argument("words", nargs=argparse.REMAINDER, metavar="ID|+TAG|-TAG")

    p = sub.add_parser("tags", help="list, rename, dump or restore tags",
                       description="List tags with counts, or rename, dump and restore them.")
    p.add_argument("--json", action="store_true", help='a JSON list of {"name", "count"}')
    tags_sub = p.add_subparsers(dest="tags_command", metavar="ACTION")
    q = tags_sub.add_parser("rename", help="rename a tag (merging into an existing one)",
                            description="Rename OLD (and the tags under it) to NEW.")
    q.add_argument("old", metavar="OLD")
    q.add_argument("new", metavar="NEW")
    tags_sub.add_parser("dump", help="print every item's tags as 'id tag tag…'",
                        description="Print one line per tagged item: its id, then its tags "
                        "(URL-encoded where needed). `tags restore` reads it back.")
    q = tags_sub.add_parser("restore", help="set tags from a dump file ('-' for stdin)",
                            description="Set each listed item's tags to exactly the dumped "
                            "ones, as one undoable operation.")
    q.add_argument("file", metavar="FILE")

    p = sub.add_parser(
        "feeds", help="subscribe to feeds: add, import/export OPML, remove, list",
        description="The feeds this store follows. Without an action: feeds list.")
    feeds_sub = p.add_subparsers(dest="feeds_command", metavar="ACTION")
    q = feeds_sub.add_parser("add", help="subscribe to a feed URL and fetch it once",
                             description="Subscribe to the RSS or Atom feed at URL and fetch "
                             "it now (exit code 1 if that fetch failed; it stays subscribed).")
    q.add_argument("url", metavar="URL")
    q.add_argument("--folder", metavar="NAME", help="put it in this folder (News/Tech nests)")
    q.add_argument("--timeout", type=float, metavar="S",
                   help="seconds the fetch may take (default: fetch_timeout in config, 20)")
    q = feeds_sub.add_parser("import", help="subscribe to every feed of an OPML file",
                             description="Subscribe to every outline with an xmlUrl in FILE "
                             "(nested outlines become folders). Nothing is fetched: "
                             "`newsdesk fetch` does that.")
    q.add_argument("file", metavar="FILE.opml", help="an OPML file, or - for standard input")
    q = feeds_sub.add_parser("export", help="write the subscriptions as OPML 2.0",
                             description="Write every subscription, in its folder, as OPML "
                             "2.0 (`feeds import` reads it back into the same set).")
    q.add_argument("-o", "--output", metavar="FILE",
                   help="write FILE (replaced atomically) instead of standard output")
    q = feeds_sub.add_parser("remove", help="unsubscribe (the feed's items and tags stay)",
                             description="Unsubscribe from URL. The items it brought in stay, "
                             "with their tags.")
    q.add_argument("url", metavar="URL")
    q = feeds_sub.add_parser("list", help="one line per feed",
                             description="One line per feed: unread/items, URL, title, folder "
                             "and the last fetch's error; --json: one JSON object per line with "
                             "url, title, folder, items, unread, last_fetched, error.")
    q.add_argument("--json", action="store_true", help="one JSON object per line")

    p = sub.add_parser(
        "fetch", help="fetch every subscribed feed now",
        description="Fetch every subscribed feed side by side and import what is new (an "
        "entry that comes again with the same guid is refreshed in place, keeping its id "
        "and tags). One line per feed says what came in or what went wrong. Exit code 1 if "
        "any feed failed. Made for cron: a running browser shows the new items live.")
    p.add_argument("--timeout", type=float, metavar="S",
                   help="seconds one feed may take (default: fetch_timeout in config, 20)")

    p = sub.add_parser("config", help="show where the settings file is, or the settings",
                       description="newsdesk reads settings from config.toml in your config "
                       "folder; nothing ever writes it. `config show` prints the settings in "
                       "effect and any problems with the file (exit code 1 if there are any).")
    config_sub = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    config_sub.add_parser("path", help="print the settings file's path",
                          description="Print the path of config.toml (it may not exist yet).")
    config_sub.add_parser("show", help="print the effective settings and any problems",
                          description="Print the settings in effect as TOML; problems with "
                          "the file go to standard error.")

    p = sub.add_parser("retopic", help="re-derive topics from the rules (--subjects: rediscover)",
                       description="Re-derive every item's topics from the topic rules (the "
                       "shipped ones and your config's topics.toml). Tags are never touched.")
    p.add_argument("--subjects", action="store_true",
                   help="also discover the Subjects again from every item's text (imports "
                   "only file new items under the subjects found before)")

    p = sub.add_parser(
        "doctor", help="check the store's files; --restore puts back the newest good backup",
        description="Check the store: items.json, state.json, the journal, backups, the "
        "search cache, the lock, permissions and leftover temp files, and explain anything "
        "wrong in plain words (exit code 1 if something is). Nothing is written unless "
        "--restore is given.")
    p.add_argument("--restore", action="store_true",
                   help="restore a damaged state.json (or items.json) from the newest good "
                   "backup; the damaged file is renamed NAME.broken-TIME, never deleted")
    return parser


