"""Headlines rewritten once per story for all readers, against a loopback OpenAI-style server."""

from __future__ import annotations

import json
from datetime import date

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from podsift.config import InsightSettings, LLMSettings
from podsift.digest import Headlines
from podsift.insights import make_polisher
from podsift.models import Digest
from tests.llm.test_polish import item

# faithful to the quote of tests.llm.test_polish.item, each told apart
TAKES = (
    "A backdoor put into XZ to break open SSH connections.",
    "The XZ backdoor was intentionally put there to break SSH.",
    "This vulnerability was put there to break open SSH connections.",
)


def test_each_story_is_rewritten_once_for_every_reader(httpserver: HTTPServer) -> None:
    asked: list[int] = []

    def reply(request: Request) -> Response:
        body = request.get_json()
        count = body["messages"][-1]["content"].count("headline: ")
        asked.append(count)
        heads = [TAKES[len(asked) - 1] for _ in range(count)]
        payload = {"choices": [{"message": {"content": json.dumps({"headlines": heads})}}],
                   "usage": {"prompt_tokens": 100, "completion_tokens": 20}}  # fmt: skip
        return Response(json.dumps(payload), content_type="application/json")

    httpserver.expect_request("/v1/chat/completions").respond_with_handler(reply)
    llm = LLMSettings(base_url=httpserver.url_for("/v1"), api_key_env="")
    headlines = Headlines(make_polisher(InsightSettings(provider="openai", openai=llm)))
    ann = Digest(date(2024, 4, 2), (item(1, "Old 1"), item(2, "Old 2")))
    bob = Digest(date(2024, 4, 2), (item(2, "Old 2"), item(3, "Old 3")))
    ann_new, bob_new = headlines.apply(ann), headlines.apply(bob)
    assert asked == [1, 1, 1]  # one question a story; the second reader costs only s3
    assert ann_new.items[1].headline == bob_new.items[0].headline == TAKES[1]  # written once
    assert bob_new.items[1].headline == TAKES[2]
    assert [i.quote for i in bob_new.items] == [i.quote for i in bob.items]
