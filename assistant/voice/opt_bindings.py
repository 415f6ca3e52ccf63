"""ctypes bindings for llama.cpp's optimizer that llama-cpp-python 0.3.36 lacks or binds wrong.

Its `llama_opt_params` misses the last field (`optimizer_type`), so passing it by value hands
llama.cpp garbage; this module binds `llama_opt_init` with the full struct, and the
`ggml_opt_dataset_*` / `ggml_opt_result_*` functions from the bundled libggml-base.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

GGML_TYPE_F32 = 0
GGML_TYPE_I32 = 26
OPTIMIZER_ADAMW = 0


class OptimizerParams(ctypes.Structure):
    """struct ggml_opt_optimizer_params: adamw {alpha, beta1, beta2, eps, wd}, sgd {alpha, wd}."""

    _fields_ = [("alpha", ctypes.c_float), ("beta1", ctypes.c_float),
                ("beta2", ctypes.c_float), ("eps", ctypes.c_float), ("wd", ctypes.c_float),
                ("sgd_alpha", ctypes.c_float), ("sgd_wd", ctypes.c_float)]


class OptParams(ctypes.Structure):
    """struct llama_opt_params, as llama.h of the bundled library declares it."""

    _fields_ = [("n_ctx_train", ctypes.c_uint32), ("param_filter", ctypes.c_void_p),
                ("param_filter_ud", ctypes.c_void_p), ("get_opt_pars", ctypes.c_void_p),
                ("get_opt_pars_ud", ctypes.c_void_p), ("optimizer_type", ctypes.c_int)]


class Opt:
    """The functions, bound once per process."""

    def __init__(self) -> None:
        import llama_cpp.llama_cpp as ll

        self.llama = ll._lib
        base = Path(ll.__file__).parent / "lib" / "libggml-base.so"
        self.ggml = ctypes.CDLL(str(base))
        p, i64 = ctypes.c_void_p, ctypes.c_int64
        g, lm = self.ggml, self.llama
        self._sig(g.ggml_opt_dataset_init, [ctypes.c_int, ctypes.c_int, i64, i64, i64, i64], p)
        self._sig(g.ggml_opt_dataset_free, [p], None)
        self._sig(g.ggml_opt_dataset_data, [p], p)
        self._sig(g.ggml_opt_dataset_labels, [p], p)
        self._sig(g.ggml_get_data, [p], p)
        self._sig(g.ggml_opt_result_init, [], p)
        self._sig(g.ggml_opt_result_free, [p], None)
        self._sig(g.ggml_opt_result_reset, [p], None)
        self._sig(g.ggml_opt_result_loss, [p, ctypes.POINTER(ctypes.c_double),
                                           ctypes.POINTER(ctypes.c_double)], None)
        self._sig(g.ggml_opt_result_ndata, [p, ctypes.POINTER(i64)], None)
        self._sig(g.ggml_opt_get_default_optimizer_params, [p], OptimizerParams)
        self._sig(lm.llama_opt_init, [p, p, OptParams], None)
        self._sig(lm.llama_opt_epoch, [p, p, p, p, i64, p, p], None)
        self._sig(lm.llama_model_save_to_file, [p, ctypes.c_char_p], None)
        self.constant_pars = ctypes.cast(g.ggml_opt_get_constant_optimizer_params, p).value
        self.filter_all = ctypes.cast(lm.llama_opt_param_filter_all, p).value

    @staticmethod
    def _sig(fn: ctypes._CFuncPtr, argtypes: list, restype: object) -> None:  # type: ignore[name-defined]
        fn.argtypes = argtypes
        fn.restype = restype

    def dataset(self, windows: list[list[int]], n_ctx: int) -> int:
        """A dataset of token windows (n_ctx + 1 tokens each: the inputs and, shifted, the labels)."""
        ds = self.ggml.ggml_opt_dataset_init(GGML_TYPE_I32, GGML_TYPE_I32, n_ctx, n_ctx,
                                              len(windows), 1)
        self.fill(ds, windows, n_ctx)
        return ds

    def fill(self, ds: int, windows: list[list[int]], n_ctx: int) -> None:
        n = len(windows) * n_ctx
        data = (ctypes.c_int32 * n).from_address(
            self.ggml.ggml_get_data(self.ggml.ggml_opt_dataset_data(ds)))
        labels = (ctypes.c_int32 * n).from_address(
            self.ggml.ggml_get_data(self.ggml.ggml_opt_dataset_labels(ds)))
        for k, w in enumerate(windows):
            data[k * n_ctx:(k + 1) * n_ctx] = w[:n_ctx]  # type: ignore[assignment]
            labels[k * n_ctx:(k + 1) * n_ctx] = w[1:n_ctx + 1]  # type: ignore[assignment]

    def loss(self, result: int) -> float:
        loss, unc = ctypes.c_double(), ctypes.c_double()
        self.ggml.ggml_opt_result_loss(result, ctypes.byref(loss), ctypes.byref(unc))
        return float(loss.value)
