"""A local run reaches for nothing on the network: Beam's DirectRunner would first try to
download Prism; newsbeam picks the local engine itself (``pipelines/run/runners.py``).

Every download is pointed at a proxy on 127.0.0.1 that counts the connections it gets."""
import socket
import threading

import pytest

from tests.conftest import read_manifest, run_cli

PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "ALL_PROXY", "all_proxy")


@pytest.fixture
def counting_proxy(monkeypatch):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    connections = []

    def accept():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            connections.append(conn.recv(200))
            conn.close()

    threading.Thread(target=accept, daemon=True).start()
    address = f"http://127.0.0.1:{listener.getsockname()[1]}"
    for name in PROXY_VARIABLES:
        monkeypatch.setenv(name, address)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    yield connections
    listener.close()


@pytest.mark.parametrize("flags", [(), ("--runner", "DirectRunner", "--direct_running_mode", "in_memory")])
def test_a_local_run_downloads_nothing(tmp_path, counting_proxy, flags):
    (tmp_path / "a.txt").write_text("The harbour board says the ferry pier will close for a year of repairs.\n" * 3)
    result = run_cli("-q", "run", "--input", str(tmp_path / "a.txt"), "--output", str(tmp_path / "out"), *flags)
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    assert counting_proxy == []
    assert read_manifest(tmp_path / "out")["runner"]["engine"] == "FnApiRunner"
