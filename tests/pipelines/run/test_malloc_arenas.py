"""limit_malloc_arenas: capped in this process and inherited by the processes it starts."""
import subprocess
import sys

CHILD = ("import os, sys; from pipelines.run.malloc_arenas import limit_malloc_arenas; applied = limit_malloc_arenas(); "
         "seen = os.popen(sys.executable + ' -c \"import os; print(os.environ.get(\\'MALLOC_ARENA_MAX\\'))\"').read(); "
         "print(applied, seen.strip())")


def run_child(env_extra):
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": ".", **env_extra}
    return subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True, env=env).stdout.split()


def test_arenas_capped_here_and_in_started_processes():
    applied, seen = run_child({})
    assert seen == "2"
    assert applied == ("True" if sys.platform.startswith("linux") else "False")


def test_a_value_the_user_set_wins():
    assert run_child({"MALLOC_ARENA_MAX": "4"})[1] == "4"
