"""The WSGI application freezes the heap it built at start-up (zhengwu.wsgi, docs/benchmarks.md, issue 18)."""

import gc


def test_the_application_freezes_what_start_up_built() -> None:
    from zhengwu.wsgi import Application

    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    Application()
    try:
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
