"""The runner a pipeline runs on, chosen here for local runs.

Beam 2.77's DirectRunner (``SwitchingDirectRunner``) first tries Prism, a runner it downloads
at run time: offline the download fails and it falls back, behind a firewall that drops
packets the download has no timeout. So when the user names no runner, or the DirectRunner,
newsbeam builds the runner the DirectRunner falls back to for batch pipelines, the
``FnApiRunner`` (in-process or multi-process, as ``--direct_running_mode`` says), itself:
nothing is downloaded, and the manifest names the runner that actually ran. Any other runner
name goes to Beam as given (Dataflow, Flink, Spark, Portable, Prism when asked for by name).

Beam's local engines talk to their workers over gRPC on ``localhost``, and gRPC sends every
channel through ``http_proxy`` / ``https_proxy`` when they are set: a run on a machine with a
proxy configured would hang on its own workers. ``keep_grpc_local`` exempts the loopback
names for gRPC only (``no_grpc_proxy``), so feed fetches still use the proxy.
"""
import os

__all__ = ["LOCAL_RUNNER_NAMES", "is_local", "local_runner", "describe_runner", "runner_words", "keep_grpc_local"]

LOCAL_RUNNER_NAMES = ("DirectRunner", "direct", "SwitchingDirectRunner")
LOCAL_ENGINE = "FnApiRunner"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def keep_grpc_local(environ=os.environ) -> None:
    """Add the loopback names to ``no_grpc_proxy`` (gRPC reads it before ``no_proxy``), for this
    process and the workers it starts."""
    names = [n for n in (environ.get("no_grpc_proxy") or environ.get("no_proxy") or "").split(",") if n.strip()]
    environ["no_grpc_proxy"] = ",".join(names + [n for n in LOOPBACK_NAMES if n not in names])


def is_local(options) -> bool:
    """Whether ``options`` name no runner, or the DirectRunner."""
    return (options.get_all_options().get("runner") or "DirectRunner") in LOCAL_RUNNER_NAMES


def local_runner(options):
    """The FnApiRunner with the pipeline options in its provision info, as the DirectRunner builds it."""
    from apache_beam.portability.api import beam_provision_api_pb2
    from apache_beam.runners.portability.fn_api_runner import fn_runner
    from apache_beam.runners.portability.portable_runner import JobServiceHandle

    encoded = JobServiceHandle.encode_pipeline_options(options.get_all_options())
    info = fn_runner.ExtendedProvisionInfo(beam_provision_api_pb2.ProvisionInfo(pipeline_options=encoded))
    return fn_runner.FnApiRunner(provision_info=info)


def describe_runner(options) -> dict:
    """The runner and, for a local run, the engine, running mode and workers (for logs and the manifest)."""
    values = options.get_all_options()
    runner = {"name": values.get("runner") or "DirectRunner"}
    if runner["name"] in LOCAL_RUNNER_NAMES:
        workers = values.get("direct_num_workers")
        runner["engine"] = LOCAL_ENGINE
        runner["mode"] = values.get("direct_running_mode") or "in_memory"
        runner["workers"] = (os.cpu_count() or 1) if workers == 0 else workers or 1
    return runner


def runner_words(runner: dict) -> str:
    if "mode" in runner:
        return f"{runner['name']} on the {runner['engine']} ({runner['mode']}, {runner['workers']} workers)"
    return runner["name"]
