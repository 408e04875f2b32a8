"""podsift: the top 5 insights from each day's podcasts, merged across shows, with proof."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
