"""Top-level entry: `python cli.py …` is the same CLI as the `graphvec` console script."""

from graphvec.cli import main

if __name__ == "__main__":
    main()
