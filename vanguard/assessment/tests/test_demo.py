"""The demo's assessment: two scored quarters of the bus company and 华盛, one published with a revision,
one closed, the current one open; versions 1 and 2 of each scheme."""

from __future__ import annotations

import pytest

from vanguard.assessment.models import IndicatorResult, Result, Revision, Round, Scheme, Score
from vanguard.demo import assessment as demo_assessment
from vanguard.demo import builder, data
from vanguard.demo import posts as demo_posts
from vanguard.demo import requests as demo_requests

pytestmark = pytest.mark.django_db


def test_the_demo_scores_two_quarters_of_both_committees_and_builds_once():
    builder.build_demo()
    schemes = Scheme.objects.filter(name=demo_assessment.SCHEME_NAME)
    assert set(schemes.values_list("organisation__name", flat=True)) == {data.BUS_ORG, data.HUASHENG_ORG}
    for scheme in schemes:
        rounds = list(Round.objects.filter(version__scheme=scheme).order_by("period_start"))
        assert [r.status for r in rounds] == ["published", "closed", "open"]
        assert [r.version.number for r in rounds] == [1, 2, 2]
        for closed in rounds[:2]:
            results = closed.results.all()
            assert results.count() > 10
            assert not results.filter(rank__isnull=True).exists()
            assert results.filter(data_points__gt=0).count() == results.count()
            # Every breakdown sums to its total.
            for result in results[:20]:
                assert sum(r.points for r in IndicatorResult.objects.filter(result=result)) == result.total
        assert Revision.objects.filter(result__round=rounds[0]).count() == 1
        assert Score.objects.filter(result__round=rounds[2]).exists()
    counts = (Scheme.objects.count(), Round.objects.count(), Result.objects.count(), Score.objects.count())
    builder.build_demo()
    assert (
        Scheme.objects.count(),
        Round.objects.count(),
        Result.objects.count(),
        Score.objects.count(),
    ) == counts
    # The posts' star rounds run on the engine, and requests hang on the posts: their areas go first, as in
    # builder.reset_demo().
    demo_requests.reset()
    demo_posts.reset()
    demo_assessment.reset()
    assert not Scheme.objects.exists() and not Round.objects.exists()
