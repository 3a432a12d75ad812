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

import orjson

from store.errors import StoreError
from store.paths import default_store_dir

PROG = "newsdesk"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("newsdesk")
    except PackageNotFoundError:
        return "0.0.0+source"


class _VersionAction(argparse.Action):
    """``--version``, looked up only when asked (package metadata is slow to read)."""

    def __call__(self, parser, namespace, values, option_string=None):  # noqa: ANN001
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
    parser.add_argument("--version", action=_VersionAction, nargs=0,
                        help="show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("init", help="create a store (with the seed briefs unless --empty)",
                       description="Create a store folder. It starts with the 30 seed briefs "
                       "unless --empty is given.")
    p.add_argument("--empty", action="store_true", help="create it without the seed briefs")

    p = sub.add_parser("import", help="import briefs from files",
                       description="Import briefs, one per line, from text files. Lines that "
                       "cannot be read are reported as file:line and skipped.")
    p.add_argument("files", nargs="+", metavar="FILE", type=Path)

    p = sub.add_parser("list", help="print the items", description="Print every item: id and "
                       "title, or JSON Lines with --json.")
    p.add_argument("--json", action="store_true", help="one JSON object per line")

    p = sub.add_parser("tree", help="print the topic tree with counts",
                       description="Print the topic tree with counts; --json prints a list of "
                       "groups, each {name, count, children} recursively.")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser(
        "tag", help="add or remove tags: tag ID... +TAG -TAG",
        usage="newsdesk tag ID... +TAG... -TAG...",
        description="Add (+TAG) and remove (-TAG) tags on the items with these ids (a unique "
        "prefix of at least 4 characters will do). -TAG is an operation, not an option.")
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

    sub.add_parser("retopic", help="re-derive topics from the rules",
                   description="Re-derive every item's topics from the topic rules (the shipped "
                   "ones and your config's topics.toml). Tags are never touched.")
    return parser


def _err(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr)


def _open(args: argparse.Namespace, *, create: bool = True):  # -> Store
    from store.desk import Store

    return Store.open(args.store or default_store_dir(), create=create)


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
        "tags": store.tags_of(item["id"]),
    }


def cmd_init(args: argparse.Namespace) -> int:
    from store.desk import ITEMS_FILE, Store

    root = (args.store or default_store_dir()).expanduser()
    if (root / ITEMS_FILE).exists():
        store = Store.open(root, create=False)
        print(f"A store already exists at {root} ({len(store)} items); nothing changed.")
        return 0
    store = Store.open(root, create=True, seed=not args.empty)
    print(f"Created a store at {root} with {len(store)} items.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    store = _open(args)
    report = store.import_files(args.files)
    for problem in report.problems:
        print(f"{PROG}: {problem}", file=sys.stderr)
    print(report.summary())
    return 1 if report.problems else 0


def cmd_list(args: argparse.Namespace) -> int:
    from store.text import sanitize_line

    store = _open(args)
    out = sys.stdout
    for item in store.items():
        if args.json:
            out.write(orjson.dumps(item_json(store, item)).decode() + "\n")
        else:
            out.write(f"{item['id']}  {sanitize_line(item['title'])}\n")
    return 0


def cmd_tree(args: argparse.Namespace) -> int:
    from store.text import sanitize_line
    from store.tree import build_tree

    store = _open(args)
    nodes = build_tree(store)
    if args.json:
        groups = [n.to_json() for n in nodes if n.key[0] == "group"]
        print(orjson.dumps(groups, option=orjson.OPT_INDENT_2).decode())
        return 0

    def show(node, depth: int) -> None:
        print(f"{'  ' * depth}{sanitize_line(node.name)} ({node.count})")
        for child in node.children:
            show(child, depth + 1)

    for node in nodes:
        show(node, 0)
    return 0


def cmd_tag(args: argparse.Namespace) -> int:
    words = list(args.words)
    if words and words[0] == "--":
        words = words[1:]
    if not words or words[0] in ("-h", "--help"):
        build_parser().parse_args(["tag", "--help"])
    ids = [w for w in words if w[:1] not in "+-"]
    add = [w[1:] for w in words if w.startswith("+")]
    remove = [w[1:] for w in words if w.startswith("-")]
    if not ids or not (add or remove):
        _err("tag needs at least one ID and one +TAG or -TAG (e.g. tag 3f2a9c +verify)")
        return 2
    store = _open(args, create=False)
    resolved = [store.resolve_id(i) for i in ids]
    record = store.tag(resolved, add, remove)
    print(record["label"] if record else "Nothing changed: the items already look like that.")
    return 0


def cmd_tags(args: argparse.Namespace) -> int:
    from urllib.parse import quote, unquote

    from store.text import sanitize_line

    store = _open(args, create=False)
    if args.tags_command == "rename":
        record = store.rename_tag(args.old, args.new)
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
        record = store.restore_tags(wanted)
        print(record["label"] if record else "Nothing changed.")
        if unknown:
            print(f"{unknown} ids are not in this store; their tags apply if they are imported.")
        return 0
    counts = sorted(store.tag_counts().items(), key=lambda kv: kv[0].casefold())
    if args.json:
        print(orjson.dumps([{"name": n, "count": c} for n, c in counts]).decode())
    else:
        for name, count in counts:
            print(f"{count:>6}  {sanitize_line(name)}")
    return 0


def cmd_retopic(args: argparse.Namespace) -> int:
    store = _open(args, create=False)
    changed = store.retopic()
    print(f"Topics re-derived: {changed} of {len(store)} items changed.")
    return 0


def cmd_tui(args: argparse.Namespace) -> int:
    import gc

    from tui.config import ConfigError, load_settings
    from tui.theme import UnknownTheme, resolve_theme

    # Start-up allocates a lot and frees little: collecting before the first frame only
    # costs time. The app turns the collector back on once it has drawn (NewsdeskApp).
    gc.disable()
    try:
        settings = load_settings()
    except ConfigError as exc:
        _err(str(exc))
        return 1
    if args.theme is not None:
        settings.theme = args.theme
    if args.mouse is not None:
        settings.mouse = args.mouse
    if settings.theme is not None:
        try:
            settings.theme = resolve_theme(settings.theme)
        except UnknownTheme as exc:
            _err(f"{exc} (from {'--theme' if args.theme else 'the config file'})")
            return 2
    from tui.app import run

    store = _open(args)
    return run(store, settings)


COMMANDS = {
    None: cmd_tui,
    "init": cmd_init,
    "import": cmd_import,
    "list": cmd_list,
    "tree": cmd_tree,
    "retopic": cmd_retopic,
    "tag": cmd_tag,
    "tags": cmd_tags,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``newsdesk`` console script."""
    args = build_parser().parse_args(argv)
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
