"""Real weights, real llama.cpp: SmolLM2-135M-Instruct streamed through the product's worker and
through a whole Session conversation, counted exactly with the model's own tokenizer."""

from __future__ import annotations

import re

import pytest

from creator_assistant.context.conversation import BackendCounter
from creator_assistant.context.fitting import fit
from creator_assistant.runtime.local import LocalBackend
from creator_assistant.runtime.protocol import GenerateRequest

ASK = [{"role": "user", "content": "Give me three tips for filming a cooking video at home."}]
# The words that make up much of any English text; word salad drawn from a list rarely has them
# in English proportions, and never in English pairs.
FUNCTION_WORDS = set(
    "the a an and or but so to of in on for with at by from as about into than then if when "
    "that this these those it its is are was were be been being have has had do does did can "
    "could will would should may might you your we our they their he she his her i my me not "
    "no what which who how there here all some any more most also just very".split())
PAIRS = {("of", "the"), ("in", "the"), ("to", "the"), ("on", "the"), ("for", "the"),
         ("and", "the"), ("it", "is"), ("you", "can"), ("is", "a"), ("to", "be"), ("at", "the"),
         ("with", "the"), ("from", "the"), ("you", "are"), ("this", "is"), ("of", "a"),
         ("in", "a"), ("to", "make"), ("can", "be"), ("with", "a"), ("is", "the"), ("a", "few"),
         ("to", "get"), ("make", "sure"), ("you", "to"), ("that", "you"), ("will", "be"),
         ("you", "have"), ("want", "to"), ("need", "to"), ("how", "to"), ("the", "best")}


def greedy(max_tokens: int, messages=ASK, **kw) -> GenerateRequest:
    return GenerateRequest(messages=messages, temperature=0.0, top_k=1, top_p=1.0, min_p=0.0,
                           repeat_penalty=1.0, max_tokens=max_tokens, seed=1, **kw)


def english(text: str) -> list[str]:
    """What keeps `text` from reading as English; empty when it does (a loose check)."""
    words = re.findall(r"[a-z]+(?:'[a-z]+)?", text.lower())
    tokens = text.split()
    problems = []
    if len(words) < 20:
        return [f"only {len(words)} words"]
    wordish = sum(bool(re.fullmatch(r"[\W\d]*[A-Za-z]+(?:['-][A-Za-z]+)*[\W\d]*", t))
                  for t in tokens)
    if wordish < 0.8 * len(tokens):
        problems.append(f"{wordish} of {len(tokens)} tokens are words")
    common = sum(w in FUNCTION_WORDS for w in words)
    if common < 0.3 * len(words):
        problems.append(f"{common} of {len(words)} words are English function words")
    pairs = sum(p in PAIRS for p in zip(words, words[1:]))
    if pairs < 2:
        problems.append(f"{pairs} common English word pairs")
    if not re.search(r"[a-z][.!?:](\s|$)", text):
        problems.append("no sentence ends")
    return problems


@pytest.fixture(scope="module")
def smol(smollm2):
    backend = LocalBackend(smollm2, n_ctx=2048, n_threads=2)
    backend.load()
    yield backend
    backend.close()


@pytest.fixture(scope="module")
def vocab(smollm2):
    """The model's own tokenizer and chat template, read outside the product's worker."""
    from llama_cpp import Llama

    llm = Llama(str(smollm2), vocab_only=True, verbose=False)
    yield llm
    llm.close()


def template_tokens(vocab, messages) -> list[int]:
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    formatter = Jinja2ChatFormatter(vocab.metadata["tokenizer.chat_template"], "<|im_end|>",
                                    "<|im_start|>")
    prompt = formatter(messages=messages).prompt
    return vocab.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)


