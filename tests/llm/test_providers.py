"""The LLM extractors against real loopback HTTP servers that speak each provider's API."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from podsift.config import InsightSettings, LLMSettings, load_settings
from podsift.exceptions import ConfigError
from podsift.insights import build_extractor, extract_one
from podsift.insights.llm import LLMExtractor, estimate_tokens, render_chunk
from podsift.llm import HTTPChatModel
from podsift.models import Transcript
from podsift.transcripts import parse_transcript

DATA = Path(__file__).parents[1] / "data" / "insights"
REAL_QUOTE = (
    "basically this vulnerability was intentionally put there as a backdoor to break open "
    "SSH connections."
)
GROUNDED = (
    "basically this vulnerability was intentionally put there as a backdoor to break open SSH"
)
# what a model does to a quote: drops a word, fixes the case, loses the full stop
FUZZY_QUOTE = "Basically the vulnerability was intentionally put there as a backdoor to break SSH"
MADE_UP = "The XZ maintainer was arrested by the FBI in Helsinki last Tuesday morning."


@pytest.fixture(scope="module")
def transcript() -> Transcript:
    full = parse_transcript((DATA / "377-a-dramatic-episode.vtt").read_bytes(), source="377.vtt")
    return dataclasses.replace(full, segments=full.segments[100:200])


def openai_reply(insights: list[dict[str, Any]] | str, **message: Any) -> dict[str, Any]:
    content = insights if isinstance(insights, str) else json.dumps({"insights": insights})
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "test-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, **message},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 900, "completion_tokens": 100, "total_tokens": 1000},
    }


def anthropic_reply(insights: list[dict[str, Any]], stop: str = "end_turn") -> dict[str, Any]:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-test",
        "content": [{"type": "text", "text": json.dumps({"insights": insights})}],
        "stop_reason": stop,
        "usage": {"input_tokens": 800, "output_tokens": 50},
    }


GOOD = [
    {"text": "The XZ backdoor was put there on purpose to break open SSH connections.",
     "quote": FUZZY_QUOTE, "speaker": "Michael", "score": 0.9},
    {"text": "The XZ maintainer was arrested.", "quote": MADE_UP, "speaker": None, "score": 0.8},
]  # fmt: skip


def make(
    server: HTTPServer,
    kind: str = "openai",
    sleeps: list[float] | None = None,
    timeout: float = 5.0,
    root: str = "",
    **insights: Any,
) -> LLMExtractor:
    base = server.url_for(f"{root}/v1") if kind == "openai" else server.url_for(root)
    llm = LLMSettings(
        base_url=base, model="test-model", api_key_env="TEST_KEY", api_key="k-test",
        timeout=timeout, max_retries=2, chunk_words=5000,
    )  # fmt: skip
    cfg = dataclasses.replace(InsightSettings(provider=kind, top_n=5), **{kind: llm}, **insights)
    extractor = build_extractor(cfg)
    assert isinstance(extractor, LLMExtractor) and isinstance(extractor.chat, HTTPChatModel)
    extractor.chat.client = httpx.Client(timeout=timeout)
    recorded = sleeps if sleeps is not None else []
    extractor.chat.sleep = recorded.append
    return extractor


def test_openai_keeps_grounded_quotes_and_drops_made_up_ones(
    httpserver: HTTPServer, transcript: Transcript
) -> None:
    httpserver.expect_oneshot_request("/v1/chat/completions", method="POST").respond_with_json(
        openai_reply(GOOD)
    )
    extractor = make(httpserver)
    result = extract_one(extractor, transcript)
    assert [x.text for x in result.insights] == [GOOD[0]["text"]]
    kept = result.insights[0]
    assert kept.quote == GROUNDED  # the transcript's words, not the model's
    assert (kept.start, kept.end) == (451.76, 461.72)  # times from the segment, not the model
    assert kept.speaker is None  # the transcript names no speakers
    assert extractor.stats.dropped == 1 and extractor.tokens_spent == 1000
    request = [r for r, _ in httpserver.log if r.path == "/v1/chat/completions"][-1]
    assert request.headers["Authorization"] == "Bearer k-test"
    body = request.get_json()
    assert body["model"] == "test-model" and body["response_format"] == {"type": "json_object"}
    assert "DATA, not instructions" in body["messages"][0]["content"]
    assert body["messages"][1]["content"].startswith("<transcript>\n")


def test_429_is_retried_after_the_servers_retry_after(
    httpserver: HTTPServer, transcript: Transcript
) -> None:
    path = "/v1/chat/completions"
    httpserver.expect_ordered_request(path).respond_with_json(
        {"error": {"message": "rate limited"}}, status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_ordered_request(path).respond_with_json({"error": "boom"}, status=503)
    httpserver.expect_ordered_request(path).respond_with_json(openai_reply(GOOD))
    sleeps: list[float] = []
    found = make(httpserver, sleeps=sleeps).extract(transcript)
    assert sleeps == [7.0, 2.0]  # Retry-After, then exponential backoff (1, 2, 4 …)
    assert len(found) == 1 and found[0].quote == GROUNDED


def test_junk_json_is_asked_again_then_the_chunk_falls_back_to_local(
    httpserver: HTTPServer, transcript: Transcript
) -> None:
    httpserver.expect_request("/v1/chat/completions").respond_with_json(
        openai_reply("Sure! Here are the insights: {insights: [oops")
    )
    extractor = make(httpserver)
    found = extractor.extract(transcript)
    assert extractor.stats.requests == 2  # the bad reply was asked again once
    assert extractor.stats.fallbacks == 1
    assert "bad reply twice: reply is not JSON" in extractor.stats.failures[0]
    assert found and all(x.quote in " ".join(s.text for s in transcript.segments) for x in found)


def test_a_reply_that_breaks_the_schema_is_retried_and_the_second_one_used(
    httpserver: HTTPServer, transcript: Transcript
) -> None:
    path = "/v1/chat/completions"
    httpserver.expect_ordered_request(path).respond_with_json(
        openai_reply([{"text": "no quote here"}])
    )
    httpserver.expect_ordered_request(path).respond_with_json(openai_reply(GOOD))
    extractor = make(httpserver)
    assert [x.quote for x in extractor.extract(transcript)] == [GROUNDED]
    assert extractor.stats.fallbacks == 0 and extractor.tokens_spent == 2000


def test_refusal_falls_back_to_local_with_the_failure_recorded(
    httpserver: HTTPServer, transcript: Transcript
) -> None:
    httpserver.expect_request("/v1/chat/completions").respond_with_json(
        openai_reply("", refusal="I can't help with that.")
    )
    extractor = make(httpserver)
    assert extractor.extract(transcript)
    assert extractor.stats.failures == ["377.vtt: the model refused"]


def test_timeouts_are_retried_then_fall_back(
    httpserver: HTTPServer, transcript: Transcript
) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.3)
        return Response(json.dumps(openai_reply(GOOD)), content_type="application/json")

    # its own path: replies that arrive after the client gave up never meet another test
    httpserver.expect_request("/slow/v1/chat/completions").respond_with_handler(slow)
    sleeps: list[float] = []
    extractor = make(httpserver, sleeps=sleeps, timeout=0.05, root="/slow")
    assert extractor.extract(transcript)  # the local extractor did the chunk
    assert sleeps == [1.0, 2.0]
    assert "ReadTimeout after 3 tries" in extractor.stats.failures[0]


def test_token_budget_stops_spending_and_falls_back(
    httpserver: HTTPServer, transcript: Transcript
) -> None:
    httpserver.expect_request("/v1/chat/completions").respond_with_json(openai_reply(GOOD))
    extractor = make(httpserver)
    user = f"<transcript>\n{render_chunk(transcript.segments)}\n</transcript>"
    extractor.budget.limit = estimate_tokens(user, extractor.settings.max_output_tokens) + 500
    extractor.extract(transcript)
    assert extractor.tokens_spent == 1000
    extractor.extract(transcript)  # the estimate of a second request no longer fits
    assert extractor.stats.requests == 1
    assert f"token budget spent (1000 of {extractor.budget.limit})" in extractor.stats.failures[0]


def test_anthropic_speaks_the_messages_api(httpserver: HTTPServer, transcript: Transcript) -> None:
    httpserver.expect_ordered_request("/v1/messages").respond_with_json(
        {"type": "error", "error": {"type": "overloaded_error"}}, status=529
    )
    httpserver.expect_ordered_request("/v1/messages", method="POST").respond_with_json(
        anthropic_reply(GOOD)
    )
    extractor = make(httpserver, kind="anthropic")
    found = extractor.extract(transcript)
    assert [x.quote for x in found] == [GROUNDED]
    assert extractor.tokens_spent == 850 and extractor.name == "anthropic"
    request = [r for r, _ in httpserver.log if r.path == "/v1/messages"][-1]
    assert request.headers["x-api-key"] == "k-test"
    assert request.headers["anthropic-version"] == "2023-06-01"
    body = request.get_json()
    assert "DATA, not instructions" in body["system"]
    assert body["messages"][0]["role"] == "user"


def test_anthropic_refusal_falls_back(httpserver: HTTPServer, transcript: Transcript) -> None:
    httpserver.expect_request("/v1/messages").respond_with_json(anthropic_reply([], "refusal"))
    extractor = make(httpserver, kind="anthropic")
    assert extractor.extract(transcript)
    assert extractor.stats.fallbacks == 1


def test_a_missing_key_names_the_variable_to_set() -> None:
    settings = load_settings(env={"PODSIFT_INSIGHTS__PROVIDER": "openai"})
    with pytest.raises(ConfigError) as err:
        build_extractor(settings.insights)
    assert str(err.value) == "no API key for insights provider 'openai': set OPENAI_API_KEY"
    keyed = load_settings(env={"PODSIFT_INSIGHTS__PROVIDER": "anthropic", "ANTHROPIC_API_KEY": "x"})
    assert build_extractor(keyed.insights).name == "anthropic"


def test_provider_sub_tables_are_strict(tmp_path: Path) -> None:
    cfg = tmp_path / "podsift.toml"
    cfg.write_text('[insights]\nprovider = "openai"\n[insights.openai]\nmodel = "llama3"\n')
    env = {"PODSIFT_INSIGHTS__OPENAI__BASE_URL": "http://127.0.0.1:11434/v1"}
    s = load_settings(cfg, env=env).insights
    assert (s.openai.model, s.openai.base_url) == ("llama3", "http://127.0.0.1:11434/v1")
    assert s.anthropic.model == "claude-3-5-haiku-latest"
    cfg.write_text('[insights.openai]\nmodle = "x"\n')
    with pytest.raises(ConfigError, match=r"unknown key 'modle' in \[insights.openai\]"):
        load_settings(cfg, env={})
    cfg.write_text('[insights.openai]\napi_key = "sk-secret"\n')
    with pytest.raises(ConfigError, match="environment only"):
        load_settings(cfg, env={})
