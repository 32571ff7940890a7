"""``python -m coursekit.exercises sync [--check [--strict]] [--force]`` (see coursekit.exercises.sync)."""
import argparse
import sys

from coursekit.exercises.sync import SyncError, sync


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m coursekit.exercises")
    commands = parser.add_subparsers(dest="command", required=True)
    cmd = commands.add_parser("sync", help="write exercises/ (stubs) from solutions/")
    cmd.add_argument("--check", action="store_true", help="change nothing; exit 1 if exercises/ is stale")
    cmd.add_argument("--strict", action="store_true",
                     help="with --check: also fail on hand-edited exercise files (for CI on the repository)")
    cmd.add_argument("--force", action="store_true", help="replace edited exercise files (backed up to .bak first)")
    cmd.add_argument("--solutions", default="solutions", metavar="DIR", help="source folder (default solutions)")
    cmd.add_argument("--exercises", default="exercises", metavar="DIR", help="target folder (default exercises)")
    args = parser.parse_args(argv)
    try:
        report = sync(args.solutions, args.exercises, check=args.check, force=args.force)
    except SyncError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in report.written:
        print(f"wrote {path}")
    for path in report.backups:
        print(f"your edited version was kept as {path}")
    for path in report.kept:
        print(f"{path} has your edits: not replaced (use --force to replace it; your version is kept as a .bak)")
    for path in report.edited:
        print(f"{path} has your edits{' (not allowed with --strict)' if args.strict else ''}; "
              "the stub it came from is up to date")
    for path in report.stale:
        print(f"stale: {path} (run `python -m coursekit.exercises sync`)")
    if report.ok and not report.written:
        print(f"{args.exercises} is up to date ({len(report.unchanged)} files)")
    return 0 if report.ok and not (args.strict and report.edited) else 1


if __name__ == "__main__":
    sys.exit(main())
