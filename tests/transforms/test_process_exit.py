"""A worker's exit handler freezes the heap before the interpreter's final collection."""
import subprocess
import sys

from tests.conftest import REPO


def test_the_heap_is_frozen_at_exit_and_the_handler_registered_once():
    code = (
        "import atexit, gc\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0, flush=True))\n"  # runs last
        "from transforms.process_exit import skip_final_collection, _REGISTERED\n"
        "skip_final_collection(); skip_final_collection()\n"
        "cycle = []; cycle.append(cycle)\n"
        "print('registered', len(_REGISTERED), 'frozen before exit', gc.get_freeze_count() > 0, flush=True)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["registered 1 frozen before exit False", "frozen True"]


def test_the_clean_stage_registers_it_in_setup():
    from transforms import process_exit
    from transforms.text.clean import _BuildArticleFn

    class Context:
        run_id = "r"

    fn = _BuildArticleFn(Context(), ["default"])
    process_exit._REGISTERED.clear()
    fn.setup()
    assert process_exit._REGISTERED == [True] and fn._rules is not None