def test_streams_in_pieces_and_counts_exactly(smol, vocab):
    pieces = list(smol.stream(greedy(32)))
    usage = smol.last_usage
    text = "".join(pieces)
    assert len(pieces) >= 8, pieces
    assert usage.finish_reason == "length" and usage.completion_tokens == 32
    # The reply, tokenized again by the model's own tokenizer, is what was counted.
    assert len(vocab.tokenize(text.encode("utf-8"), add_bos=False, special=False)) == 32
    assert usage.prompt_tokens == len(template_tokens(vocab, ASK)) == smol.count_tokens(ASK)
    # The same text arrives whole when nothing streams it: the pieces lose and add nothing.
    assert "".join(smol.stream(greedy(32))) == text


def test_a_reply_that_ends_by_itself_is_counted_without_its_end_token(smol, vocab):
    messages = [{"role": "user", "content": "Reply with one word: yes or no. Is water wet?"}]
    text = "".join(smol.stream(greedy(64, messages)))
    usage = smol.last_usage
    assert usage.finish_reason == "stop" and text.strip()
    assert usage.completion_tokens == len(vocab.tokenize(text.encode("utf-8"), add_bos=False,
                                                         special=False))


def test_the_fitted_prompt_is_counted_as_the_worker_counts_it(smol, vocab):
    """The window fitting's exact count is the prompt the model was sent, token for token."""
    history = []
    for i in range(12):
        history += [{"role": "user", "content": f"Idea {i}: a video about {'bread ' * 12}?"},
                    {"role": "assistant", "content": f"Plan {i}: film the {'dough ' * 12}."}]
    fitted = fit("You help video creators.", history, "And one about cheese?",
                 BackendCounter(smol), n_ctx=512, max_tokens=16)
    assert fitted.kept_from > 0  # the window is too small for all of it: older turns went
    assert fitted.prompt_tokens + fitted.max_tokens <= 512
    "".join(smol.stream(greedy(fitted.max_tokens, fitted.messages)))
    assert smol.last_usage.prompt_tokens == fitted.prompt_tokens
    assert fitted.prompt_tokens == len(template_tokens(vocab, fitted.messages))


def test_cancel_stops_mid_stream(smol):
    whole = "".join(smol.stream(greedy(40)))
    seen = []
    for piece in smol.stream(greedy(400)):
        seen.append(piece)
        if len(seen) == 6:
            smol.cancel()
    usage = smol.last_usage
    assert usage.finish_reason == "cancelled" and len(seen) == 6
    assert usage.completion_tokens < 12
    assert whole.startswith("".join(seen))  # what arrived is the start of the greedy reply


def test_a_conversation_through_the_session_speaks_english_within_its_window(paths, demo_backend):
    from creator_assistant.session import Session
    from tests.realmodels import install

    install("smollm2-135m", paths)
    window = 384
    paths.config_file.write_text(
        "[models]\nthreads = 2\n\n"
        f'[tasks.chat]\nmodel = "smollm2-135m"\nmax_tokens = 40\ncontext = {window}\n'
        "temperature = 0.2\nseed = 7\n")
    asks = ["Hi! I run a small cooking channel. What should my first video be about?",
            "How long should that video be?",
            "What should I say in the first ten seconds?",
            "Which camera settings matter most for filming food?",
            "How often should I upload?",
            "Give me a title for the first video."]
    session = Session.open(paths)
    replies, cid = [], None
    try:
        for ask in asks:
            turn = session.ask(ask, task="chat", conversation_id=cid)
            replies.append("".join(turn))
            result, cid = turn.result, turn.result.conversation_id
            assert result.status == "ok" and result.model == "smollm2-135m", result.error
            usage = result.usage
            assert usage.prompt_tokens == turn.fitted.prompt_tokens
            assert usage.prompt_tokens + usage.completion_tokens <= window
            assert 0 < usage.completion_tokens <= 40
        assert turn.fitted.kept_from > 0  # the conversation outgrew the window: it was fitted
        saved = [m["content"] for m in session.store.messages(cid) if m["role"] == "assistant"]
        assert saved == replies
    finally:
        session.close()
    said = "\n".join(replies)
    assert english(said) == [], said
    # The check is not one that anything passes: the demo model's word salad fails it.
    salad = "".join(demo_backend.stream(GenerateRequest(messages=ASK, max_tokens=120, seed=3)))
    assert english(salad), salad
