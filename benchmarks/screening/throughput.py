"""Batched screening throughput and peak memory: ours against presidio-analyzer, same run.

Presidio runs pattern-only: the ``no_op`` NLP engine (no spaCy model) with the GB phone
recognizer, the email recognizer and the UK postcode recognizer, through its
``BatchAnalyzerEngine``. Ours runs every type, abuse and threats included, through
``Screener.screen_batch`` in batches. Both screen the same messages in one process, taking
turns slice by slice, several rounds; throughput is messages per CPU second of this process
(``time.process_time``), so it is per core. Peak memory is measured apart from the timing, in a
fresh process per engine (``python throughput.py ENGINE TEXTS.json``): the peak ``tracemalloc``
traced while the engine was built and screened the messages once, and the process's peak
resident set.
"""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

Screen = Callable[[Sequence[str]], object]


@dataclass(frozen=True)
class Throughput:
    """One engine's messages per CPU second in each round; the median is its result."""

    name: str
    messages: int
    rounds: list[float]

    @property
    def per_second(self) -> float:
        return statistics.median(self.rounds)


def presidio_batch() -> Screen:
    """Presidio's pattern-only batch analyser for GB phone numbers, emails and UK postcodes.

    Raises:
        ImportError: when presidio-analyzer is not installed (see requirements-bench.txt).
    """
    import tldextract
    from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        EmailRecognizer,
        PhoneRecognizer,
        UkPostcodeRecognizer,
    )

    # Presidio's email recognizer calls tldextract, which would fetch the Public Suffix List
    # over the network; point it at the snapshot bundled with tldextract instead.
    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    nlp_engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "no_op"}])
    nlp_engine.load()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.add_recognizer(PhoneRecognizer(supported_regions=("GB",)))
    registry.add_recognizer(EmailRecognizer())
    registry.add_recognizer(UkPostcodeRecognizer())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        engine = AnalyzerEngine(
            nlp_engine=nlp_engine, registry=registry, supported_languages=["en"]
        )
    batch = BatchAnalyzerEngine(analyzer_engine=engine)

    def screen(texts: Sequence[str]) -> object:
        return batch.analyze_iterator(texts, language="en", batch_size=256)

    return screen


def ours(build: Callable[[], object], batch_size: int = 256) -> Screen:
    """Our screener's batch API, ``batch_size`` texts at a time."""
    screener = build()

    def screen(texts: Sequence[str]) -> object:
        return [
            result
            for start in range(0, len(texts), batch_size)
            for result in screener.screen_batch(texts[start : start + batch_size])
        ]

    return screen


def measure(
    engines: dict[str, Callable[[], Screen]],
    texts: Sequence[str],
    rounds: int = 3,
    slice_size: int = 512,
) -> list[Throughput]:
    """Time every engine on ``texts``, ``rounds`` times.

    Within a round the engines take turns slice by slice (``slice_size`` messages each), so
    a busy machine slows both alike; a round's figure is all its messages over the CPU
    seconds the engine spent on them.
    """
    built = {name: build() for name, build in engines.items()}
    for screen in built.values():
        screen(texts[:slice_size])
    timings: dict[str, list[float]] = {name: [] for name in engines}
    for _ in range(rounds):
        spent = dict.fromkeys(engines, 0.0)
        for start in range(0, len(texts), slice_size):
            chunk = texts[start : start + slice_size]
            for name, screen in built.items():
                gc.collect()
                began = time.process_time()
                screen(chunk)
                spent[name] += time.process_time() - began
        for name in engines:
            timings[name].append(len(texts) / spent[name])
    return [Throughput(name, len(texts), timings[name]) for name in engines]


def memory_in_fresh_process(engine: str, texts_path: str) -> dict[str, float]:
    """Build ``engine`` ("ours" or "presidio") in this fresh process and screen the texts once.

    Returns the peak traced Python memory (MiB) over building and screening, and the
    process's peak resident set (MiB), which includes the interpreter and every library.
    """
    import json
    import resource

    texts = json.loads(Path(texts_path).read_text(encoding="utf-8"))
    tracemalloc.start()
    screen = presidio_batch() if engine == "presidio" else ours(lambda: _best_screener())
    screen(texts)
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"traced_mib": traced / 2**20, "rss_mib": rss_kib / 1024}


def _best_screener() -> object:
    """Our screener with the abuse detector when it is installed, else without."""
    from evaluate import load_screener

    try:
        return load_screener(with_abuse=True)[0]
    except ImportError:
        return load_screener(with_abuse=False)[0]


if __name__ == "__main__":
    import json
    import sys

    sys.stdout.write(json.dumps(memory_in_fresh_process(sys.argv[1], sys.argv[2])) + "\n")
