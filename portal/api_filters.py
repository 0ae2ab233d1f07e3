"""DRF filter backends shared by the apps' APIs."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _
from rest_framework import filters, serializers

# A NUL byte reaches PostgreSQL as an error (500); control characters are never part of a search.
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
SEARCH_MAX_LENGTH = 200


class SafeSearchFilter(filters.SearchFilter):
    """DRF's search, refusing control characters and over-long terms with a 400 instead of a 500."""

    def get_search_terms(self, request) -> list[str]:
        raw = request.query_params.get(self.search_param, "")
        if _FORBIDDEN.search(raw):
            raise serializers.ValidationError({self.search_param: [_("Remove control characters.")]})
        if len(raw) > SEARCH_MAX_LENGTH:
            raise serializers.ValidationError(
                {self.search_param: [_("Use at most %(limit)d characters.") % {"limit": SEARCH_MAX_LENGTH}]}
            )
        return super().get_search_terms(request)
