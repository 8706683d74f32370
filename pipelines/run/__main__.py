"""``python -m pipelines.run ARGS`` behaves like ``newsbeam run ARGS``; Dataflow's Flex Template
launcher runs this file (``deploy/Dockerfile``), and Airflow's Beam operator can too."""
import sys


def main(argv=None) -> int:
    from pipelines.cli.main import main as cli_main

    return cli_main(["run", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
