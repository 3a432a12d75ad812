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

from store import EXPORT_FORMATS, ImportInterrupted, StoreError
from tui.cli_args import PROG, build_parser


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
    for note in store.notes:
        _err(note)
    if load:  # else the app reports them once it has read the store
        for problem in store.problems():  # damage that was worked around: say so, go on
            _err(f"warning: {problem}")
    return store


def item_json(state, item: dict) -> dict:
    """The public JSON shape of an item (``list --json``, ``search --json``); ``state``
    answers ``tags_of`` and ``is_read`` (the store's, or a state view's)."""
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
        "tags": list(state.tags_of(item["id"])),
        "read": state.is_read(item["id"]),
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
        """Report ``done`` of ``total`` for ``stage`` ("reading", "finding subjects" before
        a batched import, "importing", "deriving", "writing")."""
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
    # Not loaded: the import reads what it needs, and keeps the tree's counts and the
    # search index current itself (a thousand items into 300,000 need not read them all).
    store = _open(args, settings=settings, load=False)
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
    for problem in report.problems:
        print(f"{PROG}: {problem}", file=sys.stderr)
    for warning in report.warnings:
        print(f"{PROG}: warning: {warning}", file=sys.stderr)
    for note in report.notes:
        print(f"{PROG}: {note}", file=sys.stderr)
    for note in store.notes:  # a store of the old layout, converted by this import
        _err(note)
    # A file that held nothing at all (not even a record with a problem): say so.
    empty = [name for name, result in zip(args.files, results, strict=True)
             if not result.records and not result.problems]
    for name in empty:
        _err(f"warning: {'standard input' if name == '-' else name}: no items in it")
    print(report.summary())
    return 1 if report.problems or empty else 0


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


_FEW = 10_000
"""``list --limit N`` up to this many reads the items alone; more, the whole store."""


def cmd_list(args: argparse.Namespace) -> int:
    import orjson

    from store import sanitize_line

    if args.limit is not None and args.limit < 0:
        _err("--limit must be 0 or more")
        return 2
    if args.limit is not None and args.limit <= _FEW:  # the first N alone, from their segments
        from store import items_at

        store = _open(args, create=False, load=False)
        store.user.load()  # their tags and read marks
        items = [d for d in items_at(store.root, range(args.limit)) if d is not None]
    else:
        store = _open(args)
        items = store.items()[:args.limit]
    out = sys.stdout
    for item in items:
        if args.json:
            out.write(orjson.dumps(item_json(store.state, item)).decode() + "\n")
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
    if index is None:
        index, view = _index_by_segment(args, root)
    titles: list[str] | None = None
    found: list[dict] | None = None
    try:  # any error from the cache: take the slow path, which rebuilds it
        if index is not None:
            result = (index.count(node, view) if args.count
                      else index.search(node, view, order=args.order, limit=args.limit))
            if args.json and not args.count:  # the printed items alone, from their segments
                found = _items_of(root, index, result)
                if found is None:
                    index = None
                else:
                    _ = view.files  # their tags and read marks, read here: damage falls back
            elif not args.count:  # here: the titles' checksum is checked on first read
                titles = [index.title(item_id) or "" for item_id in result]
    except Exception:  # noqa: BLE001 - any damage in a cache the store rebuilds
        index, titles, found, store = None, None, None, None
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
        if args.json:
            import orjson

            # the fast path's items carry their tags and read marks from the state alone
            item = found[n] if found is not None else store.get(item_id)
            state = view if found is not None else store.state
            out.write(orjson.dumps(item_json(state, item)).decode() + "\n")
        else:
            from store import sanitize_line

            title = titles[n] if titles is not None else index.title(item_id) or ""
            out.write(f"{item_id}  {sanitize_line(title)}\n")
    return 0


def _items_of(root: Path, index, ids: list[str]) -> list[dict] | None:
    """The items of ``ids`` read by their places in the index, or None (read the
    store) when a place is unknown or holds another item (a stale layout)."""
    from store import items_at

    ordinals = [index.ordinal(item_id) for item_id in ids]
    if None in ordinals:
        return None
    items = items_at(root, ordinals)
    if any(item is None or item["id"] != item_id for item, item_id in zip(items, ids, strict=True)):
        return None
    return items


def _index_by_segment(args: argparse.Namespace, root: Path):  # -> like _cached_search
    """Build the missing index of a big store without holding all its items: the store
    is opened unread, and ``ensure_index`` reads it a segment at a time (at 300,000
    items, 2.3 GB read whole). (None, None) for a small or damaged store: the slow path
    builds it, or says what is wrong."""
    from store import LazyStateView, stored_count

    count = stored_count(root)
    if count < 2000:
        return None, None
    try:
        store = _open(args, create=False, load=False)
        if sys.stderr.isatty():
            _err(f"building the search index for {count:,} items (once: later searches "
                 "read it)…")
        index = store.ensure_index()
    except Exception:  # noqa: BLE001 - the slow path opens it again and says what is wrong
        return None, None
    for note in store.notes:
        _err(note)
    index.vectorize = False
    return index, LazyStateView(root)


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

    return tag_command(args, _open, _err, build_parser,
                       lambda a: _cached_search(_store_root(a))[0])


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
    for note in store.notes:  # (each write keeps the tree's counts current itself)
        _err(note)
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
    except KeyboardInterrupt as exc:
        if isinstance(exc, ImportInterrupted):  # some of it landed: say what
            _err(str(exc))
        return 130
    except BrokenPipeError:
        # `newsdesk list | head`: the reader left; that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
