"""The ``skae`` command line; it calls the public API only."""

import argparse
import sys


def build_parser():
    parser = argparse.ArgumentParser(
        prog="skae", description="Autoencoders as scikit-learn transformers.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser(
        "demo", help="fit the reference autoencoder and compare it with baselines",
        description="Fit the reference autoencoder (hidden 128-64-16, 2-D latent) and report "
                    "its test reconstruction error against PCA and its few-label accuracy "
                    "against raw pixels.")
    demo.add_argument("--data", choices=["digits", "mnist"], default="digits",
                      help="embedded 8x8 digits (default) or MNIST from --data-dir")
    demo.add_argument("--data-dir", help="folder of the MNIST IDX files (for --data mnist)")
    demo.add_argument("--out", default="skae-demo", help="output folder (default: %(default)s)")
    demo.add_argument("--max-iter", type=int, default=200,
                      help="maximum training epochs (default: %(default)s)")
    demo.add_argument("--random-state", type=int, default=0, help="seed (default: %(default)s)")
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        from .demo import render_report, run_demo

        try:
            results = run_demo(args.data, args.data_dir, args.out, max_iter=args.max_iter,
                               random_state=args.random_state, verbose=0 if args.quiet else 1)
        except (ValueError, FileNotFoundError) as exc:
            print(f"skae demo: error: {exc}", file=sys.stderr)
            return 2
        print(render_report(results))
        print(f"Report written to {results['out_dir']}/report.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
