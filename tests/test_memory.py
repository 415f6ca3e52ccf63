"""Fitting a conversation into a window: exact counts, chunked eviction, pins, summary, long
messages. Counted with the demo model's real tokenizer and chat template, in process."""

from __future__ import annotations

import pytest

from creator_assistant.context.fitting import CUT, LOW_WATER, SUMMARY_TITLE, fit, history_of


class LocalCounter:
    """The worker's counting, done in this process: the same tokenizer and chat template."""

    def __init__(self, model_path) -> None:
        from llama_cpp import Llama
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self.llm = llm = Llama(str(model_path), vocab_only=True, verbose=False)
        bos = llm.detokenize([llm.token_bos()], special=True).decode()
        eos = llm.detokenize([llm.token_eos()], special=True).decode()
        self.formatter = Jinja2ChatFormatter(llm.metadata["tokenizer.chat_template"], eos, bos)
        self.counts = 0
        self.sized: list[str] = []

    def count(self, messages) -> int:
        self.counts += 1
        prompt = self.formatter(messages=messages).prompt
        return len(self.llm.tokenize(prompt.encode(), add_bos=False, special=True))

    def sizes(self, texts) -> list[int]:
        self.sized += texts
        return [len(self.llm.tokenize(t.encode(), add_bos=False, special=False)) for t in texts]


@pytest.fixture(scope="module")
def counter(demo_model):
    counter = LocalCounter(demo_model)
    yield counter
    counter.llm.close()


def turns(n: int, words: int = 40) -> list[dict[str, str]]:
    out = []
    for i in range(n):
        role = "user" if i % 2 == 0 else "assistant"
        out.append({"role": role, "content": f"message {i} " + "video idea hook " * words})
    return out


def test_a_short_conversation_is_sent_whole_with_one_exact_count(counter):
    history = turns(6, 5)
    counter.counts = 0
    fitted = fit("Be brief.", history, "next?", counter, 4096, 256)
    assert fitted.messages[1:-1] == history and fitted.kept_from == 0
    assert fitted.prompt_tokens == counter.count(fitted.messages) and counter.counts == 2


def test_eviction_drops_a_chunk_of_the_oldest_turns_down_to_the_low_water_mark(counter):
    history = turns(60)
    fitted = fit("Be brief.", history, "next?", counter, 2048, 256)
    budget = 2048 - 256
    assert fitted.prompt_tokens <= LOW_WATER * budget  # room for many turns before the next
    assert fitted.messages[1:-1] == history[fitted.kept_from:]
    assert history[fitted.kept_from]["role"] == "user"
    # The next turns keep the same start, so their prompts share the whole prefix.
    grown = history + turns(4)
    again = fit("Be brief.", grown, "and?", counter, 2048, 256, start=fitted.kept_from)
    assert again.kept_from == fitted.kept_from
    assert again.messages[: len(fitted.messages) - 1] == fitted.messages[:-1]


def test_a_smaller_window_trims_more(counter):
    history = turns(30)
    big = fit("", history, "hi", counter, 8192, 512)
    small = fit("", history, "hi", counter, 512, 128, start=big.kept_from)
    assert big.kept_from == 0 and small.kept_from > 0
    assert small.prompt_tokens + 128 <= 512


def test_pinned_messages_stay_after_their_turn_is_evicted(counter):
    history = turns(40)
    history[2]["content"] = "my channel is about sourdough baking"
    fitted = fit("Be brief.", history, "next?", counter, 1024, 128, pinned=[2],
                 summary="They plan weekly videos.")
    assert fitted.kept_from > 2
    head = fitted.messages[0]["content"]
    assert "sourdough baking" in head and f"{SUMMARY_TITLE}\nThey plan weekly videos." in head


def test_a_message_larger_than_the_window_is_shortened_with_a_notice(counter):
    big = "start " + "word " * 50_000 + " end"
    fitted = fit("Be brief.", turns(4), big, counter, 1024, 128)
    sent = fitted.messages[-1]["content"]
    assert fitted.prompt_tokens + 128 <= 1024
    assert sent.startswith("start word") and sent.endswith("word  end") and CUT in sent
    assert any("characters" in n for n in fitted.notices)


def test_a_reply_allowance_that_would_fill_the_window_is_lowered(counter):
    fitted = fit("", turns(2), "hi", counter, 512, 4000)
    assert fitted.max_tokens == 256 and fitted.prompt_tokens + 256 <= 512
    assert any("limited to 256 tokens" in n for n in fitted.notices)


def test_history_of_merges_neighbours_and_keeps_seqs_and_pins():
    rows = [
        {"seq": 1, "role": "assistant", "content": "hello", "status": "ok"},
        {"seq": 2, "role": "user", "content": "a", "status": "ok", "pinned": 1},
        {"seq": 3, "role": "assistant", "content": "", "status": "error"},
        {"seq": 4, "role": "user", "content": "b", "status": "ok"},
        {"seq": 5, "role": "assistant", "content": "c", "status": "ok", "pinned": 1},
    ]
    h = history_of(rows)
    assert h.messages == [{"role": "user", "content": "a\n\nb"},
                          {"role": "assistant", "content": "c"}]
    assert h.seqs == [2, 5] and h.pinned == [0, 1]


def test_counting_through_the_worker_is_cached_per_model(paths, demo_model, counter):
    from creator_assistant.context.conversation import BackendCounter
    from creator_assistant.runtime.local import LocalBackend
    from creator_assistant.storage.db import open_db
    from creator_assistant.storage.store import Store

    store = Store(open_db(paths.database))
    backend = LocalBackend(demo_model, n_ctx=1024)
    try:
        texts = [m["content"] for m in turns(10)]
        first = BackendCounter(backend, store).sizes(texts)
        assert first == counter.sizes(texts)
        # A new counter (a new process, say) finds them in the database: no worker call.
        backend.close()
        again = BackendCounter(backend, store)
        assert again.sizes(texts) == first and backend.pid is None
    finally:
        backend.close()
