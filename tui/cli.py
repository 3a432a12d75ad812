"""The ``newsdesk`` command line: the TUI by default, and scriptable subcommands.

Only opening the TUI imports Textual; every other command must start fast, so
this module imports nothing heavier than ``store``. Exit codes: 0 ok, 1 an error
the user can fix (message on stderr, never a traceback), 2 a usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from store import EXPORT_FORMATS, IMPORT_FORMATS, StoreError

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


def _err(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr)


def _store_root(args: argparse.Namespace, settings=None) -> Path:  # settings: Settings
    """--store, else $NEWSDESK_STORE, else ``store`` in config.toml, else the data dir."""
    if args.store:
        return args.store.expanduser()
    from store import default_store_dir

    if os.environ.get("NEWSDESK_STORE"):
        return default_store_dir()
    if settings is None:
        from tui.config import load_settings

        settings = load_settings()
    return settings.store or default_store_dir()


def _open(args: argparse.Namespace, *, create: bool = True, settings=None,
          load: bool = True):  # -> Store
    from store import Store

    store = Store.open(_store_root(args, settings), create=create, load=load)
    if load:  # else the app reports them once it has read the store
        for problem in store.problems():  # damage that was worked around: say so, go on
            _err(f"warning: {problem}")
    return store


def item_json(store, item: dict) -> dict:
    """The public JSON shape of an item (``list --json``, later ``search --json``)."""
    return {
        "id": item["id"],
        "title": item["title"],
        "body": item["body"],
        "source": item.get("source", ""),
        "line": item.get("line"),
        "position": item["position"],
        "imported_at": item.get("imported_at"),
        "topics": item["topics"],
        "subjects": item.get("subjects") or [],
        "tags": store.state.tags_of(item["id"]),
        "read": store.state.is_read(item["id"]),
        **{name: item.get(name) for name in ("date", "url", "author", "guid", "feed")},
    }


def cmd_init(args: argparse.Namespace) -> int:
    from store import ITEMS_FILE, Store

    root = _store_root(args)
    if (root / ITEMS_FILE).exists():
        store = Store.open(root, create=False)
        print(f"A store already exists at {root} ({len(store)} items); nothing changed.")
        return 0
    store = Store.open(root, create=True, seed=not args.empty)
    print(f"Created a store at {root} with {len(store)} items.")
    return 0


class ImportProgress:
    """A Rich progress bar on stderr, shown only for imports that take more than
    about a second, and only when stderr is a terminal (never in a pipe or a log).

    Rich is imported only when the bar actually appears, so a quick or scripted
    import stays as light as the other commands.
    """

    DELAY = 1.0

    def __init__(self, stream=None, clock=None) -> None:  # noqa: ANN001 - a text stream
        import time

        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock or time.monotonic
        self.started = self.clock()
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = bool(isatty and isatty())
        self.bar = None
        self._task = None

    def update(self, stage: str, done: int, total: int) -> None:
        """Report ``done`` of ``total`` for ``stage`` ("reading", "importing", "deriving")."""
        if not self.enabled:
            return
        if self.bar is None:
            if self.clock() - self.started < self.DELAY:
                return
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(file=self.stream), transient=True)
            self.bar.start()
            self._task = self.bar.add_task(stage, total=total)
        self.bar.update(self._task, description=stage, completed=done, total=total)

    def stop(self) -> None:
        """Remove the bar (if it was ever shown)."""
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def cmd_import(args: argparse.Namespace) -> int:
    from store import ImportOptions, MappingError, parse_mappings, read_bytes, read_file

    try:
        mapping = parse_mappings(args.map)
    except MappingError as exc:
        _err(str(exc))
        return 2
    from tui.config import load_settings

    settings = load_settings()
    options = ImportOptions(format=args.format, paragraphs=args.paragraphs, mapping=mapping,
                            max_item_chars=settings.max_item_chars, no_header=args.no_header)
    store = _open(args, settings=settings)
    progress = ImportProgress()
    results = []
    try:
        for done, name in enumerate(args.files, start=1):
            if name == "-":
                results.append(read_bytes(sys.stdin.buffer.read(), "stdin", options))
            else:
                results.append(read_file(name, options))
            progress.update("reading", done, len(args.files))
        report = store.import_files(
            results, update=args.update,
            progress=lambda done, total, stage: progress.update(stage, done, total))
    finally:
        progress.stop()
    if report.added or report.updated:
        _save_tree_counts(store)
    for problem in report.problems:
        print(f"{PROG}: {problem}", file=sys.stderr)
    for warning in report.warnings:
        print(f"{PROG}: warning: {warning}", file=sys.stderr)
    for note in report.notes:
        print(f"{PROG}: {note}", file=sys.stderr)
    # A file that held nothing at all (not even a record with a problem): say so.
    empty = [name for name, result in zip(args.files, results, strict=True)
             if not result.records and not result.problems]
    for name in empty:
        _err(f"warning: {'standard input' if name == '-' else name}: no items in it")
    print(report.summary())
    return 1 if report.problems or empty else 0


def _save_tree_counts(store) -> None:  # store: Store
    """Count the tree once now, so the TUI's next start reads the counts (at 100k
    counting takes ~0.5 s; the import took a minute)."""
    from store import TreeIndex, save_counts

    save_counts(store.root, store.loaded_signature, TreeIndex(store.items()))


def cmd_export(args: argparse.Namespace) -> int:
    from store import export_items, write_output

    fmt = args.format
    if fmt is None:
        suffix = Path(args.output).suffix.casefold().lstrip(".") if args.output else ""
        fmt = {"markdown": "md", "ndjson": "jsonl"}.get(suffix, suffix)
        fmt = fmt if fmt in EXPORT_FORMATS else "jsonl"
    store = _open(args, create=False)
    data, count = export_items(store, fmt, args.query)
    if args.output and args.output != "-":
        write_output(Path(args.output), data, force=args.force)
        print(f"Exported {count} item{'s' if count != 1 else ''} to {args.output}.",
              file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    from tui.config import config_file, load_settings, to_toml

    if args.config_command == "path":
        print(config_file())
        return 0
    settings = load_settings()
    where = settings.path if settings.path and settings.path.exists() else None
    print(f"# {where}" if where else f"# {config_file()} does not exist: all defaults")
    print(to_toml(settings), end="")
    for problem in settings.problems:
        print(f"{PROG}: {problem}", file=sys.stderr)
    return 1 if settings.problems else 0


def cmd_list(args: argparse.Namespace) -> int:
    import orjson

    from store import sanitize_line

    store = _open(args)
    out = sys.stdout
    for item in store.items():
        if args.json:
            out.write(orjson.dumps(item_json(store, item)).decode() + "\n")
        else:
            out.write(f"{item['id']}  {sanitize_line(item['title'])}\n")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    """Search without loading the items when the index cache is current (fast path)."""
    from store import QuerySyntaxError, parse

    try:
        node = parse(args.query)
    except QuerySyntaxError as exc:
        _err(f"bad query: {exc}\n  {args.query}\n  {' ' * exc.position}^")
        return 1
    if args.limit is not None and args.limit < 0:
        _err("--limit must be 0 or more")
        return 2
    root = _store_root(args)
    store = None
    index, view = _cached_search(root)
    cached = index is not None
    titles: list[str] | None = None
    try:  # any error from the cache: take the slow path, which rebuilds it
        if index is not None and not args.json:
            result = (index.count(node, view) if args.count
                      else index.search(node, view, order=args.order, limit=args.limit))
            if not args.count:  # here: the titles' checksum is checked on first read
                titles = [index.title(item_id) or "" for item_id in result]
        else:
            index = None
    except Exception:  # noqa: BLE001 - any damage in a cache the store rebuilds
        index, titles = None, None
    if index is None:
        store = _open(args, create=False)
        if not cached and len(store) >= 2000 and sys.stderr.isatty():
            _err(f"building the search index for {len(store):,} items (once: later "
                 "searches read it)…")
        result = (store.count(node) if args.count
                  else store.search(node, order=args.order, limit=args.limit))
        index = store.ensure_index()
    if args.count:
        print(result)
        return 0
    ids = result
    out = sys.stdout
    for n, item_id in enumerate(ids):
        if store is not None and args.json:
            import orjson

            out.write(orjson.dumps(item_json(store, store.get(item_id))).decode() + "\n")
        else:
            from store import sanitize_line

            title = titles[n] if titles is not None else index.title(item_id) or ""
            out.write(f"{item_id}  {sanitize_line(title)}\n")
    return 0


def _cached_search(root: Path):  # -> (SearchIndex | None, LazyStateView | None)
    """The cached index and the user state, read without opening the whole store."""
    from store import ITEMS_FILE, LazyStateView, load_index

    if not (root / ITEMS_FILE).exists():
        return None, None
    if any(os.path.islink(root / name)
           for name in (ITEMS_FILE, "state.json", "journal.jsonl", "lock")):
        return None, None  # the store refuses it, naming the link: let it say so
    index = load_index(root, lazy=True)  # cmd_search takes the slow path on any error
    if index is None:
        return None, None
    index.vectorize = False  # one query: numpy's import (~0.1 s) would cost more than it saves
    return index, LazyStateView(root)  # read only if the query asks about tags or reads


def cmd_tree(args: argparse.Namespace) -> int:
    import orjson

    from store import TreeIndex, load_counts, sanitize_line, save_counts

    store = _open(args)
    index = TreeIndex(store.items(), load_counts(store.root, store.loaded_signature),
                      store.ids(), store.ordinals())
    nodes = index.tree(store.state_view, feeds=store.feeds.all())
    if not index.cached:
        save_counts(store.root, store.loaded_signature, index)
    if args.json:
        groups = [n.to_json() for n in nodes if n.key[0] == "group"]
        print(orjson.dumps(groups, option=orjson.OPT_INDENT_2).decode())
        return 0

    def show(node, depth: int) -> None:
        unread = f", {node.unread} unread" if node.unread is not None else ""
        failed = f"  ! {sanitize_line(node.error)}" if node.error else ""
        print(f"{'  ' * depth}{sanitize_line(node.name)} ({node.count}{unread}){failed}")
        for child in node.children:
            show(child, depth + 1)

    for node in nodes:
        show(node, 0)
    return 0


def cmd_tag(args: argparse.Namespace) -> int:
    from tui.tagcmd import tag_command

    return tag_command(args, _open, _err, build_parser)


def cmd_tags(args: argparse.Namespace) -> int:
    from urllib.parse import quote, unquote

    import orjson

    from store import sanitize_line

    store = _open(args, create=False)
    if args.tags_command == "rename":
        record = store.state.rename_tag(args.old, args.new)
        print(record["label"] if record else f"No item carries the tag {args.old!r}.")
        return 0 if record else 1
    if args.tags_command == "dump":
        for item_id, tags in store.user.state.tags.items():
            if tags:
                print(item_id, *(quote(t, safe="/-_.~@:+!") for t in tags))
        return 0
    if args.tags_command == "restore":
        if args.file == "-":
            lines = sys.stdin.read().splitlines()
        else:
            try:
                lines = Path(args.file).read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                _err(f"cannot read {args.file}: {exc}")
                return 1
        wanted: dict[str, list[str]] = {}
        for line in lines:
            parts = line.split()
            if parts and not parts[0].startswith("#"):
                wanted[parts[0]] = [unquote(t) for t in parts[1:]]
        unknown = sum(1 for i in wanted if store.get(i) is None)
        record = store.state.restore_tags(wanted)
        print(record["label"] if record else "Nothing changed.")
        if unknown:
            print(f"{unknown} ids are not in this store; their tags apply if they are imported.")
        return 0
    counts = sorted(store.state.tag_counts().items(), key=lambda kv: kv[0].casefold())
    if args.json:
        print(orjson.dumps([{"name": n, "count": c} for n, c in counts]).decode())
    else:
        for name, count in counts:
            print(f"{count:>6}  {sanitize_line(name)}")
    return 0


def cmd_retopic(args: argparse.Namespace) -> int:
    store = _open(args, create=False)
    changed = store.retopic(subjects=args.subjects)
    what = "Topics and subjects" if args.subjects else "Topics"
    print(f"{what} re-derived: {changed} of {len(store)} items changed.")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from store import check_store, restore_store

    root = _store_root(args)
    if args.restore:
        for line in restore_store(root):
            print(line)
    report = check_store(root)
    print(report.render())
    return 0 if report.ok else 1


def _fetch_timeout(args: argparse.Namespace) -> float:
    """--timeout, else fetch_timeout in config.toml."""
    if getattr(args, "timeout", None) is not None:
        return max(0.1, args.timeout)
    from tui.config import load_settings

    return load_settings().fetch_timeout


def _fetch(store, urls, timeout: float) -> int:  # store: Store; -> exit code
    """Fetch and print one line per feed as it answers; 1 if any failed."""
    failed = 0

    def said(outcome) -> None:  # outcome: FeedOutcome
        nonlocal failed
        failed += outcome.failed
        print(outcome.line(), flush=True)
        for warning in outcome.warnings[:3]:
            print(f"{PROG}: warning: {outcome.url}: {warning}", file=sys.stderr)

    outcomes = store.fetch_feeds(urls, timeout=timeout, on_feed=said)
    if any(o.new or o.updated for o in outcomes):
        store.refresh()
        _save_tree_counts(store)
    if len(outcomes) > 1:
        new = sum(o.new for o in outcomes)
        updated = sum(o.updated for o in outcomes)
        print(f"{len(outcomes)} feeds: {new} new, {updated} updated, {failed} failed",
              file=sys.stderr)
    return 1 if failed else 0


def cmd_fetch(args: argparse.Namespace) -> int:
    timeout = _fetch_timeout(args)
    store = _open(args, create=False, load=False)  # the fetch reads items.json as it writes
    if not store.feeds.all():
        print("No feeds subscribed yet: `newsdesk feeds add URL` or `feeds import FILE.opml`.")
        return 0
    return _fetch(store, None, timeout)


def feed_json(store, sub) -> dict:  # Subscription
    """The public JSON shape of a subscription (``feeds list --json``)."""
    ids = [i for i in dict.fromkeys(sub.ids) if store.get(i) is not None]
    return {"url": sub.url, "title": sub.title or None, "folder": sub.folder or None,
            "items": len(ids), "unread": sum(1 for i in ids if not store.state.is_read(i)),
            "last_fetched": sub.last_fetched, "error": sub.error}


def cmd_feeds(args: argparse.Namespace) -> int:
    from store import FeedURLError

    action = args.feeds_command or "list"
    if action == "add":
        timeout = _fetch_timeout(args)
        store = _open(args)
        from store import now_iso

        try:
            sub, added = store.feeds.add(args.url, folder=args.folder, now=now_iso())
        except FeedURLError as exc:
            _err(str(exc))
            return 1
        where = f" in {sub.folder}" if sub.folder else ""
        print(f"Subscribed to {sub.url}{where}." if added
              else f"Already subscribed to {sub.url}{where}; fetching it.")
        return _fetch(store, [sub.url], timeout)
    if action == "import":
        return _feeds_import(args)
    if action == "export":
        from store import atomic_write, write_opml

        store = _open(args, create=False, load=False)
        data = write_opml(store.feeds.all())
        if args.output and args.output != "-":
            atomic_write(Path(args.output), data)
            count = len(store.feeds.all())
            print(f"Exported {count} feed{'s' if count != 1 else ''} to {args.output}.",
                  file=sys.stderr)
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        return 0
    if action == "remove":
        store = _open(args, create=False, load=False)
        sub = store.feeds.remove(args.url)
        if sub is None:
            _err(f"not subscribed to {args.url} (`newsdesk feeds list` shows the feeds)")
            return 1
        count = len(set(sub.ids))
        print(f"Unsubscribed from {sub.url}; its {count} item{'s' if count != 1 else ''} "
              "and their tags stay.")
        return 0
    import orjson

    from store import sanitize_line

    store = _open(args, create=False)
    for sub in store.feeds.all():
        record = feed_json(store, sub)
        if getattr(args, "json", False):
            sys.stdout.write(orjson.dumps(record).decode() + "\n")
        else:
            mark = f"  FAILED: {sanitize_line(sub.error)}" if sub.error else ""
            folder = f"  [{sanitize_line(sub.folder)}]" if sub.folder else ""
            sys.stdout.write(f"{record['unread']:>5}/{record['items']:<5} {sub.url}  "
                             f"{sanitize_line(sub.title)}{folder}{mark}\n")
    return 0


def _feeds_import(args: argparse.Namespace) -> int:
    from store import now_iso, read_opml

    name = "stdin" if args.file == "-" else args.file
    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        _err(f"cannot read {args.file}: {exc.strerror or exc}")
        return 1
    outlines = read_opml(data, name)  # OPMLError is a StoreError: main() reports it
    store = _open(args)
    from store import FeedURLError, normalize_url

    good, bad = [], 0
    for outline in outlines:
        try:
            normalize_url(outline.url)
        except FeedURLError as exc:
            _err(f"{name}: skipped: {exc}")
            bad += 1
            continue
        good.append((outline.url, outline.title, outline.folder))
    added = store.feeds.add_many(good, now=now_iso())
    present = len({normalize_url(u) for u, _, _ in good}) - len(added)
    print(f"Subscribed to {len(added)} feed{'s' if len(added) != 1 else ''} from {name} "
          f"({present} already subscribed{f', {bad} skipped' if bad else ''}); "
          "`newsdesk fetch` fetches them.")
    return 1 if bad else 0


def cmd_tui(args: argparse.Namespace) -> int:
    import gc

    from tui.config import load_settings, value_problem
    from tui.theme import UnknownTheme, resolve_theme

    # Start-up allocates a lot and frees little: collecting before the first frame only
    # costs time. The app turns the collector back on once it has drawn (NewsdeskApp).
    gc.disable()
    settings = load_settings()  # problems in the file are shown in the app, not fatal
    if args.mouse is not None:
        settings.mouse = args.mouse
    if args.theme is not None:
        try:
            settings.theme = resolve_theme(args.theme)
        except UnknownTheme as exc:
            _err(f"{exc} (from --theme)")
            return 2
    elif settings.theme is not None:
        try:
            settings.theme = resolve_theme(settings.theme)
        except UnknownTheme as exc:  # a bad value in the file: say so, use the default
            settings.problems.append(value_problem(settings, "theme", str(exc)))
            settings.theme = None
    from tui.app import run

    # The items are read by the app, after its first frame (see MainScreen._load_store).
    store = _open(args, settings=settings, load=False)
    return run(store, settings)


COMMANDS = {
    None: cmd_tui,
    "init": cmd_init,
    "import": cmd_import,
    "export": cmd_export,
    "config": cmd_config,
    "list": cmd_list,
    "search": cmd_search,
    "tree": cmd_tree,
    "retopic": cmd_retopic,
    "tag": cmd_tag,
    "tags": cmd_tags,
    "doctor": cmd_doctor,
    "feeds": cmd_feeds,
    "fetch": cmd_fetch,
}


def _protect_tag_words(argv: Sequence[str]) -> list[str]:
    """``tag -old -- QUERY``: argparse would take ``-old`` for an option, so a ``--``
    goes right after ``tag`` (cmd_tag drops it) unless help is asked for."""
    args = list(argv)
    i = 0
    while i < len(args):
        word = args[i]
        if word in ("--store", "--theme"):
            i += 2
        elif word.startswith("-"):
            i += 1
        else:
            if word == "tag" and args[i + 1:i + 2] not in (["-h"], ["--help"], []):
                return [*args[:i + 1], "--", *args[i + 1:]]
            break
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``newsdesk`` console script."""
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(_protect_tag_words(argv))
    if args.theme is not None:  # a usage error from any command, not only the browser
        from tui.theme import UnknownTheme, check_theme

        try:
            check_theme(args.theme)
        except UnknownTheme as exc:
            _err(f"{exc} (from --theme)")
            return 2
    try:
        return COMMANDS[args.command](args)
    except StoreError as exc:
        _err(str(exc))
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `newsdesk list | head`: the reader left; that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
