"""RNN Lab computation layer. Never imports Streamlit (a test enforces it)."""

import contextlib
import ctypes
import importlib.util
from pathlib import Path


def _load_curl_before_tensorflow() -> None:
    """Map yfinance's libcurl (curl_cffi's compiled wrapper) into the process now, in about 10 ms.

    TensorFlow's shared library exports its own libcurl; a curl_cffi loaded after TensorFlow binds
    to that one and every ticker download fails ("Impersonating chrome152 is not supported").
    Loaded first, the wrapper keeps its own; importing curl_cffi later reuses the loaded library.
    """
    with contextlib.suppress(ImportError, ValueError, OSError, StopIteration):  # no curl_cffi: nothing to do
        spec = importlib.util.find_spec("curl_cffi")
        if spec is not None and spec.origin:
            ctypes.CDLL(str(next(Path(spec.origin).parent.glob("_wrapper*.so"))))


_load_curl_before_tensorflow()
