"""Refuses to time a peer on a numpy that does not call OpenBLAS.

Debian's numpy calls whichever libblas.so.3 the alternatives system points at; with the reference BLAS
(netlib) there, numpy's matmul runs 10-50x slower and every figure taken against it is meaningless. The peers
and paired.py call require_openblas() after numpy is loaded (and its thread count set).
"""
import contextlib
import io


def blas_libraries():
    """(internal_api, filepath) of each BLAS numpy has loaded: threadpoolctl, else numpy.show_config's text."""
    import numpy
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        text = io.StringIO()
        with contextlib.redirect_stdout(text):
            numpy.show_config()
        return [("openblas", "numpy.show_config")] if "openblas" in text.getvalue().lower() else \
            [("not openblas", "numpy.show_config")]
    return [(d.get("internal_api"), d.get("filepath")) for d in threadpool_info() if d.get("user_api") == "blas"]


def refusal(libraries):
    """Why these BLAS libraries cannot serve as a peer, or None when OpenBLAS is among them."""
    if any(api == "openblas" for api, _ in libraries):
        return None
    found = ", ".join(f"{api} ({path})" for api, path in libraries) or "a BLAS threadpoolctl does not know " \
                                                                        "(the reference BLAS)"
    return (f"numpy calls {found}, not OpenBLAS, the BLAS the peers' figures are of: install "
            f"libopenblas0-pthread (benchmarks/peers/setup.sh) and point libblas.so.3 at it "
            f"(update-alternatives --config libblas.so.3-x86_64-linux-gnu)")


def require_openblas():
    """Exits with refusal()'s message unless numpy calls OpenBLAS; returns the libraries found otherwise."""
    libraries = blas_libraries()
    why = refusal(libraries)
    if why:
        raise SystemExit(why)
    return libraries
