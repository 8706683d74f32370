"""The runner choice for local runs, without running a pipeline."""
from apache_beam.options.pipeline_options import PipelineOptions

from pipelines.run.runners import describe_runner, is_local, keep_grpc_local, local_runner


def test_no_runner_or_the_direct_runner_is_local_and_gets_the_fn_api_runner():
    for argv in ([], ["--runner=DirectRunner"], ["--runner", "SwitchingDirectRunner"]):
        options = PipelineOptions(argv)
        assert is_local(options) and type(local_runner(options)).__name__ == "FnApiRunner"
    assert not is_local(PipelineOptions(["--runner=PortableRunner"]))
    assert describe_runner(PipelineOptions(["--direct_running_mode=multi_processing", "--direct_num_workers=3"])) == {
        "name": "DirectRunner", "engine": "FnApiRunner", "mode": "multi_processing", "workers": 3}


def test_grpc_skips_the_proxy_for_loopback_only():
    environ = {"no_proxy": "internal.example", "https_proxy": "http://proxy:3128"}
    keep_grpc_local(environ)
    assert environ["no_grpc_proxy"] == "internal.example,localhost,127.0.0.1,::1"
    keep_grpc_local(environ)  # idempotent
    assert environ["no_grpc_proxy"] == "internal.example,localhost,127.0.0.1,::1" and environ["no_proxy"] == "internal.example"
