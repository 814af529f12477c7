"""The command line: argument handling only; the work is done by the library."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from controlmap import analysis, auth, dataset, export
from controlmap.errors import ControlmapError
from controlmap.model import parse_date
from controlmap.render import vendor
from controlmap.store import ENV_DB, Store, default_url
from controlmap.words import counted


def _date(text: str) -> dt.date:
    try:
        return parse_date(text, "date", allow_future=True)
    except ControlmapError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="controlmap",
        description="Territorial control over time, from cited claims.",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help=f"SQLAlchemy database URL (default: ${ENV_DB}, else an SQLite file in the "
        "user data folder)",
    )
    parser.add_argument(
        "--as",
        dest="author",
        metavar="NAME",
        help="the account to record as the author of a write, checked against the accounts "
        "(default: cli:$USER)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("init", help="create or upgrade the schema; load the demo dataset")
    p.add_argument(
        "--demo",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="load the bundled demo claims into an empty database (default: --demo)",
    )

    p = sub.add_parser("import", help="import a GeoJSON FeatureCollection of claims")
    p.add_argument("path", type=Path)
    p.add_argument("--status", choices=("approved", "pending"), default="approved")

    p = sub.add_parser("state", help="resolved control at a date, as GeoJSON on stdout")
    p.add_argument("--date", type=_date, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--actor", action="append", metavar="ID", help="only these actors (repeatable)")
    p.add_argument(
        "--assessed-only", action="store_true", help="leave unconfirmed (claimed) claims out"
    )

    p = sub.add_parser("export", help="write claims, or the state at a date, to a file")
    p.add_argument("path", type=Path)
    p.add_argument("--date", type=_date, metavar="YYYY-MM-DD")
    p.add_argument(
        "--format", choices=export.FORMATS, default=None, help="default: from the file's suffix"
    )
    p.add_argument("--include-pending", action="store_true")
    p.add_argument("--assessed-only", action="store_true")
    p.add_argument("--size", default="1920x1080", help="pictures: 1920x1080 (default), a4, WxH")
    p.add_argument("--title", help="pictures and HTML: the title")
    p.add_argument("--banner", help="pictures: a handling banner, e.g. UNCLASSIFIED")

    p = sub.add_parser("diff", help="areas that changed hands between two dates (GeoJSON)")
    p.add_argument("--from", dest="start", type=_date, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="end", type=_date, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--assessed-only", action="store_true")

    p = sub.add_parser("stats", help="km2 per actor per change date (CSV)")
    p.add_argument("--assessed-only", action="store_true")

    p = sub.add_parser("geocode", help="gazetteer candidates for a place name (JSON), best first")
    p.add_argument("name")
    p.add_argument("--limit", type=int, default=5)
    p.add_argument("--country", help="ISO code or country name, in any script")
    p.add_argument("--bbox", help="keep places inside MINLON,MINLAT,MAXLON,MAXLAT")
    p.add_argument("--near", help="rank places near MINLON,MINLAT,MAXLON,MAXLAT first")

    p = sub.add_parser("extract", help="suggested claims from report text (JSON)")
    p.add_argument("file", nargs="?", default="-", help="a text file, or - for stdin")
    p.add_argument("--published", type=_date, metavar="YYYY-MM-DD")
    p.add_argument("--url")
    p.add_argument("--title")
    p.add_argument("--publisher")

    p = sub.add_parser("user", help="local accounts: viewer, contributor, reviewer, admin")
    users = p.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    q = users.add_parser("add", help="create an account or change its role and password")
    q.add_argument("name")
    q.add_argument("--role", choices=auth.ROLES, required=True)
    q.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin (scripts)"
    )
    users.add_parser("list", help="accounts and their roles (JSON)")

    p = sub.add_parser("geo", help="geo packs: add a theatre's boundaries and places, list packs")
    geo_sub = p.add_subparsers(dest="geo_command", required=True, metavar="ACTION")
    q = geo_sub.add_parser(
        "import",
        help="add a shapefile (or zip), GeoPackage, GeoJSON or GeoNames XX.txt to a pack",
    )
    q.add_argument("path", type=Path)
    q.add_argument("--name", help="the pack to create or extend (default: from the file name)")
    q.add_argument("--level", choices=("adm1", "adm2", "adm3", "urban", "places"))
    q.add_argument("--attribution", help="credit line shown on maps and pictures")
    geo_sub.add_parser("list", help="installed packs with their extent and attribution (JSON)")

    p = sub.add_parser("serve", help="run the Streamlit app")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default="localhost")
    return parser


def _store(args: argparse.Namespace) -> Store:
    store = Store(args.db or default_url())
    if not store.is_current():
        # Reading commands on a fresh machine, or after an upgrade of controlmap, work
        # without a separate init step (an existing database gets no demo claims).
        print(dataset.init_store(store, demo=not store.is_initialised()), file=sys.stderr)
    return store


def cmd_init(args: argparse.Namespace) -> None:
    from controlmap.geocode import ensure_world_index

    store = Store(args.db or default_url())
    print(dataset.init_store(store, demo=args.demo), file=sys.stderr)
    # The world gazetteer is indexed once per data folder, here and by `make setup`.
    ensure_world_index()
    _publish_basemap()


def _publish_basemap() -> None:
    """Write the basemap's static files now, so the app's first page does not wait for them."""
    from controlmap.render import basemap_data, vendor

    version = basemap_data.publish(vendor.STATIC_DIR)
    print(f"basemap files ready ({vendor.STATIC_DIR / 'basemap' / version})", file=sys.stderr)


def cmd_import(args: argparse.Namespace) -> None:
    store = _store(args)
    who = _who(args, store, "reviewer" if args.status == "approved" else "contributor")
    ids = dataset.import_file(store, args.path, who=who, review_state=args.status)
    new = getattr(ids, "new", len(ids))
    known = len(set(ids)) - new
    print(
        f"imported {counted(new, 'claim')} ({args.status}) from {args.path}"
        + (f"; {known} already in the database" if known else ""),
        file=sys.stderr,
    )
    print(" ".join(map(str, ids)))


def cmd_state(args: argparse.Namespace) -> None:
    store = _store(args)
    registry = store.actors()
    actors = None
    if args.actor:
        actors = [registry.resolve(a).id for a in args.actor]
    # The stored frame of that date (the materialised timeline): no resolution here.
    pieces = store.timeline.frame(args.date, include_claimed=not args.assessed_only, actors=actors)
    export.write_json(export.state_collection(pieces, registry, args.date), None)


def cmd_export(args: argparse.Namespace) -> None:
    store = _store(args)
    states = ("approved", "pending") if args.include_pending else ("approved",)
    what = export.write(
        args.path,
        args.format,
        claims=store.claims(states),
        registry=store.actors(),
        day=args.date,
        include_claimed=not args.assessed_only,
        title=args.title,
        banner=args.banner,
        data_version=store.data_version(),
        size=args.size,
    )
    print(f"wrote {what} to {args.path}", file=sys.stderr)


def cmd_diff(args: argparse.Namespace) -> None:
    if args.end < args.start:
        raise ControlmapError("--to must not be before --from")
    store = _store(args)
    changes = analysis.diff(
        store.claims(), args.start, args.end, include_claimed=not args.assessed_only
    )
    export.write_json(analysis.diff_collection(changes, store.actors(), args.start, args.end), None)


def cmd_stats(args: argparse.Namespace) -> None:
    store = _store(args)
    rows = analysis.stats(
        store.claims(), include_claimed=not args.assessed_only, registry=store.actors()
    )
    sys.stdout.write(analysis.stats_csv(rows))


def _bbox(text: str, option: str) -> tuple[float, float, float, float]:
    try:
        minx, miny, maxx, maxy = (float(v) for v in text.split(","))
    except ValueError:
        raise ControlmapError(f"{option} takes MINLON,MINLAT,MAXLON,MAXLAT") from None
    return (minx, miny, maxx, maxy)


def cmd_geocode(args: argparse.Namespace) -> None:
    from controlmap.geocode import geocode

    bbox = _bbox(args.bbox, "--bbox") if args.bbox else None
    near = _bbox(args.near, "--near") if args.near else None
    if args.limit < 1:
        raise ControlmapError("--limit must be at least 1")
    found = geocode(args.name, limit=args.limit, country=args.country, bbox=bbox, context=near)
    export.write_json([c.to_dict() for c in found], None)


def cmd_extract(args: argparse.Namespace) -> None:
    from controlmap.extract import extract

    if args.file == "-":
        text = sys.stdin.read()
    else:
        try:
            text = Path(args.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ControlmapError(f"cannot read {args.file}: {exc}") from None
    store = _store(args)
    found = extract(
        text,
        published=args.published,
        url=args.url,
        title=args.title,
        publisher=args.publisher,
        registry=store.actors(),
    )
    export.write_json([s.to_dict() for s in found], None)


def cmd_user(args: argparse.Namespace) -> None:
    store = _store(args)
    if args.user_command == "list":
        users = auth.list_users(store)
        export.write_json([{"name": u.name, "role": u.role} for u in users], None)
        return
    who = _who(args, store, "admin")
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.name}: ")
        if getpass.getpass("again: ") != password:
            raise ControlmapError("the two passwords differ; nothing was changed")
    user = auth.add_user(store, args.name, args.role, password, who=who)
    print(f"account {user.name} ({user.role}) saved in the database", file=sys.stderr)


def cmd_geo(args: argparse.Namespace) -> None:
    from controlmap import geoimport, packs

    if args.geo_command == "list":
        export.write_json([p.to_dict() for p in packs.installed()], None)
        return
    done = geoimport.import_pack(
        args.path, name=args.name, level=args.level, attribution=args.attribution
    )
    print(
        f"pack {done.pack}: {done.count} features as {done.kind} from {args.path} "
        f"(in {done.folder})",
        file=sys.stderr,
    )
    _publish_basemap()


def cmd_serve(args: argparse.Namespace) -> None:
    env = dict(os.environ)
    if args.db:
        env[ENV_DB] = args.db
    # The site ships inside the package (controlmap/web): its script, its .streamlit/config.toml
    # and its static files are found next to each other whatever the working directory.
    app = resources.files("controlmap.web") / "app.py"
    if not vendor.assets_present():
        print(f"controlmap: {vendor.MISSING}", file=sys.stderr)
    _print_setup_link(args)
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.port",
        str(args.port),
        "--server.address",
        args.address,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    # Streamlit takes this process's place, so a stop signal (Ctrl-C, `kill`, a service
    # manager) reaches the server itself and no server is left running without its parent.
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, command, env)


def _print_setup_link(args: argparse.Namespace) -> None:
    """With no admin yet, a one-time link to make the first one, shown only here, to
    whoever started the server (a visitor of the site cannot make themselves admin)."""
    code = auth.setup_code(_store(args))
    if code is None:
        return
    host = "localhost" if args.address in ("", "0.0.0.0", "::") else args.address
    if ":" in host:
        host = f"[{host}]"
    print(
        "controlmap: no admin yet. Open this link once to make the first admin "
        f"(it works for {auth.SETUP_SECONDS // 3600} hours; starting serve again makes a new "
        f"one):\n    http://{host}:{args.port}/accounts?setup={code}",
        file=sys.stderr,
        flush=True,
    )


def _who(args: argparse.Namespace, store: Store, role: str) -> str:
    """The author a write records: the account named by --as, if it exists and has
    ``role``; otherwise the operating-system user, marked as such (cli:NAME)."""
    if args.author:
        user = auth.get_user(store, args.author)
        if user is None:
            raise ControlmapError(f"--as {args.author!r}: there is no such account (user list)")
        auth.require(user, role)
        return user.name
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return f"cli:{name}"


COMMANDS = {
    "init": cmd_init,
    "import": cmd_import,
    "state": cmd_state,
    "export": cmd_export,
    "diff": cmd_diff,
    "stats": cmd_stats,
    "geocode": cmd_geocode,
    "extract": cmd_extract,
    "user": cmd_user,
    "geo": cmd_geo,
    "serve": cmd_serve,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        COMMANDS[args.command](args)
    except ControlmapError as exc:
        print(f"controlmap {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
